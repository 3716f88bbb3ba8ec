"""Ward risk-level inputs from the platform's own data, and their evaluation.

docs/reference/risk.md §1 and §7 (how the inputs are read from the platform):

* **cases** by the ward of residence (the person's ward; the case's responsible ward when the
  person has none), confirmed in the 7 (and 14) days ending on the assessment date;
* **community** cases: not already a quarantined F1 at confirmation (the case did not come from a
  traced contact whose quarantine had started on or before the day of confirmation);
* **coverage** from ``vaccination.coverage.coverage_by_ward`` (people by the ward they live in);
* **population**: the ward's total (places), else its 18+ population divided by the adult share
  (a setting, unconfirmed);
* **treatment capacity**: the ward's entered beds; missing figures count as failed (the
  conservative side, as the engine treats missing coverage).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from django.db.models import Q

from phongdich.core.rules import get_rule
from phongdich.lib.timeutil import local_date, local_day_bounds
from phongdich.places.models import Ward
from phongdich.risk.levels import Coverage, LevelResult, LevelRuleSet, WardInputs, evaluate
from phongdich.risk.models import Assessment, AssessmentStatus, WardCapacity
from phongdich.risk.rules import current_rule_sets
from phongdich.tracing.models import Case
from phongdich.vaccination.coverage import WardCoverage, coverage_by_ward
from phongdich.vaccination.models import WardPopulation

# Coverage keys of the rule sets (data/levels/*.json) → (age band, measure) in vaccination's
# coverage. 218's "whole population" and "high-risk group" are read as adults and 65+: the
# registry counts coverage by the 18+/50+/65+ bands only (docs/reference/risk.md §7).
COVERAGE_SOURCES = {
    "adults_18_plus_one_dose": (18, "one_dose"),
    "age_65_plus_full_course": (65, "fully"),
    "age_50_plus_full_course": (50, "fully"),
    "population_full_course": (18, "fully"),
    "high_risk_full_course": (65, "fully"),
}


@dataclass
class WardFacts:
    """Everything one ward's level is computed from (stored with the assessment)."""

    ward_code: int
    population: int
    population_estimated: bool
    community_cases_7d: int = 0
    cases_7d: int = 0
    cases_14d: int = 0
    community_cases_14d: int = 0
    coverage: dict[str, dict[str, int]] = field(default_factory=dict)
    capacity: dict[str, int] | None = None
    capacity_ok: bool = False
    previous_level: int | None = None

    def ward_inputs(self) -> WardInputs:
        return WardInputs(
            population=self.population,
            community_cases_7d=self.community_cases_7d,
            coverage={
                k: Coverage(min(v["vaccinated"], v["eligible"]), v["eligible"])
                for k, v in self.coverage.items()
            },
            treatment_capacity_ok=self.capacity_ok,
            previous_level=self.previous_level,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "population": self.population,
            "population_estimated": self.population_estimated,
            "community_cases_7d": self.community_cases_7d,
            "cases_7d": self.cases_7d,
            "community_cases_14d": self.community_cases_14d,
            "cases_14d": self.cases_14d,
            "coverage": self.coverage,
            "capacity": self.capacity,
            "capacity_ok": self.capacity_ok,
            "previous_level": self.previous_level,
        }


def _populations(codes: list[int]) -> dict[int, tuple[int, bool]]:
    share = Fraction(get_rule("risk.adult_share_percent")) / 100
    out: dict[int, tuple[int, bool]] = {}
    for code, total in Ward.objects.filter(code__in=codes, population__gt=0).values_list(
        "code", "population"
    ):
        out[code] = (total, False)
    missing = [c for c in codes if c not in out]
    if missing:
        for code, adults in WardPopulation.objects.filter(
            ward__in=missing, age_18_plus__gt=0
        ).values_list("ward_id", "age_18_plus"):
            out[code] = (round(adults / share), True)
    return out


