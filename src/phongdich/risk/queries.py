"""Reads of the ward risk levels: what is published (cached), history, proposals, roll-ups,
the national-map export (docs/reference/risk.md §1.4, §4)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from django.core.cache import cache
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from phongdich.accounts.jurisdiction import area_q, can_see_ward
from phongdich.accounts.models import Role
from phongdich.core.collation import vi_order
from phongdich.core.rules import get_rule
from phongdich.lib.text import vi_sort_key
from phongdich.places.models import Province, Ward
from phongdich.risk.actions import PUBLISHED_VERSION_KEY
from phongdich.risk.compute import WardFacts, roll_up
from phongdich.risk.levels import LEVELS
from phongdich.risk.models import Assessment, AssessmentStatus, WardShape

CACHE_SECONDS = 60  # another process's approval shows after this at the latest


def latest_approved(wards: QuerySet[Ward]) -> list[Assessment]:
    """The published assessment of each ward (the latest approved), one query with a subquery."""
    newest = (
        Assessment.objects.filter(ward=OuterRef("pk"), status=AssessmentStatus.APPROVED)
        .order_by("-assessed_on", "-decided_at", "-pk")
        .values("pk")[:1]
    )
    ids = [
        pk
        for pk in wards.annotate(published=Subquery(newest)).values_list("published", flat=True)
        if pk is not None
    ]
    return list(Assessment.objects.filter(pk__in=ids).select_related("ward"))


def _suppressed(count: int) -> int | str:
    below = get_rule("risk.public_suppress_below")
    return f"< {below}" if 0 < count < below else count


def _rate(count: int, population: int) -> float | str:
    """Cases per 100,000; a rate from a suppressed count is given as an upper bound only."""
    below = get_rule("risk.public_suppress_below")
    if 0 < count < below:
        return f"< {round(float(Fraction(below * 100_000, population)), 1)}"
    return round(float(Fraction(count * 100_000, population)), 1)


def _share(cov: dict[str, dict[str, int]], key: str) -> float | None:
    item = cov.get(key)
    if not item or not item["eligible"]:
        return None
    return round(100 * min(item["vaccinated"], item["eligible"]) / item["eligible"], 1)


def public_ward(a: Assessment, shape: tuple[float, float] | None) -> dict[str, Any]:
    """A published level as the public sees it: no personal data, small counts suppressed."""
    inputs = a.inputs
    population = inputs["population"]
    return {
        "code": a.ward_id,
        "name": a.ward.name,
        "level": a.level,
        "colour": LEVELS[a.level][0],
        "assessed_on": a.assessed_on.isoformat(),
        "rule_set": {"id": a.rule_set_id, "version": a.rule_set_version},
        "unconfirmed": a.unconfirmed,
        "community_cases_7d": _suppressed(inputs["community_cases_7d"]),
        "cases_7d": _suppressed(inputs["cases_7d"]),
        "cases_14d": _suppressed(inputs["cases_14d"]),
        "rate_7d": _rate(inputs["community_cases_7d"], population),
        "rate_14d": _rate(inputs["cases_14d"], population),
        "coverage_18_one_dose": _share(inputs["coverage"], "adults_18_plus_one_dose"),
        "coverage_50_full": _share(inputs["coverage"], "age_50_plus_full_course"),
        "coverage_65_full": _share(inputs["coverage"], "age_65_plus_full_course"),
        "lat": shape[0] if shape else None,
        "lon": shape[1] if shape else None,
    }


def _facts(a: Assessment) -> WardFacts:
    i = a.inputs
    return WardFacts(
        ward_code=a.ward_id,
        population=i["population"],
        population_estimated=i["population_estimated"],
        community_cases_7d=i["community_cases_7d"],
        cases_7d=i["cases_7d"],
        cases_14d=i["cases_14d"],
        coverage=i["coverage"],
        capacity_ok=i["capacity_ok"],
    )


def _summary(items: list[Assessment], on: date | None) -> dict[str, Any]:
    counts = {level: 0 for level in LEVELS}
    for a in items:
        counts[a.level] += 1
    facts = [_facts(a) for a in items]
    day = on or max((a.assessed_on for a in items), default=None)
    rolled = roll_up(facts, day) if facts and day else None
    population = sum(f.population for f in facts)
    cases_7d = sum(f.community_cases_7d for f in facts)
    return {
        "wards_by_level": {str(k): v for k, v in counts.items()},
        "wards": len(items),
        "level": rolled.level if rolled else None,
        "colour": LEVELS[rolled.level][0] if rolled else None,
        "rule_set": {"id": rolled.rule_set_id, "version": rolled.rule_set_version}
        if rolled
        else None,
        "assessed_on": day.isoformat() if day else None,
        "community_cases_7d": _suppressed(cases_7d),
        "rate_7d": _rate(cases_7d, population) if population else None,
    }


def _version() -> int:
    return cache.get_or_set(PUBLISHED_VERSION_KEY, 1, None)


def public_province(province: Province) -> dict[str, Any]:
    """The published levels of a province's wards, answered from the cache."""
    key = f"risk:public:{_version()}:{province.code}"
    data = cache.get(key)
    if data is None:
        items = latest_approved(Ward.objects.filter(province=province))
        shapes = dict(
            (code, (lat, lon))
            for code, lat, lon in WardShape.objects.filter(ward__province=province).values_list(
                "ward_id", "lat", "lon"
            )
        )
        data = {
            "province": {"code": province.code, "name": province.name, **_summary(items, None)},
            "wards": sorted(
                (public_ward(a, shapes.get(a.ward_id)) for a in items),
                key=lambda w: vi_sort_key(w["name"]),
            ),
        }
        cache.set(key, data, CACHE_SECONDS)
    return data


