"""A campaign as a recorded call, through the console adapter: the campaign queues one robot
call per number, outreach speaks the campaign's own text after the ward and the hotline, and
each call's outcome (listened, answered, busy, no answer, opted out by 9) lands on the
campaign's recipient and in its result table. The opt-out list stops campaign calls but not
individual duty calls (docs/reference/outreach.md, "Opt-out")."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from phongdich.campaigns import actions, sending
from phongdich.campaigns.models import Recipient, RecipientStatus, Status
from phongdich.campaigns.reports import results
from phongdich.core import sms
from phongdich.core.site import hotlines
from phongdich.lib.telephony import CallOutcome, CallResult, ConsoleAdapter
from phongdich.outreach.actions import do_plan_call
from phongdich.outreach.dialer import dial_due
from phongdich.outreach.models import CallAttempt, CallPlan, FollowUp, PlanState, Reason
from phongdich.outreach.queries import queue_for
from phongdich.outreach.scripts import CAMPAIGN_SCRIPT
from tests.campaigns.conftest import QUANG_PHU, campaign_data, make_person

pytestmark = pytest.mark.django_db

TEXT = "Mời bà con đi tiêm mũi nhắc lại tại trạm y tế."


class Busy:
    """A phone that is always busy (the far end's 486)."""

    async def place_call(self, number, script):
        return CallResult(CallOutcome.BUSY, datetime.now(UTC), status_code=486)


class Routed:
    """Each number to its own phone."""

    def __init__(self, phones: dict) -> None:
        self.phones = phones
        self.scripts: dict[str, object] = {}

    async def place_call(self, number, script):
        self.scripts[number] = script
        return await self.phones[number].place_call(number, script)


def factory_of(adapter):
    @contextlib.asynccontextmanager
    async def factory():
        yield adapter

    return factory


def _call_campaign(user, **kw):
    campaign = actions.do_create_campaign(user, campaign_data(channel="call", text=TEXT, **kw))
    assert campaign.channel == "call"
    return campaign


def _status(person) -> str:
    return Recipient.objects.get(person=person).status


def test_each_call_outcome_lands_on_its_recipient(ward_officer, console, daytime):
    listens, refuses, replays, busy = (make_person() for _ in range(4))
    campaign = _call_campaign(ward_officer)
    totals = sending.run()
    assert totals["sent"] == 4
    assert not console.outbox  # no SMS: neither the message nor an announcement
    plans = CallPlan.objects.filter(reason=Reason.CAMPAIGN)
    assert plans.count() == 4 and {p.script for p in plans} == {CAMPAIGN_SCRIPT}
    assert _status(listens) == RecipientStatus.ACCEPTED  # queued, not yet called

    phones = Routed(
        {
            listens.phone: ConsoleAdapter({"message": [None]}),
            refuses.phone: ConsoleAdapter({"message": ["9"]}),
            replays.phone: ConsoleAdapter({"message": ["1", None]}),
            busy.phone: Busy(),
        }
    )
    report = dial_due(factory_of(phones), timezone.now())
    assert report.recorded == 4 and report.errors == 0

    assert _status(listens) == RecipientStatus.LISTENED
    assert _status(refuses) == RecipientStatus.OPTED_OUT
    assert _status(replays) == RecipientStatus.LISTENED
    assert _status(busy) == RecipientStatus.ACCEPTED  # still queued: retried like any plan
    assert sms.is_opted_out(refuses.phone) and not sms.is_opted_out(listens.phone)
    attempt = CallAttempt.objects.get(plan__person=replays)
    assert attempt.keys == {"message": ["1", None]}
    assert CallPlan.objects.get(person=busy).state == PlanState.PENDING
    assert not FollowUp.objects.exists()  # no officer's list for a campaign's audience

    sending.run()
    table = results(campaign)
    assert (table["listened"], table["opted_out"], table["sent"], table["total"]) == (2, 1, 1, 4)
    campaign.refresh_from_db()
    assert campaign.status == Status.SENDING  # a call is still going

    later = timezone.now()
    for hours in (1, 2):  # the retries, busy each time
        dial_due(factory_of(phones), later + timedelta(hours=hours))
    assert CallPlan.objects.get(person=busy).state == PlanState.UNREACHABLE
    assert _status(busy) == RecipientStatus.BUSY
    sending.run(now=later + timedelta(hours=2))
    table = results(campaign)
    assert (table["busy"], table["sent"], table["waiting"]) == (1, 0, 0)
    campaign.refresh_from_db()
    assert campaign.status == Status.SENT


def test_the_campaigns_own_text_is_spoken_after_the_ward_and_the_hotline(
    province_officer, console, daytime
):
    here, there = make_person(), make_person(QUANG_PHU)
    _call_campaign(province_officer, area=f"p{province_officer.province_id}")
    sending.run()
    phones = Routed({p.phone: ConsoleAdapter({"message": [None]}) for p in (here, there)})
    dial_due(factory_of(phones), timezone.now())

    first, second = (phones.scripts[p.phone] for p in (here, there))
    assert "Hạc Thành" in first.greeting and hotlines()[0] in first.greeting
    assert "Quảng Phú" in second.greeting
    message = first.questions[0]
    assert message.prompt.startswith(TEXT) and "bấm phím 9" in message.prompt
    assert "TC" not in message.prompt  # the SMS footer is not read out
    # One prompt per text, whatever the ward: espeak-ng renders it once (PromptCache per text).
    assert second.questions[0].prompt == message.prompt
    assert (message.keys, message.repeat_key, message.silence_ends) == (("9",), "1", True)


def test_unanswered_calls_are_retried_then_reported_no_answer(ward_officer, console, daytime):
    person = make_person()
    campaign = _call_campaign(ward_officer)
    sending.run()

    class NoAnswer:
        async def place_call(self, number, script):
            return CallResult(CallOutcome.NO_ANSWER, datetime.now(UTC), status_code=487)

    now = timezone.now()
    for attempt in range(3):
        dial_due(factory_of(NoAnswer()), now + timedelta(hours=attempt))
    plan = CallPlan.objects.get(person=person)
    assert plan.attempts == 3 and plan.state == PlanState.UNREACHABLE
    assert _status(person) == RecipientStatus.NO_ANSWER
    assert not FollowUp.objects.exists()
    assert plan not in queue_for(ward_officer)["unreachable"]  # not on the operator's manual list
    assert results(campaign)["no_answer"] == 1


def test_a_number_that_opted_out_by_sms_gets_no_campaign_call(
    client, ward_officer, console, daytime
):
    from tests.campaigns.test_inbound import _reply

    refused, other = make_person(), make_person()
    assert _reply(client, refused.phone, "TC").status_code == 200  # the keyword, via /sms/mo
    campaign = _call_campaign(ward_officer)
    sending.run()
    assert _status(refused) == RecipientStatus.OPTED_OUT
    assert not CallPlan.objects.filter(person=refused).exists()
    assert CallPlan.objects.filter(person=other).exists()
    assert results(campaign)["opted_out"] == 1


def test_an_opt_out_after_queueing_cancels_the_campaign_call(ward_officer, console, daytime):
    person = make_person()
    _call_campaign(ward_officer)
    sending.run()
    sms.do_opt_out(person.phone, source="staff")  # an officer entered it for the person
    phones = Routed({person.phone: ConsoleAdapter({"message": [None]})})
    report = dial_due(factory_of(phones), timezone.now())
    assert report.placed == 0 and not phones.scripts
    assert CallPlan.objects.get(person=person).state == PlanState.CANCELLED
    assert _status(person) == RecipientStatus.OPTED_OUT


def test_duty_calls_still_reach_a_number_that_opted_out(ward_officer, console, daytime):
    """Opt-out stops information campaigns, not an individual public-health duty call."""
    person = make_person()
    sms.do_opt_out(person.phone)
    plan, _ = do_plan_call(person, "care_check", Reason.REPORT_MISSED, "care:1:1")
    phones = Routed({person.phone: ConsoleAdapter({"symptoms": ["2"]})})
    later = timezone.now() + timedelta(minutes=10)  # after the announcing SMS's lead
    dial_due(factory_of(phones), timezone.now())
    dial_due(factory_of(phones), later)
    plan.refresh_from_db()
    assert person.phone in phones.scripts
    assert plan.state == PlanState.DONE
    assert CallAttempt.objects.get(plan=plan).answers == {"symptoms": "2"}


def test_cancelling_a_call_campaign_withdraws_the_calls_not_yet_placed(
    ward_officer, console, daytime
):
    people = [make_person() for _ in range(2)]
    campaign = _call_campaign(ward_officer)
    sending.run()
    actions.do_cancel_campaign(ward_officer, campaign)
    assert set(CallPlan.objects.values_list("state", flat=True)) == {PlanState.CANCELLED}
    assert {_status(p) for p in people} == {RecipientStatus.CANCELLED}
    assert dial_due(factory_of(Routed({})), timezone.now()).placed == 0
    assert results(campaign)["cancelled"] == 2


def test_no_phone_number_in_the_plans_the_export_or_the_events(
    client, ward_officer, console, daytime
):
    from phongdich.core.models import OutboxEvent

    person = make_person()
    campaign = _call_campaign(ward_officer)
    sending.run()
    dial_due(factory_of(Routed({person.phone: ConsoleAdapter({"message": [None]})})))
    digits = person.phone.removeprefix("+84")
    plan = CallPlan.objects.get(person=person)
    assert digits not in plan.source_key
    client.force_login(ward_officer)
    export = client.get(reverse("campaigns:export", args=[campaign.pk]))
    assert export.status_code == 200 and digits not in export.content.decode()
    assert str(RecipientStatus.LISTENED.label) in export.content.decode()
    for payload in OutboxEvent.objects.values_list("payload", flat=True):
        assert digits not in str(payload)
