"""Information campaigns: one message to a segment of people, scheduled, approved where the
audience is large, sent by the worker in batches, with delivery reports (docs/reference/sms.md).

A campaign's recipients become ``Recipient`` rows when it starts (one per phone number: two
records sharing a number get one message). Those rows are the outbox: the worker claims them,
sends, and records the outcome; each has our own message id, which the delivery report's signed
URL carries back. No phone number is stored here: the person's record holds it, and the number
key (a keyed hash, ``core.sms.number_key``) serves the daily cap and the opt-out list."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    # A recorded message spoken by the robot (campaigns.call_channel, through outreach).
    CALL = "call", _("Recorded call")


class Status(models.TextChoices):
    # Saved, not yet submitted (the API's drafts): nothing is counted as due or sent.
    DRAFT = "draft", _("Draft")
    AWAITING_APPROVAL = "awaiting", _("Awaiting approval")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class Campaign(models.Model):
    title = models.CharField(_("title"), max_length=120)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    text = models.TextField(_("message"))
    ascii_only = models.BooleanField(_("without diacritics"), default=False)
    # The segment (campaigns.segments.Segment as a dict): area, age band, not vaccinated,
    # F1 in quarantine, visitors of a venue in a time window.
    segment = models.JSONField(default=dict)
    # The area the campaign belongs to (the officer's jurisdiction checks use it).
    province = models.ForeignKey(
        "places.Province", on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    ward = models.ForeignKey(
        "places.Ward",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("ward"),
    )
    scheduled_at = models.DateTimeField(_("send at"))
    status = models.CharField(max_length=10, choices=Status.choices, db_index=True)
    estimated = models.PositiveIntegerField(default=0)  # the preview count when it was saved
    source = models.CharField(max_length=40, blank=True)  # e.g. "portal:123" (an article)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    listed_at = models.DateTimeField(null=True, blank=True)  # recipients all written
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "scheduled_at"])]

    def __str__(self) -> str:
        return self.title


class RecipientStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Being sent")
    ACCEPTED = "accepted", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    OPTED_OUT = "opted_out", _("Opted out")
    # Taken by a worker that stopped before it recorded the gateway's answer: not sent again
    # (it may have gone out), counted apart; a delivery report still turns it into delivered.
    UNCERTAIN = "uncertain", _("Outcome unknown")
    CANCELLED = "cancelled", _("Cancelled")
    # A recorded call's outcome (the call channel; "accepted" is a call queued, "failed" and
    # "opted out" are shared, 9 pressed in the call is an opt-out).
    ANSWERED = "answered", _("Answered, hung up before the end")
    LISTENED = "listened", _("Listened to the end")
    BUSY = "busy", _("Busy")
    NO_ANSWER = "no_answer", _("No answer")


class Recipient(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    number_key = models.CharField(max_length=64)
    message_id = models.CharField(max_length=32, unique=True)
    status = models.CharField(
        max_length=10, choices=RecipientStatus.choices, default=RecipientStatus.PENDING
    )
    not_before = models.DateTimeField(null=True, blank=True)  # deferred by the daily cap
    claim = models.CharField(max_length=32, blank=True)  # the batch that took it
    claimed_until = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    last_report = models.PositiveSmallIntegerField(null=True, blank=True)  # Kannel's %d
    error = models.CharField(max_length=40, blank=True)  # a stable code, never a number

    class Meta:
        constraints = [
            # Materialising twice (a restart, two workers) adds nobody twice, and two records
            # sharing one phone number get one message.
            models.UniqueConstraint(fields=["campaign", "number_key"], name="recipient_once"),
        ]
        indexes = [
            models.Index(
                fields=["campaign", "status"],
                name="recipient_pending",
                condition=Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.pk} {self.status}"