def public_country() -> list[dict[str, Any]]:
    """Each province with published levels: its roll-up and how many wards are at each level."""
    key = f"risk:public:{_version()}:all"
    data = cache.get(key)
    if data is None:
        items = latest_approved(Ward.objects.all())
        by_province: dict[int, list[Assessment]] = {}
        for a in items:
            by_province.setdefault(a.ward.province_id, []).append(a)
        names = dict(Province.objects.values_list("code", "name"))
        data = [
            {"code": code, "name": names[code], **_summary(rows, None)}
            for code, rows in sorted(by_province.items(), key=lambda kv: vi_sort_key(names[kv[0]]))
        ]
        cache.set(key, data, CACHE_SECONDS)
    return data


def ward_history(ward: Ward) -> list[Assessment]:
    return list(
        Assessment.objects.filter(ward=ward)
        .exclude(status=AssessmentStatus.PROPOSED)
        .select_related("decided_by", "proposed_by")
        .order_by("-assessed_on", "-decided_at", "-pk")[:100]
    )


def access_ward(user: Any, code: int) -> Ward:
    ward = Ward.objects.filter(code=code).select_related("province").first()
    if ward is None or not can_see_ward(user, ward):
        raise Http404
    return ward


def proposals_for(user: Any) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(area_q(user), status=AssessmentStatus.PROPOSED)
        .select_related("ward")
        .order_by(vi_order("ward__name"))
    )


def export_rows(user: Any | None, province: Province | None = None) -> list[list[Any]]:
    """The national map's shape: one row per unit (tier, code, name, level, date, rule set).
    Ward rows are the published levels; the province row is their roll-up."""
    wards = Ward.objects.all() if user is None else Ward.objects.filter(_ward_area(user))
    if province is not None:
        wards = wards.filter(province=province)
    items = latest_approved(wards)
    rows: list[list[Any]] = []
    by_province: dict[int, list[Assessment]] = {}
    for a in sorted(items, key=lambda a: (a.ward.province_id, a.ward_id)):
        by_province.setdefault(a.ward.province_id, []).append(a)
        rows.append(
            [
                "ward",
                a.ward_id,
                a.ward.name,
                a.level,
                a.assessed_on.isoformat(),
                f"{a.rule_set_id} v{a.rule_set_version}",
            ]
        )
    names = dict(Province.objects.values_list("code", "name"))
    for code, group in by_province.items():
        summary = _summary(group, None)
        if summary["level"] is not None:
            rule = summary["rule_set"]
            rows.append(
                [
                    "province",
                    code,
                    names[code],
                    summary["level"],
                    summary["assessed_on"],
                    f"{rule['id']} v{rule['version']}",
                ]
            )
    return rows


EXPORT_HEADERS = ["tier", "unit_code", "unit_name", "level", "date", "rule_set"]


def _ward_area(user: Any) -> Q:
    """The wards of the user's area, as a filter on Ward rows (accounts.jurisdiction's rule)."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if user.role == Role.ADMIN:
        return Q()
    if user.ward_id:
        return Q(pk=user.ward_id)
    if user.province_id:
        return Q(province_id=user.province_id)
    return Q(pk__in=[])
