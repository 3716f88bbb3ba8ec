"""The pre-vaccination screening checklist, as data (versioned: the questions change over time).

Modelled on the adult COVID-19 screening form of MOH Decision 2995/QĐ-BYT (18 Jun 2021) as it was
described at the time (not checked against the official text). Each question that is answered
"yes" leads to an outcome; the worst outcome wins:

contraindicated > postpone > precaution > eligible.

A dose may be given after ``eligible`` or ``precaution`` (the latter with a longer observation).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from phongdich.lib.errors import FieldError
from phongdich.vaccination.models import Screening, ScreeningResult

FORM_VERSION = "2995-2021"

# code → (outcome when answered "yes", label)
QUESTIONS: dict[str, tuple[str, Any]] = {
    "anaphylaxis_previous_dose": (
        ScreeningResult.CONTRAINDICATED,
        _("Anaphylaxis after a previous COVID-19 vaccine dose or to one of its components"),
    ),
    "severe_immunodeficiency": (
        ScreeningResult.CONTRAINDICATED,
        _("Severe immunodeficiency, end-stage cancer or decompensated cirrhosis"),
    ),
    "acute_illness": (
        ScreeningResult.POSTPONE,
        _("Acute illness, or a chronic illness that is getting worse"),
    ),
    "covid_last_3_months": (ScreeningResult.POSTPONE, _("COVID-19 in the last 3 months")),
    "other_vaccine_14_days": (ScreeningResult.POSTPONE, _("Another vaccine in the last 14 days")),
    "pregnant_under_13_weeks": (ScreeningResult.POSTPONE, _("Pregnant, under 13 weeks")),
    "allergy_other": (ScreeningResult.PRECAUTION, _("Severe allergy to other allergens")),
    "coagulation_disorder": (
        ScreeningResult.PRECAUTION,
        _("Bleeding or clotting disorder, or anticoagulants"),
    ),
    "pregnant_13_weeks_or_more": (ScreeningResult.PRECAUTION, _("Pregnant, 13 weeks or more")),
    "aged_65_or_more": (ScreeningResult.PRECAUTION, _("Aged 65 or older")),
    "chronic_disease": (
        ScreeningResult.PRECAUTION,
        _("Chronic disease (heart, lung, kidney, diabetes, hypertension)"),
    ),
}
_RANK = {
    ScreeningResult.ELIGIBLE: 0,
    ScreeningResult.PRECAUTION: 1,
    ScreeningResult.POSTPONE: 2,
    ScreeningResult.CONTRAINDICATED: 3,
}
# Vital signs outside these bounds postpone the dose (inclusive bounds are acceptable).
TEMPERATURE_MAX = Decimal("37.4")
PULSE_RANGE = (50, 120)
SYSTOLIC_RANGE = (90, 179)
DIASTOLIC_RANGE = (50, 109)


@dataclass(frozen=True)
class ScreeningData:
    answers: dict[str, bool]
    temperature: Decimal | None
    pulse: int | None
    systolic: int | None
    diastolic: int | None
    result: str
    reasons: list[str]


def _number(raw: Any, field: str, errors: list[FieldError], *, decimal: bool = False) -> Any:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw).replace(",", ".")) if decimal else int(str(raw))
    except (InvalidOperation, ValueError):
        errors.append(
            FieldError(
                f"screening.{field}",
                "not_number",
                f"{field}: cần một số.",
                f"screening.{field} must be a number.",
            )
        )
        return None
    if decimal and not Decimal("30") <= value <= Decimal("45"):
        errors.append(
            FieldError(
                f"screening.{field}",
                "out_of_range",
                "Nhiệt độ phải từ 30 đến 45 °C.",
                "temperature must be between 30 and 45 °C.",
            )
        )
        return None
    if not decimal and not 20 <= value <= 300:
        errors.append(
            FieldError(
                f"screening.{field}",
                "out_of_range",
                f"{field}: giá trị không hợp lý.",
                f"screening.{field} is out of range.",
            )
        )
        return None
    return value


def _outside(value: int | None, bounds: tuple[int, int]) -> bool:
    return value is not None and not bounds[0] <= value <= bounds[1]


def evaluate(data: dict[str, Any]) -> tuple[ScreeningData | None, list[FieldError]]:
    """Check a filled checklist: ``answers`` (code → bool; missing means "no") and vital signs."""
    errors: list[FieldError] = []
    raw_answers = data.get("answers") or {}
    unknown = sorted(set(raw_answers) - set(QUESTIONS))
    if unknown:
        errors.append(
            FieldError(
                "screening.answers",
                "unknown_question",
                "Câu hỏi sàng lọc không tồn tại: " + ", ".join(unknown),
                "Unknown screening questions: " + ", ".join(unknown),
            )
        )
    answers = {code: bool(raw_answers.get(code, False)) for code in QUESTIONS}
    temperature = _number(data.get("temperature"), "temperature", errors, decimal=True)
    pulse = _number(data.get("pulse"), "pulse", errors)
    systolic = _number(data.get("systolic"), "systolic", errors)
    diastolic = _number(data.get("diastolic"), "diastolic", errors)
    if errors:
        return None, errors
    reasons = [code for code, yes in answers.items() if yes]
    result = max(
        (QUESTIONS[c][0] for c in reasons), key=_RANK.__getitem__, default=ScreeningResult.ELIGIBLE
    )
    vitals = {
        "temperature": temperature is not None and temperature > TEMPERATURE_MAX,
        "pulse": _outside(pulse, PULSE_RANGE),
        "blood_pressure": _outside(systolic, SYSTOLIC_RANGE)
        or _outside(diastolic, DIASTOLIC_RANGE),
    }
    for sign, abnormal in vitals.items():
        if abnormal:
            reasons.append(sign)
            if _RANK[ScreeningResult(result)] < _RANK[ScreeningResult.POSTPONE]:
                result = ScreeningResult.POSTPONE
    return ScreeningData(answers, temperature, pulse, systolic, diastolic, str(result), reasons), []


def may_vaccinate(result: str) -> bool:
    return result in {ScreeningResult.ELIGIBLE, ScreeningResult.PRECAUTION}


VITAL_SIGN_LABELS = {  # the bounds above
    "temperature": _("Temperature above 37.4 °C"),
    "pulse": _("Pulse outside 50–120 per minute"),
    "blood_pressure": _("Blood pressure outside 90–179 / 50–109 mmHg"),
}


def reasons_of(row: Any) -> list[str]:
    """Why a stored screening (``models.Screening``) came out as it did, as people read it:
    the statements answered "yes", then the vital signs out of range."""
    labels = [
        str(QUESTIONS[code][1])
        for code, yes in (row.answers or {}).items()
        if yes and code in QUESTIONS
    ]
    if row.temperature is not None and row.temperature > TEMPERATURE_MAX:
        labels.append(str(VITAL_SIGN_LABELS["temperature"]))
    if _outside(row.pulse, PULSE_RANGE):
        labels.append(str(VITAL_SIGN_LABELS["pulse"]))
    if _outside(row.systolic, SYSTOLIC_RANGE) or _outside(row.diastolic, DIASTOLIC_RANGE):
        labels.append(str(VITAL_SIGN_LABELS["blood_pressure"]))
    return labels


DEFERRING = (ScreeningResult.POSTPONE, ScreeningResult.CONTRAINDICATED)


def deferrals_of(person: Any, limit: int = 5) -> list[Any]:
    """The person's screenings that deferred or refused a dose, newest first, each with
    ``reasons`` (see :func:`reasons_of`)."""
    rows = list(
        Screening.objects.filter(person=person, result__in=DEFERRING)
        .select_related("session")
        .order_by("-screened_at", "-pk")[:limit]
    )
    for row in rows:
        row.reasons = reasons_of(row)
    return rows
