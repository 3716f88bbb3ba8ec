"""FHIR R4 vital signs: export a patient's reports as a Bundle, import Observations back.

Codes, units and the profile are those of the FHIR R4 vital-signs profile (docs/reference/care.md,
"FHIR vital signs"). Export writes what the profile asks for (status, vital-signs category, LOINC
code, subject, effective time, UCUM quantity); import accepts what other systems send: SpO2 as
59408-5 or 2708-6, temperatures in °F or K, blood pressure in kPa, a Bundle or lone Observations.
Symptoms are not exchanged: only the measured values.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from phongdich.care.errors import CareError
from phongdich.care.reports import VIETNAM, Report

PROFILE = "http://hl7.org/fhir/StructureDefinition/vitalsigns"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
IMPORTED_FORM_VERSION = "fhir-r4"

SPO2, SPO2_ARTERIAL = "59408-5", "2708-6"
RESPIRATORY_RATE, HEART_RATE, TEMPERATURE = "9279-1", "8867-4", "8310-5"
BP_PANEL, SYSTOLIC, DIASTOLIC = "85354-9", "8480-6", "8462-4"

# LOINC code → (report field, display, UCUM code, unit shown)
EXPORTED = {
    RESPIRATORY_RATE: ("respiratory_rate", "Respiratory rate", "/min", "breaths/minute"),
    HEART_RATE: ("pulse", "Heart rate", "/min", "beats/minute"),
    TEMPERATURE: ("temperature_c", "Body temperature", "Cel", "C"),
    SPO2: ("spo2", "Oxygen saturation in Arterial blood by Pulse oximetry", "%", "%"),
}
BP_COMPONENTS = {SYSTOLIC: ("systolic", "Systolic blood pressure"),
                 DIASTOLIC: ("diastolic", "Diastolic blood pressure")}  # fmt: skip

# Accepted UCUM units per imported field: value → value in the report's unit.
_IDENTITY = {"/min": lambda v: v, "{breaths}/min": lambda v: v, "{beats}/min": lambda v: v}
UNITS: dict[str, dict[str, Any]] = {
    "respiratory_rate": _IDENTITY,
    "pulse": _IDENTITY,
    "temperature_c": {
        "Cel": lambda v: v,
        "[degF]": lambda v: round((v - 32) * 5 / 9, 1),
        "K": lambda v: round(v - 273.15, 1),
    },
    "spo2": {"%": lambda v: v},
    "systolic": {"mm[Hg]": lambda v: v, "kPa": lambda v: round(v * 7.50062)},
    "diastolic": {"mm[Hg]": lambda v: v, "kPa": lambda v: round(v * 7.50062)},
}
IMPORTED_CODES = {
    SPO2: "spo2",
    SPO2_ARTERIAL: "spo2",
    RESPIRATORY_RATE: "respiratory_rate",
    HEART_RATE: "pulse",
    TEMPERATURE: "temperature_c",
    SYSTOLIC: "systolic",
    DIASTOLIC: "diastolic",
}
USABLE_STATUSES = {"final", "amended", "corrected", "preliminary"}


def _quantity(value: float, ucum: str, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": ucum}


def _coding(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": LOINC, "code": code, "display": display}], "text": display}


def _observation(
    obs_id: str, code: str, display: str, subject: str, effective: str
) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": obs_id,
        "meta": {"profile": [PROFILE]},
        "status": "final",
        "category": [
            {
                "coding": [
                    {"system": CATEGORY_SYSTEM, "code": "vital-signs", "display": "Vital Signs"}
                ],
                "text": "Vital Signs",
            }
        ],
        "code": _coding(code, display),
        "subject": {"reference": subject},
        "effectiveDateTime": effective,
    }


def report_observations(report: Report, subject: str) -> list[dict[str, Any]]:
    """The Observations of one report. Ids are derived from subject, time and code, so the
    same report always exports to the same resources. A repeated SpO2 reading is a second SpO2
    Observation at the same time, after the first."""
    effective = report.measured_at.isoformat()

    def new_id(suffix: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{subject}|{effective}|{suffix}"))

    observations = []
    for code, (name, display, ucum, unit) in EXPORTED.items():
        readings = [getattr(report, name)]
        if name == "spo2":
            readings.append(report.spo2_repeat)
        for index, value in enumerate(readings):
            if value is None:
                continue
            obs = _observation(new_id(f"{code}#{index}"), code, display, subject, effective)
            obs["valueQuantity"] = _quantity(value, ucum, unit)
            observations.append(obs)
    components = [
        {"code": _coding(code, display), "valueQuantity": _quantity(value, "mm[Hg]", "mmHg")}
        for code, (name, display) in BP_COMPONENTS.items()
        if (value := getattr(report, name)) is not None
    ]
    if components:
        obs = _observation(new_id(BP_PANEL), BP_PANEL, "Blood pressure panel", subject, effective)
        obs["component"] = components
        observations.append(obs)
    return observations


def export_bundle(reports: Iterable[Report], subject: str) -> dict[str, Any]:
    """A ``collection`` Bundle of every report's Observations for the patient ``subject``
    (a reference such as ``Patient/123``; a pseudonymous id, never a name or phone number)."""
    entries = [
        {"fullUrl": f"urn:uuid:{obs['id']}", "resource": obs}
        for report in reports
        for obs in report_observations(report, subject)
    ]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


@dataclass(frozen=True, slots=True)
class Skipped:
    resource_id: str | None
    code: str  # not_observation | unusable_status | unsupported_code | unsupported_unit | ...
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ImportedReport:
    subject: str | None
    report: Report


@dataclass
class ImportResult:
    reports: list[ImportedReport] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _resources(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if data.get("resourceType") == "Bundle":
        for entry in data.get("entry", []):
            resource = entry.get("resource")
            if resource is not None:
                yield from _resources(resource)
    else:
        yield data


def parse_effective(obs: dict[str, Any]) -> datetime | None:
    """effectiveDateTime, effectiveInstant or the start of effectivePeriod, as an aware datetime.
    A date alone (or a time without zone) is read in Vietnam's time zone."""
    text = obs.get("effectiveDateTime") or obs.get("effectiveInstant")
    if text is None:
        text = (obs.get("effectivePeriod") or {}).get("start")
    if text is None:
        return None
    if len(text) < 10:  # a year or a month alone is too vague to judge vital signs by
        return None
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), tzinfo=VIETNAM)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)


