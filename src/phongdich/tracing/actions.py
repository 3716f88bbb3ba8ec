"""Every state change of tracing: cases, the contact search, follow-up, manual and imported contacts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import can_see_ward
from phongdich.lib.errors import FieldError, InputErrors
from phongdich.lib.timeutil import local_date, local_day_bounds
from phongdich.people.actions import do_match_person
from phongdich.people.models import Person
from phongdich.people.validation import validate_person
from phongdich.places.models import Ward
from phongdich.portal.rules import get_rule
from phongdich.tracing import search
from phongdich.tracing.errors import TracingError
from phongdich.tracing.models import (
    Case,
    CaseSource,
    CaseStatus,
    Contact,
    ContactOrigin,
    ContactStatus,
    Evidence,
    Level,
)
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


def _case_ward(person: Person, actor: Any, ward_code: int | None) -> Ward:
    code = ward_code or person.ward_id or getattr(actor, "ward_id", None)
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
    if person is None:
        clean, errors = validate_person(person_data or {}, require_contact=False)
        if errors:
            raise InputErrors(errors)
        person = do_match_person(clean)[0]
    ward = _case_ward(person, actor, ward_code)
    start, end = infectious_window(sample_date, onset_date, confirmed_at)
    try:
        with transaction.atomic():
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
            if trace:
                do_trace_case(case)
    except IntegrityError:
        existing = Case.objects.filter(person=person, status=CaseStatus.OPEN).first()
        raise TracingError(
            "case_exists",
            f"Người này đã là ca bệnh đang điều tra (#{getattr(existing, 'pk', '?')}).",
            f"This person already has an open case (#{getattr(existing, 'pk', '?')}).",
            409,
        ) from None
    return case


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


@transaction.atomic
def do_override_window(
    case: Case, start: datetime, end: datetime, reason: str, *, actor: Any, request: Any = None
) -> Case:
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


@dataclass
class TraceResult:
    f1: int = 0
    f2: int = 0
    evidence: int = 0
    removed: int = 0
    people: dict[int, str] = field(default_factory=dict)


def _quarantine_start(contact: Contact | None) -> datetime | None:
    if contact is None or contact.quarantine_start is None:
        return None
    return local_day_bounds(contact.quarantine_start)[0]


def do_trace_case(case: Case, now: datetime | None = None) -> TraceResult:
    """Compute (or recompute) the F1 and F2 of a case from check-ins, with evidence.

    Re-running never duplicates anyone: contacts are unique per case and person, each keeps its
    status, the closest level wins (F1 over F2), and evidence is replaced by the new search."""
    now = now or timezone.now()
    max_visit = timedelta(hours=get_rule("tracing.max_visit_hours"))
    min_minutes = get_rule("tracing.f1_min_overlap_minutes")
    existing = {c.person_id: c for c in Contact.objects.filter(case=case)}

    index0 = search.intervals_of({case.person_id: (case.window_start, case.window_end)}, max_visit)
    f1 = search.qualifying(search.overlapping(index0, max_visit), {case.person_id}, min_minutes)

    windows = {}
    for person_id, items in f1.items():
        exposed = min(o.start for o in items)
        until = _quarantine_start(existing.get(person_id)) or now
        if until > exposed:
            windows[person_id] = (exposed, until)
    index1 = search.intervals_of(windows, max_visit)
    f2 = search.qualifying(search.overlapping(index1, max_visit), {case.person_id}, min_minutes)
    f2 = {person: search.attribute(items) for person, items in f2.items()}
    return _store(case, f1, f2, existing)


def _closest_via(items: list[search.Overlap]) -> int:
    minutes: dict[int, float] = defaultdict(float)
    for o in items:
        minutes[o.index.person_id] += o.minutes
    return max(minutes, key=lambda p: (minutes[p], -p))


def _evidence_rows(contact_id: int, level: str, items: list[search.Overlap]) -> list[Evidence]:
    """F1 evidence keeps every pair of visits with the F0. F2 evidence is one row per venue and
    local day (the unit the rule counts in), naming the F1 they spent longest with: an F2 who
    shared a factory floor with dozens of F1s for a week would otherwise carry thousands of rows
    that say the same thing."""
    if level == Level.F1:
        groups = [[o] for o in items]
    else:
        merged: dict[tuple, list[search.Overlap]] = defaultdict(list)
        for o in items:
            merged[(o.venue_id, local_date(o.start))].append(o)
        groups = list(merged.values())
    rows = []
    for group in groups:
        by_index: dict[int, float] = defaultdict(float)
        for o in group:
            by_index[o.index.person_id] += o.minutes
        main_index = max(by_index, key=lambda p: (by_index[p], -p))
        first = min((o for o in group if o.index.person_id == main_index), key=lambda o: o.start)
        rows.append(
            Evidence(
                contact_id=contact_id,
                venue_id=first.venue_id,
                index_visit_id=first.index.visit_id,
                contact_visit_id=first.visit_id,
                index_person_id=main_index,
                overlap_start=min(o.start for o in group),
                overlap_end=max(o.end for o in group),
                overlap_minutes=round(search.union_minutes(group)),
                level=level,
            )
        )
    return rows


@transaction.atomic
def _store(case: Case, f1: dict, f2: dict, existing: dict[int, Contact]) -> TraceResult:
    result = TraceResult()
    people = set(f1) | set(f2)
    wards = dict(Person.objects.filter(pk__in=people).values_list("pk", "ward_id"))
    new_contacts, changed = [], []
    for person_id in people:
        level = Level.F1 if person_id in f1 else Level.F2
        items = f1.get(person_id, []) + f2.get(person_id, [])
        first, last = min(o.start for o in items), max(o.end for o in items)
        contact = existing.get(person_id)
        if contact is None:
            new_contacts.append(
                Contact(
                    case=case,
                    person_id=person_id,
                    level=level,
                    origin=ContactOrigin.CHECKIN,
                    ward_id=wards.get(person_id) or _venue_ward(items[0].venue_id),
                    first_exposure=first,
                    last_exposure=last,
                )
            )
        elif (min(contact.level, level), first, last) != (
            contact.level,
            contact.first_exposure,
            contact.last_exposure,
        ):
            contact.level = min(contact.level, level)  # "F1" < "F2"
            contact.first_exposure, contact.last_exposure = first, last
            changed.append(contact)
    Contact.objects.bulk_create(new_contacts, batch_size=1000)
    Contact.objects.bulk_update(
        changed, ["level", "first_exposure", "last_exposure"], batch_size=1000
    )
    contacts = {
        c.person_id: c
        for c in Contact.objects.filter(case=case).only(
            "pk", "person_id", "origin", "status", "via_id"
        )
    }
    by_via: dict[int, list[int]] = defaultdict(list)
    for person_id in f2:
        if person_id not in f1:
            via = contacts.get(_closest_via(f2[person_id]))
            if via is not None and contacts[person_id].via_id != via.pk:
                by_via[via.pk].append(contacts[person_id].pk)
    for via_id, contact_ids in by_via.items():  # a few F1s reach many F2s: one UPDATE per F1
        Contact.objects.filter(pk__in=contact_ids).update(via_id=via_id)
    stale = [
        c.pk
        for p, c in contacts.items()
        if p not in people
        and c.origin == ContactOrigin.CHECKIN
        and c.status == ContactStatus.IDENTIFIED
    ]
    result.removed = Contact.objects.filter(pk__in=stale).delete()[0] if stale else 0
    Evidence.objects.filter(contact__case=case).delete()
    evidence = [
        row
        for level, found in ((Level.F1, f1), (Level.F2, f2))
        for person_id, items in found.items()
        for row in _evidence_rows(contacts[person_id].pk, level, items)
    ]
    Evidence.objects.bulk_create(evidence, batch_size=2000, ignore_conflicts=True)
    Case.objects.filter(pk=case.pk).update(traced_at=timezone.now())
    result.f1 = sum(1 for p in people if p in f1)
    result.f2 = len(people) - result.f1
    result.evidence = len(evidence)
    return result


def _venue_ward(venue_id: int) -> int:
    from phongdich.checkpoints.models import Venue

    return Venue.objects.values_list("ward_id", flat=True).get(pk=venue_id)


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
    person = do_match_person(clean)[0]
    if person.pk == case.person_id:
        raise InputErrors.one(
            "person", "is_the_case", "Đây chính là ca bệnh.", "This person is the case itself."
        )
    ward_id = person.ward_id or case.ward_id
    contact, created = Contact.objects.get_or_create(
        case=case,
        person=person,
        defaults={"level": level, "origin": origin, "relation": relation[:100], "ward_id": ward_id},
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
    return contact, created


@transaction.atomic
def do_close_case(case: Case, *, actor: Any, request: Any = None) -> Case:
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    case.refresh_from_db()
    audit.record("close", actor=actor, request=request, obj=case, ward=case.ward)
    return case
