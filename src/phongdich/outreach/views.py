"""Robot-call pages: the officers' follow-up lists (call back today, wrong person, manual calls),
the call log on a person's record, the call operator console with manual calls, and the
officer's button that calls a case's contacts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import require_role
from phongdich.lib.errors import InputErrors
from phongdich.lib.phones import display_phone
from phongdich.outreach import actions, queries
from phongdich.outreach.models import CallAttempt, FollowUpKind, Outcome
from phongdich.outreach.scripts import all_scripts, choices, label_of, script_for, ward_title

LIST_KINDS = [
    FollowUpKind.SYMPTOMS,
    FollowUpKind.CALL_BACK,
    FollowUpKind.WRONG_PERSON,
    FollowUpKind.UNREACHABLE,
]


def _log_rows(attempts: list[CallAttempt]) -> list[dict]:
    rows = []
    for attempt in attempts:
        rows.append(
            {
                "at": attempt.started_at,
                "script": label_of(attempt.plan.script),
                "outcome": attempt.get_outcome_display(),
                "outcome_code": attempt.outcome,
                "keys": ", ".join(
                    f"{q}: {' '.join(k if k is not None else '–' for k in keys)}"
                    for q, keys in attempt.keys.items()
                ),
                "duration": round(attempt.duration_seconds),
                "manual": attempt.operator_id is not None,
                "note": attempt.note,
            }
        )
    return rows


@login_required
def follow_ups(request):
    """The officer's lists: who to call back today, wrong numbers, people the robot missed."""
    kind = request.GET.get("kind", FollowUpKind.SYMPTOMS)
    if kind not in FollowUpKind.values:
        kind = FollowUpKind.SYMPTOMS
    rows = list(queries.follow_ups_for(request.user, kind).order_by("-created_at", "-pk")[:200])
    logs = queries.call_logs_by_person(request.user, [f.person_id for f in rows])
    counts = {k: queries.follow_ups_for(request.user, k).count() for k in FollowUpKind.values}
    audit.record(
        "view",
        request=request,
        object_type="outreach.follow_ups",
        object_id=kind,
        detail={"rows": len(rows)},
    )
    return render(
        request,
        "outreach/follow_ups.html",
        {
            "kind": kind,
            "tabs": [(k.value, k.label, counts[k.value]) for k in LIST_KINDS],
            "rows": [
                {
                    "follow_up": f,
                    "phone": display_phone(f.person.phone),
                    "log": _log_rows(logs.get(f.person_id, [])[:5]),
                }
                for f in rows
            ],
            "scripts": choices(),
        },
    )


@login_required
@require_POST
def follow_up_done(request, follow_up_id: int):
    follow_up = queries.access_follow_up(request.user, follow_up_id)
    actions.do_close_follow_up(follow_up, actor=request.user, request=request)
    messages.success(request, _("Marked as done."))
    return redirect(f"{reverse('outreach:follow_ups')}?kind={follow_up.kind}")


@login_required
def person_calls(request, person_id: int):
    """The call log on a person's record: every call from plans of the viewer's area."""
    person = queries.access_person(request.user, person_id)
    attempts = queries.call_log(request.user, person)
    audit.record("view", request=request, obj=person, ward=person.ward, detail={"calls": True})
    return render(
        request,
        "outreach/person.html",
        {"person": person, "phone": display_phone(person.phone), "log": _log_rows(attempts)},
    )


@login_required
def console(request):
    """The call operator console: the robot's live queue, its latest outcomes, the manual list."""
    require_role(request.user, *queries.OPERATOR_ROLES)
    sets = queries.queue_for(request.user)
    recent = (
        CallAttempt.objects.filter(plan__in=queries.plans_for(request.user))
        .select_related("plan", "plan__person")
        .order_by("-started_at", "-pk")[:30]
    )
    audit.record("view", request=request, object_type="outreach.console", object_id="queue")
    lists = {k: list(qs[:50]) for k, qs in sets.items()}
    for plan in (p for rows in lists.values() for p in rows):
        plan.script_label = label_of(plan.script)
    return render(
        request,
        "outreach/console.html",
        {**lists, "counts": {k: qs.count() for k, qs in sets.items()}, "recent": recent},
    )


def _script_context(plan) -> dict:
    script = script_for(plan)
    texts = script.filled(ward_title(plan.ward))
    return {
        "script": script,
        "greeting": texts["greeting"],
        "closing": texts["closing"],
        "questions": script.questions,
    }


@login_required
def manual_call(request, plan_id: int):
    """A manual call: the same script on screen, the outcome and answers entered by hand."""
    require_role(request.user, *queries.OPERATOR_ROLES)
    plan = queries.access_plan(request.user, plan_id)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            actions.do_manual_outcome(plan, request.POST, actor=request.user, request=request)
        except InputErrors as exc:
            for error in exc.errors:
                errors.setdefault(error.field, []).append(
                    f"{error.message_vi} / {error.message_en}"
                )
            status = 422
        else:
            messages.success(request, _("The call's outcome was saved."))
            return redirect("outreach:console")
    else:
        audit.record(
            "view", request=request, obj=plan.person, ward=plan.ward, detail={"plan": plan.pk}
        )
    log = queries.call_log(request.user, plan.person)
    return render(
        request,
        "outreach/manual_call.html",
        {
            "plan": plan,
            "phone": display_phone(plan.person.phone),
            "outcomes": Outcome.choices,
            "errors": errors,
            "values": request.POST if request.method == "POST" else {},
            "log": _log_rows(log),
            **_script_context(plan),
        },
        status=status,
    )


@login_required
@require_POST
def call_again(request, plan_id: int):
    require_role(request.user, *queries.OPERATOR_ROLES)
    plan = queries.access_plan(request.user, plan_id)
    actions.do_call_again(plan, actor=request.user, request=request)
    messages.success(request, _("The robot will call again."))
    return redirect("outreach:console")


@login_required
@require_POST
def call_case_contacts(request):
    """The officer's list: call the contacts of a case (in the officer's area) with a script."""
    require_role(request.user, *queries.OFFICER_ROLES)
    raw = request.POST.get("case", "").upper().removeprefix("F0-").strip()
    script = request.POST.get("script", "")
    if not raw.isdigit() or script not in all_scripts():
        messages.error(
            request,
            "Cần số ca bệnh (F0-…) và kịch bản gọi. / A case number (F0-…) and a script are needed.",
        )
        return redirect("outreach:follow_ups")
    try:
        case, contacts = queries.case_contacts_to_call(request.user, int(raw))
    except (Http404, PermissionDenied):
        messages.error(request, "Không tìm thấy ca bệnh này. / No such case.")
        return redirect("outreach:follow_ups")
    created = actions.do_plan_case_contacts(
        case, contacts, script, actor=request.user, request=request
    )
    messages.success(
        request,
        _("%(n)s calls planned for the contacts of case F0-%(case)s.")
        % {"n": created, "case": case.pk},
    )
    return redirect("outreach:console")
