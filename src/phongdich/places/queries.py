from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

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
    """An area code is a province code (1–2 digits) or a ward code (GSO, 5 digits). A few wards
    of Hà Nội have codes below 100 (00070 Hoàn Kiếm): such a code is the ward's unless a province
    has it too (4, 8, 25, 91: there the province; write the ward's five digits, e.g. 00004)."""
    if code < 100:
        province = Province.objects.filter(code=code).first()
        if province is not None:
            return province
    return Ward.objects.select_related("province").filter(code=code).first()


@lru_cache(maxsize=1)
def ward_codes() -> frozenset[int]:
    """Every ward code. Divisions change only by a data migration (a deploy), so one read per
    process is enough and keeps the check-in hot path free of this query."""
    return frozenset(Ward.objects.values_list("code", flat=True))


_CODE_IN_TEXT = re.compile(r"\((\d{4,5})\)\s*$|^\s*(\d{4,5})\s*$")


def ward_from_text(text: str, province_code: int | None = None) -> str:
    """What a ward field holds, as a code: a code (``14797``), a picked name with its code
    (``Phường Hạc Thành (14797)``), or a name typed with or without diacritics (``hac thanh``)
    that names exactly one ward of the province. Anything else comes back unchanged, for the
    validation to say what is wrong with it."""
    raw = (text or "").strip()
    found = _CODE_IN_TEXT.search(raw)
    if found:
        return found.group(1) or found.group(2)
    if not raw or province_code is None:
        return raw
    folded = fold(raw)
    wards = Ward.objects.filter(province_id=province_code)
    exact = list(wards.filter(name_folded=folded).values_list("code", flat=True)[:2])
    if len(exact) == 1:
        return str(exact[0])
    near = list(wards.filter(name_folded__endswith=" " + folded).values_list("code", flat=True)[:2])
    return str(near[0]) if len(near) == 1 else raw


def ward_label(code: Any) -> str:
    """``14797`` → ``Phường Hạc Thành (14797)``, the picker's own spelling."""
    ward = Ward.objects.filter(code=code).first() if str(code).isdigit() else None
    return f"{ward.name} ({ward.code})" if ward else str(code or "")
