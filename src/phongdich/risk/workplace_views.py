"""Workplace self-assessment pages: a business registers, signs in with a one-time code sent to
its registered phone (no account), assesses on a phone; ward officers work the inspection tasks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import area_q, require_role
from phongdich.accounts.models import Role
from phongdich.core.ratelimit import check_rate
from phongdich.lib.errors import InputErrors
from phongdich.risk import business as biz
from phongdich.risk.inspections import (
    access_inspection,
    access_photo,
    do_update_inspection,
    reassessments,
)
from phongdich.risk.models import Business, InspectionTask, SelfAssessment
from phongdich.risk.rules import current_questionnaires_for

SESSION_KEY = "risk_business"
OFFICERS = (Role.WARD_OFFICER, Role.PROVINCE_OFFICER)


def _errors(exc: InputErrors) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for e in exc.errors:
        out.setdefault(e.field, []).append(f"{e.message_vi} / {e.message_en}")
    return out


@require_http_methods(["GET", "POST"])
def register(request):
    errors, data = {}, {}
    if request.method == "POST":
        check_rate(request, "business_register", 20)
        data = request.POST.dict()
        try:
            found = biz.do_register_business(data)
        except InputErrors as exc:
            errors = _errors(exc)
        else:
            biz.do_send_code(found.tax_id)
            request.session["risk_tax_id"] = found.tax_id
            return redirect("risk:business_code")
    return render(
        request, "risk/business_register.html", {"errors": errors, "data": data, "kinds": biz.KINDS}
    )


@require_http_methods(["GET", "POST"])
def request_code(request):
    errors = {}
    if request.method == "POST":
        check_rate(request, "business_code", 10)
        try:
            biz.do_send_code(request.POST.get("tax_id", ""))
        except InputErrors as exc:
            errors = _errors(exc)
        else:
            request.session["risk_tax_id"] = request.POST.get("tax_id", "").strip()
            return redirect("risk:business_code")
    return render(request, "risk/business_login.html", {"errors": errors})


@require_http_methods(["GET", "POST"])
def enter_code(request):
    errors = {}
    tax_id = request.session.get("risk_tax_id", "")
    if request.method == "POST":
        check_rate(request, "business_code_check", 20)
        tax_id = request.POST.get("tax_id", tax_id)
        try:
            found = biz.do_check_code(tax_id, request.POST.get("code", ""))
        except InputErrors as exc:
            errors = _errors(exc)
        else:
            request.session.cycle_key()
            request.session[SESSION_KEY] = found.pk
            return redirect("risk:business_assess")
    return render(request, "risk/business_code.html", {"errors": errors, "tax_id": tax_id})


@require_http_methods(["GET", "POST"])
def assess(request):
    pk = request.session.get(SESSION_KEY)
    found = Business.objects.filter(pk=pk).select_related("ward").first() if pk else None
    if found is None:
        return redirect("risk:business_login")
    available = current_questionnaires_for(found.kind)
    chosen = next(
        (
            q
            for q in available
            if q.id == request.POST.get("questionnaire", request.GET.get("q", ""))
        ),
        available[0] if available else None,
    )
    errors, answers, latest = {}, {}, None
    if request.method == "POST" and chosen is not None:
        answers = _answers(chosen, request.POST)
        try:
            latest, _result = biz.do_self_assess(found, chosen.id, answers)
        except InputErrors as exc:
            errors = _errors(exc)
        else:
            return redirect(f"{request.path}?q={chosen.id}#result")
    latest = SelfAssessment.objects.filter(business=found).order_by("-created_at", "-pk").first()
    if latest is not None and not answers:
        answers = latest.answers if latest.questionnaire_id == getattr(chosen, "id", "") else {}
    return render(
        request,
        "risk/business_assess.html",
        {
            "business": found,
            "questionnaires": available,
            "q": chosen,
            "errors": errors,
            "answers": answers,
            "latest": latest,
        },
    )


def _answers(q, post) -> dict:
    out = {}
    for indicator in q.indicators:
        raw = post.get(indicator.key, "").strip()
        if indicator.type == "yes_no":
            if raw in ("yes", "no"):  # unanswered stays missing: never a silent "no"
                out[indicator.key] = raw == "yes"
        elif raw:
            out[indicator.key] = raw
    return out


@login_required
def inspections(request):
    require_role(request.user, *OFFICERS)
    tasks = (
        InspectionTask.objects.filter(area_q(request.user))
        .select_related("business", "assessment", "ward")
        .order_by("status", "-created_at")[:500]
    )
    return render(request, "risk/inspections.html", {"tasks": tasks})


@login_required
@require_http_methods(["GET", "POST"])
def inspection(request, pk: int):
    require_role(request.user, *OFFICERS)
    task = access_inspection(request.user, pk)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        check_rate(request, "inspection_update", 60)
        try:
            do_update_inspection(
                task,
                request.user,
                request.POST.dict(),
                set(request.POST.getlist("done")),
                request.FILES.getlist("photo"),
            )
        except InputErrors as exc:
            errors = _errors(exc)
            task.refresh_from_db()
        else:
            audit.record("update_inspection", request=request, obj=task, ward=task.ward_id)
            messages.success(request, _("Inspection saved."))
            return redirect("risk:inspection", pk=pk)
    return render(
        request,
        "risk/inspection.html",
        {
            "task": task,
            "errors": errors,
            "data": request.POST if errors else {},
            "photos": list(task.photos.order_by("uploaded_at", "pk")),
            "history": reassessments(task),
        },
        status=400 if errors else 200,
    )


@login_required
def inspection_photo(request, pk: int, photo_pk: int):
    """A photo of an inspection, to staff of its area only: never cached, never sniffed, never
    run (CSP), shown inline; each look is audited."""
    require_role(request.user, *OFFICERS)
    photo = access_photo(request.user, pk, photo_pk)
    audit.record("view_inspection_photo", request=request, obj=photo, ward=photo.task.ward_id)
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="kiem-tra-{pk}-{photo.pk}.jpg"'
    response["Content-Security-Policy"] = "default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
