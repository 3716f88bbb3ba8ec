from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Rule(models.Model):
    """A domain rule an administrator may change without a deploy (docs/reference: values that
    could not be confirmed are settings with defaults). Defaults live in code (``core.rules``)."""

    key = models.CharField(_("rule"), max_length=80, unique=True)
    value = models.JSONField(_("value"))
    note = models.CharField(_("reason for the change"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")

    def __str__(self) -> str:
        return self.key


class OutboxEvent(models.Model):
    """A domain event, written in the same transaction as the change it reports (the
    transactional outbox), then delivered at least once by the worker to the handlers apps
    register (``core.events``). Carries ids, never personal data."""

    topic = models.CharField(_("topic"), max_length=60, db_index=True)
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    available_at = models.DateTimeField(_("next attempt"), db_index=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    dead = models.BooleanField(_("dead letter"), default=False)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("domain event")
        verbose_name_plural = _("domain events")
        indexes = [
            models.Index(
                fields=["available_at", "id"],
                name="outbox_pending",
                condition=models.Q(delivered_at__isnull=True, dead=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk}"


class OutboxDelivery(models.Model):
    """One handler's acknowledgement of one event, written in the handler's own transaction: a
    handler whose work committed is never run again for that event, even if the worker died
    before it marked the event delivered."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    handler = models.CharField(max_length=120)
    delivered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "handler"], name="outbox_delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.handler} ← {self.event_id}"


class SmsDailyCount(models.Model):
    """Messages sent to one number on one Vietnamese calendar day, for the daily cap. The
    number is kept as a keyed hash (core.sms.number_key), never in clear."""

    number = models.CharField(max_length=64)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["number", "day"], name="sms_count_once")]

    def __str__(self) -> str:
        return f"{self.day}: {self.count}"


class SmsOptOut(models.Model):
    """A number that asked for no information campaigns (replied "TC" or "STOP", pressed 9 in a
    campaign's call, or entered by an officer): no campaign SMS or campaign call goes to it until
    it opts back in. Individual duty calls (F1 notice, result ready, home-care check) still do
    (docs/reference/outreach.md, "Opt-out"). Kept as a keyed hash (core.sms.number_key), never
    in clear."""

    number = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    # How it came: "sms" (a reply through the gateway), "call" (9 pressed in a campaign's call)
    # or "staff" (entered for the person).
    source = models.CharField(max_length=10, default="sms")

    def __str__(self) -> str:
        return f"opt-out {self.created_at:%Y-%m-%d}"


class RateCount(models.Model):
    """Hits in one rate-limit window (core.ratelimit), shared by every server process when no
    Redis is configured. ``key`` names the scope, the client and the window; rows of past
    windows are deleted as new ones come."""

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
