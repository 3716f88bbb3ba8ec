"""Coverage per ward and age band, and the ward populations it divides by.

Numerators count people by the ward they live in (``Person.ward``), whatever ward vaccinated
them, from each person's derived status: *at least one dose*, *fully vaccinated* (primary series
complete) and *booster*. Age is counted by year of birth (the registry keeps no more than that
for most people): a person born in 1976 is in the 50+ band throughout 2026.

Denominators are :class:`WardPopulation` rows, imported from census tables (CSV or XLSX: ward
code and the population aged 18+, 50+, 65+). A ward without a population row gets counts but no
rates.

:func:`coverage_by_ward` is the interface for the risk-level module: no permission checks, plain
numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import area_q, can_see_ward
from phongdich.accounts.models import Role
from phongdich.core.collation import vi_order
from phongdich.lib.errors import FieldError, InputErrors
from phongdich.lib.exports import TableError, read_table
from phongdich.lib.timeutil import local_date
from phongdich.places.models import Ward
from phongdich.vaccination.models import PersonStatus, WardPopulation

BANDS = (18, 50, 65)
MEASURES = ("one_dose", "fully", "booster")


@dataclass
class BandCoverage:
    population: int | None
    one_dose: int = 0
    fully: int = 0
    booster: int = 0

    def rate(self, measure: str) -> float | None:
        if not self.population:
            return None
        return getattr(self, measure) / self.population


@dataclass
class WardCoverage:
    ward_code: int
    ward_name: str = ""
    bands: dict[int, BandCoverage] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ward_code": self.ward_code,
            "ward_name": self.ward_name,
            "bands": {
                f"{age}+": {
                    "population": b.population,
                    **{m: getattr(b, m) for m in MEASURES},
                    **{f"{m}_rate": b.rate(m) for m in MEASURES},
                }
                for age, b in self.bands.items()
            },
        }


def _counts(ward_filter: Q, on: date) -> dict[int, dict[str, int]]:
    year = on.year
    aggregates = {}
    for age in BANDS:
        born = Q(person__birth_year__lte=year - age)
        aggregates[f"{age}_one_dose"] = Count("pk", filter=born & Q(first_dose_on__lte=on))
        aggregates[f"{age}_fully"] = Count("pk", filter=born & Q(completed_on__lte=on))
        aggregates[f"{age}_booster"] = Count("pk", filter=born & Q(booster_on__lte=on))
    rows = (
        PersonStatus.objects.filter(ward_filter, person__ward__isnull=False)
        .values("person__ward_id")
        .annotate(**aggregates)
        .order_by()
    )
    return {row.pop("person__ward_id"): row for row in rows}


def _build(wards: Iterable[Ward], counts: dict[int, dict[str, int]]) -> list[WardCoverage]:
    populations = {
        p.ward_id: p for p in WardPopulation.objects.filter(ward__in=[w.code for w in wards])
    }
    out = []
    for ward in wards:
        pop, row = populations.get(ward.code), counts.get(ward.code, {})
        item = WardCoverage(ward.code, ward.name)
        for age in BANDS:
            band = BandCoverage(getattr(pop, f"age_{age}_plus") if pop else None)
            for measure in MEASURES:
                setattr(band, measure, row.get(f"{age}_{measure}", 0))
            item.bands[age] = band
        out.append(item)
    return out


def coverage_by_ward(
    ward_codes: Iterable[int] | None = None, on: date | None = None
) -> dict[int, WardCoverage]:
    """Coverage of the given wards (all wards with data when ``None``) on day ``on`` (today)."""
    on = on or local_date(timezone.now())
    codes = None if ward_codes is None else list(ward_codes)
    ward_filter = Q() if codes is None else Q(person__ward_id__in=codes)
    counts = _counts(ward_filter, on)
    if codes is None:
        codes = sorted(set(counts) | set(WardPopulation.objects.values_list("ward_id", flat=True)))
    wards = list(Ward.objects.filter(code__in=codes).order_by(vi_order("name")))
    return {item.ward_code: item for item in _build(wards, counts)}


def coverage_for(
    user: Any, on: date | None = None, ward_code: int | None = None
) -> list[WardCoverage]:
    """Every ward of the user's area (or one of them), with its coverage, by ward name."""
    on = on or local_date(timezone.now())
    wards = Ward.objects.filter(_ward_area(user)).order_by(vi_order("name"))
    if ward_code is not None:
        wards = wards.filter(code=ward_code)
    wards = list(wards)
    counts = _counts(area_q(user, "person__ward") & Q(person__ward__in=[w.code for w in wards]), on)
    return _build(wards, counts)


def _ward_area(user: Any) -> Q:
    # area_q speaks of "<field>_id"; for Ward itself the ward is the row.
    if user.role == Role.ADMIN:
        return Q(pk__in=WardPopulation.objects.values("ward_id")) | Q(
            pk__in=PersonStatus.objects.values("person__ward_id")
        )
    if user.ward_id:
        return Q(pk=user.ward_id)
    return Q(province_id=user.province_id)


def totals(items: list[WardCoverage]) -> WardCoverage:
    """The sum over wards (population only where every ward has one)."""
    total = WardCoverage(0, "")
    for age in BANDS:
        pops = [w.bands[age].population for w in items]
        band = BandCoverage(sum(pops) if pops and None not in pops else None)  # type: ignore[arg-type]
        for measure in MEASURES:
            setattr(band, measure, sum(getattr(w.bands[age], measure) for w in items))
        total.bands[age] = band
    return total


# ---------------------------------------------------------------- population import

