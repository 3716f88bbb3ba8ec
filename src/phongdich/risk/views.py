"""Staff pages of the ward risk levels: proposals and approval, a ward's history and capacity,
ward shapes for the map, the national-map export."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import require_role
from phongdich.accounts.models import Role
from phongdich.lib.errors import InputErrors
from phongdich.lib.exports import write_csv, write_xlsx
from phongdich.lib.text import vi_sort_key
from phongdich.lib.timeutil import local_date
from phongdich.places.models import Ward
from phongdich.risk import actions, geo
from phongdich.risk.models import WardCapacity
from phongdich.risk.public import legend, rule_set_titles
from phongdich.risk.queries import (
    EXPORT_HEADERS,
    _ward_area,
    access_ward,
    export_rows,
    latest_approved,
    proposals_for,
    ward_history,
)
from phongdich.risk.rules import current_rule_sets

STAFF = (Role.WARD_OFFICER, Role.PROVINCE_OFFICER, Role.CHAIRPERSON)


def _day(raw: str | None) -> date:
    try:
        return date.fromisoformat(raw) if raw else local_date(timezone.now())
    except ValueError:
        raise InputErrors.one(
            "on", "invalid_date", "Ngày không hợp lệ.", "The date is not valid."
        ) from None


def _errors(request, exc: InputErrors) -> None:
    for e in exc.errors:
        messages.error(request, e.message_vi if request.LANGUAGE_CODE != "en" else e.message_en)


@login_required
def levels(request):
    """Proposals waiting for approval, the published levels of the area, and a compute form."""
    require_role(request.user, *STAFF)
    wards = Ward.objects.filter(_ward_area(request.user))
    published = sorted(latest_approved(wards), key=lambda a: vi_sort_key(a.ward.name))
    return render(
        request,
        "risk/levels.html",
        {
            "proposals": proposals_for(request.user),
            "published": published,
            "legend": legend(),
            "rule_sets": rule_set_titles(),
            "rule_set_list": current_rule_sets().all,
            "can_propose": request.user.role in (*actions.PROPOSERS, Role.ADMIN),
            "can_approve": request.user.role in (*actions.APPROVERS, Role.ADMIN),
            "today": local_date(timezone.now()),
        },
    )


@login_required
@require_POST
def propose(request):
    require_role(request.user, *actions.PROPOSERS)
    try:
        on = _day(request.POST.get("on"))
        codes = list(Ward.objects.filter(_ward_area(request.user)).values_list("code", flat=True))
        if request.POST.get("ward"):
            codes = [access_ward(request.user, int(request.POST["ward"])).code]
        rows = actions.do_propose_levels(codes, on, actor=request.user, request=request)
    except InputErrors as exc:
        _errors(request, exc)
    except ValueError:
        raise Http404 from None
    else:
        if rows:
            messages.success(request, _("%(n)d levels proposed.") % {"n": len(rows)})
        else:
            messages.error(request, _("No ward of your area has a population: nothing to rate."))
    return redirect("risk:levels")


@login_required
@require_POST
def decide(request):
    require_role(request.user, *actions.APPROVERS)
    ids = [int(x) for x in request.POST.getlist("assessment") if x.isdigit()]
    approve = request.POST.get("decision") != "reject"
    try:
        rows = actions.do_decide(
            ids,
            approve=approve,
            actor=request.user,
            note=request.POST.get("note", ""),
            request=request,
        )
    except InputErrors as exc:
        _errors(request, exc)
    else:
        text = _("%(n)d levels approved and published.") if approve else _("%(n)d rejected.")
        messages.success(request, text % {"n": len(rows)})
    return redirect("risk:levels")


@login_required
@require_http_methods(["GET", "POST"])
def ward(request, code: int):
    require_role(request.user, *STAFF)
    ward = access_ward(request.user, code)
    if request.method == "POST":
        try:
            actions.do_set_capacity(
                ward,
                beds=request.POST.get("beds"),
                beds_in_use=request.POST.get("beds_in_use"),
                icu_beds=request.POST.get("icu_beds"),
                oxygen_points=request.POST.get("oxygen_points"),
                actor=request.user,
                request=request,
            )
        except InputErrors as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Treatment capacity saved."))
            return redirect("risk:ward", code=code)
    return render(
        request,
        "risk/ward.html",
        {
            "ward": ward,
            "history": ward_history(ward),
            "pending": proposals_for(request.user).filter(ward=ward).first(),
            "capacity": WardCapacity.objects.filter(ward=ward).first(),
            "rule_sets": rule_set_titles(),
            "legend": legend(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def shapes(request):
    require_role(request.user, Role.PROVINCE_OFFICER)
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise InputErrors.one(
                    "file", "required", "Chưa chọn tệp GeoJSON.", "Choose a GeoJSON file."
                )
            n = geo.do_import_shapes(
                upload.read(), upload.name, actor=request.user, request=request
            )
        except InputErrors as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("%(n)d ward shapes saved.") % {"n": n})
            return redirect("risk:shapes")
    return render(request, "risk/shapes.html", {})


@login_required
def export(request, fmt: str):
    """The published levels in the national map's shape (one row per unit)."""
    require_role(request.user, *STAFF)
    if fmt not in ("csv", "xlsx", "json"):
        raise Http404
    rows = export_rows(request.user)
    audit.record(
        "export_levels",
        request=request,
        object_type="risk.assessment",
        detail={"format": fmt, "rows": len(rows)},
    )
    name = f"cap-do-dich-{local_date(timezone.now()):%Y%m%d}"
    if fmt == "json":
        return JsonResponse({"units": [dict(zip(EXPORT_HEADERS, r, strict=True)) for r in rows]})
    if fmt == "csv":
        response = HttpResponse(write_csv(rows, EXPORT_HEADERS), content_type="text/csv")
    else:
        response = HttpResponse(
            write_xlsx(rows, EXPORT_HEADERS, sheet_title="cap-do-dich"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
