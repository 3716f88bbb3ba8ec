"""The staff epidemic map (jurisdiction-scoped): wards by level with toggleable layers
(clusters, active venues, cases by ward, sampling and vaccination sessions, inspections) and an
epidemic curve (cases per day and the 7-day average) for the area or one ward."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import area_q, require_role
from phongdich.checkpoints.models import Venue, Visit
from phongdich.lib.text import vi_sort_key
from phongdich.lib.timeutil import local_date, local_day_bounds
from phongdich.places.models import Ward
from phongdich.risk.compute import case_counts
from phongdich.risk.inspection_map import inspection_points
from phongdich.risk.models import WardShape
from phongdich.risk.public import legend
from phongdich.risk.queries import _ward_area, access_ward, latest_approved
from phongdich.risk.views import STAFF
from phongdich.testing.models import SamplingSession
from phongdich.tracing import queries as tracing_queries
from phongdich.tracing.models import Case
from phongdich.vaccination.models import Session

CURVE_DAYS = 28


def epidemic_curve(user: Any, ward: Ward | None, today: date) -> list[dict[str, Any]]:
    """Cases per day (by confirmation, local date) over 28 days, with the trailing 7-day mean."""
    first = today - timedelta(days=CURVE_DAYS + 5)
    cases = Case.objects.filter(area_q(user), confirmed_at__gte=local_day_bounds(first)[0])
    if ward is not None:
        cases = cases.filter(ward=ward)
    per_day: dict[date, int] = {}
    for at in cases.values_list("confirmed_at", flat=True):
        day = local_date(at)
        per_day[day] = per_day.get(day, 0) + 1
    days = [first + timedelta(days=i) for i in range((today - first).days + 1)]
    out = []
    for i, day in enumerate(days):
        window = days[max(0, i - 6) : i + 1]
        mean = sum(per_day.get(d, 0) for d in window) / 7
        if day > today - timedelta(days=CURVE_DAYS):
            out.append(
                {
                    "day": day.isoformat(),
                    "day_vn": f"{day:%d/%m/%Y}",  # as people read it, in the table
                    "cases": per_day.get(day, 0),
                    "avg7": round(mean, 2),
                }
            )
    return out


def curve_svg(points: list[dict[str, Any]]) -> dict[str, Any]:
    """Bar and line coordinates for a small inline SVG (no chart library on a phone)."""
    top = max([p["cases"] for p in points] + [p["avg7"] for p in points] + [1])
    width, height = 280, 100
    step = width / max(len(points), 1)
    bars = [
        {
            "x": round(i * step, 1),
            "w": round(step * 0.8, 1),
            "h": round(p["cases"] / top * height, 1),
            "y": round(height - p["cases"] / top * height, 1),
            "label": f"{p['day']}: {p['cases']}",
        }
        for i, p in enumerate(points)
    ]
    line = " ".join(
        f"{round(i * step + step * 0.4, 1)},{round(height - p['avg7'] / top * height, 1)}"
        for i, p in enumerate(points)
    )
    return {"bars": bars, "line": line, "top": top, "width": width, "height": height}


@login_required
def staff_map(request):
    require_role(request.user, *STAFF)
    ward = None
    if request.GET.get("ward", "").isdigit():
        ward = access_ward(request.user, int(request.GET["ward"]))
    today = local_date(timezone.now())
    points = epidemic_curve(request.user, ward, today)
    return render(
        request,
        "risk/staff_map.html",
        {"ward": ward, "curve": points, "svg": curve_svg(points), "legend": legend()},
    )


@login_required
def staff_map_data(request):
    """Layers for the staff map, scoped to the caller's area (exact counts: staff only)."""
    require_role(request.user, *STAFF)
    user = request.user
    today = local_date(timezone.now())
    wards = Ward.objects.filter(_ward_area(user))
    codes = list(wards.values_list("code", flat=True))
    shapes = {
        code: (lat, lon)
        for code, lat, lon in WardShape.objects.filter(ward__in=codes).values_list(
            "ward_id", "lat", "lon"
        )
    }
    levels = {a.ward_id: a.level for a in latest_approved(wards)}
    cases = case_counts(codes, today)
    names = dict(wards.values_list("code", "name"))
    shown = sorted(
        set(levels) | set(cases) | set(shapes), key=lambda c: vi_sort_key(names.get(c, ""))
    )
    since = today - timedelta(days=7)
    active = (
        Visit.objects.filter(
            venue__in=Venue.objects.filter(area_q(user)),
            checked_in_at__gte=local_day_bounds(since)[0],
        )
        .values("venue_id")
        .annotate(n=Count("pk"))
    )
    visits = {row["venue_id"]: row["n"] for row in active}
    venues = Venue.objects.filter(pk__in=list(visits), lat__isnull=False).values(
        "pk", "name", "lat", "lon", "ward_id"
    )
    clusters = tracing_queries.clusters(user, today - timedelta(days=14))
    audit.record("view_staff_map", request=request, object_type="risk.map")
    data = {
        "wards": [
            {
                "code": c,
                "name": names.get(c, str(c)),
                "level": levels.get(c),
                "lat": shapes.get(c, (None, None))[0],
                "lon": shapes.get(c, (None, None))[1],
                "cases_14d": cases.get(c, {}).get("cases_14d", 0),
                "cases_7d": cases.get(c, {}).get("cases_7d", 0),
            }
            for c in shown
        ],
        "venues": [{**v, "visits_7d": visits[v["pk"]]} for v in venues],
        "clusters": [
            {
                "venue": c["venue"].name,
                "ward": c["venue"].ward_id,
                "lat": c["venue"].lat,
                "lon": c["venue"].lon,
                "cases": len(c["cases"]),
                "exposed": c["exposed"],
            }
            for c in clusters
        ],
        "sampling_sessions": list(
            SamplingSession.objects.filter(area_q(user), date__gte=today - timedelta(days=7))
            .values("ward_id")
            .annotate(n=Count("pk"))
        ),
        "vaccination_sessions": list(
            Session.objects.filter(area_q(user), date__gte=today - timedelta(days=7))
            .values("ward_id")
            .annotate(n=Count("pk"))
        ),
        "inspections": inspection_points(user, shapes, today),
    }
    return JsonResponse(data)
