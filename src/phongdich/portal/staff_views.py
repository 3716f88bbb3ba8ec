"""Officers' pages of the portal: the queue of citizen reports and the procedure-results import.
A ward officer sees their ward, a province officer their province (404 outside)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import area_q, can_see_ward, require_role
from phongdich.accounts.models import Role
from phongdich.core.collation import vi_order
from phongdich.core.dashboard import register_cards
from phongdich.lib.errors import InputErrors
from phongdich.places.models import Ward
from phongdich.portal import reports, tthc

PORTAL_STAFF = (Role.WARD_OFFICER, Role.PROVINCE_OFFICER)


def reports_for(user):
    require_role(user, *PORTAL_STAFF)
    return reports.CitizenReport.objects.filter(area_q(user)).select_related("ward")


def access_report(user, report_id: int) -> reports.CitizenReport:
    report = reports_for(user).filter(pk=report_id).first()
    if report is None:
        raise Http404
    return report


@register_cards
def portal_cards(user):
    if user.role not in {*PORTAL_STAFF, Role.ADMIN}:
        return []
    waiting = reports.CitizenReport.objects.filter(
        area_q(user), status__in=[reports.ReportStatus.RECEIVED, reports.ReportStatus.IN_REVIEW]
    ).count()
    return [
        {
            "title": gettext_lazy("Citizen reports"),
            "value": waiting,
            "text": gettext_lazy("waiting for an answer"),
            "url": reverse("portal:staff_reports"),
        },
        {
            "title": gettext_lazy("Ward portal"),
            "value": None,
            "text": gettext_lazy("News, documents, approval"),
            "url": "/cms/",
        },
    ]


@login_required
def report_queue(request):
    status = request.GET.get("status", "open")
    rows = reports_for(request.user)
    if status == "open":
        rows = rows.filter(
            status__in=[reports.ReportStatus.RECEIVED, reports.ReportStatus.IN_REVIEW]
        )
    elif status in reports.ReportStatus.values:
        rows = rows.filter(status=status)
    return render(
        request,
        "portal/staff/reports.html",
        {
            "reports": rows.order_by("created_at")[:200],
            "status": status,
            "statuses": reports.ReportStatus.choices,
        },
    )


@login_required
def report_detail(request, report_id: int):
    report = access_report(request.user, report_id)
    errors = {}
    if request.method == "POST":
        try:
            reports.do_answer_report(
                report,
                actor=request.user,
                status=request.POST.get("status", ""),
                reply=request.POST.get("reply", ""),
                publish=request.POST.get("publish") == "on",
            )
        except InputErrors as error:
            vi = request.LANGUAGE_CODE == "vi"
            for e in error.errors:
                errors.setdefault(e.field, []).append(e.message_vi if vi else e.message_en)
        else:
            messages.success(request, _("The answer was saved."))
            return redirect("portal:staff_reports")
    else:
        audit.record("report.view", request=request, obj=report, ward=report.ward)
    return render(
        request,
        "portal/staff/report_detail.html",
        {
            "report": report,
            "errors": errors,
            "statuses": reports.ReportStatus.choices,
        },
        status=400 if errors else 200,
    )


@login_required
def tthc_import(request):
    require_role(request.user, *PORTAL_STAFF)
    errors, result = [], None
    wards = Ward.objects.filter(area_q_wards(request.user)).order_by(vi_order("name"))[:500]
    if request.method == "POST":
        code = request.POST.get("ward", "")
        ward = Ward.objects.filter(code=int(code)).first() if code.isdigit() else None
        upload = request.FILES.get("file")
        if ward is None or not can_see_ward(request.user, ward):
            errors = [_("Choose a ward of your area.")]
        elif upload is None:
            errors = [_("Choose the spreadsheet (.xlsx).")]
        else:
            try:
                result = tthc.do_import_tthc(
                    upload.read(tthc.MAX_BYTES + 1), ward=ward, actor=request.user
                )
            except InputErrors as error:
                vi = request.LANGUAGE_CODE == "vi"
                errors = [e.message_vi if vi else e.message_en for e in error.errors]
    return render(
        request,
        "portal/staff/tthc_import.html",
        {
            "errors": errors,
            "result": result,
            "wards": wards,
            "columns": [names[0].capitalize() for names in tthc.COLUMNS.values()],
        },
        status=400 if errors else 200,
    )


def area_q_wards(user):
    from django.db.models import Q

    if user.role == Role.ADMIN:
        return Q()
    if user.ward_id:
        return Q(code=user.ward_id)
    return Q(province_id=user.province_id)


@login_required
def report_photo(request, report_id: int):
    from django.http import FileResponse

    report = access_report(request.user, report_id)
    if not report.photo:
        raise Http404
    audit.record("report.photo", request=request, obj=report, ward=report.ward)
    response = FileResponse(report.photo.open("rb"), content_type="image/jpeg")
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
