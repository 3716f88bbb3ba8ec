"""Vaccination: the registry (sessions, registrations, invitations, screenings, doses, adverse
events, ward populations) and certificates (signing keys, issued HC1 certificates)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class PriorityGroup(models.TextChoices):
    """Priority groups of Resolution 21/NQ-CP (26 Feb 2021), grouped; listed in priority order."""

    HEALTH_WORKER = "health_worker", _("Health worker")
    FRONTLINE = "frontline", _("Frontline worker (police, army, checkpoint, delivery)")
    ESSENTIAL = "essential", _("Essential service (teacher, transport, market, utilities)")
    ELDERLY = "elderly", _("Aged 65 or older")
    CHRONIC = "chronic", _("Chronic illness")
    GENERAL = "general", _("General population")


PRIORITY_ORDER = list(PriorityGroup.values)


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Session(models.Model):
    """A vaccination session: one site, one day, one vaccine product, a number of slots."""

    ward = models.ForeignKey(
        "places.Ward", verbose_name=_("ward"), on_delete=models.PROTECT, related_name="+"
    )
    site_name = models.CharField(_("site"), max_length=200)
    address = models.CharField(_("address"), max_length=200, blank=True)
    date = models.DateField(_("date"))
    product = models.CharField(_("vaccine"), max_length=40)  # vaccine-medicinal-product code
    lot_numbers = models.JSONField(_("lot numbers"), default=list, blank=True)
    slots = models.PositiveIntegerField(_("slots"))
    status = models.CharField(
        _("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vaccination session")
        verbose_name_plural = _("vaccination sessions")
        constraints = [models.CheckConstraint(condition=Q(slots__gte=1), name="session_has_slots")]
        indexes = [models.Index(fields=["ward", "date"])]

    def __str__(self) -> str:
        return f"{self.site_name} {self.date:%d/%m/%Y}"


class RegistrationChannel(models.TextChoices):
    SELF = "self", _("Self-registration")
    OFFICER = "officer", _("Registered by an officer")


class RegistrationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CANCELLED = "cancelled", _("Cancelled")


class Registration(models.Model):
    """A person on the vaccination list of a ward (one per person)."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.PROTECT, related_name="vaccination_registration"
    )
    ward = models.ForeignKey(
        "places.Ward", verbose_name=_("ward"), on_delete=models.PROTECT, related_name="+"
    )
    priority_group = models.CharField(
        _("priority group"),
        max_length=20,
        choices=PriorityGroup.choices,
        default=PriorityGroup.GENERAL,
    )
    # The person record keeps the year of birth only; the certificate prints the full date if known.
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    channel = models.CharField(max_length=10, choices=RegistrationChannel.choices)
    status = models.CharField(
        max_length=10, choices=RegistrationStatus.choices, default=RegistrationStatus.ACTIVE
    )
    # The holder's status page link: unguessable, never the sequential id.
    token = models.CharField(max_length=43, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("vaccination registration")
        verbose_name_plural = _("vaccination registrations")
        indexes = [models.Index(fields=["ward", "status", "priority_group"])]

    def __str__(self) -> str:
        return f"registration {self.pk} of person {self.person_id}"


class InvitationStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    DECLINED = "declined", _("Declined")
    ATTENDED = "attended", _("Attended")


class Invitation(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="invitations")
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="invitations"
    )
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.INVITED
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "registration"], name="invitation_once_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk}"


class ScreeningResult(models.TextChoices):
    ELIGIBLE = "eligible", _("Eligible: vaccinate now")
    PRECAUTION = "precaution", _("Precaution: vaccinate with longer observation")
    POSTPONE = "postpone", _("Postpone")
    CONTRAINDICATED = "contraindicated", _("Contraindicated: refer to hospital")


