"""Getting a warning to a person who acts on it: the clinician at once, the ward's on-call
officer (the roster, ``care.roster``) when nobody acknowledges, and the patient when a report is
missed (an SMS, and a ``care.report_missed`` event for the outreach app's robot call).

The alert row commits with its report; the ``care.alert_raised`` event reaches ``notify_clinician``
through the worker (every second), so the clinician's SMS leaves within seconds, and the console
shows the alert from the database at once. ``run_alert_jobs`` (every 30 s) escalates, turns an
unconfirmed low SpO2 into an alert when the second reading never comes, and sends reminders.
Every message is keyed (``notify.send``), so a job that runs twice sends nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from phongdich.care import notify, roster, rules, timing
from phongdich.care.models import Alert, AlertStatus, Enrolment, EnrolmentStatus, Report
from phongdich.core import events
from phongdich.core.schedule import periodic


@events.handler("care.alert_raised", name="care.notify_clinician")
def notify_clinician(event: events.Event) -> None:
    alert = (
        Alert.objects.select_related("enrolment__clinician")
        .filter(pk=event.payload["alert_id"])
        .first()
    )
    if alert is None:
        return
    clinician = alert.enrolment.clinician
    if clinician is not None:
        notify.send(
            f"alert-{alert.pk}",
            clinician.phone,
            f"CANH BAO cham soc tai nha: benh nhan so {alert.enrolment_id} co dau hieu canh bao. "
            "Mo bang dieu khien de xem.",
            kind="alert",
            enrolment=alert.enrolment,
            recipient=clinician,
        )
    Alert.objects.filter(pk=alert.pk, notified_at__isnull=True).update(notified_at=timezone.now())


def escalate(now: datetime) -> int:
    """An alert nobody acknowledged within the set time goes by SMS to the ward's on-call
    officers (the roster, ``care.roster``); with nobody on call, to the ward's officers, then
    to the province's. Once per alert: the conditional update claims it."""
    cutoff = now - timedelta(minutes=rules.escalate_after_minutes())
    due = Alert.objects.filter(
        status=AlertStatus.OPEN, escalated_at__isnull=True, raised_at__lte=cutoff
    ).select_related("enrolment")
    count = 0
    for alert in due:
        level, people = roster.escalation_recipients(alert.enrolment.ward_id, now)
        for person in people:
            notify.send(
                f"escalate-{alert.pk}-{person.pk}",
                person.phone,
                f"CHUA XU LY: canh bao cham soc tai nha so {alert.pk} (benh nhan so "
                f"{alert.enrolment_id}) chua duoc bac si xac nhan sau "
                f"{rules.escalate_after_minutes()} phut."
                + (" Ban dang truc." if level == "on_call" else ""),
                kind="escalation",
                enrolment=alert.enrolment,
                recipient=person,
            )
        count += Alert.objects.filter(pk=alert.pk, escalated_at__isnull=True).update(
            escalated_at=now, escalated_to=people[0] if people else None
        )
    return count


def unconfirmed_low_spo2(now: datetime) -> int:
    """A low SpO2 whose second reading never came is treated as confirmed: silence after a
    low reading is not reassurance."""
    from phongdich.care.actions import raise_alert

    cutoff = now - timedelta(minutes=rules.remeasure_timeout_minutes())
    count = 0
    for report in Report.objects.filter(status="remeasure", received_at__lte=cutoff).select_related(
        "enrolment"
    ):
        with transaction.atomic():
            if Report.objects.filter(pk=report.pk, status="remeasure").update(status="alert"):
                raise_alert(report, now)
                count += 1
    return count


def remind_missed(now: datetime) -> int:
    """Once per missed report slot and patient: an SMS reminder with the personal link, and a
    ``care.report_missed`` event (ids only) that the outreach app turns into a robot call.

    The slot is the due time the patient let pass (``next_report_due``), or a later slot when
    they keep missing (``timing.last_due``): one reminder at 10:00 for the morning, another at
    18:00 when the afternoon passes too. ``reminded_for`` records the slot; the conditional
    update claims it, so two runs of the job, or a run after a crash, send and emit once. The
    SMS goes first under its own key: a crash after it leaves the claim to the next run, which
    then emits without texting again."""
    from phongdich.care.actions import self_report_url

    latest = timing.last_due(now)
    due = Enrolment.objects.filter(
        Q(reminded_for__isnull=True) | Q(reminded_for__lt=latest),
        status=EnrolmentStatus.ACTIVE,
        next_report_due__lt=now,
    ).select_related("person")
    count = 0
    for enrolment in due:
        slot = max(enrolment.next_report_due, latest)
        notify.send(
            f"remind-{enrolment.pk}-{int(slot.timestamp())}",
            enrolment.person.phone,
            f"Nhac: ban chua gui phieu tu theo doi suc khoe. Gui tai: {self_report_url(enrolment)}",
            kind="reminder",
            enrolment=enrolment,
        )
        with transaction.atomic():
            claimed = Enrolment.objects.filter(
                Q(reminded_for__isnull=True) | Q(reminded_for__lt=slot),
                pk=enrolment.pk,
                status=EnrolmentStatus.ACTIVE,
                next_report_due=enrolment.next_report_due,
            ).update(reminded_for=slot)
            if claimed:
                events.emit(
                    "care.report_missed",
                    enrolment_id=enrolment.pk,
                    person_id=enrolment.person_id,
                    ward_id=enrolment.ward_id,
                    slot_due=int(slot.timestamp()),
                )
        count += claimed
    return count


@periodic("care.alerts", every_seconds=30)
def run_alert_jobs() -> dict[str, int]:
    now = timezone.now()
    return {
        "remeasure_timeouts": unconfirmed_low_spo2(now),
        "escalated": escalate(now),
        "reminded": remind_missed(now),
    }
