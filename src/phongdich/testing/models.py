"""Sampling sessions, samples (tubes), pools, labs and every result a lab reported.

``Pool`` and ``Sample`` carry the current state (received, result, released); ``LabResult`` keeps
each result exactly as the lab reported it, once per pool or sample (the unique constraints make a
repeated or concurrent import of the same result impossible), grouped in a ``ResultBatch``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

CODE_LENGTH = 10  # lib.codes: 9 random Crockford characters and a check character


class TestType(models.TextChoices):
    RT_PCR = "rt_pcr", "RT-PCR"
    RAPID_ANTIGEN = "rapid_antigen", _("Rapid antigen test")


class TargetKind(models.TextChoices):
    HOUSEHOLDS = "households", _("Households of the ward")
    CONTACTS = "contacts", _("Contacts of a case")
    WALK_IN = "walk_in", _("Walk-ins")


class SessionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Result(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")


class Lab(models.Model):
    name = models.CharField(_("name"), max_length=200)
    province = models.ForeignKey(
        "places.Province", verbose_name=_("province"), on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="labs", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("laboratory")
        verbose_name_plural = _("laboratories")

    def __str__(self) -> str:
        return self.name


class SamplingSession(models.Model):
    site = models.CharField(_("sampling site"), max_length=200)
    ward = models.ForeignKey(
        "places.Ward", verbose_name=_("ward"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    test_type = models.CharField(_("test type"), max_length=16, choices=TestType.choices)
    team = models.CharField(_("team"), max_length=200, blank=True)
    target_kind = models.CharField(_("target list"), max_length=12, choices=TargetKind.choices)
    # For a contact list: the case whose contacts are called for testing.
    target_case = models.ForeignKey(
        "tracing.Case",
        verbose_name=_("case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # EU common list id of the rapid antigen device: the test certificate (DCC "ma") needs it.
    rat_device = models.CharField(_("rapid test device (EU list id)"), max_length=20, blank=True)
    status = models.CharField(
        max_length=8, choices=SessionStatus.choices, default=SessionStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sampling session")
        verbose_name_plural = _("sampling sessions")
        indexes = [models.Index(fields=["ward", "date"])]

    def __str__(self) -> str:
        return f"{self.site} {self.date:%d/%m/%Y}"


class PoolStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed, waiting for the lab")
    RECEIVED = "received", _("At the lab")
    RESULTED = "resulted", _("Result in")


class Pool(models.Model):
    session = models.ForeignKey(SamplingSession, on_delete=models.PROTECT, related_name="pools")
    code = models.CharField(_("pool code"), max_length=CODE_LENGTH, unique=True)
    max_size = models.PositiveSmallIntegerField(_("pool size"))
    status = models.CharField(
        max_length=10, choices=PoolStatus.choices, default=PoolStatus.OPEN, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    lab = models.ForeignKey(Lab, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    received_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=8, choices=Result.choices, blank=True)
    ct_value = models.FloatField(null=True, blank=True)
    result_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("pool")
        verbose_name_plural = _("pools")
        constraints = [
            models.CheckConstraint(condition=Q(max_size__gte=2), name="pool_size_at_least_two"),
            models.CheckConstraint(
                condition=Q(result="") | Q(result_at__isnull=False), name="pool_result_has_time"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def scan_code(self) -> str:
        return self.code


class SampleStatus(models.TextChoices):
    COLLECTED = "collected", _("Collected")
    RETEST = "retest", _("Individual retest due")
    RESOLVED = "resolved", _("Result final")


class ResolvedVia(models.TextChoices):
    POOL = "pool", _("Negative pool")
    INDIVIDUAL = "individual", _("Individual test")
    RETEST = "retest", _("Individual retest")


class Sample(models.Model):
    session = models.ForeignKey(SamplingSession, on_delete=models.PROTECT, related_name="samples")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="samples")
    tube_code = models.CharField(_("tube code"), max_length=CODE_LENGTH, unique=True)
    collected_at = models.DateTimeField(_("collected at"))
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pool = models.ForeignKey(
        Pool, on_delete=models.PROTECT, null=True, blank=True, related_name="samples"
    )
    status = models.CharField(
        max_length=10, choices=SampleStatus.choices, default=SampleStatus.COLLECTED, db_index=True
    )
    lab = models.ForeignKey(Lab, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    received_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(_("result"), max_length=8, choices=Result.choices, blank=True)
    ct_value = models.FloatField(null=True, blank=True)
    result_at = models.DateTimeField(null=True, blank=True)
    resolved_via = models.CharField(max_length=10, choices=ResolvedVia.choices, blank=True)
    # Only released results are shown on the public lookup page.
    released_at = models.DateTimeField(null=True, blank=True)
    case = models.ForeignKey(
        "tracing.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        constraints = [
            # Registering the same person twice in a session (a retried scan) finds the first tube.
            models.UniqueConstraint(fields=["session", "person"], name="sample_once_per_session"),
            models.CheckConstraint(
                condition=Q(result="") | Q(result_at__isnull=False, status="resolved"),
                name="sample_result_is_final",
            ),
        ]
        indexes = [models.Index(fields=["result", "result_at"])]

    def __str__(self) -> str:
        return self.tube_code

    @property
    def scan_code(self) -> str:
        return self.tube_code


class RetestOrder(models.Model):
    """A member of a positive pool to be tested on its own; done when its result is in."""

    sample = models.OneToOneField(Sample, on_delete=models.CASCADE, related_name="retest_order")
    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="retest_orders")
    lab = models.ForeignKey(Lab, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    ordered_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"retest {self.sample_id}"


class BatchSource(models.TextChoices):
    FILE = "file", _("Analyser file")
    ENTRY = "entry", _("Entered by hand")


class ResultBatch(models.Model):
    """One import (or one hand entry): who, which lab, which file, and what it changed."""

    source = models.CharField(max_length=6, choices=BatchSource.choices)
    file_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    lab = models.ForeignKey(Lab, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    summary = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.source} {self.file_name} {self.created_at:%Y-%m-%d %H:%M}"


class LabResult(models.Model):
    batch = models.ForeignKey(ResultBatch, on_delete=models.PROTECT, related_name="results")
    pool = models.ForeignKey(
        Pool, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sample = models.ForeignKey(
        Sample, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    result = models.CharField(max_length=8, choices=Result.choices)
    ct_value = models.FloatField(null=True, blank=True)
    result_at = models.DateTimeField()
    row = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(pool__isnull=True, sample__isnull=False)
                | Q(pool__isnull=False, sample__isnull=True),
                name="lab_result_pool_or_sample",
            ),
            models.UniqueConstraint(
                fields=["pool"], condition=Q(pool__isnull=False), name="lab_result_once_per_pool"
            ),
            models.UniqueConstraint(
                fields=["sample"],
                condition=Q(sample__isnull=False),
                name="lab_result_once_per_sample",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.result} @ {self.result_at:%Y-%m-%d %H:%M}"


class ResultUpload(models.Model):
    """An analyser file between its preview and its commit (purged after a day)."""

    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    uploaded_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.file_name
