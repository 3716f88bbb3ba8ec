"""Writes of the vaccination registry: sessions, registrations and invitations.

Doses, screening and adverse events are in ``doses.py``; certificates in ``certificates.py``;
population tables in ``coverage.py``; signing keys in ``keys.py``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import can_see_ward
from phongdich.lib.codes import new_token
from phongdich.lib.errors import FieldError, InputErrors
from phongdich.lib.text import normalise_spaces
from phongdich.lib.timeutil import local_date
from phongdich.people.identity import lookup, resolve
from phongdich.people.validation import validate_person
from phongdich.places.models import Ward
from phongdich.vaccination.models import (
    Invitation,
    InvitationStatus,
    PriorityGroup,
    Registration,
    RegistrationChannel,
    RegistrationStatus,
    Session,
    SessionStatus,
)
from phongdich.vaccination.rules import SESSION_PRODUCTS

MAX_SLOTS = 10_000


def parse_date(raw: Any) -> date | None:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return None


def ward_in_area(
    raw: Any, actor: Any, errors: list[FieldError], field: str = "ward_code"
) -> Ward | None:
    try:
        ward = Ward.objects.select_related("province").filter(code=int(str(raw))).first()
    except ValueError:
        ward = None
    if ward is None:
        errors.append(
            FieldError(
                field,
                "unknown_ward",
                "Không có phường/xã với mã này.",
                f"{field} is not a known ward or commune.",
            )
        )
    elif actor is not None and not can_see_ward(actor, ward):
        errors.append(
            FieldError(
                field,
                "outside_area",
                "Phường/xã này không thuộc địa bàn của bạn.",
                f"{field} is outside your area.",
            )
        )
        ward = None
    return ward


def _lots(raw: Any) -> list[str]:
    items = raw if isinstance(raw, list | tuple) else str(raw or "").replace(";", ",").split(",")
    return [normalise_spaces(str(item))[:40] for item in items if str(item).strip()]


def _session_fields(data: dict[str, Any], actor: Any) -> tuple[dict[str, Any], list[FieldError]]:
    errors: list[FieldError] = []
    ward = ward_in_area(data.get("ward_code") or getattr(actor, "ward_id", None), actor, errors)
    site = normalise_spaces(str(data.get("site_name") or ""))
    if not site or len(site) > 200:
        errors.append(
            FieldError(
                "site_name",
                "required",
                "Cần tên điểm tiêm (tối đa 200 ký tự).",
                "site_name is required (at most 200 characters).",
            )
        )
    day = parse_date(data.get("date"))
    if day is None:
        errors.append(
            FieldError(
                "date",
                "not_date",
                "Ngày tiêm phải có dạng YYYY-MM-DD.",
                "date must be a date (YYYY-MM-DD).",
            )
        )
    product = str(data.get("product") or "")
    if product not in SESSION_PRODUCTS:
        errors.append(
            FieldError(
                "product",
                "not_allowed",
                "Vắc xin không có trong danh mục.",
                "product must be a vaccine product code of the value set.",
            )
        )
    try:
        slots = int(str(data.get("slots") or ""))
    except ValueError:
        slots = 0
    if not 1 <= slots <= MAX_SLOTS:
        errors.append(
            FieldError(
                "slots",
                "out_of_range",
                f"Số chỗ phải từ 1 đến {MAX_SLOTS}.",
                f"slots must be between 1 and {MAX_SLOTS}.",
            )
        )
    fields = {
        "ward": ward,
        "site_name": site,
        "date": day,
        "product": product,
        "slots": slots,
        "address": normalise_spaces(str(data.get("address") or ""))[:200],
        "lot_numbers": _lots(data.get("lot_numbers")),
    }
    return fields, errors


def do_create_session(data: dict[str, Any], *, actor: Any, request: Any = None) -> Session:
    """Plan a vaccination session (site, date, product, lots, slots) in the officer's area."""
    fields, errors = _session_fields(data, actor)
    if errors:
        raise InputErrors(errors)
    with transaction.atomic():
        session = Session.objects.create(
            **fields, created_by=actor if getattr(actor, "pk", None) else None
        )
        audit.record("create", actor=actor, request=request, obj=session, ward=session.ward)
    return session


def do_set_session_status(
    session: Session, status: str, *, actor: Any, request: Any = None
) -> Session:
    """Open, close or cancel a session."""
    if status not in SessionStatus.values:
        raise InputErrors.one(
            "status",
            "not_allowed",
            "Trạng thái không hợp lệ.",
            f"status must be one of {', '.join(SessionStatus.values)}.",
        )
    with transaction.atomic():
        Session.objects.filter(pk=session.pk).update(status=status)
        session.status = status
        audit.record(
            "set_status",
            actor=actor,
            request=request,
            obj=session,
            ward=session.ward,
            detail={"status": status},
        )
    return session


