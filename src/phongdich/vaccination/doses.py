"""Writes about doses: screening, recording a dose (ours or given elsewhere), observation after
it, and voiding a mistake. Each person's derived status is kept in step (``series.py``); adverse
events are in ``adverse.py``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import can_see_ward
from phongdich.core import events
from phongdich.core.rules import get_rule
from phongdich.lib.countries import is_country
from phongdich.lib.dcc.valuesets import MANUFACTURERS, VACCINE_PRODUCTS
from phongdich.lib.errors import FieldError, InputErrors
from phongdich.lib.text import normalise_spaces
from phongdich.lib.timeutil import local_date
from phongdich.people.models import Person
from phongdich.vaccination import screening as checklist
from phongdich.vaccination.actions import parse_date, ward_in_area
from phongdich.vaccination.errors import error
from phongdich.vaccination.models import (
    Dose,
    DoseSource,
    Invitation,
    InvitationStatus,
    ObservationResult,
    Screening,
    Session,
    SessionStatus,
)
from phongdich.vaccination.series import check_series, refresh_status


@dataclass
class DoseInput:
    product: str
    manufacturer: str
    vaccine_type: str
    lot: str
    dose_number: int
    given_on: date | None
    site: str
    country: str
    vaccinator_name: str
    source: str
    source_detail: str
    override_reason: str


def _text(data: dict[str, Any], name: str, limit: int) -> str:
    return normalise_spaces(str(data.get(name) or ""))[:limit]


def _parse_dose(data: dict[str, Any], session: Session | None) -> tuple[DoseInput, list]:
    errors: list[FieldError] = []
    source = DoseSource.HERE if session is not None else DoseSource.ELSEWHERE
    product = str(data.get("product") or (session.product if session else ""))
    known = VACCINE_PRODUCTS.get(product)
    if known is None:
        errors.append(
            FieldError(
                "product",
                "not_allowed",
                "Vắc xin không có trong danh mục.",
                "product must be a vaccine product code of the value set.",
            )
        )
    elif session is not None and product != session.product:
        errors.append(
            FieldError(
                "product",
                "product_mismatch",
                "Vắc xin khác với vắc xin của buổi tiêm.",
                "product differs from the session's vaccine.",
            )
        )
    manufacturer = str(data.get("manufacturer") or (known.manufacturer if known else ""))
    if manufacturer not in MANUFACTURERS:
        errors.append(
            FieldError(
                "manufacturer",
                "not_allowed",
                "Nhà sản xuất không hợp lệ.",
                "manufacturer must be a code of the value set.",
            )
        )
    lot = _text(data, "lot", 40)
    if session is not None and not lot:
        errors.append(FieldError("lot", "required", "Cần số lô vắc xin.", "lot is required."))
    elif session is not None and session.lot_numbers and lot not in session.lot_numbers:
        errors.append(
            FieldError(
                "lot",
                "unknown_lot",
                "Số lô không thuộc buổi tiêm này.",
                "lot is not one of the session's lot numbers.",
            )
        )
    try:
        number = int(str(data.get("dose_number") or ""))
    except ValueError:
        number = 0
    if number < 1:
        errors.append(
            FieldError(
                "dose_number",
                "required",
                "Cần số thứ tự mũi tiêm (1, 2, …).",
                "dose_number must be 1 or more.",
            )
        )
    given_on = session.date if session is not None else parse_date(data.get("given_on"))
    if given_on is None:
        errors.append(
            FieldError(
                "given_on",
                "not_date",
                "Ngày tiêm phải có dạng YYYY-MM-DD.",
                "given_on must be a date (YYYY-MM-DD).",
            )
        )
    elif given_on > local_date(timezone.now()):
        errors.append(
            FieldError(
                "given_on", "in_future", "Ngày tiêm nằm ở tương lai.", "given_on is in the future."
            )
        )
    country = str(data.get("country") or "VN").strip().upper()
    if not is_country(country):
        errors.append(
            FieldError(
                "country",
                "invalid_country",
                "Quốc gia không có trong danh sách (mã ISO 3166-1 2 chữ cái, VD: VN).",
                "country must be a country of the list (ISO 3166-1 2-letter code, e.g. VN).",
            )
        )
    detail = _text(data, "source_detail", 200)
    if session is None and not detail:
        errors.append(
            FieldError(
                "source_detail",
                "required",
                "Cần nơi tiêm hoặc giấy tờ chứng minh mũi tiêm.",
                "source_detail (where the dose was given) is required.",
            )
        )
    site = session.site_name if session is not None else _text(data, "site", 200) or detail
    parsed = DoseInput(
        product,
        manufacturer,
        known.vaccine_type if known else "",
        lot,
        number,
        given_on,
        site,
        country,
        _text(data, "vaccinator_name", 120),
        source,
        detail,
        _text(data, "override_reason", 300),
    )
    return parsed, errors


def do_record_screening(
    person: Person,
    data: dict[str, Any],
    *,
    ward: Any,
    session: Session | None = None,
    actor: Any = None,
    request: Any = None,
) -> Screening:
    """Store a filled screening checklist; it is kept even when it postpones the dose."""
    result, errors = checklist.evaluate(data)
    if errors or result is None:
        raise InputErrors(errors)
    with transaction.atomic():
        row = Screening.objects.create(
            person=person,
            session=session,
            ward=ward,
            answers=result.answers,
            temperature=result.temperature,
            pulse=result.pulse,
            systolic=result.systolic,
            diastolic=result.diastolic,
            result=result.result,
            form_version=checklist.FORM_VERSION,
            screened_by=actor if getattr(actor, "pk", None) else None,
            screened_at=timezone.now(),
        )
        audit.record(
            "screen",
            actor=actor,
            request=request,
            obj=row,
            ward=ward,
            detail={"result": result.result, "reasons": result.reasons},
        )
    return row


def _dose_ward(person: Person, session: Session | None, data: dict[str, Any], actor: Any):
    if session is not None:
        if actor is not None and not can_see_ward(actor, session.ward):
            raise error("unknown_session")
        if session.status in {SessionStatus.CLOSED, SessionStatus.CANCELLED}:
            raise error("session_closed")
        return session.ward
    errors: list[FieldError] = []
    code = data.get("ward_code") or person.ward_id or getattr(actor, "ward_id", None)
    ward = ward_in_area(code, actor, errors) if code else None
    if ward is None:
        raise InputErrors(
            errors
            or [
                FieldError(
                    "ward_code",
                    "required",
                    "Cần phường/xã lưu hồ sơ mũi tiêm.",
                    "ward_code (the ward keeping the record) is required.",
                )
            ]
        )
    return ward


def do_record_dose(
    person: Person,
    data: dict[str, Any],
    *,
    session: Session | None = None,
    actor: Any = None,
    request: Any = None,
    client_id: uuid.UUID | None = None,
) -> tuple[Dose, bool]:
    """Record a dose given at ``session`` (with its screening checklist in ``data["screening"]``)
    or, without a session, a dose given elsewhere (``source_detail`` says where).

    Rules: dose numbers follow each other per person (no gap, no repeat), intervals and the
    maximum are settings, the date is not in the future. A repeated ``client_id`` returns the
    dose already recorded, ``(dose, False)``. The person's row is locked so that two vaccinators
    recording the same person at once cannot both write dose 2."""
    if client_id is not None:
        done = Dose.objects.filter(client_id=client_id).first()
        if done is not None:
            return done, False
    ward = _dose_ward(person, session, data, actor)
    parsed, errors = _parse_dose(data, session)
    if errors:
        raise InputErrors(errors)
    screening = None
    if session is not None:
        screening = do_record_screening(
            person,
            data.get("screening") or {},
            ward=ward,
            session=session,
            actor=actor,
            request=request,
        )
        if not checklist.may_vaccinate(screening.result):
            raise error("not_eligible", detail=screening.get_result_display())
    try:
        with transaction.atomic():
            return _write_dose(
                person, parsed, session, screening, ward, actor, request, client_id
            ), True
    except IntegrityError:
        done = Dose.objects.filter(client_id=client_id).first() if client_id else None
        if done is not None:
            return done, False
        raise InputErrors.one(
            "dose_number",
            "dose_already_recorded",
            "Mũi tiêm này vừa được ghi nhận.",
            "This dose was just recorded.",
        ) from None


def _write_dose(
    person: Person,
    parsed: DoseInput,
    session: Session | None,
    screening: Screening | None,
    ward: Any,
    actor: Any,
    request: Any,
    client_id: uuid.UUID | None,
) -> Dose:
    Person.objects.select_for_update().filter(pk=person.pk).first()
    existing = list(
        Dose.objects.filter(person=person, voided_at__isnull=True).order_by("dose_number")
    )
    check_series(person, parsed, existing)
    now = timezone.now()
    given_at = now if parsed.given_on == local_date(now) and session is not None else None
    minutes = get_rule("vaccination.observation_minutes")
    observe = minutes.get(screening.result, 30) if screening is not None else 0
    dose = Dose.objects.create(
        person=person,
        session=session,
        screening=screening,
        ward=ward,
        product=parsed.product,
        manufacturer=parsed.manufacturer,
        vaccine_type=parsed.vaccine_type,
        lot=parsed.lot,
        dose_number=parsed.dose_number,
        given_on=parsed.given_on,
        given_at=given_at,
        site=parsed.site,
        country=parsed.country,
        vaccinator=actor if session is not None and getattr(actor, "pk", None) else None,
        vaccinator_name=parsed.vaccinator_name or (_staff_name(actor) if session else ""),
        source=parsed.source,
        source_detail=parsed.source_detail,
        interval_override_reason=parsed.override_reason,
        observation_until=given_at + timedelta(minutes=observe) if given_at else None,
        observation_result="" if given_at else ObservationResult.OK,
        client_id=client_id,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    refresh_status(person.pk)
    if session is not None:
        Invitation.objects.filter(session=session, registration__person=person).update(
            status=InvitationStatus.ATTENDED
        )
    audit.record(
        "record_dose",
        actor=actor,
        request=request,
        obj=dose,
        ward=ward,
        detail={
            "person": person.pk,
            "dose_number": dose.dose_number,
            "source": dose.source,
            "override": parsed.override_reason,
        },
    )
    events.emit(
        "dose.recorded",
        dose_id=dose.pk,
        person_id=person.pk,
        ward_id=ward.pk if ward is not None else None,
        dose_number=dose.dose_number,
    )
    return dose


def _staff_name(actor: Any) -> str:
    if not getattr(actor, "pk", None):
        return ""
    return (actor.get_full_name() or actor.username)[:120]


def do_finish_observation(
    dose: Dose, result: str, *, note: str = "", actor: Any = None, request: Any = None
) -> Dose:
    """Close the post-vaccination observation: no reaction, or a reaction (then report it)."""
    if result not in {ObservationResult.OK, ObservationResult.REACTION}:
        raise InputErrors.one(
            "result",
            "not_allowed",
            "Kết quả theo dõi không hợp lệ.",
            "result must be ok or reaction.",
        )
    with transaction.atomic():
        Dose.objects.filter(pk=dose.pk).update(
            observation_result=result, observation_note=note[:300]
        )
        dose.observation_result, dose.observation_note = result, note[:300]
        audit.record(
            "observe",
            actor=actor,
            request=request,
            obj=dose,
            ward=dose.ward,
            detail={"result": result},
        )
    return dose


def do_void_dose(dose: Dose, reason: str, *, actor: Any, request: Any = None) -> Dose:
    """Void a dose recorded by mistake. Only a person's last dose can be voided, so the numbers
    stay consecutive; certificates already issued for it stay signed (they cannot be recalled)."""
    if not reason.strip():
        raise InputErrors.one("reason", "required", "Cần nêu lý do hủy.", "reason is required.")
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=dose.person_id).first()
        dose = Dose.objects.get(pk=dose.pk)
        if dose.voided_at is not None:
            raise error("dose_voided")
        if Dose.objects.filter(
            person_id=dose.person_id, voided_at__isnull=True, dose_number__gt=dose.dose_number
        ).exists():
            raise InputErrors.one(
                "dose",
                "not_last_dose",
                "Chỉ hủy được mũi tiêm cuối cùng.",
                "Only the person's last dose can be voided.",
            )
        dose.voided_at, dose.void_reason = timezone.now(), reason.strip()[:300]
        dose.save(update_fields=["voided_at", "void_reason"])
        refresh_status(dose.person_id)
        audit.record(
            "void_dose",
            actor=actor,
            request=request,
            obj=dose,
            ward=dose.ward,
            detail={"reason": dose.void_reason},
        )
    return dose


def observing(doses: Any) -> Any:
    """Doses still under observation (for the session page)."""
    return doses.filter(
        observation_result="", observation_until__isnull=False, voided_at__isnull=True
    ).order_by("observation_until")
