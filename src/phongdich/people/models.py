"""One record per human: who declared, who was tested, vaccinated or traced."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    OTHER = "other", _("Other")


class ClaimSource(models.TextChoices):
    ANONYMOUS = "anonymous", _("Citizen, without proof")
    STAFF = "staff", _("Staff outside the person's area")


class ClaimStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONFIRMED = "confirmed", _("Confirmed: same person")
    REJECTED = "rejected", _("Rejected: another person")


class Person(models.Model):
    full_name = models.CharField(_("full name"), max_length=120)
    # Folded (lower case, no diacritics) for matching and search; see lib.text.fold.
    name_folded = models.CharField(max_length=120, db_index=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"))
    gender = models.CharField(_("sex"), max_length=8, choices=Gender.choices)
    phone = models.CharField(_("phone"), max_length=16, blank=True, db_index=True)  # E.164
    # CCCD (12 digits), CMND (9 digits) or a passport number; unique when present.
    id_number = models.CharField(_("ID number"), max_length=20, null=True, blank=True)
    nationality = models.CharField(_("nationality"), max_length=2, default="VN")
    ward = models.ForeignKey(
        "places.Ward",
        verbose_name=_("ward"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    # Opaque identifier printed in the personal QR code; no personal data inside.
    token = models.CharField(max_length=43, unique=True)
    # A *claim*: input that named a known person (their ID number, or phone + name + birth year)
    # without proof that it came from them — an anonymous declaration, or staff outside the
    # person's area. It is a record of its own (visits, samples and doses land on it, so nothing
    # is lost and tracing still finds it), pointing at the person it names; it never changes
    # that person and reveals nothing about them. Proof (a one-time code to the phone on file,
    # or staff of the person's area with the ID card) merges it into the person.
    claim_of = models.ForeignKey(
        "self",
        verbose_name=_("claims to be"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="claims",
    )
    claimed_id_number = models.CharField(_("ID number given"), max_length=20, blank=True)
    claim_source = models.CharField(
        _("claim made by"),
        max_length=12,
        blank=True,
        choices=ClaimSource.choices,
    )
    claim_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("staff member who entered it"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    claim_status = models.CharField(_("claim status"), max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"], condition=Q(id_number__isnull=False), name="person_id_unique"
            ),
            models.CheckConstraint(
                condition=Q(claim_of__isnull=True) | Q(id_number__isnull=True),
                name="person_claim_has_no_id_number",
            ),
            # Concurrent declarations naming the same person with the same data make one claim.
            models.UniqueConstraint(
                fields=["claim_of", "name_folded", "birth_year", "phone", "claimed_id_number"],
                condition=Q(claim_status="open"),
                name="person_open_claim_unique",
            ),
            # Without an ID number a person is the same human when phone, name and birth year agree;
            # the constraint makes concurrent first declarations collapse into one record.
            models.UniqueConstraint(
                fields=["phone", "name_folded", "birth_year"],
                condition=~Q(phone="") & Q(claim_of__isnull=True),
                name="person_phone_name_year_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.birth_year})"

    @property
    def is_claim(self) -> bool:
        return self.claim_of_id is not None


class ProofCode(models.Model):
    """A one-time code sent to the phone on file of the person an ID number names, to prove a
    claim (people.proof). Only a keyed hash of the code is kept. ``person`` is empty when no one
    with a phone has that ID number: the asker is answered the same either way."""

    key = models.CharField(max_length=43, unique=True)  # the challenge, kept in the session
    subject = models.CharField(max_length=64, db_index=True)  # keyed hash of the ID number
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    purpose = models.CharField(max_length=20)
    code_hash = models.CharField(max_length=64)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.purpose} {self.issued_at:%Y-%m-%d %H:%M}"
