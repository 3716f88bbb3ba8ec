"""The dialler reads its due list, then works through it for seconds (each announcing SMS goes
out before the plan's call). Meanwhile a campaign is cancelled, an operator records a call by
hand, a number is removed, an officer moves a contact: the dialler calls nobody it should no
longer call, at no number that is gone, and never loses the record of a call it made."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from phongdich.lib.telephony import CallOutcome, CallResult, QuestionResult, ScriptStatus
from phongdich.outreach import actions
from phongdich.outreach.actions import claim_due, do_manual_outcome, do_plan_call
from phongdich.outreach.messages import do_cancel_plans, do_plan_message_call, spoken_message
from phongdich.outreach.models import CallAttempt, CallPlan, PlanState, Reason
from phongdich.people.models import Person
from phongdich.tracing import actions as tracing_actions
from phongdich.tracing.models import Contact, ContactStatus
from tests.conftest import HAC_THANH
from tests.meanwhile import Meanwhile

from .conftest import MORNING

pytestmark = pytest.mark.django_db(transaction=True)


def _person(name: str, phone: str) -> Person:
    return Person.objects.create(
        full_name=name, name_folded=name.lower(), birth_year=1980, gender="female",
        phone=phone, ward_id=HAC_THANH, token=f"tok-{phone}",
    )  # fmt: skip


@pytest.fixture
def first(rules) -> CallPlan:
    """A duty call due first: the dialler sends its announcing SMS before claiming the others."""
    person = _person("Lê Thị Một", "+84912000201")
    return do_plan_call(person, "result_ready", Reason.RESULT_RELEASED, "result:1")[0]


def test_a_campaign_cancelled_while_the_dialler_works_is_not_called(first, monkeypatch):
    person = _person("Phạm Văn Hai", "+84912000202")
    plan, _ = do_plan_message_call(person, spoken_message("Tiêm nhắc lại."), "campaign:7:m1")
    cancelled: list[str] = []
    meanwhile = Meanwhile(
        monkeypatch, actions, "_announce", lambda: cancelled.extend(do_cancel_plans("campaign:7:"))
    )
    claimed = {c.plan_id for c in claim_due(MORNING)}
    assert meanwhile.join() == []
    assert cancelled == ["campaign:7:m1"]
    assert claimed == {first.pk}
    plan.refresh_from_db()
    assert plan.state == PlanState.CANCELLED and plan.locked_until is None


def test_a_person_an_operator_reached_meanwhile_is_not_called_again(
    first, ward_officer, monkeypatch
):
    person = _person("Phạm Văn Hai", "+84912000202")
    plan, _ = do_plan_call(person, "result_ready", Reason.RESULT_RELEASED, "result:2")
    meanwhile = Meanwhile(
        monkeypatch,
        actions,
        "_announce",
        lambda: do_manual_outcome(
            CallPlan.objects.get(pk=plan.pk), {"outcome": "answered"}, actor=ward_officer
        ),
    )
    claimed = {c.plan_id for c in claim_due(MORNING)}
    assert meanwhile.join() == []
    assert claimed == {first.pk}
    plan.refresh_from_db()
    assert plan.state == PlanState.DONE and plan.locked_until is None
    assert CallAttempt.objects.filter(plan=plan).count() == 1  # the operator's, by hand


def test_a_number_removed_meanwhile_is_not_dialled(first, monkeypatch):
    person = _person("Phạm Văn Hai", "+84912000202")
    plan, _ = do_plan_call(person, "result_ready", Reason.RESULT_RELEASED, "result:2")
    meanwhile = Meanwhile(
        monkeypatch,
        actions,
        "_announce",
        lambda: Person.objects.filter(pk=person.pk).update(phone=""),
    )
    claims = claim_due(MORNING)
    assert meanwhile.join() == []
    assert "+84912000202" not in {c.number for c in claims}
    plan.refresh_from_db()
    assert plan.state == PlanState.UNREACHABLE  # on the officer's manual list instead


def test_a_contact_moved_on_during_the_call_keeps_the_call_record(loop, monkeypatch):
    """The F1 heard the notice while their officer put them in quarantine: the call is recorded
    (else its lease runs out and the person is called again); "notified" is skipped."""
    loop.deliver()
    one = loop.contacts["Lê Thị Một"]
    [claim] = [c for c in claim_due(MORNING) if CallPlan.objects.get(pk=c.plan_id).contact == one]
    real_update = tracing_actions.do_update_contact
    meanwhile = Meanwhile(
        monkeypatch,
        tracing_actions,
        "do_update_contact",
        lambda: real_update(
            Contact.objects.get(pk=one.pk), ContactStatus.QUARANTINED, actor=loop.officer
        ),
    )
    heard = CallResult(
        CallOutcome.ANSWERED,
        datetime.now(UTC),
        status_code=200,
        script_status=ScriptStatus.COMPLETED,
        questions=[QuestionResult("identity", ["1"], "1"), QuestionResult("symptoms", ["2"], "2")],
    )
    attempt = actions.do_record_result(claim, heard, MORNING)
    assert meanwhile.join() == []
    assert CallAttempt.objects.filter(pk=attempt.pk).exists()
    plan = CallPlan.objects.get(pk=claim.plan_id)
    assert plan.state == PlanState.DONE and plan.locked_until is None
    assert Contact.objects.get(pk=one.pk).status == ContactStatus.QUARANTINED
