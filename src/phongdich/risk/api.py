"""Risk levels API (``/api/v1/risk``): published levels (public, cached), the national-map
export, proposals and approval, treatment capacity, workplace self-assessment scoring."""

from __future__ import annotations

from datetime import date

from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import require_role
from phongdich.core.openapi import answers
from phongdich.lib.errors import InputErrors
from phongdich.lib.timeutil import local_date
from phongdich.places.models import Province, Ward
from phongdich.risk import actions
from phongdich.risk.queries import (
    EXPORT_HEADERS,
    _ward_area,
    access_ward,
    export_rows,
    proposals_for,
    public_country,
    public_province,
)
from phongdich.risk.views import STAFF

router = Router(tags=["risk"])


class ProposeIn(Schema):
    on: date | None = None
    ward_codes: list[int] | None = Field(default=None, max_length=5000)


class DecideIn(Schema):
    assessment_ids: list[int] = Field(min_length=1, max_length=5000)
    approve: bool = True
    note: str = Field(default="", max_length=300)


class CapacityIn(Schema):
    beds: int = Field(ge=0, le=1_000_000)
    beds_in_use: int = Field(ge=0, le=1_000_000)
    icu_beds: int = Field(ge=0, le=1_000_000)
    oxygen_points: int = Field(ge=0, le=1_000_000)


def _assessment(a) -> dict:
    return {
        "id": a.pk,
        "ward_code": a.ward_id,
        "assessed_on": a.assessed_on.isoformat(),
        "level": a.level,
        "computed_level": a.computed_level,
        "held_by_treatment_capacity": a.held_by_capacity,
        "previous_level": a.previous_level,
        "status": a.status,
        "rule_set": {"id": a.rule_set_id, "version": a.rule_set_version},
        "criteria": a.criteria,
        "inputs": a.inputs,
        "unconfirmed": a.unconfirmed,
    }


@router.get("/levels", auth=None)
@answers(404)
def published_levels(request, province: int | None = None):
    """Published (approved) levels: every province's roll-up, or one province's wards. Public:
    small counts are suppressed; answered from the cache."""
    if province is None:
        return {"provinces": public_country()}
    found = Province.objects.filter(code=province).first()
    if found is None:
        raise Http404
    return public_province(found)


@router.get("/levels/export")
def export(request, format: str = "json"):
    """The national map's shape: one row per unit (tier, unit code, name, level, date, rule set)
    for the caller's area. ``format``: json (here); CSV/XLSX at /staff/risk/export.csv|xlsx."""
    require_role(request.user, *STAFF)
    rows = export_rows(request.user)
    audit.record(
        "export_levels",
        request=request,
        object_type="risk.assessment",
        detail={"format": "api", "rows": len(rows)},
    )
    return {"units": [dict(zip(EXPORT_HEADERS, r, strict=True)) for r in rows]}


@router.get("/proposals")
def proposals(request):
    require_role(request.user, *STAFF)
    return [_assessment(a) for a in proposals_for(request.user)]


@router.post("/proposals", response={201: list[dict]})
@answers(404)
def propose(request, payload: ProposeIn):
    """Compute levels from the platform's data and propose them (all wards of the area, or some)."""
    require_role(request.user, *actions.PROPOSERS)
    codes = payload.ward_codes
    if codes is None:
        codes = list(Ward.objects.filter(_ward_area(request.user)).values_list("code", flat=True))
    else:
        for code in codes:
            access_ward(request.user, code)
    on = payload.on or local_date(timezone.now())
    rows = actions.do_propose_levels(codes, on, actor=request.user, request=request)
    return Status(201, [_assessment(a) for a in rows])


@router.post("/decisions")
@answers(404)
def decide(request, payload: DecideIn):
    """Approve (publish) or reject proposals: the chairperson of the People's Committee."""
    rows = actions.do_decide(
        payload.assessment_ids,
        approve=payload.approve,
        actor=request.user,
        note=payload.note,
        request=request,
    )
    return [_assessment(a) for a in rows]


@router.put("/wards/{code}/capacity")
def set_capacity(request, code: int, payload: CapacityIn):
    ward = access_ward(request.user, code)
    row = actions.do_set_capacity(ward, **payload.dict(), actor=request.user, request=request)
    return {"ward_code": row.ward_id, **payload.dict()}


@router.get("/wards/{code}/history")
def history(request, code: int):
    require_role(request.user, *STAFF)
    from phongdich.risk.queries import ward_history

    return [_assessment(a) for a in ward_history(access_ward(request.user, code))]


__all__ = ["InputErrors", "router"]
