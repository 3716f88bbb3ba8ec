"""JSON API of the robot calls: call plans and calls of the caller's area (ids, outcomes, keys,
durations: never a phone number), planning the calls of a case's contacts, and a call
operator's manual outcome. The same ``access_*`` queries and ``do_*`` actions as the pages:
404 outside the area, 403 for other roles, and reads of a person's calls audited."""

from __future__ import annotations

from ninja import Field, Router, Schema, Status

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import require_role
from phongdich.core import sms
from phongdich.core.openapi import answers
from phongdich.outreach import actions, messages, queries
from phongdich.outreach.models import CallAttempt, CallPlan, PlanState
from phongdich.outreach.scripts import label_of

router = Router(tags=["outreach"])
PAGE = 50


class PlanIn(Schema):
    case_id: int = Field(ge=1, le=2**31 - 1)
    script: str = Field(min_length=1, max_length=32)


class OptOutIn(Schema):
    opted_out: bool


class OutcomeIn(Schema):
    outcome: str = Field(max_length=10)
    # The accepted key of each question, by question id ({"identity": "1"}).
    answers: dict[str, str] = {}
    note: str = Field("", max_length=300)


def call_out(a: CallAttempt) -> dict:
    return {
        "id": a.pk,
        "plan_id": a.plan_id,
        "started_at": a.started_at,
        "outcome": a.outcome,
        "sip_status": a.sip_status,
        "detail": a.detail,
        "keys": a.keys,
        "answers": a.answers,
        "duration_seconds": a.duration_seconds,
        "manual": a.operator_id is not None,
        "note": a.note,
    }


def plan_out(p: CallPlan, calls: list[CallAttempt] | None = None) -> dict:
    out = {
        "id": p.pk,
        "person_id": p.person_id,
        "contact_id": p.contact_id,
        "ward_code": p.ward_id,
        "script": p.script,
        "script_label": label_of(p.script),
        "reason": p.reason,
        "state": p.state,
        "attempts": p.attempts,
        "next_attempt_at": p.next_attempt_at,
        "created_at": p.created_at,
        "finished_at": p.finished_at,
    }
    if calls is not None:
        out["calls"] = [call_out(a) for a in calls]
    return out


def _page(page: int) -> slice:
    start = (min(max(page, 1), 100_000) - 1) * PAGE
    return slice(start, start + PAGE)


@router.get("/outreach/plans", response=list[dict])
def list_plans(request, state: str = "", page: int = 1):
    """Call plans of the caller's area, newest first, 50 a page (``?state=pending``)."""
    plans = queries.plans_for(request.user).order_by("-created_at", "-pk")
    if state in PlanState.values:
        plans = plans.filter(state=state)
    return [plan_out(p) for p in plans[_page(page)]]


@router.get("/outreach/plans/{plan_id}", response=dict)
def get_plan(request, plan_id: int):
    plan = queries.access_plan(request.user, plan_id)
    calls = list(queries.calls_for(request.user).filter(plan=plan)[:200])
    audit.record("view", request=request, obj=plan, ward=plan.ward_id)
    return plan_out(plan, calls)


@router.get("/outreach/calls", response=list[dict])
def list_calls(request, page: int = 1):
    """Calls of the caller's area (robot and manual), newest first, 50 a page."""
    return [call_out(a) for a in queries.calls_for(request.user)[_page(page)]]


@router.get("/outreach/calls/{call_id}", response=dict)
def get_call(request, call_id: int):
    attempt = queries.access_call(request.user, call_id)
    audit.record("view", request=request, obj=attempt.plan, ward=attempt.plan.ward_id)
    return call_out(attempt)


@router.post("/outreach/plans", response={201: dict})
@answers(404)  # the case in the body: outside the area or unknown
def plan_case_contacts(request, payload: PlanIn):
    """The officer's list: call every contact of a case of the caller's area with a script
    (once per contact, script and day: a repeated request plans nobody twice)."""
    case, contacts = queries.case_contacts_to_call(request.user, payload.case_id)
    created = actions.do_plan_case_contacts(
        case, contacts, payload.script, actor=request.user, request=request
    )
    plans = queries.plans_for(request.user).filter(
        contact__in=contacts, script=payload.script, reason="officer"
    )
    return Status(201, {"created": created, "plan_ids": sorted(p.pk for p in plans)})


@router.post("/outreach/plans/{plan_id}/outcome", response={201: dict})
def manual_outcome(request, plan_id: int, payload: OutcomeIn):
    """A call operator's own call: the outcome, each question's answer, a note."""
    require_role(request.user, *queries.OPERATOR_ROLES)
    plan = queries.access_plan(request.user, plan_id)
    data = {"outcome": payload.outcome, "note": payload.note}
    data.update({f"answer_{q}": k for q, k in payload.answers.items()})
    attempt = actions.do_manual_outcome(plan, data, actor=request.user, request=request)
    return Status(201, call_out(attempt))


@router.post("/outreach/plans/{plan_id}/call-again", response=dict)
def call_again(request, plan_id: int):
    require_role(request.user, *queries.OPERATOR_ROLES)
    plan = queries.access_plan(request.user, plan_id)
    return plan_out(actions.do_call_again(plan, actor=request.user, request=request))


@router.post("/outreach/people/{person_id}/opt-out", response=dict)
def set_opt_out(request, person_id: int, payload: OptOutIn):
    """Put the person's number on the opt-out list (``true``: no information campaigns, by SMS
    or call) or take it off (``false``). Duty calls still go out (docs/reference/outreach.md)."""
    person = queries.access_person(request.user, person_id)
    changed = messages.do_set_opt_out(
        person, payload.opted_out, actor=request.user, request=request
    )
    return {"person_id": person.pk, "opted_out": sms.is_opted_out(person.phone), "changed": changed}


__all__ = ["router"]
