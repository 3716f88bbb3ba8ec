"""A missed report: one SMS reminder and one ``care.report_missed`` event per patient and missed
slot (ids only: the outreach app places the robot call), never two, however often the job runs."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from phongdich.care import alerts, notify, timing
from phongdich.care.actions import do_submit_report
from phongdich.care.forms import report_values
from phongdich.care.models import Enrolment, Notification
from phongdich.core.models import OutboxEvent
from phongdich.lib.timeutil import VN_TZ, to_local
from tests.care.conftest import outbox, sent
from tests.care.test_concurrency import race

pytestmark = pytest.mark.django_db


def missed_events():
    return list(OutboxEvent.objects.filter(topic="care.report_missed").order_by("pk"))


def local(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=VN_TZ)


def due_this_morning(enrolment) -> datetime:
    """Put the patient's next report at 10:00 (local) of the day after enrolment."""
    day = to_local(enrolment.created_at).date() + timedelta(days=1)
    due = local(day, 10)
    Enrolment.objects.filter(pk=enrolment.pk).update(next_report_due=due, reminded_for=None)
    enrolment.refresh_from_db()
    return due


def test_a_missed_slot_emits_one_event_with_ids_only(enrolment):
    due = due_this_morning(enrolment)
    outbox().clear()
    assert alerts.remind_missed(due - timedelta(minutes=1)) == 0
    assert missed_events() == []
    assert alerts.remind_missed(due + timedelta(minutes=1)) == 1
    assert alerts.remind_missed(due + timedelta(minutes=2)) == 0
    assert alerts.remind_missed(due + timedelta(hours=3)) == 0
    [event] = missed_events()
    assert event.payload == {
        "enrolment_id": enrolment.pk,
        "person_id": enrolment.person_id,
        "ward_id": enrolment.ward_id,
        "slot_due": int(due.timestamp()),
    }
    text = str(event.payload)
    assert enrolment.person.phone not in text and enrolment.token not in text
    assert [to for to, _ in sent()] == [enrolment.person.phone]


def test_the_afternoon_missed_too_is_a_second_slot(enrolment):
    due = due_this_morning(enrolment)
    afternoon = local(due.date(), 18)
    assert alerts.remind_missed(due + timedelta(minutes=1)) == 1
    assert alerts.remind_missed(afternoon - timedelta(minutes=1)) == 0
    assert alerts.remind_missed(afternoon + timedelta(minutes=1)) == 1
    assert alerts.remind_missed(afternoon + timedelta(minutes=30)) == 0
    # Overnight: the next slot ends at 10:00 the next morning, not at midnight.
    assert alerts.remind_missed(local(due.date() + timedelta(days=1), 9, 59)) == 0
    assert [e.payload["slot_due"] for e in missed_events()] == [
        int(due.timestamp()),
        int(afternoon.timestamp()),
    ]
    assert Notification.objects.filter(kind="reminder").count() == 2


def test_a_report_that_came_before_the_job_ran_emits_nothing(enrolment):
    due = timing.last_due(timezone.now())
    Enrolment.objects.filter(pk=enrolment.pk).update(next_report_due=due)
    do_submit_report(
        enrolment, report_values({"spo2": "98", "pulse": "80"}), source="self", client_id="late"
    )
    enrolment.refresh_from_db()
    assert enrolment.next_report_due > timezone.now()
    assert alerts.remind_missed(timezone.now()) == 0
    assert missed_events() == []


def test_an_ended_enrolment_is_not_reminded(enrolment):
    due = due_this_morning(enrolment)
    Enrolment.objects.filter(pk=enrolment.pk).update(status="discharged")
    assert alerts.remind_missed(due + timedelta(minutes=5)) == 0
    assert missed_events() == []


def test_a_run_that_died_after_the_sms_emits_without_texting_again(enrolment):
    """The SMS went out but the claim never committed: the next run emits the event once and
    sends no second SMS."""
    due = due_this_morning(enrolment)
    notify.send(
        f"remind-{enrolment.pk}-{int(due.timestamp())}",
        enrolment.person.phone,
        "earlier run",
        kind="reminder",
        enrolment=enrolment,
    )
    outbox().clear()
    assert alerts.remind_missed(due + timedelta(minutes=1)) == 1
    assert len(missed_events()) == 1
    assert sent() == []


def test_last_due_is_the_slot_that_ended_last():
    day = date(2026, 3, 2)
    assert timing.last_due(local(day, 10)) == local(day, 10)
    assert timing.last_due(local(day, 17, 59)) == local(day, 10)
    assert timing.last_due(local(day, 18, 1)) == local(day, 18)
    assert timing.last_due(local(day, 9)) == local(day - timedelta(days=1), 18)


@pytest.mark.django_db(transaction=True)
def test_four_jobs_at_once_emit_one_event(ward_officer, clinician):
    from tests.care.conftest import enrol, make_case

    enrolment = enrol(make_case(ward_officer), clinician, ward_officer)
    due = due_this_morning(enrolment)
    results = race(lambda: alerts.remind_missed(due + timedelta(minutes=1)))
    assert sum(r for r in results if isinstance(r, int)) == 1, results
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(missed_events()) == 1
    assert Notification.objects.filter(kind="reminder").count() == 1