def _registration_fields(data: dict[str, Any], birth_year: int) -> tuple[dict, list[FieldError]]:
    errors: list[FieldError] = []
    group = str(data.get("priority_group") or PriorityGroup.GENERAL)
    if group not in PriorityGroup.values:
        errors.append(
            FieldError(
                "priority_group",
                "not_allowed",
                "Nhóm ưu tiên không hợp lệ.",
                f"priority_group must be one of {', '.join(PriorityGroup.values)}.",
            )
        )
    dob = None
    if data.get("date_of_birth"):
        dob = parse_date(data.get("date_of_birth"))
        if dob is None or (birth_year and dob.year != birth_year):
            errors.append(
                FieldError(
                    "date_of_birth",
                    "mismatch",
                    "Ngày sinh phải có dạng YYYY-MM-DD và khớp năm sinh.",
                    "date_of_birth must be YYYY-MM-DD and match birth_year.",
                )
            )
            dob = None
    return {"priority_group": group, "date_of_birth": dob}, errors


def _year(data: dict[str, Any]) -> int:
    try:
        return int(str(data.get("birth_year") or ""))
    except ValueError:
        return 0


def do_register(
    person_data: dict[str, Any],
    *,
    priority_group: str = PriorityGroup.GENERAL,
    date_of_birth: Any = None,
    channel: str = RegistrationChannel.SELF,
    actor: Any = None,
    request: Any = None,
    prefix: str = "",
) -> tuple[Registration, bool]:
    """Put a person on their ward's vaccination list: a citizen's own form or an officer.

    The person is resolved like everywhere else (people.identity: a known person reached without
    proof or from outside the area is a claim). A second registration of the same person changes nothing for a citizen (who must not learn
    anything about an existing record) and updates the priority group for an officer; the
    result is ``(registration, created)``."""
    clean, errors = validate_person(person_data, prefix=prefix, require_contact=True)
    fields, more = _registration_fields(
        {"priority_group": priority_group, "date_of_birth": date_of_birth},
        clean.birth_year if clean else _year(person_data),
    )
    errors += more
    if clean is not None and clean.ward_code is None:
        errors.append(
            FieldError(
                f"{prefix}ward_code",
                "required",
                "Cần phường/xã nơi ở.",
                "ward_code (the ward where you live) is required.",
            )
        )
    ward = None
    if clean is not None and clean.ward_code is not None:
        ward = ward_in_area(clean.ward_code, actor, errors, f"{prefix}ward_code")
    if errors:
        raise InputErrors(errors)
    try:
        with transaction.atomic():
            # A citizen's form that names a known person registers a claim (people.identity):
            # it never changes that person, nor leads to their record or certificate.
            person = resolve(clean, actor=actor, request=request).person
            registration, created = Registration.objects.get_or_create(
                person=person,
                defaults={
                    **fields,
                    "ward": ward,
                    "channel": channel,
                    "token": new_token(),
                    "created_by": actor if getattr(actor, "pk", None) else None,
                },
            )
            if not created and channel == RegistrationChannel.OFFICER:
                registration.priority_group = fields["priority_group"]
                registration.date_of_birth = fields["date_of_birth"] or registration.date_of_birth
                registration.status = RegistrationStatus.ACTIVE
                registration.save(
                    update_fields=["priority_group", "date_of_birth", "status", "updated_at"]
                )
            audit.record(
                "register" if created else "update",
                actor=actor,
                request=request,
                obj=registration,
                ward=registration.ward,
                detail={"channel": channel},
            )
    except IntegrityError:  # a concurrent registration of the same person won
        winner = lookup(clean, actor=actor)
        return Registration.objects.get(person=winner), False
    return registration, created


def do_cancel_registration(
    registration: Registration, *, actor: Any, request: Any = None
) -> Registration:
    with transaction.atomic():
        Registration.objects.filter(pk=registration.pk).update(
            status=RegistrationStatus.CANCELLED, updated_at=timezone.now()
        )
        Invitation.objects.filter(
            registration=registration,
            status=InvitationStatus.INVITED,
            session__date__gte=local_date(timezone.now()),
        ).delete()
        registration.status = RegistrationStatus.CANCELLED
        audit.record(
            "cancel", actor=actor, request=request, obj=registration, ward=registration.ward
        )
    return registration
