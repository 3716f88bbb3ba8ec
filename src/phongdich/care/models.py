"""Home care of an F0: the enrolment (one episode of one case), self-monitoring reports, the
alerts they raise, clinician notes, notifications sent and teleconsultation signalling.

Facts and sources: docs/reference/care.md. Days count from ``isolation_start``, not from the
enrolment. A re-infection is a new case, hence a new enrolment (``episode`` counts them).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("Cared for at home")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible, referred")
    REFERRED = "referred", _("Referred to hospital")
    DISCHARGED = "discharged", _("Discharged")


class MedicinePack(models.TextChoices):
    NONE = "", _("None")
    A = "A", _("Pack A")
    B = "B", _("Pack B")
    C = "C", _("Pack C")


class Enrolment(models.Model):
    case = models.OneToOneField("tracing.Case", on_delete=models.PROTECT, related_name="home_care")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    ward = models.ForeignKey("places.Ward", on_delete=models.PROTECT, related_name="+")
    episode = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=16, choices=EnrolmentStatus.choices, db_index=True)
    birth_date = models.DateField(_("date of birth"))
    isolation_start = models.DateField(_("isolation start"))
    rule_set_id = models.CharField(max_length=60)
    jurisdiction = models.CharField(max_length=8, default="VN")
    assessment = models.JSONField(default=dict)  # the inputs and the decision, reasons included
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("clinician"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="home_care_patients",
    )
    # Opaque: the self-report link and its QR carry only this.
    token = models.CharField(max_length=43, unique=True)
    medicine_pack = models.CharField(
        _("medicine pack"), max_length=1, choices=MedicinePack.choices, blank=True
    )
    referral_facility = models.CharField(_("facility"), max_length=200, blank=True)
    referral_reason = models.TextField(_("reason"), blank=True)
    referred_at = models.DateTimeField(null=True, blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    discharge = models.JSONField(default=dict, blank=True)
    last_report_at = models.DateTimeField(null=True, blank=True)
    # When the next twice-daily report is due; a reminder goes out once it has passed.
    next_report_due = models.DateTimeField(null=True, blank=True, db_index=True)
    reminded_for = models.DateTimeField(null=True, blank=True)
    # The patient may be called by video; set by the clinician.
    call_ready = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("home-care enrolment")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="active"), name="care_one_active_per_person"
            ),
        ]
        # The needs-action list: one clinician's active patients by due time and by isolation
        # start; without them SQLite walks the whole ward. The id ends each so a page (ordered
        # by due time, then id) is read in index order: PostgreSQL otherwise joined every
        # overdue patient to people and sorted them for each page.
        indexes = [
            models.Index(
                fields=["clinician", "status", "next_report_due", "id"], name="care_due_id"
            ),
            models.Index(
                fields=["clinician", "status", "isolation_start", "id"], name="care_start_id"
            ),
        ]

    def __str__(self) -> str:
        return f"home care #{self.pk}"


class ReportStatus(models.TextChoices):
    OK = "ok", _("No warning sign")
    REMEASURE = "remeasure", _("Measure SpO2 again")
    ALERT = "alert", _("Warning sign")


class ReportSource(models.TextChoices):
    SELF = "self", _("Patient")
    STAFF = "staff", _("Health worker")
    FHIR = "fhir", _("Imported (FHIR)")


class Report(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="reports")
    measured_at = models.DateTimeField()
    received_at = models.DateTimeField()
    form_version = models.CharField(max_length=60)
    source = models.CharField(max_length=8, choices=ReportSource.choices)
    # A retried submission (double tap, re-sent form) carries the same id: stored once.
    client_id = models.CharField(max_length=64)
    respiratory_rate = models.FloatField(null=True, blank=True)
    pulse = models.FloatField(null=True, blank=True)
    temperature_c = models.FloatField(null=True, blank=True)
    spo2 = models.FloatField(null=True, blank=True)
    spo2_repeat = models.FloatField(null=True, blank=True)
    systolic = models.FloatField(null=True, blank=True)
    diastolic = models.FloatField(null=True, blank=True)
    symptoms = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=ReportStatus.choices)
    signs = models.JSONField(default=list, blank=True)
    rule_set_id = models.CharField(max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "client_id"], name="care_report_once"),
        ]
        indexes = [models.Index(fields=["enrolment", "measured_at"])]

    def __str__(self) -> str:
        return f"report #{self.pk} ({self.status})"


class AlertStatus(models.TextChoices):
    OPEN = "open", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")


class Alert(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="alerts")
    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="alert")
    raised_at = models.DateTimeField(db_index=True)
    status = models.CharField(
        max_length=14, choices=AlertStatus.choices, default=AlertStatus.OPEN, db_index=True
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"alert #{self.pk} ({self.status})"


class Note(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"note #{self.pk}"


class Notification(models.Model):
    """Every message sent; ``key`` makes a retried send (worker restart, event redelivered) a
    no-op instead of a second SMS."""

    key = models.CharField(max_length=80, unique=True)
    channel = models.CharField(max_length=10)  # sms | console
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, null=True, related_name="notifications"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=20)  # alert | escalation | reminder | link
    sent_at = models.DateTimeField()
    provider_id = models.CharField(max_length=80, blank=True)

    def __str__(self) -> str:
        return self.key


class Call(models.Model):
    """A teleconsultation room; the two browsers exchange WebRTC offers, answers and ICE
    candidates through ``Signal`` rows (short polling over HTTP)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="calls")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"call #{self.pk}"


class Signal(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="signals")
    sender = models.CharField(max_length=10)  # clinician | patient
    kind = models.CharField(max_length=12)  # offer | answer | candidate | hangup
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["call", "id"])]

    def __str__(self) -> str:
        return f"{self.sender} {self.kind}"


class OnCallShift(models.Model):
    """A ward's on-call roster: who takes the home-care alerts nobody acknowledged, from
    ``starts_at`` to ``ends_at``. Two people may share a shift; the ward's officers edit it."""

    ward = models.ForeignKey("places.Ward", on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("on-call officer"),
        on_delete=models.CASCADE,
        related_name="on_call_shifts",
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("on-call shift")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="care_shift_ends_after_start"
            ),
            # The same form sent twice adds one shift.
            models.UniqueConstraint(
                fields=["ward", "officer", "starts_at"], name="care_shift_once"
            ),
        ]
        # Who is on call now: the ward's shifts not yet ended.
        indexes = [models.Index(fields=["ward", "ends_at"], name="care_shift_ward_end")]

    def __str__(self) -> str:
        return f"on call #{self.pk}"
