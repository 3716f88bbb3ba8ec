"""Staff pages of home care: the console ("needs action today"), enrolment, the patient's
page (day grid, charts, notes, medicine pack, referral, discharge) and the printed papers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from phongdich.accounts import audit
from phongdich.accounts.models import Role, User
from phongdich.care import actions, charts, followup, packs, pdf, queries
from phongdich.care.models import EnrolmentStatus
from phongdich.care.reports import age_in_months
from phongdich.lib.errors import DomainError, InputErrors
from phongdich.lib.qr import qr_svg
from phongdich.lib.timeutil import local_date
from phongdich.people.forms import errors_by_field


def _page_number(request) -> int:
    page = request.GET.get("page", "1")
    return min(max(1, int(page)), 100_000) if page.isdigit() and len(page) < 7 else 1


def _flash(request, exc: Exception) -> None:
    vi = (get_language() or "vi").startswith("vi")
    for e in exc.errors if isinstance(exc, InputErrors) else [exc]:
        messages.error(request, e.message_vi if vi else e.message_en)


@login_required
def console(request):
    now = timezone.now()
    listing = queries.needs_action(request.user, now, page=_page_number(request))
    return render(
        request,
        "care/console.html",
        {
            "items": listing.items,
            "listing": listing,
            "counts": listing.counts,
            "to_assess": queries.cases_to_assess(request.user, limit=20),
            "today": local_date(now),
        },
    )


PAGE_SIZE = 100


@login_required
def patients(request):
    """Every patient at home of the caller (a clinician's own, an officer's area), by page."""
    active = (
        queries.own(request.user, queries.enrolments_for(request.user))
        .filter(status=EnrolmentStatus.ACTIVE)
        .select_related("person")
        .order_by("isolation_start", "pk")
    )
    number = _page_number(request)
    rows = list(active[(number - 1) * PAGE_SIZE : number * PAGE_SIZE + 1])
    return render(
        request,
        "care/patients.html",
        {
            "patients": rows[:PAGE_SIZE],
            "page": number,
            "has_next": len(rows) > PAGE_SIZE,
        },
    )


def _clinicians(ward):
    users = User.objects.filter(role=Role.CLINICIAN, is_active=True).order_by("username")
    return [
        u
        for u in users
        if u.ward_id == ward.code or (not u.ward_id and u.province_id == ward.province_id)
    ]


@login_required
def enrol(request, case_id: int):
    case = queries.access_case_to_enrol(request.user, case_id)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            enrolment = actions.do_enrol(case, request.POST, actor=request.user, request=request)
        except InputErrors as exc:
            errors, status = errors_by_field(exc.errors), 422
        except DomainError as exc:
            _flash(request, exc)
            return redirect("care:console")
        else:
            return redirect("care:patient", enrolment_id=enrolment.pk)
    return render(
        request,
        "care/enrol.html",
        {
            "case": case,
            "errors": errors,
            "values": request.POST if request.method == "POST" else {},
            "clinicians": _clinicians(case.ward),
            "default_clinician": request.user.pk if request.user.role == Role.CLINICIAN else "",
        },
        status=status,
    )


@login_required
def patient(request, enrolment_id: int):
    enrolment = queries.access_enrolment(request.user, enrolment_id)
    audit.record("care.view", request=request, obj=enrolment, ward=enrolment.ward_id)
    now = timezone.now()
    today = local_date(now)
    reports = list(enrolment.reports.order_by("measured_at"))
    rule_set = actions.rule_set_for(enrolment, today)
    age = age_in_months(enrolment.birth_date, today)
    start = min([r.measured_at for r in reports], default=now)
    svgs = [
        mark_safe(
            charts.svg(
                s,
                [
                    (r.measured_at, getattr(r, s.field))
                    for r in reports
                    if getattr(r, s.field) is not None
                ],
                start,
                max(now, start),
            )
        )
        for s in charts.series_for(rule_set, age)
    ]
    discharge = (
        followup.discharge_decision(enrolment, today)
        if enrolment.status == EnrolmentStatus.ACTIVE
        else None
    )
    return render(
        request,
        "care/patient.html",
        {
            "enrolment": enrolment,
            "grid": queries.day_grid(enrolment, reports, today),
            "charts": svgs,
            "reports": list(reversed(reports))[:60],
            "alerts": enrolment.alerts.select_related("report").order_by("-raised_at")[:30],
            "notes": enrolment.notes.select_related("author").order_by("-created_at")[:50],
            "packs": packs.medicine_packs(),
            "discharge": discharge,
            "day_number": (today - enrolment.isolation_start).days + 1,
            "link": actions.self_report_url(enrolment),
            "qr": mark_safe(qr_svg(actions.self_report_url(enrolment), scale=4).decode()),
            "errors": {},
        },
    )


def _post_action(request, enrolment_id: int, func) -> HttpResponse:
    enrolment = queries.access_enrolment(request.user, enrolment_id)
    try:
        func(enrolment, request.POST, actor=request.user, request=request)
    except (InputErrors, DomainError) as exc:
        _flash(request, exc)
    return redirect("care:patient", enrolment_id=enrolment.pk)


@login_required
@require_POST
def note(request, enrolment_id: int):
    return _post_action(
        request,
        enrolment_id,
        lambda e, data, **kw: followup.do_add_note(e, data.get("text", ""), **kw),
    )


@login_required
@require_POST
def update(request, enrolment_id: int):
    return _post_action(request, enrolment_id, followup.do_update_care)


@login_required
@require_POST
def refer(request, enrolment_id: int):
    return _post_action(request, enrolment_id, followup.do_refer)


@login_required
@require_POST
def discharge(request, enrolment_id: int):
    return _post_action(request, enrolment_id, lambda e, data, **kw: followup.do_discharge(e, **kw))


@login_required
@require_POST
def send_link(request, enrolment_id: int):
    enrolment = queries.access_enrolment(request.user, enrolment_id)
    actions.send_link(enrolment)
    return redirect("care:patient", enrolment_id=enrolment.pk)


@login_required
@require_POST
def acknowledge(request, alert_id: int):
    alert = queries.access_alert(request.user, alert_id)
    followup.do_acknowledge_alert(alert, actor=request.user, request=request)
    if request.POST.get("next") == "patient":
        return redirect("care:patient", enrolment_id=alert.enrolment_id)
    return redirect("care:console")


@login_required
def paper(request, enrolment_id: int, kind: str):
    enrolment = queries.access_enrolment(request.user, enrolment_id)
    if kind == "transfer" and enrolment.status in (
        EnrolmentStatus.REFERRED,
        EnrolmentStatus.NOT_ELIGIBLE,
        EnrolmentStatus.ACTIVE,
    ):
        data, name = pdf.transfer_note(enrolment), "giay-chuyen-vien"
    elif kind == "discharge" and enrolment.status == EnrolmentStatus.DISCHARGED:
        data, name = pdf.discharge_paper(enrolment), "giay-hoan-thanh-cach-ly"
    else:
        from django.http import Http404

        raise Http404
    audit.record(f"care.pdf.{kind}", request=request, obj=enrolment, ward=enrolment.ward_id)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}-{enrolment.pk}.pdf"'
    return response
