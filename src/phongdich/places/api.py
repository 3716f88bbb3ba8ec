from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from phongdich.places.models import Province
from phongdich.places.queries import list_provinces, list_wards

router = Router(tags=["places"])


class ProvinceOut(Schema):
    code: int
    name: str
    kind: str


class WardOut(Schema):
    code: int
    name: str
    kind: str


@router.get("/provinces", response=list[ProvinceOut], auth=None)
def provinces(request, q: str = ""):
    """All provinces; ``q`` searches names with or without diacritics."""
    return list(list_provinces(q))


@router.get("/provinces/{code}/wards", response=list[WardOut], auth=None)
def wards(request, code: int, q: str = ""):
    """Wards and communes of one province; ``q`` searches names with or without diacritics."""
    get_object_or_404(Province, code=code)
    return list(list_wards(code, q))