def _loinc_codes(concept: dict[str, Any] | None) -> list[str]:
    return [c.get("code") for c in (concept or {}).get("coding", []) if c.get("system") == LOINC]


def _value(quantity: dict[str, Any] | None, name: str) -> tuple[float | None, str]:
    """(value in the report's unit, problem code or '')."""
    if not quantity or quantity.get("value") is None:
        return None, "no_value"
    unit = quantity.get("code") or quantity.get("unit")
    if quantity.get("system") not in (None, UCUM) or unit not in UNITS[name]:
        return None, "unsupported_unit"
    try:
        value = UNITS[name][unit](float(quantity["value"]))
    except (TypeError, ValueError):
        return None, "no_value"
    return (int(value) if float(value).is_integer() else value), ""


def _observation_values(obs: dict[str, Any]) -> tuple[dict[str, float], str, str]:
    """(field → value, problem code, detail) for one Observation."""
    codes = _loinc_codes(obs.get("code"))
    name = next((IMPORTED_CODES[c] for c in codes if c in IMPORTED_CODES), None)
    if name is not None:
        value, problem = _value(obs.get("valueQuantity"), name)
        return ({name: value} if value is not None else {}), problem, name
    if BP_PANEL in codes:
        values: dict[str, float] = {}
        for component in obs.get("component", []):
            part = next(
                (
                    IMPORTED_CODES[c]
                    for c in _loinc_codes(component.get("code"))
                    if c in BP_COMPONENTS
                ),
                None,
            )
            if part is None:
                continue
            value, problem = _value(component.get("valueQuantity"), part)
            if problem:
                return {}, problem, part
            values[part] = value  # type: ignore[assignment]
        return values, ("" if values else "no_value"), "blood pressure"
    return {}, "unsupported_code", ",".join(codes)


def import_observations(data: dict[str, Any]) -> ImportResult:
    """Read a Bundle or one Observation into reports, one per subject and effective time.

    Two SpO2 readings at the same time become ``spo2`` and ``spo2_repeat`` in document order.
    Observations that cannot be used are listed in ``skipped`` with the reason.
    """
    result = ImportResult()
    groups: dict[tuple[str | None, datetime], dict[str, Any]] = {}
    for obs in _resources(data):
        obs_id = obs.get("id")
        if obs.get("resourceType") != "Observation":
            result.skipped.append(Skipped(obs_id, "not_observation", obs.get("resourceType", "")))
            continue
        if obs.get("status") not in USABLE_STATUSES:
            result.skipped.append(Skipped(obs_id, "unusable_status", str(obs.get("status"))))
            continue
        values, problem, detail = _observation_values(obs)
        if problem:
            result.skipped.append(Skipped(obs_id, problem, detail))
            continue
        effective = parse_effective(obs)
        if effective is None:
            result.skipped.append(Skipped(obs_id, "no_effective_time", ""))
            continue
        subject = (obs.get("subject") or {}).get("reference")
        group = groups.setdefault((subject, effective), {})
        for name, value in values.items():
            target = "spo2_repeat" if name == "spo2" and "spo2" in group else name
            if target in group:
                result.skipped.append(Skipped(obs_id, "duplicate_value", target))
                continue
            group[target] = value
    for (subject, effective), values in groups.items():
        try:
            report = Report(measured_at=effective, form_version=IMPORTED_FORM_VERSION, **values)
        except CareError as error:  # an implausible value: the whole time point is doubtful
            result.skipped.append(Skipped(None, error.code, f"{subject} {effective.isoformat()}"))
            continue
        result.reports.append(ImportedReport(subject, report))
    return result
