"""Reads of the robot calls, scoped to the caller's area (404 outside it, 403 for other roles)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from phongdich.accounts.jurisdiction import area_q, require_role
from phongdich.accounts.models import Role
from phongdich.outreach.models import OPEN, CallAttempt, CallPlan, FollowUp, PlanState, Reason
from phongdich.people.models import Person

OFFICER_ROLES = (Role.PROVINCE_OFFICER, Role.WARD_OFFICER, Role.CALL_OPERATOR)
OPERATOR_ROLES = (Role.CALL_OPERATOR, Role.WARD_OFFICER, Role.PROVINCE_OFFICER)


def plans_for(user: Any) -> QuerySet[CallPlan]:
    require_role(user, *OFFICER_ROLES)
    return CallPlan.objects.filter(area_q(user, "ward")).select_related("person", "ward")


def access_plan(user: Any, plan_id: int) -> CallPlan:
    plan = plans_for(user).filter(pk=plan_id).first()
    if plan is None:
        raise Http404
    return plan


def calls_for(user: Any) -> QuerySet[CallAttempt]:
    """Every call (robot or manual) of the plans of the user's area, newest first."""
    return (
        CallAttempt.objects.filter(plan__in=plans_for(user))
        .select_related("plan")
        .order_by("-started_at", "-pk")
    )


def access_call(user: Any, attempt_id: int) -> CallAttempt:
    found = calls_for(user).filter(pk=attempt_id).first()
    if found is None:
        raise Http404
    return found


def queue_for(user: Any) -> dict[str, QuerySet[CallPlan]]:
    """The operator console: calls waiting or running, and those left to a person."""
    plans = plans_for(user)
    return {
        "calling": plans.filter(state=PlanState.CALLING).order_by("next_attempt_at"),
        "pending": plans.filter(state=PlanState.PENDING).order_by("next_attempt_at", "pk"),
        # A campaign's unreached calls are a result of the campaign, not a person to call by hand.
        "unreachable": plans.filter(state=PlanState.UNREACHABLE)
        .exclude(reason=Reason.CAMPAIGN)
        .order_by("-finished_at"),
    }


def follow_ups_for(user: Any, kind: str | None = None) -> QuerySet[FollowUp]:
    require_role(user, *OFFICER_ROLES)
    qs = FollowUp.objects.filter(OPEN, area_q(user, "ward")).select_related(
        "person", "ward", "plan", "contact"
    )
    return qs.filter(kind=kind) if kind else qs


def access_follow_up(user: Any, follow_up_id: int) -> FollowUp:
    require_role(user, *OFFICER_ROLES)
    found = (
        FollowUp.objects.filter(area_q(user, "ward"), pk=follow_up_id)
        .select_related("person", "ward")
        .first()
    )
    if found is None:
        raise Http404
    return found


def access_person(user: Any, person_id: int) -> Person:
    """A person whose calls the user may read: one living in, or planned a call from, the area."""
    require_role(user, *OFFICER_ROLES)
    person = Person.objects.filter(pk=person_id).select_related("ward").first()
    if person is None:
        raise Http404
    in_area = Person.objects.filter(area_q(user, "ward"), pk=person_id).exists()
    if not in_area and not plans_for(user).filter(person_id=person_id).exists():
        raise Http404
    return person


def call_log(user: Any, person: Person) -> list[CallAttempt]:
    """Every call to the person from plans of the user's area, newest first."""
    return list(
        CallAttempt.objects.filter(plan__in=plans_for(user).filter(person=person))
        .select_related("plan", "operator")
        .order_by("-started_at", "-pk")[:200]
    )


def case_contacts_to_call(user: Any, case_id: int) -> tuple[Any, list[Any]]:
    """A case of the user's area and its contacts an officer's list may call: a contact who
    became a case or was released is not called with a contact's script (404 outside)."""
    from phongdich.tracing.models import ContactStatus
    from phongdich.tracing.queries import access_case, contacts_for

    require_role(user, *OFFICER_ROLES)
    case = access_case(user, case_id)
    stale = [ContactStatus.BECAME_CASE, ContactStatus.RELEASED]
    return case, list(contacts_for(user, case).exclude(status__in=stale))


def call_logs_by_person(user: Any, person_ids: list[int]) -> dict[int, list[CallAttempt]]:
    rows = (
        CallAttempt.objects.filter(plan__in=plans_for(user).filter(person_id__in=person_ids))
        .select_related("plan")
        .order_by("-started_at", "-pk")
    )
    out: dict[int, list[CallAttempt]] = {}
    for row in rows:
        out.setdefault(row.plan.person_id, []).append(row)
    return out
