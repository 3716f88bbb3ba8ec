"""Turning posted forms (the self-report page, the enrolment form) into plain values, with
bilingual errors naming the field. No value is judged here: the rules do that."""

from __future__ import annotations

from datetime import date
from typing import Any

from phongdich.care.reports import VITAL_FIELDS, symptoms
from phongdich.lib.errors import FieldError, InputErrors

LABELS = {
    "respiratory_rate": ("Nhịp thở", "Respiratory rate"),
    "pulse": ("Mạch", "Pulse"),
    "temperature_c": ("Nhiệt độ", "Temperature"),
    "spo2": ("SpO2", "SpO2"),
    "spo2_repeat": ("SpO2 lần 2", "Second SpO2"),
    "systolic": ("Huyết áp tối đa", "Systolic pressure"),
    "diastolic": ("Huyết áp tối thiểu", "Diastolic pressure"),
}


def number(raw: Any, name: str, errors: list[FieldError]) -> float | None:
    text = str(raw if raw is not None else "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        vi, en = LABELS.get(name, (name, name))
        errors.append(
            FieldError(name, "not_number", f"{vi} phải là một số.", f"{en} must be a number.")
        )
        return None
    if value != value or value in (float("inf"), float("-inf")):  # NaN, infinity
        errors.append(FieldError(name, "not_number", "Giá trị không hợp lệ.", "Invalid value."))
        return None
    return value


def report_values(data: Any) -> dict[str, Any]:
    """Vital signs and ticked symptoms from a form post (``QueryDict``) or a JSON dict."""
    errors: list[FieldError] = []
    values: dict[str, Any] = {name: number(data.get(name), name, errors) for name in VITAL_FIELDS}
    ticked = data.getlist("symptoms") if hasattr(data, "getlist") else data.get("symptoms") or []
    if not isinstance(ticked, list | tuple):
        errors.append(
            FieldError("symptoms", "not_list", "Triệu chứng không hợp lệ.", "Invalid symptoms.")
        )
        ticked = []
    unknown = [s for s in ticked if s not in symptoms()]
    if unknown:
        errors.append(
            FieldError(
                "symptoms",
                "unknown_symptom",
                "Có triệu chứng không có trong danh mục.",
                "A symptom is not in the catalogue.",
            )
        )
    if errors:
        raise InputErrors(errors)
    values["symptoms"] = frozenset(ticked)
    return values


def parse_date(raw: Any, name: str, errors: list[FieldError], required: bool = True):
    text = str(raw or "").strip()
    if not text:
        if required:
            errors.append(FieldError(name, "required", "Bắt buộc nhập.", "Required."))
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(
            FieldError(
                name,
                "not_date",
                "Ngày không hợp lệ (YYYY-MM-DD).",
                "Not a valid date (YYYY-MM-DD).",
            )
        )
        return None


def flag(data: Any, name: str) -> bool:
    value = data.get(name)
    if isinstance(value, bool):
        return value
    return str(value or "").lower() in {"1", "on", "true", "yes"}


COMORBIDITY = ("none", "stable", "unstable")