def case_counts(codes: list[int] | None, on: date) -> dict[int, dict[str, int]]:
    """Cases by ward of residence over the 7 and 14 days ending on ``on`` (inclusive)."""
    start, _ = local_day_bounds(on - timedelta(days=13))
    _, end = local_day_bounds(on)
    week_start, _ = local_day_bounds(on - timedelta(days=6))
    rows = Case.objects.filter(confirmed_at__gte=start, confirmed_at__lt=end)
    if codes is not None:
        rows = rows.filter(Q(person__ward__in=codes) | Q(person__ward__isnull=True, ward__in=codes))
    out: dict[int, dict[str, int]] = {}
    for person_ward, case_ward, confirmed_at, quarantine_start in rows.values_list(
        "person__ward_id", "ward_id", "confirmed_at", "infected_via__quarantine_start"
    ).iterator(chunk_size=5000):
        ward = person_ward or case_ward
        community = quarantine_start is None or quarantine_start > local_date(confirmed_at)
        counts = out.setdefault(
            ward, {"cases_7d": 0, "cases_14d": 0, "community_7d": 0, "community_14d": 0}
        )
        counts["cases_14d"] += 1
        counts["community_14d"] += community
        if confirmed_at >= week_start:
            counts["cases_7d"] += 1
            counts["community_7d"] += community
    return out


def _coverage(item: WardCoverage | None) -> dict[str, dict[str, int]]:
    out = {}
    if item is None:
        return out
    for key, (age, measure) in COVERAGE_SOURCES.items():
        band = item.bands.get(age)
        if band is not None and band.population:
            out[key] = {"vaccinated": getattr(band, measure), "eligible": band.population}
    return out


def _previous_levels(codes: list[int]) -> dict[int, int]:
    rows = (
        Assessment.objects.filter(ward__in=codes, status=AssessmentStatus.APPROVED)
        .order_by("ward_id", "assessed_on", "decided_at", "pk")
        .values_list("ward_id", "level")
    )
    return dict(rows)  # the last row per ward wins: the latest approved level


def gather(ward_codes: list[int], on: date) -> dict[int, WardFacts]:
    """The facts of each ward that has a population (wards without one cannot be rated)."""
    populations = _populations(ward_codes)
    codes = sorted(populations)
    cases = case_counts(codes, on)
    coverage = coverage_by_ward(codes, on)
    capacities = {c.ward_id: c for c in WardCapacity.objects.filter(ward__in=codes)}
    previous = _previous_levels(codes)
    min_free = Fraction(get_rule("risk.min_free_beds_per_100k"))
    out = {}
    for code in codes:
        population, estimated = populations[code]
        counts = cases.get(code, {})
        facts = WardFacts(
            ward_code=code,
            population=population,
            population_estimated=estimated,
            community_cases_7d=counts.get("community_7d", 0),
            cases_7d=counts.get("cases_7d", 0),
            community_cases_14d=counts.get("community_14d", 0),
            cases_14d=counts.get("cases_14d", 0),
            coverage=_coverage(coverage.get(code)),
            previous_level=previous.get(code),
        )
        capacity = capacities.get(code)
        if capacity is not None:
            free = capacity.beds - capacity.beds_in_use
            facts.capacity = {
                "beds": capacity.beds,
                "beds_in_use": capacity.beds_in_use,
                "icu_beds": capacity.icu_beds,
                "oxygen_points": capacity.oxygen_points,
            }
            facts.capacity_ok = Fraction(free * 100_000, population) >= min_free
        out[code] = facts
    return out


def evaluate_all(
    ward_codes: list[int], on: date
) -> tuple[LevelRuleSet, list[tuple[WardFacts, LevelResult]]]:
    """Facts and level of every ward that can be rated, under the rule set in force on ``on``."""
    rule_set = current_rule_sets().for_date(on)
    facts = gather(ward_codes, on)
    return rule_set, [(f, evaluate(rule_set, f.ward_inputs(), on)) for f in facts.values()]


def roll_up(items: list[WardFacts], on: date) -> LevelResult | None:
    """A higher unit's level from the sum of its wards' inputs, by the same rule set (the
    texts do not say how to roll up: docs/reference/risk.md §7)."""
    if not items:
        return None
    coverage: dict[str, dict[str, int]] = {}
    for key in COVERAGE_SOURCES:
        parts = [f.coverage[key] for f in items if key in f.coverage]
        if len(parts) == len(items):
            coverage[key] = {
                "vaccinated": sum(p["vaccinated"] for p in parts),
                "eligible": sum(p["eligible"] for p in parts),
            }
    total = WardFacts(
        ward_code=0,
        population=sum(f.population for f in items),
        population_estimated=any(f.population_estimated for f in items),
        community_cases_7d=sum(f.community_cases_7d for f in items),
        coverage=coverage,
        capacity_ok=all(f.capacity_ok for f in items),
    )
    return evaluate(current_rule_sets().for_date(on), total.ward_inputs(), on)
