"""Adverse events following immunisation (AEFI): reported on a dose, followed to an outcome."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phongdich.accounts import audit
from phongdich.lib.errors import FieldError, InputErrors
from phongdich.lib.timeutil import local_day_bounds
from phongdich.vaccination.errors import error
from phongdich.vaccination.models import AdverseEvent, Dose, ObservationResult, Outcome, Severity

SYMPTOMS = {
    "injection_site": _("Pain, swelling or redness at the injection site"),
    "fever": _("Fever"),
    "headache": _("Headache"),
    "fatigue": _("Fatigue"),
    "myalgia": _("Muscle or joint pain"),
    "nausea": _("Nausea or vomiting"),
    "rash": _("Rash or hives"),
    "dyspnoea": _("Shortness of breath"),
    "chest_pain": _("Chest pain or palpitations"),
    "anaphylaxis": _("Anaphylaxis"),
    "seizure": _("Seizure"),
    "other": _("Other"),
}


def _parse_event(dose: Dose, data: dict[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    errors: list[FieldError] = []
    onset = data.get("onset_at")
    if isinstance(onset, str):
        try:
            onset = datetime.fromisoformat(onset)
        except ValueError:
            onset = None
    if not isinstance(onset, datetime) or timezone.is_naive(onset):
        errors.append(
            FieldError(
                "onset_at",
                "not_datetime",
                "Thời điểm khởi phát cần ngày giờ có múi giờ.",
                "onset_at must be an ISO 8601 date-time with an offset.",
            )
        )
        onset = None
    elif onset < local_day_bounds(dose.given_on)[0]:
        errors.append(
            FieldError(
                "onset_at",
                "before_dose",
                "Khởi phát trước ngày tiêm.",
                "onset_at is before the dose was given.",
            )
        )
    elif onset > timezone.now() + timedelta(minutes=5):
        errors.append(
            FieldError(
                "onset_at",
                "in_future",
                "Thời điểm khởi phát ở tương lai.",
                "onset_at is in the future.",
            )
        )
    severity = str(data.get("severity") or "")
    if severity not in Severity.values:
        errors.append(
            FieldError(
                "severity",
                "not_allowed",
                "Mức độ không hợp lệ.",
                f"severity must be one of {', '.join(Severity.values)}.",
            )
        )
    outcome = str(data.get("outcome") or Outcome.ONGOING)
    if outcome not in Outcome.values:
        errors.append(
            FieldError(
                "outcome",
                "not_allowed",
                "Diễn biến không hợp lệ.",
                f"outcome must be one of {', '.join(Outcome.values)}.",
            )
        )
    symptoms = [str(s) for s in data.get("symptoms") or []]
    unknown = [s for s in symptoms if s not in SYMPTOMS]
    if unknown or not symptoms:
        errors.append(
            FieldError(
                "symptoms",
                "not_allowed",
                "Cần chọn triệu chứng trong danh sách.",
                f"symptoms must be a non-empty list of {', '.join(SYMPTOMS)}.",
            )
        )
    description = str(data.get("description") or "").strip()
    if len(description) > 2000:
        errors.append(
            FieldError(
                "description",
                "too_long",
                "Mô tả quá dài (tối đa 2000 ký tự).",
                "description is too long (at most 2000 characters).",
            )
        )
    return {
        "onset_at": onset,
        "severity": severity,
        "outcome": outcome,
        "symptoms": [code for code in SYMPTOMS if code in symptoms],
        "description": description,
        "hospitalised": bool(data.get("hospitalised")),
    }, errors


def do_report_adverse_event(
    dose: Dose, data: dict[str, Any], *, actor: Any, request: Any = None
) -> AdverseEvent:
    """Report an adverse event on a dose (severity, onset, symptoms, outcome).

    An event that began during the post-vaccination observation also closes the observation as a
    reaction."""
    if Dose.objects.filter(pk=dose.pk, voided_at__isnull=False).exists():
        raise error("dose_voided")
    fields, errors = _parse_event(dose, data)
    if errors:
        raise InputErrors(errors)
    during = bool(dose.observation_until and fields["onset_at"] <= dose.observation_until)
    with transaction.atomic():
        event = AdverseEvent.objects.create(
            dose=dose,
            person_id=dose.person_id,
            ward_id=dose.ward_id,
            during_observation=during,
            reported_by=actor if getattr(actor, "pk", None) else None,
            reported_at=timezone.now(),
            **fields,
        )
        if during:
            Dose.objects.filter(pk=dose.pk).update(observation_result=ObservationResult.REACTION)
        audit.record(
            "report_aefi",
            actor=actor,
            request=request,
            obj=event,
            ward=dose.ward,
            detail={"severity": event.severity, "dose": dose.pk},
        )
    return event


def do_update_adverse_event(
    event: AdverseEvent,
    *,
    outcome: str,
    hospitalised: bool | None = None,
    actor: Any,
    request: Any = None,
) -> AdverseEvent:
    """Follow an event up: its outcome and whether the person was admitted to hospital."""
    if outcome not in Outcome.values:
        raise InputErrors.one(
            "outcome",
            "not_allowed",
            "Diễn biến không hợp lệ.",
            f"outcome must be one of {', '.join(Outcome.values)}.",
        )
    with transaction.atomic():
        event.outcome = outcome
        if hospitalised is not None:
            event.hospitalised = hospitalised
        event.save(update_fields=["outcome", "hospitalised", "updated_at"])
        audit.record(
            "update_aefi",
            actor=actor,
            request=request,
            obj=event,
            ward=event.ward,
            detail={"outcome": outcome},
        )
    return event
