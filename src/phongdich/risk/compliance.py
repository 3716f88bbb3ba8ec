"""Checkpoint compliance per ward (docs/reference/risk.md §10): registered venues, active in the
last 7 days, venues without a scan, posters printed but never scanned, scans against the kind's
expected traffic, the share of visits with a check-out, and the list of venues to visit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import area_q, require_role
from phongdich.accounts.models import AuditEvent, Role
from phongdich.checkpoints.models import Venue, VenueStatus, Visit
from phongdich.core.collation import vi_order
from phongdich.core.rules import get_rule
from phongdich.lib.exports import write_csv, write_xlsx

OFFICERS = (Role.WARD_OFFICER, Role.PROVINCE_OFFICER)
DAYS = 7


@dataclass
class VenueRow:
    code: str
    name: str
    kind: str
    ward: str
    scans_7d: int
    expected_7d: int
    checked_out_share: float | None
    last_scan: Any
    poster_printed: bool
    reasons: list[str] = field(default_factory=list)


@dataclass
class WardRow:
    ward: str
    registered: int = 0
    active: int = 0
    zero_scan: int = 0
    printed_never_scanned: int = 0
    below_expected: int = 0
    visits: int = 0
    checked_out: int = 0

    @property
    def checked_out_share(self) -> float | None:
        return round(100 * self.checked_out / self.visits, 1) if self.visits else None


def compliance(user: Any) -> tuple[list[WardRow], list[VenueRow]]:
    since = timezone.now() - timedelta(days=DAYS)
    venues = list(
        Venue.objects.filter(area_q(user), status=VenueStatus.ACTIVE)
        .select_related("ward")
        .annotate(
            scans=Count("visits", filter=Q(visits__checked_in_at__gte=since)),
            out=Count(
                "visits",
                filter=Q(visits__checked_in_at__gte=since, visits__checked_out_at__isnull=False),
            ),
        )
        .order_by(vi_order("ward__name"), vi_order("name"))
    )
    ids = [v.pk for v in venues]
    ever = dict(
        Visit.objects.filter(venue__in=ids)
        .values("venue_id")
        .annotate(last=Max("checked_in_at"))
        .values_list("venue_id", "last")
    )
    printed = set(
        AuditEvent.objects.filter(
            action="print_poster",
            object_type="checkpoints.venue",
            object_id__in=[str(i) for i in ids],
        ).values_list("object_id", flat=True)
    )
    expected = get_rule("risk.expected_weekly_scans")
    wards: dict[str, WardRow] = {}
    to_visit: list[VenueRow] = []
    for v in venues:
        w = wards.setdefault(v.ward.name, WardRow(v.ward.name))
        w.registered += 1
        w.visits += v.scans
        w.checked_out += v.out
        target = expected.get(v.kind, expected.get("default", 50))
        row = VenueRow(
            v.code,
            v.name,
            v.kind,
            v.ward.name,
            v.scans,
            target,
            round(100 * v.out / v.scans, 1) if v.scans else None,
            ever.get(v.pk),
            str(v.pk) in printed,
        )
        if v.scans:
            w.active += 1
        else:
            w.zero_scan += 1
            row.reasons.append("zero_scan")
        if row.poster_printed and v.pk not in ever:
            w.printed_never_scanned += 1
            row.reasons.append("printed_never_scanned")
        if v.scans and v.scans * 10 < target:
            w.below_expected += 1
            row.reasons.append("below_expected")
        if row.reasons:
            to_visit.append(row)
    return list(wards.values()), to_visit


REASONS = {
    "zero_scan": ("Không có lượt quét trong 7 ngày", "No scan in 7 days"),
    "printed_never_scanned": (
        "Đã in áp phích, chưa từng được quét",
        "Poster printed, never scanned",
    ),
    "below_expected": ("Ít hơn 1/10 lượt dự kiến", "Under a tenth of the expected scans"),
}


@login_required
def compliance_page(request):
    require_role(request.user, *OFFICERS)
    wards, to_visit = compliance(request.user)
    return render(
        request, "risk/compliance.html", {"wards": wards, "to_visit": to_visit, "reasons": REASONS}
    )


@login_required
def compliance_export(request, fmt: str):
    require_role(request.user, *OFFICERS)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    _wards, to_visit = compliance(request.user)
    headers = [
        _("Code"),
        _("Checkpoint"),
        _("Kind"),
        _("Ward"),
        _("Scans, 7 days"),
        _("Expected, 7 days"),
        _("Checked out (%)"),
        _("Last scan"),
        _("Reasons"),
    ]
    vi = request.LANGUAGE_CODE != "en"
    rows = [
        [
            r.code,
            r.name,
            r.kind,
            r.ward,
            r.scans_7d,
            r.expected_7d,
            r.checked_out_share,
            r.last_scan,
            "; ".join(REASONS[x][0 if vi else 1] for x in r.reasons),
        ]
        for r in to_visit
    ]
    audit.record(
        "export_compliance",
        request=request,
        object_type="checkpoints.venue",
        detail={"rows": len(rows)},
    )
    if fmt == "csv":
        response = HttpResponse(write_csv(rows, headers), content_type="text/csv")
    else:
        response = HttpResponse(
            write_xlsx(rows, headers, sheet_title="diem-can-den"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="diem-can-den.{fmt}"'
    return response
