"""The "recorded call" channel: a campaign's message spoken by the robot (outreach).

Each claimed recipient becomes an outreach call plan of kind ``campaign_message`` whose text is
the campaign's own (without the SMS opt-out footer: the call says "press 9" instead). The plan's
key names the campaign and our message id, so a batch sent twice plans each call once.
Outreach places the calls inside its call hours, retries busy and unanswered calls and keeps its
daily cap of calls per number; each outcome comes back through ``outreach.hooks`` and lands on
the recipient (answered, listened to the end, busy, no answer, failed, opted out). Ids only:
no number is copied here or into any event.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phongdich.campaigns.channels import ChannelSpec, Claimed, Outcome, register
from phongdich.campaigns.models import Recipient, RecipientStatus
from phongdich.outreach import hooks
from phongdich.outreach.messages import do_cancel_plans, do_plan_message_call, spoken_message
from phongdich.outreach.models import Reason

PREFIX = "campaign:"

# A call's final outcome → the recipient's status (a call being retried stays "accepted",
# queued); heard or refused is never overwritten (an operator may re-queue a plan).
STATUS_OF = {
    hooks.ANSWERED: RecipientStatus.ANSWERED,
    hooks.LISTENED: RecipientStatus.LISTENED,
    hooks.OPTED_OUT: RecipientStatus.OPTED_OUT,
    "busy": RecipientStatus.BUSY,
    "no_answer": RecipientStatus.NO_ANSWER,
    "failed": RecipientStatus.FAILED,
    hooks.CANCELLED: RecipientStatus.CANCELLED,
}
FINAL = [RecipientStatus.ANSWERED, RecipientStatus.LISTENED, RecipientStatus.OPTED_OUT]


def source_key(campaign_id: int, message_id: str) -> str:
    return f"{PREFIX}{campaign_id}:{message_id}"


def send_batch(text: str, recipients: list[Claimed], threads: int) -> dict[int, Outcome]:
    """Queue one call per recipient (``text`` is the SMS form; the campaign's own is spoken)."""
    rows = Recipient.objects.filter(pk__in=[r.pk for r in recipients]).select_related(
        "campaign", "person"
    )
    outcomes: dict[int, Outcome] = {}
    messages: dict[int, Any] = {}
    for row in rows:
        campaign = row.campaign
        if campaign.pk not in messages:
            messages[campaign.pk] = spoken_message(campaign.text)
        plan, _new = do_plan_message_call(
            row.person,
            messages[campaign.pk],
            source_key(campaign.pk, row.message_id),
            ward_id=row.person.ward_id or campaign.ward_id,
        )
        outcomes[row.pk] = Outcome(True) if plan is not None else Outcome(False, "no_area")
    return outcomes


def record_outcome(plan: Any, outcome: str) -> None:
    """Outreach's outcome of one campaign call, on its recipient (one UPDATE by message id)."""
    if not plan.source_key.startswith(PREFIX):
        return
    message_id = plan.source_key.rsplit(":", 1)[-1]
    status = STATUS_OF.get(outcome, RecipientStatus.FAILED)
    Recipient.objects.filter(message_id=message_id).exclude(status__in=FINAL).update(
        status=status,
        reported_at=timezone.now(),
        error="" if status != RecipientStatus.FAILED else "call_failed",
    )


def cancel(campaign_id: int) -> int:
    """A cancelled campaign: its calls not yet placed are withdrawn and counted cancelled."""
    keys = do_cancel_plans(f"{PREFIX}{campaign_id}:")
    ids = [k.rsplit(":", 1)[-1] for k in keys]
    if not ids:
        return 0
    return (
        Recipient.objects.filter(campaign_id=campaign_id, message_id__in=ids)
        .filter(~Q(status__in=FINAL))
        .update(status=RecipientStatus.CANCELLED)
    )


def register_call_channel() -> None:
    register(
        ChannelSpec(
            "call",
            _("Recorded call"),
            send_batch,
            counts_sms=False,
            cancel=cancel,
            waits_for_outcome=True,
        )
    )
    hooks.on_outcome(Reason.CAMPAIGN)(record_outcome)


__all__ = ["cancel", "record_outcome", "register_call_channel", "send_batch"]
