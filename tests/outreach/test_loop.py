"""The closed loop with the console adapter: events plan calls, the announcing SMS goes first,
the calls run concurrently, answers are written back to the right person at once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from phongdich.lib.telephony import ConsoleAdapter
from phongdich.outreach.actions import claim_due
from phongdich.outreach.dialer import dial_due
from phongdich.outreach.models import CallAttempt, CallPlan, FollowUp, PlanState
from phongdich.tracing.models import Contact, ContactStatus
from phongdich.tracing.queries import work_querysets

from .conftest import MORNING, adapter_of


def _factory(adapter):
    return lambda: adapter_of(adapter)


def test_a_new_f1_gets_a_plan_once_even_if_the_event_comes_twice(loop):
    loop.deliver()
    plans = CallPlan.objects.filter(reason="contact_found")
    assert plans.count() == 3
    assert set(plans.values_list("script", flat=True)) == {"f1_notice"}
    from phongdich.core.models import OutboxDelivery, OutboxEvent

    OutboxDelivery.objects.all().delete()
    OutboxEvent.objects.update(delivered_at=None)
    loop.deliver()
    assert CallPlan.objects.count() == 3


def test_the_sms_announces_the_call_and_names_the_ward_and_hotline(loop, rules, sms_outbox):
    rules(announce_minutes=5)
    loop.deliver()
    assert claim_due(MORNING) == []  # SMS first, the call five minutes later
    assert len(sms_outbox) == 3
    assert "Hạc Thành" in sms_outbox[0].text and "1900 9095" in sms_outbox[0].text
    assert len(claim_due(MORNING + timedelta(minutes=6))) == 3
    assert len(sms_outbox) == 3  # announced once


def test_no_call_outside_the_hours_and_plans_move_to_the_next_opening(loop):
    loop.deliver()
    evening = MORNING.replace(hour=20)
    assert claim_due(evening) == []
    plan = CallPlan.objects.first()
    assert plan.next_attempt_at == (MORNING + timedelta(days=1)).replace(hour=8)


def test_symptoms_flag_the_contact_for_a_test_and_a_call_back(loop):
    loop.deliver()
    report = dial_due(_factory(ConsoleAdapter({"identity": ["1"], "symptoms": ["1"]})), MORNING)
    assert report.recorded == 3 and report.outcomes == {"answered": 3}
    one = loop.contacts["Lê Thị Một"]
    flags = FollowUp.objects.filter(contact=one)
    assert list(flags.values_list("kind", flat=True)) == ["symptoms"]
    one.refresh_from_db()
    assert one.status == ContactStatus.NOTIFIED  # heard the notice
    due_test = work_querysets(loop.officer, MORNING.date())["test"]
    assert one in due_test
    attempt = CallAttempt.objects.get(plan__contact=one)
    assert attempt.answers == {"identity": "1", "symptoms": "1"}
    assert CallPlan.objects.get(contact=one).state == PlanState.DONE


def test_wrong_person_is_marked_and_not_notified(loop):
    loop.deliver()
    dial_due(_factory(ConsoleAdapter({"identity": ["2"], "symptoms": ["2"]})), MORNING)
    one = Contact.objects.get(pk=loop.contacts["Lê Thị Một"].pk)
    assert one.status == ContactStatus.IDENTIFIED
    assert FollowUp.objects.filter(contact=one, kind="wrong_person").exists()
    assert not FollowUp.objects.filter(kind="symptoms").exists()


def test_silence_three_times_routes_to_a_call_back(loop):
    loop.deliver()
    dial_due(_factory(ConsoleAdapter({"identity": [None, "7", None]})), MORNING)
    attempt = CallAttempt.objects.first()
    assert attempt.keys["identity"] == [None, "7", None]
    assert attempt.detail == "fallback"
    assert FollowUp.objects.filter(kind="call_back").count() == 3


class Busy:
    """A far end that is always busy (the SIP tests use sipp for the real thing)."""

    def __init__(self, at=MORNING):
        self.calls = 0
        self.at = at  # when its calls start (the tests' clock)

    async def place_call(self, number, script):
        from phongdich.lib.telephony import CallOutcome, CallResult

        self.calls += 1
        return CallResult(CallOutcome.BUSY, self.at, status_code=486)


def test_retries_with_spacing_then_the_manual_list(loop, rules):
    rules(max_attempts=2, retry_minutes=30)
    loop.deliver()
    busy = Busy()
    dial_due(_factory(busy), MORNING)
    assert busy.calls == 3
    assert dial_due(_factory(busy), MORNING + timedelta(minutes=10)).placed == 0  # spacing
    dial_due(_factory(busy), MORNING + timedelta(minutes=31))
    assert busy.calls == 6
    assert set(CallPlan.objects.values_list("state", flat=True)) == {PlanState.UNREACHABLE}
    assert FollowUp.objects.filter(kind="unreachable").count() == 3
    assert dial_due(_factory(busy), MORNING + timedelta(hours=2)).placed == 0


def test_the_daily_cap_moves_the_next_call_to_tomorrow(loop, rules):
    rules(daily_cap=1, retry_minutes=1)
    loop.deliver()
    busy = Busy()
    dial_due(_factory(busy), MORNING)
    busy.at = MORNING + timedelta(minutes=2)
    assert dial_due(_factory(busy), busy.at).placed == 0
    plan = CallPlan.objects.first()
    assert plan.next_attempt_at == (MORNING + timedelta(days=1)).replace(hour=8)


def test_a_contact_who_became_a_case_is_not_called(loop):
    from phongdich.tracing.actions import do_update_contact

    loop.deliver()
    two = loop.contacts["Phạm Văn Hai"]
    do_update_contact(two, "became_case", actor=loop.officer)
    loop.deliver()
    report = dial_due(_factory(ConsoleAdapter()), MORNING)
    assert report.placed == 2
    assert CallPlan.objects.get(contact=two).state == PlanState.CANCELLED
    assert not CallAttempt.objects.filter(plan__contact=two).exists()


@pytest.mark.django_db
def test_a_missed_home_care_report_plans_a_check_call(loop):
    from django.db import transaction

    from phongdich.core.events import emit

    person = loop.contacts["Lê Thị Một"].person
    with transaction.atomic():
        emit("care.report_missed", enrolment_id=7, person_id=person.pk, ward_id=person.ward_id)
    loop.deliver()
    plan = CallPlan.objects.get(reason="report_missed")
    assert plan.script == "care_check" and plan.person == person


def test_the_demo_loader_plays_the_loop_with_the_console(loop):
    from django.utils import timezone

    from phongdich.portal.demo.outreach import load_outreach_demo

    summary = load_outreach_demo(38, timezone.now())
    assert summary.planned == 3
    attempts = CallAttempt.objects.count()
    waiting = CallPlan.objects.filter(state=PlanState.PENDING).count()
    assert summary.waiting >= 1 and waiting >= summary.waiting
    assert attempts == 3 - summary.waiting
    assert sum(summary.outcomes.values()) == attempts
    first = CallPlan.objects.order_by("pk").first()
    assert Contact.objects.filter(status="identified").exists()
    assert first.state == PlanState.PENDING  # the first F1 still waits: the work list has someone


def test_without_a_phone_the_person_goes_to_the_manual_list(loop):
    from phongdich.people.models import Person

    loop.deliver()
    one = loop.contacts["Lê Thị Một"]
    Person.objects.filter(pk=one.person_id).update(phone="")  # removed after the plan was made
    report = dial_due(_factory(ConsoleAdapter()), MORNING)
    assert report.placed == 2
    plan = CallPlan.objects.get(contact=one)
    assert plan.state == PlanState.UNREACHABLE
    assert FollowUp.objects.filter(plan=plan, kind="unreachable").exists()
    assert not CallAttempt.objects.filter(plan=plan).exists()


@pytest.mark.django_db
def test_each_missed_slot_gets_one_call_however_often_it_is_told(loop):
    """Care names the missed slot (``slot_due``): the same slot told twice is one call, the next
    slot another."""
    from django.db import transaction

    from phongdich.core.events import emit

    person = loop.contacts["Lê Thị Một"].person
    ids = {"enrolment_id": 7, "person_id": person.pk, "ward_id": person.ward_id}
    with transaction.atomic():
        emit("care.report_missed", **ids, slot_due=1_764_900_000)
        emit("care.report_missed", **ids, slot_due=1_764_900_000)
        emit("care.report_missed", **ids, slot_due=1_764_928_800)
    loop.deliver()
    keys = sorted(
        CallPlan.objects.filter(reason="report_missed").values_list("source_key", flat=True)
    )
    assert keys == ["care:7:1764900000", "care:7:1764928800"]
