"""Staff pages: sessions (plan, invite, vaccinate with the screening checklist), registrations and
finding a person. Person records are in ``records.py``, reports in ``reports.py``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import require_role
from phongdich.core.collation import vi_order
from phongdich.lib.dcc.valuesets import VACCINE_PRODUCTS
from phongdich.lib.errors import DomainError, InputErrors
from phongdich.lib.timeutil import format_vn
from phongdich.people.forms import errors_by_field, person_from_post
from phongdich.people.identity import resolve
from phongdich.people.validation import validate_person
from phongdich.places.queries import ward_from_text, ward_label
from phongdich.vaccination import actions, doses, invitations, lists, queries
from phongdich.vaccination.forms import dose_from_post, session_from_post
from phongdich.vaccination.models import (
    InvitationStatus,
    PersonStatus,
    PriorityGroup,
    SessionStatus,
)
from phongdich.vaccination.names import vaccine_name
from phongdich.vaccination.queries import OFFICERS
from phongdich.vaccination.screening import QUESTIONS, deferrals_of

# The names staff use first ("Pfizer-BioNTech (Comirnaty) · EU/1/20/1528"), sorted by them.
PRODUCTS = sorted(
    ((code, vaccine_name(code).rsplit(" · ", 1)[0]) for code in VACCINE_PRODUCTS),
    key=lambda item: item[1],
)


def is_officer(user) -> bool:
    return user.role in {*OFFICERS, "admin"}


def flash(request, exc: Exception) -> None:
    """Show an action's error (bilingual codes) as a message in the page's language."""
    vi = (get_language() or "vi").startswith("vi")
    errors = exc.errors if isinstance(exc, InputErrors) else [exc]
    for e in errors:
        messages.error(request, e.message_vi if vi else e.message_en)


@login_required
def session_list(request, errors=None, values=None, status: int = 200):
    return render(
        request,
        "vaccination/sessions.html",
        {
            **lists.session_list_context(request),
            "products": PRODUCTS,
            "can_create": is_officer(request.user),
            "ward_value": ward_label(
                ward_from_text((values or {}).get("ward_code", ""), request.user.province_id)
            )
            if values
            else (ward_label(request.user.ward_id) if request.user.ward_id else ""),
            "errors": errors or {},
            "values": values or {},
        },
        status=status,
    )


@login_required
@require_POST
def session_create(request):
    require_role(request.user, *OFFICERS)
    try:
        data = session_from_post(request.POST)
        data["ward_code"] = ward_from_text(data.get("ward_code", ""), request.user.province_id)
        session = actions.do_create_session(data, actor=request.user, request=request)
    except InputErrors as exc:
        return session_list(
            request, errors=errors_by_field(exc.errors), values=request.POST, status=422
        )
    return redirect("vaccination:session", session_id=session.pk)


def _session_context(request, session, **extra):
    invitations = session.invitations.select_related("registration__person").order_by(
        "status", vi_order("registration__person__full_name"), "pk"
    )
    given = session.doses.filter(voided_at__isnull=True).select_related("person")
    person = extra.pop("person", None)
    person_id = _int_or_none(
        request.GET.get("person") or (extra.get("values") or {}).get("person_id")
    )
    if person is None and person_id is not None:
        person = queries.access_person(request.user, person_id)
    next_dose = 1
    if person is not None:
        status = PersonStatus.objects.filter(person=person).first()
        next_dose = (status.doses if status else 0) + 1
    return {
        "session": session,
        "invitations": invitations,
        "doses": given.order_by("-pk"),
        "observing": doses.observing(given),
        "person": person,
        "next_dose": next_dose,
        "deferrals": deferrals_of(person) if person is not None else [],
        "questions": [(code, label) for code, (_o, label) in QUESTIONS.items()],
        "groups": PriorityGroup.choices,
        "statuses": SessionStatus.choices,
        "is_officer": is_officer(request.user),
        "values": {},
        "errors": {},
        "found": queries.find_people(request.user, request.GET.get("q", ""))
        if request.GET.get("q")
        else None,
        **extra,
    }


@login_required
def session_detail(request, session_id: int):
    session = queries.access_session(request.user, session_id)
    context = _session_context(request, session)
    audit.record(
        "view",
        request=request,
        obj=session,
        ward=session.ward,
        detail={"invitations": len(context["invitations"])},
    )
    return render(request, "vaccination/session.html", context)


@login_required
@require_POST
def session_status(request, session_id: int):
    require_role(request.user, *OFFICERS)
    session = queries.access_session(request.user, session_id)
    try:
        actions.do_set_session_status(
            session, request.POST.get("status", ""), actor=request.user, request=request
        )
    except InputErrors as exc:
        flash(request, exc)
    return redirect("vaccination:session", session_id=session.pk)


def _int_or_none(raw: str | None) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        return None


@login_required
@require_POST
def session_invite(request, session_id: int):
    require_role(request.user, *OFFICERS)
    session = queries.access_session(request.user, session_id)
    try:
        count = invitations.do_invite(
            session,
            priority_groups=request.POST.getlist("priority_groups"),
            min_age=_int_or_none(request.POST.get("min_age")),
            max_age=_int_or_none(request.POST.get("max_age")),
            actor=request.user,
            request=request,
        )
        messages.success(request, _("%(count)s people invited.") % {"count": count})
    except (InputErrors, DomainError) as exc:
        flash(request, exc)
    return redirect("vaccination:session", session_id=session.pk)


@login_required
@require_POST
def invitation_answer(request, session_id: int, invitation_id: int):
    require_role(request.user, *OFFICERS)
    session = queries.access_session(request.user, session_id)
    invitation = session.invitations.filter(pk=invitation_id).first()
    if invitation is not None and invitation.status != InvitationStatus.ATTENDED:
        try:
            invitations.do_answer_invitation(
                invitation, request.POST.get("status", ""), actor=request.user, request=request
            )
        except (InputErrors, DomainError) as exc:
            flash(request, exc)
    return redirect("vaccination:session", session_id=session.pk)


@login_required
@require_POST
def session_dose(request, session_id: int):
    """Record a dose at this session: the chosen person (or a walk-in's details), the screening
    checklist and the lot; the screening is kept even when it postpones the dose."""
    session = queries.access_session(request.user, session_id)
    post = request.POST
    deferred = None
    try:
        with transaction.atomic():  # a refused dose leaves no person created or changed
            if post.get("person_id"):
                person = queries.access_person(request.user, _int_or_none(post["person_id"]) or 0)
            else:
                clean, errors = validate_person(
                    _person_data(request), prefix="", require_contact=False
                )
                if errors:
                    raise InputErrors(errors)
                person = resolve(clean, actor=request.user, request=request).person
            try:
                dose, _created = doses.do_record_dose(
                    person,
                    dose_from_post(post),
                    session=session,
                    actor=request.user,
                    request=request,
                )
            except DomainError as exc:
                if exc.code != "not_eligible":
                    raise
                # The screening deferred the dose: it stays on the person's record (and a
                # walk-in stays a person) so the next vaccinator sees why.
                deferred = exc
    except InputErrors as exc:
        context = _session_context(
            request, session, values=post, errors=errors_by_field(exc.errors)
        )
        return render(request, "vaccination/session.html", context, status=422)
    except DomainError as exc:
        flash(request, exc)
        context = _session_context(request, session, values=post)
        return render(request, "vaccination/session.html", context, status=exc.status)
    if deferred is not None:
        [screening] = deferrals_of(person, limit=1)
        vi = (get_language() or "vi").startswith("vi")
        messages.warning(
            request,
            (deferred.message_vi if vi else deferred.message_en)
            + " "
            + _("Dose deferred for %(name)s: %(reasons)s. Recorded on the person's record.")
            % {"name": person.full_name, "reasons": "; ".join(screening.reasons)},
        )
        context = _session_context(request, session, values=post, person=person)
        return render(request, "vaccination/session.html", context, status=deferred.status)
    messages.success(
        request,
        _("Dose %(number)s recorded for %(name)s.")
        % {"number": dose.dose_number, "name": person.full_name}
        + (
            " " + _("Observe until %(time)s.") % {"time": format_vn(dose.observation_until)}
            if dose.observation_until
            else ""
        ),
    )
    return redirect("vaccination:session", session_id=session.pk)


@login_required
def registration_list(request, errors=None, values=None, status: int = 200):
    context = lists.registration_list_context(request)
    listing = context["listing"]
    audit.record(
        "view",
        request=request,
        object_type="vaccination.registration_list",
        detail={"count": len(listing.rows)} | lists.filters_of(listing),
    )
    return render(
        request,
        "vaccination/registrations.html",
        {
            **context,
            "can_register": is_officer(request.user),
            "errors": errors or {},
            "values": values or {},
        },
        status=status,
    )


def _person_data(request) -> dict:
    """The person fields, the ward given by name or by code (the picker sends both)."""
    data = person_from_post(request.POST)
    data["ward_code"] = ward_from_text(data.get("ward_code", ""), request.user.province_id)
    return data


@login_required
@require_POST
def registration_create(request):
    require_role(request.user, *OFFICERS)
    try:
        registration, created = actions.do_register(
            _person_data(request),
            priority_group=request.POST.get("priority_group", ""),
            date_of_birth=request.POST.get("date_of_birth") or None,
            channel="officer",
            actor=request.user,
            request=request,
        )
    except InputErrors as exc:
        return registration_list(
            request, errors=errors_by_field(exc.errors), values=request.POST, status=422
        )
    messages.success(request, _("Registered.") if created else _("Registration updated."))
    return redirect("vaccination:person", person_id=registration.person_id)


@login_required
@require_POST
def registration_cancel(request, registration_id: int):
    require_role(request.user, *OFFICERS)
    registration = queries.access_registration(request.user, registration_id)
    actions.do_cancel_registration(registration, actor=request.user, request=request)
    return redirect("vaccination:person", person_id=registration.person_id)


@login_required
def people_search(request):
    text = request.GET.get("q", "")
    found = queries.find_people(request.user, text)
    if text:
        audit.record(
            "search", request=request, object_type="people.person", detail={"results": len(found)}
        )
    return render(request, "vaccination/people.html", {"q": text, "found": found})
