"""Staff reports: coverage per ward and age band, ward populations (form and import), and the
adverse-event list, each exportable as CSV or XLSX."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import require_role
from phongdich.lib.errors import FieldError, InputErrors
from phongdich.lib.exports import write_csv, write_xlsx
from phongdich.lib.timeutil import local_date
from phongdich.vaccination import actions, coverage, lists, queries
from phongdich.vaccination.models import Outcome, Severity
from phongdich.vaccination.queries import OFFICERS
from phongdich.vaccination.views import flash

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day(raw: str | None) -> date | None:
    return actions.parse_date(raw) if raw else None


def _export(request, rows, headers, name: str, fmt: str, object_type: str) -> HttpResponse:
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    audit.record(
        "export",
        request=request,
        object_type=object_type,
        detail={"format": fmt, "rows": len(rows)},
    )
    if fmt == "xlsx":
        response = HttpResponse(write_xlsx(rows, headers), content_type=XLSX)
    else:
        response = HttpResponse(write_csv(rows, headers), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


@login_required
def coverage_page(request):
    require_role(request.user, *OFFICERS)
    on = _day(request.GET.get("on")) or local_date(timezone.now())
    items = coverage.coverage_for(request.user, on=on)
    return render(
        request,
        "vaccination/coverage.html",
        {"items": items, "total": coverage.totals(items), "on": on, "bands": coverage.BANDS},
    )


COVERAGE_HEADERS = [
    "Mã phường/xã",
    "Phường/xã",
    "Nhóm tuổi",
    "Dân số",
    "≥ 1 mũi",
    "% ≥ 1 mũi",
    "Tiêm đủ",
    "% tiêm đủ",
    "Mũi nhắc",
    "% mũi nhắc",
]


@login_required
def coverage_export(request, fmt: str):
    require_role(request.user, *OFFICERS)
    on = _day(request.GET.get("on")) or local_date(timezone.now())
    rows = []
    for item in coverage.coverage_for(request.user, on=on):
        for age, band in item.bands.items():
            rows.append(
                [
                    item.ward_code,
                    item.ward_name,
                    f"{age}+",
                    band.population,
                    band.one_dose,
                    _percent(band.rate("one_dose")),
                    band.fully,
                    _percent(band.rate("fully")),
                    band.booster,
                    _percent(band.rate("booster")),
                ]
            )
    return _export(
        request, rows, COVERAGE_HEADERS, f"bao-phu-tiem-chung-{on}", fmt, "vaccination.coverage"
    )


def _set_one(request) -> None:
    post = request.POST
    errors: list[FieldError] = []
    ward = actions.ward_in_area(post.get("ward_code", ""), request.user, errors)
    if ward is None:
        raise InputErrors(errors)
    try:
        bands = {f"age_{a}_plus": int(post.get(f"age_{a}_plus", "")) for a in coverage.BANDS}
    except ValueError:
        raise InputErrors.one(
            "age_18_plus",
            "not_integer",
            "Dân số phải là số nguyên.",
            "Populations must be whole numbers.",
        ) from None
    coverage.do_set_population(
        ward, **bands, source=post.get("source", ""), actor=request.user, request=request
    )


@login_required
@require_http_methods(["GET", "POST"])
def population_page(request):
    """One ward's population by hand, or a CSV/XLSX table: preview, then commit."""
    require_role(request.user, *OFFICERS)
    context: dict = {"items": coverage.coverage_for(request.user), "bands": coverage.BANDS}
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                _set_one(request)
                messages.success(request, _("Population saved."))
                return redirect("vaccination:population")
            data = upload.read()
            if request.POST.get("commit"):
                count = coverage.do_import_population(
                    data, upload.name, actor=request.user, request=request
                )
                messages.success(request, _("%(count)s wards imported.") % {"count": count})
                return redirect("vaccination:population")
            rows, file_errors = coverage.preview_population(data, upload.name, request.user)
            context.update(
                preview=rows,
                file_errors=file_errors,
                ok=not file_errors and all(not r.errors for r in rows),
            )
        except InputErrors as exc:
            flash(request, exc)
            return render(request, "vaccination/population.html", context, status=422)
    return render(request, "vaccination/population.html", context)


@login_required
def adverse_event_list(request):
    listing = lists.event_listing(request)
    for event in listing.rows:
        event.symptom_names = lists.symptom_names(event.symptoms)
    audit.record(
        "view",
        request=request,
        object_type="vaccination.adverseevent_list",
        detail={"count": len(listing.rows)} | lists.filters_of(listing),
    )
    return render(
        request,
        "vaccination/adverse_events.html",
        {
            "listing": listing,
            "events": listing.rows,
            "severities": Severity.choices,
            "outcomes": Outcome.choices,
            "wards": lists.wards_of(queries.adverse_events_for(request.user)),
            "choice_filters": [
                ("severity", _("Severity"), Severity.choices),
                ("outcome", _("Outcome"), Outcome.choices),
            ],
            "dates": True,
            "sorts": [
                ("newest", _("Newest first")),
                ("oldest", _("Oldest first")),
                ("name", _("Name")),
                ("severity", _("Severity")),
            ],
        },
    )


@login_required
def adverse_event_export(request, fmt: str):
    return lists.event_export(request, fmt)
