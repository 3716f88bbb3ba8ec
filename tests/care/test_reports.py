"""Self-monitoring reports through the action: warnings evaluated at once, the re-measure step,
alerts that reach the clinician through the outbox, escalation and missed-report reminders."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from phongdich.care import alerts
from phongdich.care.actions import do_submit_report
from phongdich.care.followup import do_acknowledge_alert
from phongdich.care.forms import report_values
from phongdich.care.models import Alert, Enrolment, Notification, Report
from phongdich.core.events import deliver_pending
from phongdich.core.models import OutboxEvent
from phongdich.lib.errors import DomainError, InputErrors
from tests.care.conftest import enrol, make_case, outbox, sent

pytestmark = pytest.mark.django_db

NORMAL = {"respiratory_rate": "16", "pulse": "80", "temperature_c": "37", "spo2": "98"}


def submit(enrolment, client_id="c1", repeat_of=None, **fields):
    values = report_values({**NORMAL, **fields})
    return do_submit_report(
        enrolment, values, source="self", client_id=client_id, repeat_of=repeat_of
    )


def test_a_normal_report_is_ok_and_moves_the_due_time(enrolment):
    before = enrolment.next_report_due
    report, evaluation = submit(enrolment)
    assert evaluation.status == report.status == "ok"
    assert report.form_version == "604/QĐ-BYT/PL2/adult"
    enrolment.refresh_from_db()
    assert enrolment.next_report_due > timezone.now()
    assert enrolment.next_report_due != before or before > timezone.now()
    assert not Alert.objects.exists()


def test_spo2_94_alone_asks_for_a_second_reading_before_alerting(enrolment):
    first, evaluation = submit(enrolment, spo2="94")
    assert evaluation.status == "remeasure"
    assert evaluation.remeasure_after_seconds == (30, 60)
    assert not Alert.objects.exists()

    second, evaluation = submit(enrolment, client_id="c2", repeat_of=first.pk, spo2_repeat="95")
    assert second.pk == first.pk and second.spo2 == 94 and second.spo2_repeat == 95
    assert evaluation.status == "alert"
    alert = Alert.objects.get()
    assert alert.report_id == first.pk
    assert OutboxEvent.objects.filter(topic="care.alert_raised").count() == 1
    assert Report.objects.count() == 1


def test_a_normal_second_reading_clears_the_first(enrolment):
    first, _ = submit(enrolment, spo2="94")
    _, evaluation = submit(enrolment, client_id="c2", repeat_of=first.pk, spo2_repeat="97")
    assert evaluation.status == "ok"
    assert not Alert.objects.exists()


def test_low_spo2_with_another_sign_alerts_at_once(enrolment):
    _, evaluation = submit(enrolment, spo2="94", respiratory_rate="22")
    assert evaluation.status == "alert"
    assert set(evaluation.codes) == {"spo2_low", "respiratory_rate_high"}
    assert Alert.objects.count() == 1


@pytest.mark.parametrize(
    ("birth", "rate", "status"),
    [
        (date(2023, 1, 1), "40", "alert"),  # 1 to < 5 years: >= 40
        (date(2023, 1, 1), "39", "ok"),
        (date(2018, 1, 1), "30", "alert"),  # 5 to < 12 years: >= 30
        (date(2018, 1, 1), "29", "ok"),
    ],
)
def test_children_are_judged_by_their_age_band(ward_officer, clinician, birth, rate, status):
    case = make_case(ward_officer, name="Bé Na", birth_year=birth.year)
    enrolment = enrol(case, clinician, ward_officer, birth_date=birth.isoformat())
    report, evaluation = submit(enrolment, respiratory_rate=rate)
    assert evaluation.status == status
    assert report.form_version.split("/")[-1].startswith("child_")


def test_a_repeated_submission_is_stored_once(enrolment):
    first, _ = submit(enrolment, client_id="same", pulse="130")
    again, evaluation = submit(enrolment, client_id="same", pulse="130")
    assert again.pk == first.pk and evaluation.status == "alert"
    assert Report.objects.count() == 1 and Alert.objects.count() == 1


def test_implausible_values_are_refused_naming_the_field(enrolment):
    with pytest.raises(InputErrors) as caught:
        submit(enrolment, spo2="140")
    assert caught.value.errors[0].field == "spo2"
    with pytest.raises(InputErrors) as caught:
        report_values({"pulse": "fast", "symptoms": ["nonsense"]})
    assert {e.field for e in caught.value.errors} == {"pulse", "symptoms"}
    assert not Report.objects.exists()


def test_an_empty_report_is_refused(enrolment):
    with pytest.raises(InputErrors):
        do_submit_report(enrolment, report_values({}), source="self", client_id="x")


def test_a_discharged_patient_cannot_report(enrolment):
    Enrolment.objects.filter(pk=enrolment.pk).update(status="discharged")
    enrolment.refresh_from_db()
    with pytest.raises(DomainError):
        submit(enrolment)


def test_the_alert_reaches_the_clinician_once(enrolment, clinician):
    outbox().clear()
    submit(enrolment, spo2="93", symptoms=["breathlessness"])
    assert deliver_pending() >= 1
    alert = Alert.objects.get()
    assert alert.notified_at is not None
    assert [to for to, _ in sent()] == [clinician.phone]
    assert enrolment.person.full_name not in sent()[0][1]
    alerts.notify_clinician(
        type("E", (), {"payload": {"alert_id": alert.pk}})()
    )  # redelivered: no second SMS
    assert len(sent()) == 1


def test_an_unacknowledged_alert_escalates_to_the_ward_officer_once(
    enrolment, ward_officer, clinician
):
    from phongdich.accounts.models import User

    User.objects.filter(pk=ward_officer.pk).update(phone="+84912000777")
    submit(enrolment, pulse="130")
    alert = Alert.objects.get()
    outbox().clear()
    assert alerts.escalate(alert.raised_at + timedelta(minutes=10)) == 0
    assert alerts.escalate(alert.raised_at + timedelta(minutes=16)) == 1
    assert [to for to, _ in sent()] == ["+84912000777"]
    assert alerts.escalate(alert.raised_at + timedelta(minutes=30)) == 0
    alert.refresh_from_db()
    assert alert.escalated_to == ward_officer


def test_an_acknowledged_alert_does_not_escalate(enrolment, clinician):
    submit(enrolment, pulse="130")
    alert = Alert.objects.get()
    do_acknowledge_alert(alert, actor=clinician)
    assert alert.status == "acknowledged" and alert.acknowledged_by == clinician
    assert alerts.escalate(alert.raised_at + timedelta(hours=1)) == 0


def test_a_low_spo2_without_second_reading_becomes_an_alert(enrolment):
    first, _ = submit(enrolment, spo2="94")
    assert alerts.unconfirmed_low_spo2(first.received_at + timedelta(minutes=2)) == 0
    assert alerts.unconfirmed_low_spo2(first.received_at + timedelta(minutes=6)) == 1
    first.refresh_from_db()
    assert first.status == "alert" and Alert.objects.filter(report=first).exists()


def test_a_missed_report_sends_one_reminder(enrolment):
    outbox().clear()
    due = enrolment.next_report_due
    assert alerts.remind_missed(due - timedelta(minutes=1)) == 0
    assert alerts.remind_missed(due + timedelta(minutes=1)) == 1
    assert alerts.remind_missed(due + timedelta(minutes=5)) == 0
    [(to, text)] = sent()
    assert to == enrolment.person.phone and enrolment.token in text
    assert Notification.objects.filter(kind="reminder").count() == 1


def test_staff_alerts_are_not_held_back_by_the_daily_cap_for_citizens(
    enrolment, clinician, settings
):
    settings.SMS_DAILY_CAP = 1
    outbox().clear()
    submit(enrolment, client_id="a", pulse="130")
    submit(enrolment, client_id="b", pulse="135")
    deliver_pending()
    assert [to for to, _ in sent()] == [clinician.phone, clinician.phone]
