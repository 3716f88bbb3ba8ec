"""Workplace self-assessment pages: a business registers, signs in with a one-time code sent to
its registered phone (no account), assesses on a phone; ward officers work the inspection tasks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import area_q, require_role
from phongdich.accounts.models import Role
from phongdich.core.ratelimit import check_rate
from phongdich.lib.errors import InputErrors
from phongdich.risk import business as biz
from phongdich.risk import fixes as fx
from phongdich.risk.inspections import (
    access_inspection,
    access_photo,
    do_update_inspection,
    reassessments,
)
from phongdich.risk.models import (
    Business,
    InspectionTask,
    RequiredFix,
    SelfAssessment,
    overdue_q,
)
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
            "fixes": fx.open_fixes_for_business(found.pk),
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
    """The officer's tasks with their open and overdue fixes; ``?overdue=1`` keeps the tasks with
    an overdue fix."""
    require_role(request.user, *OFFICERS)
    day = fx.today()
    mine = InspectionTask.objects.filter(area_q(request.user))
    late = RequiredFix.objects.filter(overdue_q(day), task__in=mine.filter(status="open"))
    overdue_tasks = mine.filter(pk__in=late.values("task_id"))
    only_overdue = request.GET.get("overdue") == "1"
    tasks = fx.with_fix_counts(overdue_tasks if only_overdue else mine, day)
    return render(
        request,
        "risk/inspections.html",
        {
            "tasks": tasks.select_related("business", "assessment", "ward").order_by(
                "status", "-created_at"
            )[:500],
            "only_overdue": only_overdue,
            "overdue_tasks": overdue_tasks.count(),
            "overdue_fixes": late.count(),
        },
    )


def _inspection_page(request, task, *, errors=None, fix_errors=None, fix_data=None):
    bad = bool(errors or fix_errors)
    return render(
        request,
        "risk/inspection.html",
        {
            "task": task,
            "errors": errors or {},
            "data": request.POST if errors else {},
            "fix_errors": fix_errors or {},
            "fix_data": fix_data or {},
            "fixes": fx.fixes_of(task),
            "photos": list(task.photos.order_by("uploaded_at", "pk")),
            "history": reassessments(task),
        },
        status=400 if bad else 200,
    )


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
    return _inspection_page(request, task, errors=errors)


@login_required
@require_http_methods(["POST"])
def inspection_fix_add(request, pk: int):
    """Require one more fix, with its deadline."""
    require_role(request.user, *OFFICERS)
    task = access_inspection(request.user, pk)
    check_rate(request, "inspection_update", 60)
    try:
        fix = fx.do_add_fix(task, request.user, request.POST.dict())
    except InputErrors as exc:
        return _inspection_page(
            request, task, fix_errors={"new": _errors(exc)}, fix_data={"new": request.POST}
        )
    audit.record("add_inspection_fix", request=request, obj=fix, ward=task.ward_id)
    messages.success(request, _("Required fix added."))
    return redirect(f"{reverse('risk:inspection', args=[pk])}#fixes")


@login_required
@require_http_methods(["POST"])
def inspection_fix(request, pk: int, fix_pk: int):
    """Edit a fix (``action=edit``), mark it done (``done``) or open it again (``reopen``)."""
    require_role(request.user, *OFFICERS)
    fix = fx.access_fix(request.user, pk, fix_pk)
    task = fix.task
    check_rate(request, "inspection_update", 60)
    action = request.POST.get("action", "")
    try:
        if action == "edit":
            fx.do_edit_fix(fix, request.user, request.POST.dict())
        elif action in ("done", "reopen"):
            fx.do_set_fix_done(fix, request.user, action == "done", request.POST.get("note", ""))
        else:
            raise InputErrors.one(
                "action", "unknown_action", "Thao tác không hợp lệ.", "Unknown action."
            )
    except InputErrors as exc:
        return _inspection_page(
            request, task, fix_errors={fix.pk: _errors(exc)}, fix_data={fix.pk: request.POST}
        )
    audit.record(f"{action}_inspection_fix", request=request, obj=fix, ward=task.ward_id)
    messages.success(request, _("Required fix saved."))
    return redirect(f"{reverse('risk:inspection', args=[pk])}#fix-{fix.pk}")


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
