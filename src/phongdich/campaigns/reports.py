"""Delivery reports of campaign messages, and the result table.

``core.sms_inbound`` verifies each report's signature and hands it here
(``core.sms.on_delivery_report``): one UPDATE by our message id. A final report (delivered,
failed, rejected by the operator) sets the outcome; an intermediate one (the operator's SMSC
took it, buffered) is noted without undoing a final one, whatever order Kannel calls in."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from phongdich.campaigns.models import Campaign, Recipient, RecipientStatus
from phongdich.lib.sms import DeliveryReport, DeliveryStatus

FINAL = [RecipientStatus.DELIVERED, RecipientStatus.FAILED]


def record_report(report: DeliveryReport) -> bool:
    """Apply one verified report; True when it was a campaign message."""
    rows = Recipient.objects.filter(message_id=report.message_id)
    at = report.reported_at or timezone.now()
    if report.status is DeliveryStatus.DELIVERED:
        # Delivered wins over an earlier "failed" (an SMSC may retry and then deliver).
        updated = rows.exclude(status=RecipientStatus.DELIVERED).update(
            status=RecipientStatus.DELIVERED,
            last_report=int(report.status),
            reported_at=at,
            error="",
        )
    elif report.status.is_final:
        code = "smsc_rejected" if report.status is DeliveryStatus.SMSC_REJECT else "not_delivered"
        updated = rows.exclude(status__in=FINAL).update(
            status=RecipientStatus.FAILED,
            last_report=int(report.status),
            reported_at=at,
            error=code,
        )
    else:
        updated = rows.exclude(status__in=FINAL).update(
            last_report=int(report.status), reported_at=at
        )
    return bool(updated) or rows.exists()


# The result table's rows: (key, statuses).
RESULT_ROWS = [
    ("sent", [RecipientStatus.ACCEPTED, RecipientStatus.DELIVERED]),
    ("delivered", [RecipientStatus.DELIVERED]),
    ("failed", [RecipientStatus.FAILED]),
    ("opted_out", [RecipientStatus.OPTED_OUT]),
    ("waiting", [RecipientStatus.PENDING, RecipientStatus.SENDING]),
    ("uncertain", [RecipientStatus.UNCERTAIN]),
    ("cancelled", [RecipientStatus.CANCELLED]),
    # A recorded call (the call channel): "sent" is a call queued and not yet placed.
    ("answered", [RecipientStatus.ANSWERED]),
    ("listened", [RecipientStatus.LISTENED]),
    ("busy", [RecipientStatus.BUSY]),
    ("no_answer", [RecipientStatus.NO_ANSWER]),
]


def results(campaign: Campaign) -> dict[str, int]:
    """Counts only: sent (handed to the operator; for calls: queued), delivered, failed, opted
    out, waiting, outcome unknown, cancelled, the calls' answered, listened to the end, busy and
    no answer, and the total."""
    by_status = dict(
        Recipient.objects.filter(campaign=campaign)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    table = {key: sum(by_status.get(s, 0) for s in statuses) for key, statuses in RESULT_ROWS}
    # A message the operator reported failed was sent too.
    table["sent"] += by_status.get(RecipientStatus.FAILED, 0) - failed_before_sending(campaign)
    table["total"] = sum(by_status.values())
    return table


def failed_before_sending(campaign: Campaign) -> int:
    """Failures the gateway refused at once (never handed to the operator)."""
    return (
        Recipient.objects.filter(campaign=campaign, status=RecipientStatus.FAILED)
        .exclude(error__in=["not_delivered", "smsc_rejected"])
        .count()
    )


def failures_by_code(campaign: Campaign) -> list[tuple[str, int]]:
    return list(
        Recipient.objects.filter(campaign=campaign, status=RecipientStatus.FAILED)
        .values_list("error")
        .annotate(n=Count("pk"))
        .values_list("error", "n")
        .order_by("-n")
    )
