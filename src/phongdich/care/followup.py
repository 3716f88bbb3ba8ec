"""Writes of the clinician's follow-up: acknowledging alerts, notes, the medicine pack, referral
to hospital and discharge by rule (docs/reference/care.md, "Discharge"). Same discipline as
``actions``: validate first, one transaction, audit row, domain event."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.care.actions import error, rule_set_for
from phongdich.care.eligibility import assess_discharge
from phongdich.care.forms import flag
from phongdich.care.models import (
    Alert,
    Enrolment,
    EnrolmentStatus,
    MedicinePack,
    Note,
    ReportStatus,
)
from phongdich.core import events
from phongdich.lib.errors import FieldError, InputErrors
from phongdich.lib.timeutil import local_date
from phongdich.testing.models import Result, Sample


def do_acknowledge_alert(alert: Alert, *, actor: Any, request: Any = None) -> Alert:
    with transaction.atomic():
        updated = Alert.objects.filter(pk=alert.pk, status="open").update(
            status="acknowledged", acknowledged_at=timezone.now(), acknowledged_by=actor
        )
        if updated:
            audit.record(
                "care.acknowledge",
                actor=actor,
                request=request,
                obj=alert,
                ward=alert.enrolment.ward_id,
            )
    alert.refresh_from_db()
    return alert


def do_add_note(enrolment: Enrolment, text: str, *, actor: Any, request: Any = None) -> Note:
    text = (text or "").strip()
    if not text:
        raise InputErrors.one("text", "required", "Ghi chú trống.", "The note is empty.")
    with transaction.atomic():
        note = Note.objects.create(enrolment=enrolment, author=actor, text=text[:5000])
        audit.record(
            "care.note", actor=actor, request=request, obj=enrolment, ward=enrolment.ward_id
        )
    return note


def do_update_care(enrolment: Enrolment, data: Any, *, actor: Any, request: Any = None) -> None:
    """The medicine pack given and whether a video call may be started."""
    pack = str(data.get("medicine_pack") or "")
    if pack not in MedicinePack.values:
        raise InputErrors.one(
            "medicine_pack", "not_allowed", "Gói thuốc không hợp lệ.", "Unknown medicine pack."
        )
    with transaction.atomic():
        Enrolment.objects.filter(pk=enrolment.pk).update(
            medicine_pack=pack, call_ready=flag(data, "call_ready")
        )
        audit.record(
            "care.update",
            actor=actor,
            request=request,
            obj=enrolment,
            ward=enrolment.ward_id,
            detail={"medicine_pack": pack},
        )


def do_refer(enrolment: Enrolment, data: Any, *, actor: Any, request: Any = None) -> Enrolment:
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise error("not_active")
    facility = str(data.get("referral_facility") or "").strip()[:200]
    reason = str(data.get("referral_reason") or "").strip()[:2000]
    errors = []
    if not facility:
        errors.append(
            FieldError("referral_facility", "required", "Ghi nơi chuyển đến.", "Name the facility.")
        )
    if not reason:
        errors.append(
            FieldError("referral_reason", "required", "Ghi lý do chuyển.", "Give the reason.")
        )
    if errors:
        raise InputErrors(errors)
    with transaction.atomic():
        updated = Enrolment.objects.filter(pk=enrolment.pk, status="active").update(
            status=EnrolmentStatus.REFERRED,
            referral_facility=facility,
            referral_reason=reason,
            referred_at=timezone.now(),
            next_report_due=None,
        )
        if not updated:
            raise error("not_active")
        audit.record(
            "care.refer", actor=actor, request=request, obj=enrolment, ward=enrolment.ward_id
        )
        events.emit("care.closed", enrolment_id=enrolment.pk, outcome="referred")
    enrolment.refresh_from_db()
    return enrolment


def last_negative_test(enrolment: Enrolment) -> date | None:
    latest = (
        Sample.objects.filter(person_id=enrolment.person_id, result=Result.NEGATIVE)
        .order_by("-result_at")
        .values_list("collected_at", flat=True)
        .first()
    )
    return local_date(latest) if latest else None


def discharge_decision(enrolment: Enrolment, on: date):
    last = enrolment.reports.order_by("-measured_at").first()
    has_symptoms = bool(last and (last.symptoms or last.status == ReportStatus.ALERT))
    return assess_discharge(
        enrolment.isolation_start,
        on,
        has_symptoms,
        last_negative_test(enrolment),
        rule_set_for(enrolment, on),
    )


def do_discharge(enrolment: Enrolment, *, actor: Any, request: Any = None) -> Enrolment:
    """End home isolation when the rule set allows it (days since isolation start, symptoms,
    a negative test when required); otherwise say every reason why not."""
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise error("not_active")
    today = local_date(timezone.now())
    decision = discharge_decision(enrolment, today)
    if not decision.eligible:
        detail = "; ".join(r.message_vi for r in decision.reasons)
        exc = error("not_dischargeable", detail)
        exc.message_en = f"Not yet eligible ({'; '.join(r.message_en for r in decision.reasons)})"
        raise exc
    with transaction.atomic():
        updated = Enrolment.objects.filter(pk=enrolment.pk, status="active").update(
            status=EnrolmentStatus.DISCHARGED,
            discharged_at=timezone.now(),
            next_report_due=None,
            discharge={
                "day_number": decision.day_number,
                "rule_set": decision.rule_set_id,
                "unconfirmed_used": list(decision.unconfirmed_used),
            },
        )
        if not updated:
            raise error("not_active")
        audit.record(
            "care.discharge", actor=actor, request=request, obj=enrolment, ward=enrolment.ward_id
        )
        events.emit("care.closed", enrolment_id=enrolment.pk, outcome="discharged")
    enrolment.refresh_from_db()
    return enrolment
