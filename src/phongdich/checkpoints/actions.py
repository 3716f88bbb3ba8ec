"""Every state change of checkpoints: registration, approval, code rotation, check-in/out, purge.

The web pages, the JSON API and the management commands call these functions and nothing else.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.checkpoints.declarations import Declaration, validate_declaration
from phongdich.checkpoints.errors import CheckpointError, venue_error
from phongdich.checkpoints.models import (
    CheckoutKind,
    RetiredCode,
    Source,
    Venue,
    VenueStatus,
    Visit,
)
from phongdich.checkpoints.venue_cache import venue_by_code
from phongdich.core.rows import insert_one, insert_with_parent, select_one
from phongdich.lib.errors import FieldError, InputErrors
from phongdich.lib.timeutil import next_local_midnight
from phongdich.people.actions import find_person, matched_after_conflict, person_by_token
from phongdich.people.identity import audit_claim, plan
from phongdich.people.models import Person
from phongdich.people.validation import validate_person

CLOCK_SKEW = timedelta(minutes=5)


def resolve_venue(code: str, *, for_checkin: bool = True) -> Venue:
    """The venue behind a (possibly mistyped or old) code, or a CheckpointError saying why not."""
    from phongdich.lib.codes import InvalidCode, normalise_code

    try:
        clean = normalise_code(code)
    except InvalidCode:
        raise venue_error("unknown_venue") from None
    venue = venue_by_code(clean)
    if venue is None:
        if RetiredCode.objects.filter(code=clean).exists():
            raise venue_error("venue_code_rotated")
        raise venue_error("unknown_venue")
    if for_checkin and venue.status != VenueStatus.ACTIVE:
        raise venue_error(f"venue_{venue.status}")
    return venue


@dataclass
class CheckinResult:
    visit: Visit
    created: bool
    already_inside: bool = False

    @property
    def person(self) -> Person:
        return self.visit.person


def _check_scan_time(scanned_at: datetime | None, now: datetime, field: str) -> datetime:
    if scanned_at is None:
        return now
    if timezone.is_naive(scanned_at):
        raise InputErrors.one(
            field,
            "naive_datetime",
            "Thời điểm quét phải có múi giờ (VD: +07:00).",
            f"{field} must include a time zone offset (e.g. +07:00).",
        )
    if scanned_at > now + CLOCK_SKEW:
        raise InputErrors.one(
            field, "in_future", "Thời điểm quét nằm ở tương lai.", f"{field} is in the future."
        )
    if scanned_at < now - timedelta(days=settings.RETENTION_DAYS):
        raise InputErrors.one(
            field,
            "too_old",
            "Thời điểm quét quá cũ, đã quá thời hạn lưu trữ.",
            f"{field} is older than the retention period.",
        )
    return scanned_at


def _check_same_request(
    visit: Visit, venue_code: str, person: dict | None, person_token: str | None
) -> None:
    """A retry must be the same check-in: same venue and same person. Otherwise a client_id seen
    in a URL could be replayed to read someone else's visit and personal token."""
    from phongdich.lib.codes import InvalidCode, normalise_code

    try:
        code = normalise_code(venue_code)
    except InvalidCode:
        same_venue = False
    else:
        # A device that re-sends a check-in after the venue's code was rotated (an offline
        # scanner's queue) sent the code the visit was recorded under: still the same check-in.
        same_venue = (
            code == visit.venue.code
            or RetiredCode.objects.filter(code=code, venue_id=visit.venue_id).exists()
        )
    if person_token:
        same_person = person_token == visit.person.token
    else:
        clean, errors = validate_person(person or {}, require_contact=False)
        same_person = not errors and _same_human(clean, visit)
    if not (same_venue and same_person):
        raise InputErrors.one(
            "client_id",
            "client_id_reused",
            "Mã client_id này đã được dùng cho một lượt vào khác.",
            "client_id was already used for a different check-in.",
        )


def _require_staff_for(venue: Venue, actor: Any, source: str) -> None:
    from phongdich.checkpoints.queries import can_staff_venue

    if source != Source.SELF and not can_staff_venue(actor, venue):
        raise CheckpointError(
            "staff_required",
            "Chỉ nhân viên của điểm kiểm dịch mới nhập tờ khai giấy hoặc quét mã.",
            f"Only this checkpoint's staff may record source '{source}'.",
            403,
        )


def _resolve_person(
    person: dict | None, person_token: str | None, require_contact: bool, errors: list[FieldError]
) -> Person | None:
    if person_token:
        found = person_by_token(person_token)
        if found is None:
            errors.append(
                FieldError(
                    "person_token",
                    "unknown_person",
                    "Mã cá nhân không hợp lệ. Hãy khai báo lại.",
                    "person_token is not known; please declare again.",
                )
            )
        return found
    if not isinstance(person, dict):
        errors.append(
            FieldError(
                "person", "required", "Thông tin cá nhân là bắt buộc.", "person is required."
            )
        )
        return None
    clean, person_errors = validate_person(person, require_contact=require_contact)
    errors.extend(person_errors)
    return clean  # type: ignore[return-value]  (PersonData, matched after validation)


