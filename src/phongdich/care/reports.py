"""The self-monitoring entry (MOH Appendix 2 form) and the age-specific forms.

A ``Report`` is one filled-in form: vital signs, the yes/no symptoms that were ticked and the
form version it was filled on (the questions changed over time; docs/reference/care.md §
"Monitoring form"). It is plain data, the same whether typed in, phoned in or imported from FHIR.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from phongdich.care.errors import CareError
from phongdich.care.rulesets import RuleSet

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

# Plausible ranges (inclusive) of what a person at home can measure: a value outside is a typing
# or unit mistake, refused rather than judged.
PLAUSIBLE: dict[str, tuple[float, float]] = {
    "respiratory_rate": (1, 150),
    "pulse": (1, 300),
    "temperature_c": (25.0, 45.0),
    "spo2": (1, 100),
    "spo2_repeat": (1, 100),
    "systolic": (30, 300),
    "diastolic": (10, 200),
}
VITAL_FIELDS = tuple(PLAUSIBLE)


@dataclass(frozen=True, slots=True)
class Symptom:
    code: str
    vi: str
    en: str
    group: str


@dataclass(frozen=True, slots=True)
class Form:
    code: str
    min_age_months: int
    max_age_months: int | None
    fields: tuple[str, ...]
    symptoms: tuple[str, ...]


@cache
def symptoms() -> dict[str, Symptom]:
    path = resources.files("phongdich.care") / "data" / "symptoms.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {s["code"]: Symptom(**s) for s in data["symptoms"]}


@cache
def forms() -> tuple[Form, ...]:
    path = resources.files("phongdich.care") / "data" / "forms.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    catalogue = symptoms()
    return tuple(
        Form(
            code=f["code"],
            min_age_months=f["min_age_months"],
            max_age_months=f["max_age_months"],
            fields=tuple(f["fields"]),
            symptoms=tuple(c for c, s in catalogue.items() if s.group in f["symptom_groups"]),
        )
        for f in data["forms"]
    )


def age_in_months(birth_date: date, on: date) -> int:
    """Completed months of age on ``on`` (a child born 31 Jan is one month old on 28 Feb)."""
    if on < birth_date:
        raise CareError(
            "born_after_report",
            "Ngày sinh sau ngày đo.",
            "The birth date is after the measurement date.",
        )
    months = (on.year - birth_date.year) * 12 + on.month - birth_date.month
    if on.day < birth_date.day and not _is_last_day_of_month(on):
        months -= 1
    return months


def _is_last_day_of_month(day: date) -> bool:
    return day.month != date.fromordinal(day.toordinal() + 1).month


def local_date(moment: datetime) -> date:
    """The calendar day in Vietnam: rule sets change at local midnight."""
    return moment.astimezone(VIETNAM).date()


def form_for_age(age_months: int) -> Form:
    for form in forms():
        if form.min_age_months <= age_months and (
            form.max_age_months is None or age_months < form.max_age_months
        ):
            return form
    raise CareError("no_form_for_age", "Không có phiếu cho độ tuổi này.", "No form for this age.")


def form_version(rule_set: RuleSet, form: Form) -> str:
    """The version string stored with each entry, e.g. ``604/QĐ-BYT/PL2/child_under_5``."""
    return f"{rule_set.form_version}/{form.code}"


@dataclass(frozen=True, slots=True)
class Report:
    """One self-monitoring entry. ``spo2_repeat`` is the second reading taken 30 s–1 min after a
    low first one (docs/reference/care.md, "re-measure")."""

    measured_at: datetime
    form_version: str
    respiratory_rate: float | None = None
    pulse: float | None = None
    temperature_c: float | None = None
    spo2: float | None = None
    spo2_repeat: float | None = None
    systolic: float | None = None
    diastolic: float | None = None
    symptoms: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not isinstance(self.symptoms, frozenset):
            object.__setattr__(self, "symptoms", frozenset(self.symptoms))
        if self.measured_at.tzinfo is None or self.measured_at.utcoffset() is None:
            raise CareError(
                "naive_datetime",
                "Thời điểm đo phải có múi giờ.",
                "The measurement time must carry a time zone.",
            )
        for name in VITAL_FIELDS:
            value = getattr(self, name)
            if value is None:
                continue
            low, high = PLAUSIBLE[name]
            if not low <= value <= high:
                raise CareError(
                    f"implausible_{name}",
                    f"Giá trị {name} = {value} nằm ngoài khoảng {low}–{high}; hãy đo lại.",
                    f"The value {name} = {value} is outside {low}–{high}; please measure again.",
                )
        unknown = self.symptoms - symptoms().keys()
        if unknown:
            raise CareError(
                "unknown_symptom",
                f"Triệu chứng không có trong danh mục: {', '.join(sorted(unknown))}.",
                f"Symptoms not in the catalogue: {', '.join(sorted(unknown))}.",
            )

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "measured_at": self.measured_at.isoformat(),
            "form_version": self.form_version,
        }
        data.update({name: getattr(self, name) for name in VITAL_FIELDS})
        data["symptoms"] = sorted(self.symptoms)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        return cls(
            measured_at=datetime.fromisoformat(data["measured_at"]),
            form_version=data["form_version"],
            symptoms=frozenset(data.get("symptoms", ())),
            **{name: data.get(name) for name in VITAL_FIELDS},
        )
