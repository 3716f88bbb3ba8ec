"""Robot calls: a call plan (who, which script, why), its attempts, and the follow-ups the
answers put on officers' lists.

A plan names a person (and the tracing contact when there is one); it never copies the phone
number. Facts and sources: docs/reference/outreach.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Reason(models.TextChoices):
    CONTACT_FOUND = "contact_found", _("New contact found by tracing")
    RESULT_RELEASED = "result_released", _("Test result ready")
    REPORT_MISSED = "report_missed", _("Home-care report missed")
    OFFICER = "officer", _("Officer's list")
    # A recorded message of an information campaign (the campaigns app's call channel): the only
    # kind the opt-out list stops; the others are individual public-health duty calls.
    CAMPAIGN = "campaign", _("Information campaign")


class PlanState(models.TextChoices):
    PENDING = "pending", _("Waiting for its call")
    CALLING = "calling", _("Calling now")
    DONE = "done", _("Answered")
    UNREACHABLE = "unreachable", _("Not reached: manual call")
    CANCELLED = "cancelled", _("Cancelled")


class Outcome(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    HUNG_UP = "hung_up", _("Hung up")
    BUSY = "busy", _("Busy")
    NO_ANSWER = "no_answer", _("No answer")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")


class SpokenMessage(models.Model):
    """The text of a recorded call message (a campaign's own text), once per text: its prompt is
    rendered once by espeak-ng and cached, whoever it is played to."""

    text = models.TextField(_("message"))
    digest = models.CharField(max_length=64, unique=True)  # sha256 of the text
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"spoken message #{self.pk}"


class CallPlan(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey(
        "tracing.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ward = models.ForeignKey("places.Ward", on_delete=models.PROTECT, related_name="+")
    script = models.CharField(_("script"), max_length=32)
    # The message a "campaign_message" plan speaks (None for the scripts of scripts.json).
    message = models.ForeignKey(
        SpokenMessage, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    # What made the plan (an event, a case and script): the same trigger twice plans once.
    source_key = models.CharField(max_length=80, unique=True)
    state = models.CharField(
        _("state"), max_length=12, choices=PlanState.choices, default=PlanState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    announced_at = models.DateTimeField(null=True, blank=True)  # the announcing SMS
    locked_until = models.DateTimeField(null=True, blank=True)  # a dialler holds it
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("call plan")
        verbose_name_plural = _("call plans")
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["ward", "state"]),
        ]

    def __str__(self) -> str:
        return f"call plan #{self.pk} ({self.script})"


class CallAttempt(models.Model):
    plan = models.ForeignKey(CallPlan, on_delete=models.CASCADE, related_name="attempt_rows")
    number_key = models.CharField(max_length=64, db_index=True)  # keyed hash, for the daily cap
    started_at = models.DateTimeField(_("when"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    sip_status = models.PositiveSmallIntegerField(null=True, blank=True)
    detail = models.CharField(max_length=40, blank=True)  # script status or failure reason
    # Each question: the keys pressed at each attempt (None = silence) and the accepted answer.
    keys = models.JSONField(default=dict)
    answers = models.JSONField(default=dict)
    duration_seconds = models.FloatField(_("duration (s)"), default=0)
    operator = models.ForeignKey(  # a manual call by a call operator
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("call attempt")
        verbose_name_plural = _("call attempts")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.outcome} {self.started_at:%Y-%m-%d %H:%M}"


class FollowUpKind(models.TextChoices):
    SYMPTOMS = "symptoms", _("Reported symptoms: call back today")
    WRONG_PERSON = "wrong_person", _("Wrong person")
    CALL_BACK = "call_back", _("Asked to be called back")
    UNREACHABLE = "unreachable", _("Not reached: call by hand")


class FollowUp(models.Model):
    """A person an officer must act on because of a call; open until the officer marks it done."""

    plan = models.ForeignKey(CallPlan, on_delete=models.CASCADE, related_name="follow_ups")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey(
        "tracing.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ward = models.ForeignKey("places.Ward", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=14, choices=FollowUpKind.choices)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            # A re-delivered answer or a repeated manual entry never lists the person twice.
            models.UniqueConstraint(fields=["plan", "kind"], name="followup_once_per_plan"),
        ]
        indexes = [models.Index(fields=["ward", "kind", "done_at"])]

    def __str__(self) -> str:
        return f"{self.kind} (call plan #{self.plan_id})"

    @property
    def is_open(self) -> bool:
        return self.done_at is None


OPEN = Q(done_at__isnull=True)