COLUMNS = {
    "ward_code": {"ward_code", "mã phường", "ma phuong", "mã xã", "mã phường/xã", "ward"},
    "age_18_plus": {"age_18_plus", "18+", "từ 18 tuổi", "tu 18 tuoi", "dân số 18+", "pop_18_plus"},
    "age_50_plus": {"age_50_plus", "50+", "từ 50 tuổi", "tu 50 tuoi", "dân số 50+", "pop_50_plus"},
    "age_65_plus": {"age_65_plus", "65+", "từ 65 tuổi", "tu 65 tuoi", "dân số 65+", "pop_65_plus"},
}


@dataclass
class PopulationRow:
    row: int
    data: dict[str, Any]
    errors: list[FieldError] = field(default_factory=list)


def _check_row(values: dict[str, str], row: int, user: Any, seen: dict[int, int]) -> PopulationRow:
    errors: list[FieldError] = []
    clean: dict[str, Any] = {}
    for name in COLUMNS:
        try:
            clean[name] = int(float(values.get(name, "").replace(" ", "").replace(".", "")))
        except ValueError:
            clean[name] = None
            errors.append(
                FieldError(
                    name,
                    "not_integer",
                    f"{name}: cần một số nguyên.",
                    f"{name} must be a whole number.",
                )
            )
    ward = Ward.objects.filter(code=clean["ward_code"]).first() if clean["ward_code"] else None
    if clean["ward_code"] is not None and (ward is None or not can_see_ward(user, ward)):
        errors.append(
            FieldError(
                "ward_code",
                "outside_area",
                "Không có phường/xã này trong địa bàn của bạn.",
                "ward_code is not a ward of your area.",
            )
        )
    elif clean["ward_code"] in seen:
        errors.append(
            FieldError(
                "ward_code",
                "duplicate_row",
                f"Trùng với dòng {seen[clean['ward_code']]}.",
                f"Duplicate of row {seen[clean['ward_code']]}.",
            )
        )
    seen.setdefault(clean["ward_code"], row)
    a18, a50, a65 = clean["age_18_plus"], clean["age_50_plus"], clean["age_65_plus"]
    if None not in (a18, a50, a65) and not (a18 >= a50 >= a65 >= 0):
        errors.append(
            FieldError(
                "age_18_plus",
                "bands_not_nested",
                "Cần 18+ ≥ 50+ ≥ 65+ ≥ 0.",
                "Need 18+ ≥ 50+ ≥ 65+ ≥ 0.",
            )
        )
    return PopulationRow(row, clean, errors)


def preview_population(
    data: bytes, filename: str, user: Any
) -> tuple[list[PopulationRow], list[FieldError]]:
    """Read a population table and check every row (nothing is written)."""
    try:
        headers, source_rows = read_table(data, filename, max_rows=10_000)
    except TableError as exc:
        return [], [FieldError("file", exc.code, exc.message_vi, exc.message_en)]
    mapping = {
        h: name
        for h in headers
        for name, aliases in COLUMNS.items()
        if h.strip().lower() in aliases
    }
    missing = [c for c in COLUMNS if c not in mapping.values()]
    if missing:
        return [], [
            FieldError(
                "file",
                "missing_column",
                f"Thiếu cột: {', '.join(missing)}.",
                f"Missing columns: {', '.join(missing)}.",
            )
        ]
    seen: dict[int, int] = {}
    rows = [
        _check_row(
            {
                mapping[h]: "" if v is None else str(v)
                for h, v in src.values.items()
                if h in mapping
            },
            src.row,
            user,
            seen,
        )
        for src in source_rows
    ]
    return rows, []


def do_set_population(
    ward: Ward,
    *,
    age_18_plus: int,
    age_50_plus: int,
    age_65_plus: int,
    source: str = "",
    actor: Any,
    request: Any = None,
) -> WardPopulation:
    """Set one ward's population by age band (the officer's form, and each imported row)."""
    if not age_18_plus >= age_50_plus >= age_65_plus >= 0:
        raise InputErrors.one(
            "age_18_plus",
            "bands_not_nested",
            "Cần 18+ ≥ 50+ ≥ 65+ ≥ 0.",
            "Need 18+ ≥ 50+ ≥ 65+ ≥ 0.",
        )
    row, _ = WardPopulation.objects.update_or_create(
        ward=ward,
        defaults={
            "age_18_plus": age_18_plus,
            "age_50_plus": age_50_plus,
            "age_65_plus": age_65_plus,
            "source": source[:200],
            "updated_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    audit.record(
        "set_population",
        actor=actor,
        request=request,
        obj=row,
        ward=ward,
        detail={"18+": age_18_plus, "50+": age_50_plus, "65+": age_65_plus},
    )
    return row


def do_import_population(data: bytes, filename: str, *, actor: Any, request: Any = None) -> int:
    """Import a population table atomically: one bad row and nothing changes. Returns rows."""
    rows, file_errors = preview_population(data, filename, actor)
    errors = list(file_errors) + [
        FieldError(
            f"row {r.row}: {e.field}",
            e.code,
            f"Dòng {r.row}: {e.message_vi}",
            f"Row {r.row}: {e.message_en}",
        )
        for r in rows
        for e in r.errors
    ]
    if errors:
        raise InputErrors(errors)
    with transaction.atomic():
        wards = Ward.objects.in_bulk([r.data["ward_code"] for r in rows])
        for r in rows:
            do_set_population(
                wards[r.data["ward_code"]],
                age_18_plus=r.data["age_18_plus"],
                age_50_plus=r.data["age_50_plus"],
                age_65_plus=r.data["age_65_plus"],
                source=filename,
                actor=actor,
                request=request,
            )
    return len(rows)
