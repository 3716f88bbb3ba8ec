"""Vaccination certificates in the EU DCC format (HC1) from recorded doses, and verification.

A certificate states the person's latest dose (the DCC ``v`` group holds exactly one entry):
``dn`` is its number and ``sd`` the doses of the primary series — a booster is written
``n/n`` (3/3 after two primary doses), as the eHealth Network guidelines recommend since
late 2021. Names are transliterated for ``fnt``/``gnt`` (ICAO 9303), the birth date is the full
date given at registration, else the year of birth.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phongdich.accounts import audit
from phongdich.core import events
from phongdich.core.rules import get_rule
from phongdich.lib.codes import new_token
from phongdich.lib.dcc import (
    STAGES,
    TrustList,
    VerificationResult,
    build_vaccination_certificate,
    person_name,
    verify_hc1,
)
from phongdich.lib.dcc.valuesets import MEDICINAL_PRODUCTS, TEST_RESULTS, TEST_TYPES
from phongdich.people.models import Person
from phongdich.places.models import Ward
from phongdich.vaccination import keys
from phongdich.vaccination.errors import VaccinationError, error
from phongdich.vaccination.models import Certificate, KeyStatus
from phongdich.vaccination.series import primary_doses

# An existing certificate is handed out again rather than a new one signed when it still has
# this long to run and says exactly what a new one would.
REUSE_MARGIN = timedelta(days=30)


# The issuing path runs once per certificate: two reads in plain SQL (the ORM's compilation
# costs more than the queries), then the two inserts that must be there (certificate, audit).
# Each valid dose, the registered birth date, and the newest unexpired certificate already
# issued for that dose whose signing key is still trusted (the one to hand out again).
_DOSES_SQL = (
    "SELECT d.id, d.product, d.manufacturer, d.vaccine_type, d.dose_number, d.given_on, "
    "d.country, d.ward_id, r.date_of_birth, "
    "(SELECT c.id FROM vaccination_certificate c "
    "JOIN vaccination_signingkey k ON k.kid = c.kid "
    "WHERE c.dose_id = d.id AND c.expires_at > %s AND k.status <> %s "
    "ORDER BY c.issued_at DESC LIMIT 1) "
    "FROM vaccination_dose d "
    "LEFT JOIN vaccination_registration r ON r.person_id = d.person_id "
    "WHERE d.person_id = %s AND d.voided_at IS NULL ORDER BY d.dose_number"
)


@functools.lru_cache(maxsize=4096)
def _province_of(ward_id: int) -> int:
    # Wards never move between provinces (the divisions are loaded once, by a migration).
    return Ward.objects.values_list("province_id", flat=True).get(code=ward_id)


def _date(value: Any) -> date | None:
    if isinstance(value, str) and value:  # SQLite hands plain SQL dates back as text
        return date.fromisoformat(value[:10])
    return value if isinstance(value, date) else None


@dataclass(frozen=True)
class DoseRow:
    """What a certificate needs of a dose (a ``Dose`` works as well)."""

    pk: int
    product: str
    manufacturer: str
    vaccine_type: str
    dose_number: int
    given_on: date
    country: str
    ward_id: int


@dataclass(frozen=True)
class Record:
    doses: list[DoseRow]  # valid doses, in order
    dob: str  # the birth date the certificate states
    reusable_id: int | None  # a certificate for the latest dose that may be handed out again


def person_record(person: Person, now: datetime) -> Record:
    with connection.cursor() as cursor:
        cursor.execute(_DOSES_SQL, [now + REUSE_MARGIN, KeyStatus.RETIRED, person.pk])
        rows = cursor.fetchall()
    doses = [
        DoseRow(
            pk=row[0],
            product=row[1],
            manufacturer=row[2],
            vaccine_type=row[3],
            dose_number=row[4],
            given_on=_date(row[5]) or date.min,
            country=row[6],
            ward_id=row[7],
        )
        for row in rows
    ]
    dob = _date(rows[0][8]) if rows else None
    return Record(
        doses, dob.isoformat() if dob else str(person.birth_year), rows[-1][9] if rows else None
    )


def certificate_payload(person: Person, doses: list[Any], dob: str) -> dict[str, Any]:
    """The DCC (schema 1.3.0) for the latest of ``doses`` (valid doses in order)."""
    latest = doses[-1]
    return build_vaccination_certificate(
        person_name(person.full_name),
        dob,
        product=latest.product,
        dose_number=latest.dose_number,
        total_doses=max(primary_doses(doses[0].product), latest.dose_number),
        vaccination_date=latest.given_on,
        issuer=get_rule("vaccination.certificate_issuer"),
        country=latest.country,
        vaccine_type=latest.vaccine_type,
        manufacturer=latest.manufacturer,
    )


def _reusable(person: Person, record: Record) -> Certificate | None:
    if record.reusable_id is None:
        return None
    existing = Certificate.objects.get(pk=record.reusable_id)
    same = existing.payload.get("nam") == person_name(person.full_name) and (
        existing.payload.get("dob") == record.dob
    )
    return existing if same else None


def do_issue_certificate(
    person: Person, *, actor: Any = None, request: Any = None, reissue: bool = False
) -> tuple[Certificate, bool]:
    """Issue (sign and store) a vaccination certificate for the person's latest dose.

    Without ``reissue`` an unexpired certificate for the same dose, name and birth date whose key
    is still trusted is returned instead, ``(certificate, False)``: asking twice does not flood
    the world with certificates. Raises ``no_doses`` or ``no_signing_keys``."""
    if not reissue:
        # Most asks find one already issued: handed out without a lock (it is signed and stored,
        # whatever happens to the record from now on).
        existing = _reusable(person, person_record(person, timezone.now()))
        if existing is not None:
            return existing, False
    # No savepoint (nothing to undo before the inserts); a refusal is raised after the block, so
    # a caller's own transaction is not left broken by it.
    with transaction.atomic(savepoint=False):
        try:
            return _issue_locked(person, actor, request, reissue)
        except VaccinationError as exc:  # refused before anything was written
            refused = exc
    raise refused


def _issue_locked(
    person: Person, actor: Any, request: Any, reissue: bool
) -> tuple[Certificate, bool]:
    """The record is read again, signed and stored with the person's row locked, as the dose
    actions lock it. A second click waits, then hands out the certificate the first one stored;
    a dose voided meanwhile is voided either before the record is read here (not certified) or
    after the certificate is stored (one of those "already issued", which stay signed). Signing
    under the lock is cheap (ES256, well under a millisecond). Every refusal comes before the
    first write."""
    person = Person.objects.select_for_update().filter(pk=person.pk).first() or person
    now = timezone.now()
    record = person_record(person, now)
    doses = record.doses
    if not doses:
        raise error("no_doses")
    if not reissue:
        existing = _reusable(person, record)
        if existing is not None:
            return existing, False
    try:
        payload = certificate_payload(person, doses, record.dob)
    except ValueError as exc:  # e.g. a name without one Latin letter to transliterate
        raise error("invalid_certificate_payload", detail=str(exc)) from None
    signed = keys.sign(payload, issued_at=now)
    ward_id = person.ward_id or doses[-1].ward_id
    certificate = Certificate.objects.create(
        person=person,
        dose_id=doses[-1].pk,
        ward_id=ward_id,
        uvci=payload["v"][0]["ci"],
        token=new_token(),
        hc1=signed.hc1,
        payload=payload,
        kid=signed.kid,
        issued_at=signed.issued_at,
        expires_at=signed.expires_at,
        issued_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        "issue_certificate",
        actor=actor,
        request=request,
        obj=certificate,
        ward=ward_id,
        province=_province_of(ward_id),
        detail={"uvci": certificate.uvci, "dose": doses[-1].dose_number},
    )
    events.emit(
        "certificate.issued",
        certificate_id=certificate.pk,
        person_id=person.pk,
        dose_id=doses[-1].pk,
    )
    return certificate, True


# ---------------------------------------------------------------- verification


def verify_text(
    text: str, *, at: datetime | None = None, trust: TrustList | None = None
) -> VerificationResult:
    """Verify pasted or scanned text against our trust list (or ``trust``) at ``at`` (now)."""
    return verify_hc1(
        text or "", trust if trust is not None else keys.trust_list(), at or timezone.now()
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def result_dict(result: VerificationResult) -> dict[str, Any]:
    """The JSON form shared by the API, the ``dcc-verify`` command and the verifier page.

    ``payload`` is the certificate content only when its signature verified; what could be
    decoded without that is in ``unverified_payload``, for diagnostics, never to be trusted."""
    return {
        "valid": result.valid,
        "reason": result.reason,
        "message_vi": result.message_vi,
        "message_en": result.message_en,
        "payload": result.payload,
        "stages": {stage: result.stages[stage] for stage in STAGES},
        "unverified_payload": None if result.payload is not None else result.unverified_payload,
        "certificate_type": result.certificate_type,
        "kid": keys.kid_text(result.kid) if result.kid else None,
        "issuer": result.issuer,
        "issued_at": _iso(result.issued_at),
        "expires_at": _iso(result.expires_at),
        "detail": result.detail,
        "schema_errors": list(result.schema_errors),
    }


@dataclass(frozen=True)
class Line:
    label: Any
    value: str


def describe(dcc: dict[str, Any] | None) -> list[Line]:
    """Readable fields of a DCC for the verifier page."""
    if not isinstance(dcc, dict):
        return []
    name = dcc.get("nam") or {}
    lines = [
        Line(
            _("Name"),
            " ".join(p for p in (name.get("fn"), name.get("gn")) if p)
            or f"{name.get('fnt', '')} {name.get('gnt', '')}".strip(),
        ),
        Line(
            _("Name as in the passport"),
            "<<".join(p for p in (name.get("fnt"), name.get("gnt")) if p),
        ),
        Line(_("Date of birth"), str(dcc.get("dob", ""))),
    ]
    for entry in dcc.get("v") or []:
        lines += [
            Line(_("Dose"), f"{entry.get('dn')}/{entry.get('sd')}"),
            Line(_("Vaccine"), MEDICINAL_PRODUCTS.get(entry.get("mp"), str(entry.get("mp")))),
            Line(_("Vaccination date"), str(entry.get("dt", ""))),
        ]
    for entry in dcc.get("t") or []:
        lines += [
            Line(_("Test type"), TEST_TYPES.get(entry.get("tt"), str(entry.get("tt")))),
            Line(_("Test result"), TEST_RESULTS.get(entry.get("tr"), str(entry.get("tr")))),
            Line(_("Sample collected"), str(entry.get("sc", ""))),
        ]
    for entry in dcc.get("r") or []:
        lines += [
            Line(_("First positive test"), str(entry.get("fr", ""))),
            Line(_("Valid until"), str(entry.get("du", ""))),
        ]
    for entry in (dcc.get("v") or []) + (dcc.get("t") or []) + (dcc.get("r") or []):
        lines += [
            Line(_("Country"), str(entry.get("co", ""))),
            Line(_("Issuer"), str(entry.get("is", ""))),
            Line(_("Certificate identifier"), str(entry.get("ci", ""))),
        ]
    return lines
