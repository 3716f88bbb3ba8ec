"""Ward risk assessments (proposed → approved → published), treatment capacity, ward shapes for
the map, and the workplace self-assessment (businesses, one-time codes, assessments, inspections).

Facts and sources: docs/reference/risk.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WardCapacity(models.Model):
    """Treatment capacity a district/ward enters (Decision 4800 criterion 3: a unit failing it
    may not lower its level; docs/reference/risk.md §1.2)."""

    ward = models.OneToOneField(
        "places.Ward", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    beds = models.PositiveIntegerField(_("COVID beds"))
    beds_in_use = models.PositiveIntegerField(_("beds in use"))
    icu_beds = models.PositiveIntegerField(_("ICU beds"))
    oxygen_points = models.PositiveIntegerField(_("oxygen points"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(beds_in_use__lte=models.F("beds")), name="capacity_in_use_le_beds"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ward_id}: {self.beds} beds"


class AssessmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Assessment(models.Model):
    """One ward's level on a date: the inputs, every criterion's own result, the rule set."""

    ward = models.ForeignKey("places.Ward", on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField(_("assessed on"))
    computed_at = models.DateTimeField(_("computed at"))
    rule_set_id = models.CharField(_("rule set"), max_length=40)
    rule_set_version = models.PositiveIntegerField()
    level = models.PositiveSmallIntegerField(_("level"))
    computed_level = models.PositiveSmallIntegerField()
    held_by_capacity = models.BooleanField(default=False)
    previous_level = models.PositiveSmallIntegerField(null=True, blank=True)
    inputs = models.JSONField(default=dict)  # counts, population, coverage, capacity
    criteria = models.JSONField(default=dict)  # each criterion's level/outcome (RiskLevels)
    unconfirmed = models.JSONField(default=list)
    status = models.CharField(
        max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("risk level assessment")
        verbose_name_plural = _("risk level assessments")
        constraints = [
            # Recomputing replaces the pending proposal instead of piling up a second one.
            models.UniqueConstraint(
                fields=["ward"], condition=Q(status="proposed"), name="assessment_one_proposal"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=4), name="assessment_level_1_4"
            ),
        ]
        indexes = [models.Index(fields=["ward", "status", "-decided_at"])]

    def __str__(self) -> str:
        return f"{self.ward_id} {self.assessed_on}: {self.level} ({self.status})"


class WardShape(models.Model):
    """Where a ward is drawn: a point or polygon from an operator-uploaded GeoJSON (RFC 7946)."""

    ward = models.OneToOneField(
        "places.Ward", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    geometry = models.JSONField()
    lat = models.FloatField()
    lon = models.FloatField()
    source = models.CharField(max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.ward_id} @ {self.lat:.4f},{self.lon:.4f}"


# ---------------------------------------------------------------- workplace self-assessment


class Business(models.Model):
    """An establishment registered by its tax number (mã số thuế), with its contact phone."""

    tax_id = models.CharField(_("tax number"), max_length=14, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20)
    ward = models.ForeignKey("places.Ward", on_delete=models.PROTECT, related_name="+")
    contact_phone = models.CharField(_("contact phone"), max_length=16)
    venues = models.ManyToManyField("checkpoints.Venue", related_name="+", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("business")
        verbose_name_plural = _("businesses")

    def __str__(self) -> str:
        return f"{self.tax_id} {self.name}"


class AccessCode(models.Model):
    """A one-time code sent to the business's registered phone; only its hash is kept."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"code for {self.business_id}"


class SelfAssessment(models.Model):
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="assessments")
    questionnaire_id = models.CharField(max_length=40)
    questionnaire_version = models.PositiveIntegerField()
    answers = models.JSONField()
    result = models.JSONField()  # index, band, drivers, what-if (for display)
    band = models.CharField(max_length=20, blank=True)
    index_percent = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    live = models.JSONField(default=dict)  # check-ins, flagged declarations, cases, F1
    mismatch = models.JSONField(default=list)  # what disagrees with the live data
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.business_id} {self.band} {self.created_at:%Y-%m-%d}"


class InspectionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class InspectionTask(models.Model):
    """A ward officer's visit to a business whose self-assessment is high risk or disagrees with
    the live data: checklist, findings, required fixes with deadlines, re-assessment."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="inspections")
    ward = models.ForeignKey("places.Ward", on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20)  # "band" or "mismatch"
    status = models.CharField(
        max_length=6, choices=InspectionStatus.choices, default=InspectionStatus.OPEN
    )
    checklist = models.JSONField(default=list)
    findings = models.TextField(_("findings"), blank=True)
    created_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        constraints = [
            # One open task per business: a re-assessment updates it, never duplicates it.
            models.UniqueConstraint(
                fields=["business"], condition=Q(status="open"), name="inspection_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"inspection {self.business_id} ({self.status})"


class InspectionPhoto(models.Model):
    """A photo taken at an inspection: re-encoded as JPEG on upload (no EXIF, nothing hidden),
    stored under a random name, served only to staff of the ward's area (never a public URL)."""

    task = models.ForeignKey(InspectionTask, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to="inspections/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"photo {self.pk} of inspection {self.task_id}"


class FixStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class RequiredFix(models.Model):
    """One fix the officer requires of the business, with its own deadline. "Overdue" is not
    stored: an open fix past its deadline (local date) is overdue (:func:`overdue_q`)."""

    task = models.ForeignKey(
        InspectionTask, on_delete=models.CASCADE, related_name="required_fixes"
    )
    # A TextField: a line carried over from the old free-text fixes may be long; new ones are
    # checked to MAX_FIX_CHARS (risk/fixes.py).
    text = models.TextField(_("required fix"))
    deadline = models.DateField(_("fix by"))
    status = models.CharField(max_length=4, choices=FixStatus.choices, default=FixStatus.OPEN)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    # When the overdue event went out (once per fix; cleared when the deadline moves).
    overdue_noted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("required fix")
        verbose_name_plural = _("required fixes")
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"fix {self.pk} of inspection {self.task_id} by {self.deadline}"

    def is_overdue(self, today) -> bool:
        return self.status == FixStatus.OPEN and self.deadline < today


def overdue_q(today, prefix: str = "") -> Q:
    """Open fixes whose deadline has passed (``prefix`` "required_fixes__" from a task)."""
    return Q(**{f"{prefix}status": FixStatus.OPEN, f"{prefix}deadline__lt": today})
