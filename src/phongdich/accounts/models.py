"""Staff users (one role, one area), API tokens, login failures and the audit log."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    PROVINCE_OFFICER = "province_officer", _("Province health officer")
    WARD_OFFICER = "ward_officer", _("Ward health officer")
    VENUE_STAFF = "venue_staff", _("Checkpoint staff")
    LAB_TECHNICIAN = "lab_technician", _("Lab technician")
    VACCINATOR = "vaccinator", _("Vaccinator")
    CALL_OPERATOR = "call_operator", _("Call operator")
    CLINICIAN = "clinician", _("Clinician")
    # Chairperson of a People's Committee: approves the ward risk levels officers propose.
    CHAIRPERSON = "chairperson", _("People's Committee chairperson")


OFFICER_ROLES = frozenset({Role.PROVINCE_OFFICER, Role.WARD_OFFICER})


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    province = models.ForeignKey(
        "places.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set for a ward-level account; the province is then the ward's province.
    ward = models.ForeignKey(
        "places.Ward",
        verbose_name=_("ward"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    totp_secret = models.CharField(max_length=64, blank=True)
    totp_enabled = models.BooleanField(_("two-factor login"), default=False)
    # The last TOTP time step accepted: a code is never accepted twice.
    totp_last_step = models.BigIntegerField(null=True, blank=True, editable=False)

    objects = UserManager()

    def get_full_name(self) -> str:
        """Vietnamese order, family name first: "Phan Thị Thảo" (``last_name`` holds the
        family and middle names, ``first_name`` the given name), not Django's "Thảo Phan Thị"."""
        return " ".join(part for part in (self.last_name, self.first_name) if part).strip()

    class Meta:
        constraints = [
            # Everyone but an administrator works in an area; a ward implies its province.
            models.CheckConstraint(
                condition=Q(role="admin") | Q(province__isnull=False),
                name="user_has_area_unless_admin",
            ),
        ]

    @property
    def area_code(self) -> int | None:
        if self.ward_id:
            return self.ward_id
        return self.province_id

    @property
    def is_officer(self) -> bool:
        return self.role in OFFICER_ROLES


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored, so a database leak does not leak tokens."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # None: never expires (PHONGDICH_API_TOKEN_DAYS=0 when issued).
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()


class LoginFailure(models.Model):
    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)
    # "password" (the first factor) or "totp" (a wrong code after the right password).
    stage = models.CharField(max_length=8, default="password")

    class Meta:
        indexes = [models.Index(fields=["ip", "at"])]

    def __str__(self) -> str:
        return f"{self.username} @ {self.at:%Y-%m-%d %H:%M}"


class AuditEvent(models.Model):
    """Who did what to which record, when and from where. Never updated, never deleted by the app."""

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_username = models.CharField(_("user"), max_length=150, blank=True)
    actor_role = models.CharField(_("role"), max_length=32, blank=True)
    action = models.CharField(_("action"), max_length=40, db_index=True)
    object_type = models.CharField(_("record type"), max_length=60, blank=True, db_index=True)
    object_id = models.CharField(_("record"), max_length=64, blank=True)
    # The ward whose personal data was touched, so officers can browse their own area's trail.
    ward = models.ForeignKey(
        "places.Ward", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    province = models.ForeignKey(
        "places.Province", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_type}"
