"""Every state change of tracing: cases, follow-up, manual and imported contacts. The contact
search and the shape of its results live in ``trace``; these actions call it after their commit."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import can_see_ward
from phongdich.core import events
from phongdich.core.rules import get_rule
from phongdich.lib.errors import FieldError, InputErrors
from phongdich.lib.timeutil import local_date
from phongdich.people.identity import resolve
from phongdich.people.models import Person
from phongdich.people.validation import validate_person
from phongdich.places.models import Ward
from phongdich.tracing import store
from phongdich.tracing.errors import TracingError
from phongdich.tracing.models import (
    Case,
    CaseSource,
    CaseStatus,
    Contact,
    ContactOrigin,
    ContactStatus,
    Level,
)
from phongdich.tracing.trace import TraceResult, first_trace, queue_full_trace
from phongdich.tracing.trace import trace as run_trace
from phongdich.tracing.windows import infectious_window


def _check_dates(confirmed_at: datetime, sample_date: date, onset_date: date | None) -> None:
    errors = []
    now = timezone.now()
    if timezone.is_naive(confirmed_at):
        errors.append(
            FieldError(
                "confirmed_at",
                "naive_datetime",
                "Thời điểm cần có múi giờ.",
                "confirmed_at must include a time zone offset.",
            )
        )
    elif confirmed_at > now + timedelta(minutes=5):
        errors.append(
            FieldError(
                "confirmed_at",
                "in_future",
                "Ngày xác nhận nằm ở tương lai.",
                "confirmed_at is in the future.",
            )
        )
    else:
        confirmed_day = local_date(confirmed_at)
        if sample_date > confirmed_day:
            errors.append(
                FieldError(
                    "sample_date",
                    "after_confirmation",
                    "Ngày lấy mẫu không thể sau ngày xác nhận.",
                    "sample_date cannot be after confirmed_at.",
                )
            )
        if onset_date and onset_date > confirmed_day:
            errors.append(
                FieldError(
                    "onset_date",
                    "after_confirmation",
                    "Ngày khởi phát không thể sau ngày xác nhận.",
                    "onset_date cannot be after confirmed_at.",
                )
            )
        if sample_date < confirmed_day - timedelta(days=60):
            errors.append(
                FieldError(
                    "sample_date",
                    "too_old",
                    "Ngày lấy mẫu quá xa.",
                    "sample_date is more than 60 days before confirmation.",
                )
            )
    if errors:
        raise InputErrors(errors)


def _case_exists(person: Person, actor: Any) -> TracingError:
    """The person already has an open case: named (#N) only to someone who may see it."""
    existing = Case.objects.filter(person=person, status=CaseStatus.OPEN).first()
    if existing is not None and (actor is None or can_see_ward(actor, existing.ward)):
        return TracingError(
            "case_exists",
            f"Người này đã là ca bệnh đang điều tra (#{existing.pk}).",
            f"This person already has an open case (#{existing.pk}).",
            409,
        )
    return TracingError(
        "case_exists",
        "Người này đã là ca bệnh đang điều tra.",
        "This person already has an open case.",
        409,
    )


def _case_ward(person: Person | None, actor: Any, ward_code: int | None) -> Ward:
    code = ward_code or (person.ward_id if person else None) or getattr(actor, "ward_id", None)
    ward = Ward.objects.select_related("province").filter(code=code).first() if code else None
    if ward is None:
        raise InputErrors.one(
            "ward_code",
            "required",
            "Cần phường/xã quản lý ca bệnh (nơi ở của người bệnh).",
            "ward_code is required: the ward responsible for the case.",
        )
    if actor is not None and not can_see_ward(actor, ward):
        raise InputErrors.one(
            "ward_code",
            "outside_area",
            "Phường/xã này không thuộc địa bàn của bạn.",
            "ward_code is outside your area.",
        )
    return ward


def do_create_case(
    *,
    confirmed_at: datetime,
    sample_date: date,
    onset_date: date | None = None,
    person: Person | None = None,
    person_data: dict[str, Any] | None = None,
    source: str = CaseSource.TEST,
    notes: str = "",
    ward_code: int | None = None,
    actor: Any = None,
    request: Any = None,
    trace: bool = True,
) -> Case:
    """Register a confirmed case (F0), compute its infectious window and, by default, its contacts.

    Other modules call this (a positive test result does). A person already traced as a contact of
    another case becomes the next link of that chain."""
    _check_dates(confirmed_at, sample_date, onset_date)
    if source not in CaseSource.values:
        raise InputErrors.one(
            "source",
            "not_allowed",
            "Nguồn không hợp lệ.",
            f"source must be one of {', '.join(CaseSource.values)}.",
        )
    clean = None
    if person is None:
        clean, errors = validate_person(person_data or {}, require_contact=False)
        if errors:
            raise InputErrors(errors)
    if ward_code is not None:  # checked before anything is written
        _case_ward(None, actor, ward_code)
    try:
        with transaction.atomic():
            if person is None:
                # Inside the case's transaction: a refused case leaves no person behind.
                person = resolve(clean, actor=actor, request=request).person
            ward = _case_ward(person, actor, ward_code)
            start, end = infectious_window(sample_date, onset_date, confirmed_at)
            case = Case.objects.create(
                person=person,
                ward=ward,
                confirmed_at=confirmed_at,
                sample_date=sample_date,
                onset_date=onset_date,
                isolated_at=confirmed_at,
                source=source,
                notes=notes,
                window_start=start,
                window_end=end,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
            _link_chain(case)
            audit.record("create", actor=actor, request=request, obj=case, ward=ward)
            events.emit("case.opened", case_id=case.pk, ward_id=ward.pk, source=source)
    except IntegrityError:
        raise _case_exists(person, actor) from None
    # After the commit, never inside it: the search holds no lock while it reads, so check-ins
    # go on while a case at a busy market is traced (a caller inside its own transaction passes
    # trace=False and traces after its commit, as testing.cases does).
    if trace:
        do_first_trace(case)
    return case


def do_first_trace(case: Case) -> None:
    """The search for a new case: its F1 list (with evidence) at once, so the officer has it
    before the page returns (and the lab's import its cases' lists). A case with more
    than PHONGDICH_TRACING_INLINE_F1 F1 has its F2 searched by the background worker
    (``tasks.trace_case``): at a busy market that search takes tens of seconds."""
    first_trace(case)


def do_retrace(case: Case) -> TraceResult | None:
    """An officer's "search again": at once for a case with few F1, otherwise queued for the
    background worker (the case shows its F2 as pending until then); returns None when queued."""
    f1 = Contact.objects.filter(case=case, level=Level.F1).count()
    if f1 <= settings.TRACING_INLINE_F1:
        return do_trace_case(case)
    queue_full_trace(case)
    return None


def do_trace_case(case: Case, now: datetime | None = None, *, f2: bool = True) -> TraceResult:
    """Compute (or recompute) the F1 and F2 of a case from check-ins, with evidence.

    Re-running never duplicates anyone: contacts are unique per case and person, each keeps its
    status, the closest level wins (F1 over F2), and evidence is replaced by the new search.
    ``f2=False`` lists only the F1 of a case that has no contacts yet (the first, fast pass);
    a case with contacts is always searched in full, so that nobody is dropped."""
    return run_trace(case, now or timezone.now(), inline_f1=None if f2 else -1)


def _link_chain(case: Case) -> None:
    """If the new case was traced as a contact of earlier cases, mark those contacts and link the
    chain to the closest one (F1 before F2, then the most recent case)."""
    earlier = list(
        Contact.objects.filter(person=case.person)
        .exclude(case=case)
        .exclude(status=ContactStatus.BECAME_CASE)
        .order_by("level", "-case__confirmed_at", "pk")
    )
    if not earlier:
        return
    Contact.objects.filter(pk__in=[c.pk for c in earlier]).update(
        status=ContactStatus.BECAME_CASE, became_case=case, updated_at=timezone.now()
    )
    case.infected_via = earlier[0]
    case.save(update_fields=["infected_via"])


def do_override_window(
    case: Case, start: datetime, end: datetime, reason: str, *, actor: Any, request: Any = None
) -> Case:
    """Set the infectious window by hand (with a reason, audited), then search again after the
    commit."""
    if not reason.strip():
        raise InputErrors.one(
            "reason",
            "required",
            "Cần nêu lý do điều chỉnh.",
            "reason is required to override the window.",
        )
    if end <= start:
        raise InputErrors.one(
            "window_end",
            "before_start",
            "Thời điểm kết thúc phải sau bắt đầu.",
            "window_end must be after window_start.",
        )
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        old = (case.window_start.isoformat(), case.window_end.isoformat())
        case.window_start, case.window_end, case.window_override_reason = start, end, reason.strip()
        case.save(update_fields=["window_start", "window_end", "window_override_reason"])
        audit.record(
            "override_window",
            actor=actor,
            request=request,
            obj=case,
            ward=case.ward,
            detail={"from": old, "reason": reason},
        )
    do_trace_case(case)
    return case


# Allowed moves of the follow-up workflow.
TRANSITIONS = {
    ContactStatus.IDENTIFIED: {
        ContactStatus.NOTIFIED,
        ContactStatus.QUARANTINED,
        ContactStatus.BECAME_CASE,
    },
    ContactStatus.NOTIFIED: {
        ContactStatus.QUARANTINED,
        ContactStatus.TESTED,
        ContactStatus.BECAME_CASE,
    },
    ContactStatus.QUARANTINED: {
        ContactStatus.TESTED,
        ContactStatus.RELEASED,
        ContactStatus.BECAME_CASE,
    },
    ContactStatus.TESTED: {
        ContactStatus.QUARANTINED,
        ContactStatus.RELEASED,
        ContactStatus.BECAME_CASE,
    },
    ContactStatus.RELEASED: {ContactStatus.BECAME_CASE},
    ContactStatus.BECAME_CASE: set(),
}


def do_update_contact(
    contact: Contact,
    status: str,
    *,
    actor: Any,
    request: Any = None,
    quarantine_start: date | None = None,
    test_result: str = "",
    confirmed_at: datetime | None = None,
    sample_date: date | None = None,
) -> Contact:
    """Move a contact through the follow-up workflow; every move is audited."""
    if status not in ContactStatus.values:
        raise InputErrors.one(
            "status",
            "not_allowed",
            "Trạng thái không hợp lệ.",
            f"status must be one of {', '.join(ContactStatus.values)}.",
        )
    if status == ContactStatus.BECAME_CASE:
        today = local_date(timezone.now())
        do_create_case(
            person=contact.person,
            confirmed_at=confirmed_at or timezone.now(),
            sample_date=sample_date or today,
            source=CaseSource.CONTACT,
            ward_code=contact.ward_id,
            actor=actor,
            request=request,
        )
        contact.refresh_from_db()
        return contact
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        old = contact.status
        if status != old and status not in TRANSITIONS[ContactStatus(old)]:
            raise TracingError(
                "bad_transition",
                f"Không thể chuyển từ '{old}' sang '{status}'.",
                f"Cannot move a contact from '{old}' to '{status}'.",
                409,
            )
        now = timezone.now()
        contact.status = status
        if status == ContactStatus.NOTIFIED:
            contact.notified_at = now
        elif status == ContactStatus.QUARANTINED:
            start = quarantine_start or local_date(now)
            contact.quarantine_start = start
            contact.quarantine_end = start + timedelta(days=get_rule("tracing.quarantine_days"))
        elif status == ContactStatus.TESTED:
            if test_result not in {"negative", "positive"}:
                raise InputErrors.one(
                    "test_result",
                    "required",
                    "Cần kết quả xét nghiệm (âm tính/dương tính).",
                    "test_result must be negative or positive.",
                )
            contact.test_result, contact.tested_at = test_result, now
        elif status == ContactStatus.RELEASED:
            contact.released_at = now
        contact.save()
        audit.record(
            "update",
            actor=actor,
            request=request,
            obj=contact,
            ward=contact.ward,
            detail={"from": old, "to": status, "test_result": test_result},
        )
        if status != old:
            events.emit(
                "contact.status_changed",
                contact_id=contact.pk,
                case_id=contact.case_id,
                old=old,
                new=status,
            )
    if status == ContactStatus.TESTED and test_result == "positive":
        return do_update_contact(
            contact,
            ContactStatus.BECAME_CASE,
            actor=actor,
            request=request,
            confirmed_at=timezone.now(),
        )
    return contact


def do_add_contact(
    case: Case,
    person_data: dict[str, Any],
    *,
    relation: str = "",
    level: str = Level.F1,
    origin: str = ContactOrigin.MANUAL,
    actor: Any,
    request: Any = None,
) -> tuple[Contact, bool]:
    """Add a contact named by the case, a household member or a colleague (no check-in needed)."""
    clean, errors = validate_person(person_data, require_contact=False)
    if errors:
        raise InputErrors(errors)
    with transaction.atomic():
        person = resolve(clean, actor=actor, request=request).person
        store.lock_list(case)  # not while a trace writes the list (it would list them too)
        if person.pk == case.person_id or person.claim_of_id == case.person_id:
            raise InputErrors.one(
                "person", "is_the_case", "Đây chính là ca bệnh.", "This person is the case itself."
            )
        ward_id = person.ward_id or case.ward_id
        contact, created = Contact.objects.get_or_create(
            case=case,
            person=person,
            defaults={
                "level": level,
                "origin": origin,
                "relation": relation[:100],
                "ward_id": ward_id,
            },
        )
        if not created and level < contact.level:
            contact.level = level
            contact.save(update_fields=["level", "updated_at"])
        audit.record(
            "add_contact",
            actor=actor,
            request=request,
            obj=contact,
            ward=contact.ward,
            detail={"origin": origin, "created": created},
        )
        if created:
            events.emit("contacts.found", case_id=case.pk, contact_ids=[contact.pk])
    return contact, created


@transaction.atomic
def do_close_case(case: Case, *, actor: Any, request: Any = None) -> Case:
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    case.refresh_from_db()
    audit.record("close", actor=actor, request=request, obj=case, ward=case.ward)
    return case
