from __future__ import annotations

from functools import lru_cache

from django.db.models import QuerySet

from phongdich.lib.text import fold
from phongdich.places.models import Province, Ward


def list_provinces(q: str = "") -> QuerySet[Province]:
    qs = Province.objects.all()
    if q:
        qs = qs.filter(name_folded__contains=fold(q))
    return qs


def list_wards(province_code: int, q: str = "") -> QuerySet[Ward]:
    qs = Ward.objects.filter(province_id=province_code)
    if q:
        qs = qs.filter(name_folded__contains=fold(q))
    return qs


def get_area(code: int) -> Province | Ward | None:
    """An area code is a province code (1–2 digits) or a ward code (GSO, 5 digits)."""
    if code < 100:
        return Province.objects.filter(code=code).first()
    return Ward.objects.select_related("province").filter(code=code).first()


@lru_cache(maxsize=1)
def ward_codes() -> frozenset[int]:
    """Every ward code. Divisions change only by a data migration (a deploy), so one read per
    process is enough and keeps the check-in hot path free of this query."""
    return frozenset(Ward.objects.values_list("code", flat=True))
