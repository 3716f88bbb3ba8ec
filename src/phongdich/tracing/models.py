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
    # The highest visit id the last trace could see: the periodic re-trace only searches again
    # a case whose windows received visits above it (tasks.retrace_open_cases).
    traced_visit_id = models.BigIntegerField(null=True, blank=True)

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
    WINDOW = "window", _("Listed from an exposure window")


class Contact(models.Model):
    # No index of its own: the (case, person) constraint and the (case, level, id) index below
    # begin with it (every index slows the trace's COPY of tens of thousands of contacts).
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="contacts", db_index=False
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="contacts")
    level = models.CharField(max_length=2, choices=Level.choices)
    origin = models.CharField(max_length=10, choices=ContactOrigin.choices)
    relation = models.CharField(_("relation"), max_length=100, blank=True)
    # For an F2: the F1 through whom they were reached (the closest one).
    # Indexed below only where set (an F1 has none).
    via = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    # No index of its own either: (ward, status) below begins with it.
    ward = models.ForeignKey(
        "places.Ward", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    first_exposure = models.DateTimeField(null=True, blank=True)
    last_exposure = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=12,
        choices=ContactStatus.choices,
        default=ContactStatus.IDENTIFIED,
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    quarantine_start = models.DateField(null=True, blank=True)
    quarantine_end = models.DateField(null=True, blank=True)
    test_result = models.CharField(max_length=10, blank=True)
    tested_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    # Indexed below only where set: a trace writes every contact without it.
    became_case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="contact_once_per_case"),
        ]
        indexes = [
            models.Index(fields=["ward", "status"]),
            # Declared here rather than with db_index, which on PostgreSQL adds a second index
            # for LIKE that no query uses. (Not partial: with server-side binding a prepared
            # statement's generic plan compares with a parameter, and could not use it.)
            models.Index(fields=["status"], name="contact_status"),
            models.Index(fields=["case", "level", "id"], name="contact_case_level_id"),
            # The case page's ward filter and counts: one index-only aggregate by ward.
            models.Index(fields=["case", "ward"], name="contact_case_ward"),
            models.Index(fields=["via"], name="contact_via", condition=models.Q(via__isnull=False)),
            models.Index(
                fields=["became_case"],
                name="contact_became_case",
                condition=models.Q(became_case__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level} #{self.pk} of case {self.case_id}"


class MaterialiseStatus(models.TextChoices):
    NONE = "", _("Not listed")
    QUEUED = "queued", _("Listing queued")
    RUNNING = "running", _("Listing")
    DONE = "done", _("Listed")


class ExposureWindow(models.Model):
    """A crowded venue at the time an F1 was there: more people present than the rule
    ``tracing.crowd_threshold`` allows to list one by one as F2. The case records the window
    (venue, start, end, how many were present); officers act on it as a whole, and can have its
    people listed as F2 on request (``actions.do_materialise_window``). Derived from visits like
    evidence: the venue is not a database foreign key, and the trace replaces the windows of a
    case, keeping those an officer had listed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exposure_windows")
    venue = models.ForeignKey(
        "checkpoints.Venue",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    present = models.PositiveIntegerField(_("people present"))
    # The F1 (one or several on the same visit block) who were there; the first by arrival.
    via = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    f1_count = models.PositiveIntegerField(default=1)
    materialise_status = models.CharField(
        max_length=8, choices=MaterialiseStatus.choices, default=MaterialiseStatus.NONE, blank=True
    )
    materialised = models.PositiveIntegerField(default=0)  # people listed so far
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "venue", "start", "end"], name="exposure_window_once"
            ),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="exposure_window_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.present} at {self.venue_id} for case {self.case_id}"


def _derived(model: str) -> models.ForeignKey:
    """A reference evidence keeps without a database foreign key (see Evidence)."""
    return models.ForeignKey(
        model, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )


class Evidence(models.Model):
    """Why a contact is on the list: where, when, and how long both were there.

    Derived data: it can be recomputed from the visits while they are retained, so its rows
    carry no database foreign keys to visits, venues or people (a retention purge of visits
    does not have to cascade into it, and writing 100,000 rows checks no keys); a trace
    replaces the evidence of a case as a whole. Rows of a materialised exposure window name it
    and are kept by the trace."""

    # No index of its own: ``evidence_once`` begins with it (one index fewer to keep up for
    # every row a trace writes).
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="evidence", db_index=False
    )
    venue = _derived("checkpoints.Venue")
    # The F0's (for an F1) or the F1's (for an F2) visit, and the contact's own visit.
    index_visit = _derived("checkpoints.Visit")
    contact_visit = _derived("checkpoints.Visit")
    index_person = _derived("people.Person")
    overlap_start = models.DateTimeField()
    overlap_end = models.DateTimeField()
    overlap_minutes = models.PositiveIntegerField()
    level = models.CharField(max_length=2, choices=Level.choices)
    # Indexed below only where set: most evidence is the trace's, not a window's.
    window = models.ForeignKey(
        ExposureWindow,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "index_visit", "contact_visit"], name="evidence_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["window"],
                name="evidence_window",
                condition=models.Q(window__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.overlap_minutes} min at {self.venue_id}"
