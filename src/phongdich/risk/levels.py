"""Epidemic risk level of a ward (1 green … 4 red) from versioned rule sets kept as data.

The rules (Resolution 128/NQ-CP; MOH Decisions 4800/QĐ-BYT and 218/QĐ-BYT), with sources and
what is unconfirmed, are in ``docs/reference/risk.md``; the numbers are in
``data/levels/*.json``. Three criteria:

1. new cases per 100,000 people over 7 days, banded (4800: one measure; 218: three);
2. vaccination coverage, met or not (every component that applies on the date must be met);
3. treatment capacity: a unit that fails it may not lower its level.

Criteria 1 and 2 combine through a matrix (unconfirmed for both decisions, so data). Like
covid-act-now's ``RiskLevels`` the result carries every criterion's own level or outcome beside
the overall level, and names the unconfirmed settings the answer depended on.

All comparisons are exact (:class:`fractions.Fraction`): 20 cases in 100,000 people is exactly
20.0, which 4800 puts in the 20–< 50 band.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from functools import cache
from typing import Any

from phongdich.risk.errors import RiskInputError
from phongdich.risk.loading import DATA, check_schema, exact, fail, parse_date, read_json

SCHEMA = "level_rule_set.schema.json"

# Resolution 128/NQ-CP: four levels, assessed from the commune/ward upward.
LEVELS: dict[int, tuple[str, str, str]] = {
    1: ("green", "Cấp 1 — nguy cơ thấp (bình thường mới)", "Level 1 — low risk (new normal)"),
    2: ("yellow", "Cấp 2 — nguy cơ trung bình", "Level 2 — medium risk"),
    3: ("orange", "Cấp 3 — nguy cơ cao", "Level 3 — high risk"),
    4: ("red", "Cấp 4 — nguy cơ rất cao", "Level 4 — very high risk"),
}


# --- rule set (data) -------------------------------------------------------------------------


@dataclass(frozen=True)
class Bound:
    value: Fraction
    at_bound_higher: bool  # "≥ value" puts the value itself in the higher band; "> value" not
    confirmed: bool


@dataclass(frozen=True)
class CaseMeasure:
    key: str
    label_vi: str
    label_en: str
    input: str
    per_population: int
    bounds: tuple[Bound, ...] | None  # None: thresholds not set (reported, not used)

    def band(self, rate: Fraction) -> int:
        """Band 1–4 of a rate; each bound says on which side its own value falls."""
        band = 1
        for bound in self.bounds or ():
            if rate > bound.value or (bound.at_bound_higher and rate == bound.value):
                band += 1
        return band


@dataclass(frozen=True)
class CoverageComponent:
    key: str
    label_vi: str
    label_en: str
    min_share: Fraction  # 0–1
    confirmed: bool
    applies_from: date | None
    applies_until: date | None  # exclusive

    def applies_on(self, day: date) -> bool:
        if self.applies_from is not None and day < self.applies_from:
            return False
        return self.applies_until is None or day < self.applies_until


@dataclass(frozen=True)
class LevelRuleSet:
    id: str
    version: int
    decision: str
    title_vi: str
    title_en: str
    valid_from: date
    valid_until: date | None  # exclusive; None: still in force
    case_measures: tuple[CaseMeasure, ...]
    case_combination_confirmed: bool
    coverage: tuple[CoverageComponent, ...]
    matrix: tuple[tuple[int, int], ...]  # [case band - 1] → (coverage met, not met)
    matrix_confirmed: bool
    may_not_lower: bool
    may_not_lower_confirmed: bool
    source: str = ""

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)

    def evaluate(self, inputs: WardInputs, on: date) -> LevelResult:
        return evaluate(self, inputs, on)


def load_rule_set(document: Mapping[str, Any], source: str = "") -> LevelRuleSet:
    """Check a rule set document (schema, then sense) and build it; raises RuleDataError."""
    source = source or str(document.get("id", ""))
    check_schema(document, SCHEMA, source)
    measures = tuple(_measure(m, i, source) for i, m in enumerate(document["case_measures"]))
    _unique([m.key for m in measures], "$.case_measures", source)
    if all(m.bounds is None for m in measures):
        raise fail(
            "rule_data_no_case_bands",
            "Phải đặt ngưỡng cho ít nhất một chỉ số ca mắc.",
            "At least one case measure needs its bounds set.",
            "$.case_measures",
            source,
        )
    coverage = tuple(_component(c) for c in document["coverage"]["components"])
    _unique([c.key for c in coverage], "$.coverage.components", source)
    matrix = tuple((row[0], row[1]) for row in document["matrix"]["levels"])
    for i, (met, not_met) in enumerate(matrix):
        if met > not_met:
            raise fail(
                "rule_data_matrix_order",
                "Ma trận: đạt độ bao phủ không được cho cấp cao hơn không đạt.",
                "Matrix: meeting coverage may not give a higher level than missing it.",
                f"$.matrix.levels[{i}]",
                source,
            )
    valid_from = date.fromisoformat(document["valid_from"])
    valid_until = parse_date(document["valid_until"])
    if valid_until is not None and valid_until <= valid_from:
        raise fail(
            "rule_data_dates",
            "Ngày hết hiệu lực phải sau ngày có hiệu lực.",
            "valid_until must be after valid_from.",
            "$.valid_until",
            source,
        )
    return LevelRuleSet(
        id=document["id"],
        version=document["version"],
        decision=document["decision"],
        title_vi=document["title_vi"],
        title_en=document["title_en"],
        valid_from=valid_from,
        valid_until=valid_until,
        case_measures=measures,
        case_combination_confirmed=document["case_combination"]["confirmed"],
        coverage=coverage,
        matrix=matrix,
        matrix_confirmed=document["matrix"]["confirmed"],
        may_not_lower=document["treatment_capacity"]["may_not_lower"],
        may_not_lower_confirmed=document["treatment_capacity"]["confirmed"],
        source=source,
    )


def _measure(doc: Mapping[str, Any], index: int, source: str) -> CaseMeasure:
    bounds = None
    if doc["bounds"] is not None:
        bounds = tuple(
            Bound(exact(b["value"]), b["at_bound"] == "higher", b["confirmed"])
            for b in doc["bounds"]
        )
        values = [b.value for b in bounds]
        if values != sorted(values) or len(set(values)) != len(values):
            raise fail(
                "rule_data_bounds_order",
                "Các ngưỡng phải tăng dần.",
                "Bounds must increase strictly.",
                f"$.case_measures[{index}].bounds",
                source,
            )
    return CaseMeasure(
        doc["key"], doc["label_vi"], doc["label_en"], doc["input"], doc["per_population"], bounds
    )


def _component(doc: Mapping[str, Any]) -> CoverageComponent:
    return CoverageComponent(
        key=doc["key"],
        label_vi=doc["label_vi"],
        label_en=doc["label_en"],
        min_share=exact(doc["min_percent"]) / 100,
        confirmed=doc["confirmed"],
        applies_from=parse_date(doc.get("applies_from")),
        applies_until=parse_date(doc.get("applies_until")),
    )


def _unique(keys: list[str], where: str, source: str) -> None:
    if len(set(keys)) != len(keys):
        raise fail(
            "rule_data_duplicate_key",
            "Khóa bị trùng.",
            "Duplicate key.",
            where,
            source,
        )


class RuleSets:
    """Several rule sets side by side; the one in force on a date is chosen by its validity."""

    def __init__(self, rule_sets: Iterable[LevelRuleSet]) -> None:
        self.all = tuple(sorted(rule_sets, key=lambda r: r.valid_from))
        for earlier, later in zip(self.all, self.all[1:], strict=False):
            if earlier.valid_until is None or earlier.valid_until > later.valid_from:
                raise fail(
                    "rule_data_overlap",
                    f"Thời gian hiệu lực của {earlier.id} và {later.id} chồng lên nhau.",
                    f"The validity of {earlier.id} and {later.id} overlaps.",
                    "$.valid_until",
                    earlier.source,
                )

    def for_date(self, day: date) -> LevelRuleSet:
        for rule_set in self.all:
            if rule_set.valid_on(day):
                return rule_set
        raise RiskInputError(
            "no_rule_set_for_date",
            f"Không có bộ tiêu chí đánh giá cấp độ dịch nào có hiệu lực ngày {day:%d/%m/%Y}.",
            f"No risk level rule set is in force on {day:%d/%m/%Y}.",
            "on",
        )

    def get(self, rule_set_id: str, version: int | None = None) -> LevelRuleSet:
        matches = [r for r in self.all if r.id == rule_set_id]
        if version is not None:
            matches = [r for r in matches if r.version == version]
        if not matches:
            raise KeyError(rule_set_id)
        return max(matches, key=lambda r: r.version)


@cache
def default_rule_sets() -> RuleSets:
    """The rule sets shipped in ``data/levels/`` (read once)."""
    files = sorted((DATA / "levels").iterdir(), key=lambda p: p.name)
    return RuleSets(
        load_rule_set(read_json(p), f"levels/{p.name}") for p in files if p.name.endswith(".json")
    )


# --- evaluation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """Vaccinated people out of the people in one group (docs/reference/risk.md §2)."""

    vaccinated: int
    eligible: int


@dataclass(frozen=True)
class WardInputs:
    population: int
    community_cases_7d: int
    coverage: Mapping[str, Coverage]
    treatment_capacity_ok: bool
    previous_level: int | None = None
    oxygen_cases_7d: int | None = None
    deaths_7d: int | None = None


@dataclass(frozen=True)
class CriterionResult:
    """One criterion or measure: its own level (1–4) or outcome, and the value it came from."""

    key: str
    outcome: str  # "level", "met", "not_met", "missing", "not_configured", "ok", "failed"
    level: int | None = None
    value: Fraction | None = None  # a rate per 100,000 or a share 0–1
    confirmed: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "outcome": self.outcome,
            "level": self.level,
            "value": None if self.value is None else float(self.value),
            "confirmed": self.confirmed,
        }


@dataclass(frozen=True)
class LevelResult:
    level: int
    computed_level: int  # from the matrix, before the treatment capacity rule
    held_by_treatment_capacity: bool
    criteria: dict[str, CriterionResult]
    rule_set_id: str
    rule_set_version: int
    unconfirmed: tuple[str, ...] = field(default=())

    @property
    def colour(self) -> str:
        return LEVELS[self.level][0]

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "colour": self.colour,
            "computed_level": self.computed_level,
            "held_by_treatment_capacity": self.held_by_treatment_capacity,
            "criteria": {k: c.as_dict() for k, c in self.criteria.items()},
            "rule_set": {"id": self.rule_set_id, "version": self.rule_set_version},
            "unconfirmed": list(self.unconfirmed),
        }


def _check_inputs(inputs: WardInputs) -> None:
    if inputs.population <= 0:
        raise RiskInputError(
            "invalid_population",
            "Dân số phải lớn hơn 0.",
            "The population must be greater than 0.",
            "population",
        )
    for name in ("community_cases_7d", "oxygen_cases_7d", "deaths_7d"):
        value = getattr(inputs, name)
        if value is not None and value < 0:
            raise RiskInputError(
                "negative_count", "Số ca không được âm.", "A count may not be negative.", name
            )
    if inputs.previous_level is not None and inputs.previous_level not in LEVELS:
        raise RiskInputError(
            "invalid_level",
            "Cấp độ trước phải từ 1 đến 4.",
            "The previous level must be 1 to 4.",
            "previous_level",
        )
    for key, cov in inputs.coverage.items():
        if cov.eligible < 0 or cov.vaccinated < 0 or cov.vaccinated > cov.eligible:
            raise RiskInputError(
                "invalid_coverage",
                "Số người đã tiêm phải từ 0 đến số người thuộc nhóm.",
                "Vaccinated people must be between 0 and the people in the group.",
                f"coverage.{key}",
            )


def evaluate(rule_set: LevelRuleSet, inputs: WardInputs, on: date) -> LevelResult:
    """The level of one ward on a date under ``rule_set`` (docs/reference/risk.md §1)."""
    _check_inputs(inputs)
    criteria: dict[str, CriterionResult] = {}
    unconfirmed: list[str] = []

    # Criterion 1: every configured measure gets its band; the criterion takes the highest.
    case_band = 1
    for measure in rule_set.case_measures:
        count = getattr(inputs, measure.input)
        if count is None:
            criteria[measure.key] = CriterionResult(measure.key, "missing")
            continue
        rate = Fraction(count * measure.per_population, inputs.population)
        if measure.bounds is None:
            criteria[measure.key] = CriterionResult(
                measure.key, "not_configured", value=rate, confirmed=False
            )
            continue
        band = measure.band(rate)
        # The bounds that placed this rate: the one below it and the one above it.
        near = [b for i, b in enumerate(measure.bounds) if i in (band - 2, band - 1)]
        confirmed = all(b.confirmed for b in near)
        if not confirmed:
            unconfirmed.append(f"{measure.key}.bounds")
        criteria[measure.key] = CriterionResult(measure.key, "level", band, rate, confirmed)
        case_band = max(case_band, band)
    used = [c for c in criteria.values() if c.outcome == "level"]
    if len(used) > 1 and not rule_set.case_combination_confirmed:
        unconfirmed.append("case_combination")
    criteria["cases"] = CriterionResult(
        "cases", "level", case_band, confirmed=all(c.confirmed for c in used)
    )

    # Criterion 2: every component in force on the date must be met; missing data is not met.
    coverage_met = True
    for component in rule_set.coverage:
        if not component.applies_on(on):
            continue
        figure = inputs.coverage.get(component.key)
        if figure is None or figure.eligible == 0:
            criteria[component.key] = CriterionResult(
                component.key, "missing", confirmed=component.confirmed
            )
            coverage_met = False
            continue
        share = Fraction(figure.vaccinated, figure.eligible)
        met = share >= component.min_share
        coverage_met = coverage_met and met
        criteria[component.key] = CriterionResult(
            component.key, "met" if met else "not_met", None, share, component.confirmed
        )
    criteria["coverage"] = CriterionResult("coverage", "met" if coverage_met else "not_met")

    computed = rule_set.matrix[case_band - 1][0 if coverage_met else 1]
    if not rule_set.matrix_confirmed:
        unconfirmed.append("matrix")

    # Criterion 3: failing treatment capacity keeps the previous level (no lowering).
    level, held = computed, False
    capacity_ok = inputs.treatment_capacity_ok
    criteria["treatment_capacity"] = CriterionResult(
        "treatment_capacity",
        "ok" if capacity_ok else "failed",
        confirmed=rule_set.may_not_lower_confirmed,
    )
    previous = inputs.previous_level
    if not capacity_ok and rule_set.may_not_lower and previous is not None and computed < previous:
        level, held = previous, True
        if not rule_set.may_not_lower_confirmed:
            unconfirmed.append("treatment_capacity.may_not_lower")

    return LevelResult(
        level=level,
        computed_level=computed,
        held_by_treatment_capacity=held,
        criteria=criteria,
        rule_set_id=rule_set.id,
        rule_set_version=rule_set.version,
        unconfirmed=tuple(unconfirmed),
    )


def evaluate_on(inputs: WardInputs, on: date, rule_sets: RuleSets | None = None) -> LevelResult:
    """Evaluate with the rule set in force on ``on`` (the shipped ones by default)."""
    return evaluate((rule_sets or default_rule_sets()).for_date(on), inputs, on)


__all__ = [
    "LEVELS",
    "Coverage",
    "CriterionResult",
    "LevelResult",
    "LevelRuleSet",
    "RuleSets",
    "WardInputs",
    "default_rule_sets",
    "evaluate",
    "evaluate_on",
    "load_rule_set",
]