def do_checkin(
    *,
    venue_code: str,
    client_id: uuid.UUID | str | None,
    declaration: dict[str, Any],
    person: dict[str, Any] | None = None,
    person_token: str | None = None,
    scanned_at: datetime | None = None,
    source: str = Source.SELF,
    actor: Any = None,
    request: Any = None,
) -> CheckinResult:
    """Record an entry with its declaration. Idempotent on ``client_id``: the same id returns the
    same visit and writes nothing. A person already inside gets their open visit back.

    Hot path: a new check-in costs one person lookup, then one transaction with its inserts. A
    retry is found by the unique ``client_id`` when the insert fails, or when the request no
    longer passes (its venue was suspended since), so the common case pays nothing for it."""
    now = timezone.now()
    try:
        client_uuid = uuid.UUID(str(client_id)) if client_id else uuid.uuid4()
    except ValueError:
        raise InputErrors.one(
            "client_id", "not_uuid", "client_id phải là UUID.", "client_id must be a UUID."
        ) from None
    try:
        venue = resolve_venue(venue_code)
        if source not in Source.values:
            raise InputErrors.one(
                "source",
                "not_allowed",
                "Nguồn không hợp lệ.",
                "source must be self, paper or scan.",
            )
        _require_staff_for(venue, actor, source)
        errors: list[FieldError] = []
        at = _check_scan_time(scanned_at, now, "scanned_at")
        person_data = _resolve_person(person, person_token, source == Source.SELF, errors)
        decl, decl_errors = validate_declaration(declaration or {})
        errors.extend(decl_errors)
        if errors:
            raise InputErrors(errors)
    except (InputErrors, CheckpointError):
        earlier = _earlier_checkin(client_uuid, venue_code, person, person_token)
        if earlier is None:
            raise
        return earlier
    assert decl is not None  # noqa: S101
    return _record_visit(
        venue,
        person_data,
        decl,
        client_uuid,
        at,
        now,
        source,
        actor,
        request,
        (venue_code, person, person_token),
    )


def _earlier_checkin(
    client_uuid: uuid.UUID, venue_code: str, person: dict | None, person_token: str | None
) -> CheckinResult | None:
    """The visit an earlier request with this client_id recorded, if it was this same check-in."""
    existing = visit_by_client_id(client_uuid)
    if existing is None:
        return None
    existing.person = select_one(Person, "id = %s", [existing.person_id])
    existing.venue = select_one(Venue, "id = %s", [existing.venue_id])
    _check_same_request(existing, venue_code, person, person_token)
    return CheckinResult(existing, created=False)


def _same_human(clean: Any, visit: Visit) -> bool:
    """Whether a re-sent check-in's person data is the data the visit was recorded with (the
    visit's record, or the known person its claim names)."""
    found = find_person(clean)
    return found is not None and found.pk in (visit.person_id, visit.person.claim_of_id)


def visit_by_client_id(client_id: uuid.UUID) -> Visit | None:
    """The visit a device recorded under its ``client_id`` (SQL built once: a hot-path read)."""
    key = Visit._meta.get_field("client_id").get_db_prep_value(client_id, connection)
    return select_one(Visit, "client_id = %s", [key])


def _write_scope(*, one_statement: bool):
    """Where a check-in's or check-out's writes run. SQLite: always a transaction (its writers
    queue on the lock that BEGIN takes). PostgreSQL: a write that is one statement (a citizen's
    check-in is one INSERT, a check-out one UPDATE) is atomic by itself, so it runs without BEGIN
    and COMMIT; inside a caller's transaction it gets a savepoint. Staff entries also write an
    audit row with theirs, so they get a transaction."""
    if connection.vendor == "postgresql" and one_statement and not connection.in_atomic_block:
        return contextlib.nullcontext()
    return transaction.atomic()


