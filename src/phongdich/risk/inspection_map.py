"""The staff map's inspection layer: a GeoJSON FeatureCollection (RFC 7946) with one point per
inspection task of the caller's area that is open, or was closed in the last ``DONE_DAYS`` days.

A point stands at the business's first venue with coordinates; a business without one stands at
its ward's uploaded position (``position: "ward"``, and the popup says so), and without that too
the feature has no geometry (``null``, RFC 7946 §3.2) and the map places it on its ward's square.
``state``: ``overdue`` (an open task with a fix past its deadline), ``open`` or ``done``.
Properties hold the business (an establishment, not a person), its band and fix counts, never a
person: not the contact phone, not the officer.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Q
from django.urls import reverse

from phongdich.accounts.jurisdiction import area_q
from phongdich.accounts.models import Role
from phongdich.lib.timeutil import local_day_bounds
from phongdich.risk.fixes import with_fix_counts
from phongdich.risk.models import Business, InspectionTask

DONE_DAYS = 14
OFFICERS = {Role.WARD_OFFICER, Role.PROVINCE_OFFICER, Role.ADMIN}  # who can open a task
MAX_POINTS = 2000


def venue_positions(business_ids: list[int]) -> dict[int, tuple[float, float]]:
    """Each business's first venue (by id) that has coordinates."""
    through = Business.venues.through
    rows = (
        through.objects.filter(
            business_id__in=business_ids, venue__lat__isnull=False, venue__lon__isnull=False
        )
        .order_by("business_id", "venue_id")
        .values_list("business_id", "venue__lat", "venue__lon")
    )
    out: dict[int, tuple[float, float]] = {}
    for business_id, lat, lon in rows:
        out.setdefault(business_id, (lat, lon))
    return out


def inspection_points(
    user: Any, ward_positions: dict[int, tuple[float, float]], today: date
) -> dict[str, Any]:
    since = today - timedelta(days=DONE_DAYS)
    tasks = (
        with_fix_counts(
            InspectionTask.objects.filter(area_q(user)).filter(
                Q(status="open") | Q(status="done", closed_at__gte=local_day_bounds(since)[0])
            ),
            today,
        )
        .select_related("business", "assessment")
        .order_by("pk")[:MAX_POINTS]
    )
    tasks = list(tasks)
    at_venue = venue_positions([t.business_id for t in tasks])
    linked = user.role in OFFICERS
    features = []
    for t in tasks:
        if t.business_id in at_venue:
            where, (lat, lon) = "venue", at_venue[t.business_id]
        elif t.ward_id in ward_positions:
            where, (lat, lon) = "ward", ward_positions[t.ward_id]
        else:
            where, lat, lon = "ward", None, None
        state = "done" if t.status == "done" else ("overdue" if t.fixes_overdue else "open")
        features.append(
            {
                "type": "Feature",
                "id": t.pk,
                "geometry": None if lat is None else {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "task": t.pk,
                    "business": t.business.name,
                    "ward": t.ward_id,
                    "band": t.assessment.band,
                    "band_label": t.assessment.result.get("band_label"),
                    "state": state,
                    "fixes_open": t.fixes_open,
                    "fixes_overdue": t.fixes_overdue,
                    "position": where,
                    "url": reverse("risk:inspection", args=[t.pk]) if linked else None,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


__all__ = ["inspection_points", "venue_positions"]
