"""Cases (F0), their contacts (F1, F2) and the evidence for each contact."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CaseSource(models.TextChoices):
    TEST = "test", _("Positive test result")
    OTHER_PROVINCE = "other_province", _("Reported by another province")
    HOSPITAL = "hospital", _("Hospital")
    CONTACT = "contact", _("Contact who became a case")
    OTHER = "other", _("Other")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Under investigation")
    CLOSED = "closed", _("Closed")


class Case(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="cases")
    # The ward responsible for the case: the person's ward, else the reporting officer's.
    ward = models.ForeignKey("places.Ward", on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"))
    sample_date = models.DateField(_("sample date"))
    onset_date = models.DateField(_("symptom onset"), null=True, blank=True)
    isolated_at = models.DateTimeField(_("isolated at"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=CaseSource.choices)
    notes = models.TextField(_("notes"), blank=True)
    window_start = models.DateTimeField(_("infectious from"))
    window_end = models.DateTimeField(_("infectious until"))
    window_override_reason = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN, db_index=True
    )
    # Set when this case was a traced contact first: the chain of transmission.
    infected_via = models.ForeignKey(
        "Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    traced_at = models.DateTimeField(null=True, blank=True)
    # F1 were listed when the case was created; the F2 search runs in the background worker.
    f2_pending = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("case (F0)")
        verbose_name_plural = _("cases (F0)")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="open"), name="case_one_open_per_person"
            ),
            models.CheckConstraint(
                condition=Q(window_end__gt=models.F("window_start")), name="case_window_order"
            ),
        ]

    def __str__(self) -> str:
        return f"F0 #{self.pk}"


class Level(models.TextChoices):
    F1 = "F1", "F1"
    F2 = "F2", "F2"


class ContactStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    NOTIFIED = "notified", _("Notified")
    QUARANTINED = "quarantined", _("In quarantine")
    TESTED = "tested", _("Tested")
    RELEASED = "released", _("Released")
    BECAME_CASE = "became_case", _("Became a case")


class ContactOrigin(models.TextChoices):
    CHECKIN = "checkin", _("Check-in data")
    MANUAL = "manual", _("Added by an officer")
    IMPORT = "import", _("Imported list")


class Contact(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="contacts")
    level = models.CharField(max_length=2, choices=Level.choices)
    origin = models.CharField(max_length=10, choices=ContactOrigin.choices)
    relation = models.CharField(_("relation"), max_length=100, blank=True)
    # For an F2: the F1 through whom they were reached (the closest one).
    via = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ward = models.ForeignKey("places.Ward", on_delete=models.PROTECT, related_name="+")
    first_exposure = models.DateTimeField(null=True, blank=True)
    last_exposure = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=12,
        choices=ContactStatus.choices,
        default=ContactStatus.IDENTIFIED,
        db_index=True,
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    quarantine_start = models.DateField(null=True, blank=True)
    quarantine_end = models.DateField(null=True, blank=True)
    test_result = models.CharField(max_length=10, blank=True)
    tested_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    became_case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="contact_once_per_case"),
        ]
        indexes = [models.Index(fields=["ward", "status"])]

    def __str__(self) -> str:
        return f"{self.level} #{self.pk} of case {self.case_id}"


class Evidence(models.Model):
    """Why a contact is on the list: where, when, and how long both were there."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="evidence")
    venue = models.ForeignKey("checkpoints.Venue", on_delete=models.CASCADE, related_name="+")
    # The F0's (for an F1) or the F1's (for an F2) visit, and the contact's own visit.
    index_visit = models.ForeignKey("checkpoints.Visit", on_delete=models.CASCADE, related_name="+")
    contact_visit = models.ForeignKey(
        "checkpoints.Visit", on_delete=models.CASCADE, related_name="+"
    )
    index_person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    overlap_start = models.DateTimeField()
    overlap_end = models.DateTimeField()
    overlap_minutes = models.PositiveIntegerField()
    level = models.CharField(max_length=2, choices=Level.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "index_visit", "contact_visit"], name="evidence_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.overlap_minutes} min at {self.venue_id}"