def _record_visit(
    venue: Venue,
    person_data: Any,
    decl: Declaration,
    client_uuid: uuid.UUID,
    at: datetime,
    now: datetime,
    source: str,
    actor: Any,
    request: Any,
    raw_request: tuple[str, dict | None, str | None],
) -> CheckinResult:
    known = person_data if isinstance(person_data, Person) else None
    # The person is looked up before writing, so that on SQLite the database stays locked for
    # writing only as long as the inserts take. Typed data that names a known person goes on a
    # claim unless staff of the person's area entered it (people.identity).
    person, fresh = (
        (known, None) if known else plan(person_data, actor=actor, request=request, venue=venue)
    )
    for attempt in (1, 2):
        try:
            with _write_scope(one_statement=source == Source.SELF):
                visit = Visit(
                    client_id=client_uuid,
                    venue=venue,
                    source=source,
                    checked_in_at=at,
                    received_at=now,
                    expected_out_at=auto_checkout_time(at, venue.default_stay),
                    entered_by=actor if source != Source.SELF else None,
                    form_version=decl.version,
                    symptoms=decl.symptoms,
                    exposures=decl.exposures,
                    conditions=decl.conditions,
                    travel=decl.travel,
                    flagged=decl.flagged,
                )
                # No savepoints: a conflict undoes the whole write and is sorted out below.
                if person is None:
                    person = fresh
                    insert_with_parent(person, visit, "person")
                    audit_claim(person, actor, request)
                else:
                    visit.person = person
                    insert_one(visit)
                if source != Source.SELF:
                    audit.record(
                        "checkin_" + source,
                        actor=actor,
                        request=request,
                        obj=visit,
                        ward=venue.ward,
                    )
                return CheckinResult(visit, created=True)
        except IntegrityError:
            # The same client_id raced us or came before (a retry), the same human was created
            # by a concurrent declaration, or the person is already inside.
            earlier = _earlier_checkin(client_uuid, *raw_request)
            if earlier is not None:
                return earlier
            if known is None:
                person, fresh = plan(person_data, actor=actor, request=request, venue=venue)
            if person is None and attempt == 2:  # a conflict we cannot match on: say so clearly
                matched_after_conflict(person_data)
            if person is None:
                continue
            # One open visit per person and venue (a unique constraint): the one they are in.
            inside = select_one(
                Visit,
                "person_id = %s AND venue_id = %s AND checked_out_at IS NULL",
                [person.pk, venue.pk],
            )
            if inside is not None:
                inside.person, inside.venue = person, venue
                return CheckinResult(inside, created=False, already_inside=True)
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def do_checkout(
    visit: Visit,
    *,
    at: datetime | None = None,
    kind: str = CheckoutKind.SELF,
    actor: Any = None,
    request: Any = None,
) -> Visit:
    """Close a visit. Checking out a closed visit changes nothing (repeated taps, re-uploads).

    One UPDATE that only a still-open visit matches: of two concurrent check-outs one closes the
    visit, and the other reads the winner's time back. A staff check-out is audited with it."""
    now = timezone.now()
    at = _check_scan_time(at, now, "scanned_at")
    if visit.checked_out_at is not None:
        return visit
    out = max(at, visit.checked_in_at)
    with _write_scope(one_statement=kind != CheckoutKind.STAFF):
        closed = Visit.objects.filter(pk=visit.pk, checked_out_at__isnull=True).update(
            checked_out_at=out, checkout_received_at=now, checkout_kind=kind
        )
        if closed and kind == CheckoutKind.STAFF:
            audit.record("checkout", actor=actor, request=request, obj=visit, ward=visit.venue.ward)
    if not closed:  # closed meanwhile by another request or the auto check-out
        return select_one(Visit, "id = %s", [visit.pk])
    visit.checked_out_at, visit.checkout_received_at, visit.checkout_kind = out, now, kind
    return visit


def do_self_checkout(client_id: uuid.UUID, *, at: datetime | None = None) -> Visit | None:
    """A citizen's own check-out by the device's ``client_id`` (the JSON API); None when no visit
    has it."""
    visit = visit_by_client_id(client_id)
    return None if visit is None else do_checkout(visit, at=at, kind=CheckoutKind.SELF)


def auto_checkout_time(checked_in_at: datetime, stay: timedelta) -> datetime:
    """A visit nobody closed ends after the venue's default stay, or at local midnight."""
    return min(checked_in_at + stay, next_local_midnight(checked_in_at))


def do_auto_checkout(now: datetime | None = None) -> int:
    """Close every open visit whose default stay (or local day) is over, at that expected time,
    marked automatic. One UPDATE through a partial index of open visits."""
    now = now or timezone.now()
    with transaction.atomic():
        return Visit.objects.filter(checked_out_at__isnull=True, expected_out_at__lte=now).update(
            checked_out_at=F("expected_out_at"),
            checkout_received_at=now,
            checkout_kind=CheckoutKind.AUTO,
        )


# Apps that must keep some visits past retention (tracing: people linked to an open case)
# register a function returning the ids of the people to keep.
RETENTION_HOLDS: list[Any] = []


def retention_hold_q() -> Q:
    q = Q(pk__in=[])
    for hold in RETENTION_HOLDS:
        q |= hold()
    return q


def do_purge_old_visits(now: datetime | None = None) -> int:
    """Delete visits (and their declarations) older than PHONGDICH_RETENTION_DAYS, except held ones."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RETENTION_DAYS)
    old = Visit.objects.filter(checked_in_at__lt=cutoff).exclude(retention_hold_q())
    deleted, _ = old.delete()
    if deleted:
        audit.record(
            "purge",
            object_type="checkpoints.visit",
            detail={"deleted": deleted, "before": cutoff.isoformat()},
        )
    return deleted
