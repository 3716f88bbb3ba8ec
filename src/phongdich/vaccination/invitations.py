"""Invitations: registered people asked to a session by priority group and age, within its
slots; a refusal frees the slot and is not asked again for that session."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.lib.errors import InputErrors
from phongdich.lib.timeutil import local_date
from phongdich.places.models import Ward
from phongdich.vaccination.errors import error
from phongdich.vaccination.models import (
    PRIORITY_ORDER,
    Invitation,
    InvitationStatus,
    PriorityGroup,
    Registration,
    RegistrationStatus,
    Session,
    SessionStatus,
)


def invitation_candidates(
    session: Session,
    *,
    priority_groups: list[str] | None = None,
    min_age: int | None = None,
    max_age: int | None = None,
):
    """Registrations of the session's ward who are due a dose on its date, hold no open
    invitation and were not invited to this session before (a refusal is not asked again),
    highest priority group first, then the oldest, then the earliest registered."""
    year = session.date.year
    today = local_date(timezone.now())
    qs = Registration.objects.filter(ward_id=session.ward_id, status=RegistrationStatus.ACTIVE)
    if priority_groups:
        qs = qs.filter(priority_group__in=priority_groups)
    if min_age is not None:
        qs = qs.filter(person__birth_year__lte=year - min_age)
    if max_age is not None:
        qs = qs.filter(person__birth_year__gte=year - max_age)
    open_invitations = Invitation.objects.filter(
        status=InvitationStatus.INVITED,
        session__date__gte=min(today, session.date),
        session__status__in=[SessionStatus.PLANNED, SessionStatus.OPEN],
    ).values("registration_id")
    this_session = Invitation.objects.filter(session=session).values("registration_id")
    qs = (
        qs.exclude(pk__in=open_invitations)
        .exclude(pk__in=this_session)
        .filter(
            Q(person__vaccination_status__isnull=True)
            | Q(person__vaccination_status__next_due_on__lte=session.date)
        )
    )
    rank = Case(
        *[When(priority_group=g, then=Value(i)) for i, g in enumerate(PRIORITY_ORDER)],
        output_field=IntegerField(),
    )
    return qs.annotate(rank=rank).order_by("rank", "person__birth_year", "created_at", "pk")


def do_invite(
    session: Session,
    *,
    priority_groups: list[str] | None = None,
    min_age: int | None = None,
    max_age: int | None = None,
    actor: Any,
    request: Any = None,
) -> int:
    """Invite registered people to a session by priority group and age, up to its free slots.

    Runs under a lock on the session so two officers pressing "invite" cannot overbook it, and
    under one on its ward: a person holds one open invitation at a time (``invitation_candidates``
    skips those who hold one), and two sessions of one ward invited at once would otherwise both
    read nobody as invited and ask the same people to both."""
    bad = [g for g in priority_groups or [] if g not in PriorityGroup.values]
    if bad:
        raise InputErrors.one(
            "priority_groups",
            "not_allowed",
            "Nhóm ưu tiên không hợp lệ.",
            "Unknown priority groups: " + ", ".join(bad),
        )
    for field, value in (("min_age", min_age), ("max_age", max_age)):
        if value is not None and not 0 <= value <= 130:
            raise InputErrors.one(
                field,
                "out_of_range",
                "Tuổi phải từ 0 đến 130.",
                f"{field} must be between 0 and 130.",
            )
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.status not in {
            SessionStatus.PLANNED,
            SessionStatus.OPEN,
        } or session.date < local_date(timezone.now()):
            raise error("session_closed")
        # NO KEY: rows inserted meanwhile that refer to the ward (audit, people) are not held up.
        Ward.objects.select_for_update(no_key=True).filter(pk=session.ward_id).first()
        taken = session.invitations.exclude(status=InvitationStatus.DECLINED).count()
        free = max(0, session.slots - taken)
        chosen = list(
            invitation_candidates(
                session, priority_groups=priority_groups, min_age=min_age, max_age=max_age
            )[:free]
        )
        Invitation.objects.bulk_create(
            [Invitation(session=session, registration=r, invited_by=actor) for r in chosen],
            ignore_conflicts=True,
        )
        audit.record(
            "invite",
            actor=actor,
            request=request,
            obj=session,
            ward=session.ward,
            detail={
                "invited": len(chosen),
                "groups": priority_groups or [],
                "min_age": min_age,
                "max_age": max_age,
            },
        )
    return len(chosen)


def do_answer_invitation(
    invitation: Invitation, status: str, *, actor: Any = None, request: Any = None
) -> Invitation:
    """Mark an invitation declined (frees the slot) or invited again. An attended invitation
    keeps its status: a late or repeated answer must not undo a dose given at the session."""
    if status not in {InvitationStatus.INVITED, InvitationStatus.DECLINED}:
        raise InputErrors.one(
            "status",
            "not_allowed",
            "Trạng thái không hợp lệ.",
            "status must be invited or declined.",
        )
    with transaction.atomic():
        if status == InvitationStatus.INVITED:
            _check_taken_back(invitation)
        answered = (
            Invitation.objects.filter(pk=invitation.pk)
            .exclude(status=InvitationStatus.ATTENDED)
            .update(status=status)
        )
        if not answered:  # attended (or gone with a cancelled registration): nothing changes
            current = Invitation.objects.filter(pk=invitation.pk).values_list("status", flat=True)
            invitation.status = current.first() or invitation.status
            return invitation
        invitation.status = status
        audit.record(
            "answer_invitation",
            actor=actor,
            request=request,
            obj=invitation,
            ward=invitation.session.ward,
            detail={"status": status},
        )
    return invitation


def _check_taken_back(invitation: Invitation) -> None:
    """A declined invitation accepted again takes a place back: only while the session has one
    free and the person holds no other open invitation (one at a time, as ``do_invite`` keeps).
    Under the locks ``do_invite`` takes, in its order, so an invite meanwhile is seen."""
    session = Session.objects.select_for_update().get(pk=invitation.session_id)
    Ward.objects.select_for_update(no_key=True).filter(pk=session.ward_id).first()
    current = Invitation.objects.filter(pk=invitation.pk).values_list("status", flat=True).first()
    if current != InvitationStatus.DECLINED:
        return  # still invited (nothing to take back) or attended (kept as it is)
    taken = session.invitations.exclude(status=InvitationStatus.DECLINED).count()
    if taken >= session.slots:
        raise error("session_full")
    elsewhere = (
        Invitation.objects.filter(
            registration_id=invitation.registration_id,
            status=InvitationStatus.INVITED,
            session__date__gte=local_date(timezone.now()),
            session__status__in=[SessionStatus.PLANNED, SessionStatus.OPEN],
        )
        .exclude(pk=invitation.pk)
        .exists()
    )
    if elsewhere:
        raise error("invited_elsewhere")