class Screening(models.Model):
    """The pre-vaccination screening checklist (see ``screening.py``), kept even when it refuses."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="screenings"
    )
    ward = models.ForeignKey("places.Ward", on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=dict)
    temperature = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    pulse = models.PositiveSmallIntegerField(null=True, blank=True)
    systolic = models.PositiveSmallIntegerField(null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(null=True, blank=True)
    result = models.CharField(max_length=16, choices=ScreeningResult.choices)
    form_version = models.CharField(max_length=20)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    screened_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"screening {self.pk}: {self.result}"


class DoseSource(models.TextChoices):
    HERE = "here", _("Given at one of our sessions")
    ELSEWHERE = "elsewhere", _("Given elsewhere")


class ObservationResult(models.TextChoices):
    PENDING = "", _("Under observation")
    OK = "ok", _("No reaction")
    REACTION = "reaction", _("Reaction")


class Dose(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="doses")
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="doses"
    )
    screening = models.OneToOneField(
        Screening, on_delete=models.SET_NULL, null=True, blank=True, related_name="dose"
    )
    # Whose record it is: the session's ward, or for a dose given elsewhere the recording ward.
    ward = models.ForeignKey("places.Ward", on_delete=models.PROTECT, related_name="+")
    product = models.CharField(_("vaccine"), max_length=40)
    manufacturer = models.CharField(_("manufacturer"), max_length=60)
    vaccine_type = models.CharField(max_length=20)
    lot = models.CharField(_("lot"), max_length=40, blank=True)
    dose_number = models.PositiveSmallIntegerField(_("dose number"))
    given_on = models.DateField(_("date"))
    given_at = models.DateTimeField(null=True, blank=True)
    site = models.CharField(_("site"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, default="VN")
    vaccinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    vaccinator_name = models.CharField(_("vaccinator"), max_length=120, blank=True)
    source = models.CharField(max_length=10, choices=DoseSource.choices, default=DoseSource.HERE)
    source_detail = models.CharField(_("source"), max_length=200, blank=True)
    interval_override_reason = models.CharField(max_length=300, blank=True)
    observation_until = models.DateTimeField(null=True, blank=True)
    observation_result = models.CharField(
        max_length=10, choices=ObservationResult.choices, blank=True, default=""
    )
    observation_note = models.CharField(max_length=300, blank=True)
    # The client's own id for the write: a repeated upload returns the same dose.
    client_id = models.UUIDField(null=True, blank=True, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("dose")
        verbose_name_plural = _("doses")
        constraints = [
            models.CheckConstraint(condition=Q(dose_number__gte=1), name="dose_number_positive"),
            models.UniqueConstraint(
                fields=["person", "dose_number"],
                condition=Q(voided_at__isnull=True),
                name="dose_number_once_per_person",
            ),
        ]
        indexes = [models.Index(fields=["ward", "given_on"])]

    def __str__(self) -> str:
        return f"dose {self.dose_number} of person {self.person_id}"


class PersonStatus(models.Model):
    """Each person's vaccination state, derived from their doses (kept by the dose actions) so
    coverage and invitations are plain grouped counts."""

    person = models.OneToOneField(
        "people.Person",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="vaccination_status",
    )
    doses = models.PositiveSmallIntegerField(default=0)
    primary_required = models.PositiveSmallIntegerField(default=2)
    first_dose_on = models.DateField(null=True, blank=True)
    last_dose_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)  # primary series complete
    booster_on = models.DateField(null=True, blank=True)  # first dose after the primary series
    next_due_on = models.DateField(null=True, blank=True)  # None: no further dose planned
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.person_id}: {self.doses} doses"


class Severity(models.TextChoices):
    MILD = "mild", _("Mild")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe")
    SERIOUS = "serious", _("Serious (life-threatening, hospitalisation, death)")


class Outcome(models.TextChoices):
    ONGOING = "ongoing", _("Not yet recovered")
    RECOVERING = "recovering", _("Recovering")
    RECOVERED = "recovered", _("Recovered")
    SEQUELAE = "sequelae", _("Recovered with sequelae")
    DIED = "died", _("Died")
    UNKNOWN = "unknown", _("Unknown")


class AdverseEvent(models.Model):
    """An event after immunisation (AEFI) reported on a dose."""

    dose = models.ForeignKey(Dose, on_delete=models.PROTECT, related_name="adverse_events")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    ward = models.ForeignKey("places.Ward", on_delete=models.PROTECT, related_name="+")
    onset_at = models.DateTimeField(_("onset"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    symptoms = models.JSONField(_("symptoms"), default=list)
    description = models.TextField(_("description"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.ONGOING
    )
    hospitalised = models.BooleanField(_("hospitalised"), default=False)
    during_observation = models.BooleanField(default=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["ward", "onset_at"])]

    def __str__(self) -> str:
        return f"AEFI {self.pk} ({self.severity})"


class WardPopulation(models.Model):
    """Population by age band, the denominator of coverage (imported from census tables)."""

    ward = models.OneToOneField(
        "places.Ward",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="vaccination_population",
    )
    age_18_plus = models.PositiveIntegerField(_("aged 18 and over"))
    age_50_plus = models.PositiveIntegerField(_("aged 50 and over"))
    age_65_plus = models.PositiveIntegerField(_("aged 65 and over"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(age_18_plus__gte=F("age_50_plus"), age_50_plus__gte=F("age_65_plus")),
                name="population_bands_nested",
            ),
        ]

    def __str__(self) -> str:
        return f"population of {self.ward_id}"


class KeyKind(models.TextChoices):
    CSCA = "csca", _("Country signing CA")
    DSC = "dsc", _("Document signer")


class KeyStatus(models.TextChoices):
    ACTIVE = "active", _("Active")  # the CSCA in use / the document signer that issues
    TRUSTED = "trusted", _("Trusted, not issuing")  # rotated out, still in the trust list
    RETIRED = "retired", _("Retired")


class SigningKey(models.Model):
    """A certificate and its private key, encrypted with ``settings.CERT_KEY_PASSPHRASE``."""

    kind = models.CharField(max_length=4, choices=KeyKind.choices)
    kid = models.CharField(max_length=24, unique=True)  # base64 of the first 8 bytes of SHA-256
    certificate_pem = models.TextField()
    private_key_pem = models.TextField()  # PKCS#8, encrypted
    algorithm = models.CharField(max_length=8, default="ES256")
    status = models.CharField(max_length=8, choices=KeyStatus.choices)
    issuer = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=Q(status="active"), name="one_active_key_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.kid} ({self.status})"


class Certificate(models.Model):
    """An issued vaccination certificate (HC1). The holder reaches it by ``token`` only."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="dcc_certificates"
    )
    dose = models.ForeignKey(Dose, on_delete=models.PROTECT, related_name="certificates")
    ward = models.ForeignKey("places.Ward", on_delete=models.PROTECT, related_name="+")
    uvci = models.CharField(max_length=80, unique=True)
    token = models.CharField(max_length=43, unique=True)
    hc1 = models.TextField()
    payload = models.JSONField()
    kid = models.CharField(max_length=24)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("vaccination certificate")
        verbose_name_plural = _("vaccination certificates")
        indexes = [models.Index(fields=["person", "-issued_at"])]

    def __str__(self) -> str:
        return self.uvci
