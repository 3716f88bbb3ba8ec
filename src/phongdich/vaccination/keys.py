"""Certificate signing keys: a country signing CA (CSCA) and document signers (DSC) it certifies.

Both live in ``SigningKey`` rows, private keys as PKCS#8 PEM encrypted with
``settings.CERT_KEY_PASSPHRASE`` (the environment variable PHONGDICH_CERT_KEY_PASSPHRASE, or its
``_FILE``). Exactly one DSC is *active* and signs; after ``certkeys rotate`` the previous one stays
*trusted* (in the trust list, so the certificates it signed still verify) until
``certkeys retire KID``.

The contract other apps rely on (testing signs test certificates with it):

* :func:`active_signer` — the issuing ``DocumentSigner``, or ``None`` before ``certkeys init``;
* :func:`trust_list` — the ``TrustList`` of every non-retired DSC;
* :func:`issue_signed_hc1` — sign any DCC payload (``v``, ``t`` or ``r``) with the active signer.

Loading a signer means decrypting its key and parsing its certificate, so both are cached in the
process by ``kid`` (a hash of the certificate: a row's content never changes); which kids are
current is asked of the database at most every ``KIDS_TTL_SECONDS`` (see :func:`signer_kids`).
Tests that change keys outside the key actions call :func:`reset_cache`.
"""

from __future__ import annotations

import base64
import calendar
import contextlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.core.rules import get_rule
from phongdich.lib.dcc import (
    DccError,
    DocumentSigner,
    TrustList,
    certificate_pem,
    compute_kid,
    generate_csca,
    generate_document_signer,
    issue_hc1,
    load_certificate,
    load_document_signer,
    load_private_key,
    private_key_pem,
)
from phongdich.lib.dcc.keys import CountrySigningCA
from phongdich.vaccination.errors import error
from phongdich.vaccination.models import KeyKind, KeyStatus, SigningKey

CSCA_VALIDITY = timedelta(days=4 * 365)
DSC_VALIDITY = timedelta(days=2 * 365)
# A new key is valid from a little before now, so certificates stamped on a server whose clock is
# slightly behind the one that created the key are still inside its validity.
BACKDATE = timedelta(hours=1)
# Below this much remaining CSCA validity a new DSC would be too short-lived to be useful.
MIN_DSC_LIFETIME = timedelta(days=60)
SIGNER_USAGES = ("v", "t", "r")

_signers: dict[str, DocumentSigner] = {}
_trust: dict[str, Any] = {"kids": None, "list": TrustList()}


def kid_text(kid: bytes) -> str:
    """The kid as the EU gateway and our trust list write it: standard base64."""
    return base64.b64encode(kid).decode("ascii")


def _passphrase() -> bytes:
    return settings.CERT_KEY_PASSPHRASE.encode("utf-8")


# ---------------------------------------------------------------- the contract


# Asked on every certificate issued or verified, so plain SQL (the ORM's query compilation would
# cost more than the signature), and remembered for a few seconds: a rotation or retirement made
# by another process (the command line) reaches this one within KIDS_TTL_SECONDS. Harmless: the
# signer rotated out stays trusted, and the active signer cannot be retired. Inside a transaction
# the database is always asked and nothing is remembered: what a transaction sees may be
# uncommitted, or rolled back later.
_KEYS_SQL = (
    "SELECT kid, status FROM vaccination_signingkey WHERE kind = %s AND status <> %s ORDER BY id"
)
KIDS_TTL_SECONDS = 10.0
_kids: dict[str, Any] = {"at": float("-inf"), "value": (None, ())}


def reset_cache() -> None:
    """Forget which signers are current (the key actions call it when they commit)."""
    _kids["at"] = float("-inf")


def signer_kids() -> tuple[str | None, tuple[str, ...]]:
    """(kid of the active document signer or ``None``, kids of every trusted signer)."""
    now = time.monotonic()
    cacheable = not connection.in_atomic_block
    if cacheable and now - _kids["at"] < KIDS_TTL_SECONDS:
        return _kids["value"]
    with connection.cursor() as cursor:
        cursor.execute(_KEYS_SQL, [KeyKind.DSC.value, KeyStatus.RETIRED.value])
        rows = cursor.fetchall()
    active = next((kid for kid, status in rows if status == KeyStatus.ACTIVE), None)
    value = (active, tuple(kid for kid, _status in rows))
    if cacheable:
        _kids.update(at=now, value=value)
    return value


def active_signer() -> DocumentSigner | None:
    """The document signer that issues now, or ``None`` when no keys were initialised."""
    kid = signer_kids()[0]
    if kid is None:
        return None
    signer = _signers.get(kid)
    if signer is None:
        key = SigningKey.objects.get(kid=kid)
        try:
            signer = load_document_signer(
                key.private_key_pem.encode(), key.certificate_pem.encode(), _passphrase()
            )
        except (ValueError, TypeError):
            raise error("signing_key_unreadable") from None
        _signers[kid] = signer
    return signer


def trust_list() -> TrustList:
    """Every document signer not retired (the active one and those rotated out)."""
    kids = signer_kids()[1]
    if kids != _trust["kids"]:
        pems = SigningKey.objects.filter(kid__in=kids).values_list("certificate_pem", flat=True)
        _trust["list"] = TrustList(load_certificate(pem.encode()) for pem in pems)
        _trust["kids"] = kids
    return _trust["list"]


def add_months(moment: datetime, months: int) -> datetime:
    """Same day ``months`` later (the last day of a shorter month: 29 Feb + 12 → 28 Feb)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class Signed:
    hc1: str
    kid: str
    issued_at: datetime
    expires_at: datetime


def sign(
    dcc_payload: Mapping[str, Any],
    *,
    issued_at: datetime | None = None,
    expires_at: datetime | None = None,
) -> Signed:
    """Sign with the active signer. ``expires_at`` defaults to the validity rule (12 months) and
    never passes the signer's own expiry (verifiers refuse a certificate that outlives its DSC)."""
    signer = active_signer()
    if signer is None:
        raise error("no_signing_keys")
    start = (issued_at or timezone.now()).replace(microsecond=0)
    end = expires_at or add_months(start, get_rule("vaccination.certificate_validity_months"))
    end = min(end, signer.not_after)
    try:
        hc1 = issue_hc1(dcc_payload, signer, issued_at=start, expires_at=end)
    except DccError as exc:
        raise error("invalid_certificate_payload", detail=exc.detail or "") from None
    except ValueError as exc:  # a validity outside the signer's, a malformed payload
        raise error("invalid_certificate_payload", detail=str(exc)) from None
    return Signed(hc1, kid_text(signer.kid), start, end)


def issue_signed_hc1(dcc_payload: Mapping[str, Any], *, expires_at: datetime | None = None) -> str:
    """Sign any DCC payload (``v``, ``t`` or ``r``) with the active signer → ``HC1:…``.

    Raises ``VaccinationError`` (a ``CheckpointError``) with code ``no_signing_keys`` when
    ``certkeys init`` has not been run, ``invalid_certificate_payload`` when the payload fails the
    DCC schema or value sets."""
    return sign(dcc_payload, expires_at=expires_at).hc1


# ---------------------------------------------------------------- key management


def _store(
    kind: str, certificate: Any, private_key: Any, *, issuer: SigningKey | None, status: str
) -> SigningKey:
    return SigningKey.objects.create(
        kind=kind,
        kid=kid_text(compute_kid(certificate)),
        certificate_pem=certificate_pem(certificate).decode("ascii"),
        private_key_pem=private_key_pem(private_key, _passphrase()).decode("ascii"),
        status=status,
        issuer=issuer,
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )


def _load_csca(row: SigningKey) -> CountrySigningCA:
    try:
        key = load_private_key(row.private_key_pem.encode(), _passphrase())
    except (ValueError, TypeError):
        raise error("signing_key_unreadable") from None
    return CountrySigningCA(key, load_certificate(row.certificate_pem.encode()))


def _new_csca(now: datetime) -> SigningKey:
    SigningKey.objects.filter(kind=KeyKind.CSCA, status=KeyStatus.ACTIVE).update(
        status=KeyStatus.TRUSTED
    )
    csca = generate_csca("VN", valid_from=now - BACKDATE, valid_for=CSCA_VALIDITY)
    return _store(
        KeyKind.CSCA, csca.certificate, csca.private_key, issuer=None, status=KeyStatus.ACTIVE
    )


def _new_signer(csca_row: SigningKey, now: datetime) -> SigningKey:
    start = now - BACKDATE
    lifetime = min(DSC_VALIDITY, csca_row.not_after - start)
    if lifetime < MIN_DSC_LIFETIME:
        raise error("csca_expiring")
    SigningKey.objects.filter(kind=KeyKind.DSC, status=KeyStatus.ACTIVE).update(
        status=KeyStatus.TRUSTED
    )
    signer = generate_document_signer(
        _load_csca(csca_row), valid_from=start, valid_for=lifetime, usages=SIGNER_USAGES
    )
    return _store(
        KeyKind.DSC,
        signer.certificate,
        signer.private_key,
        issuer=csca_row,
        status=KeyStatus.ACTIVE,
    )


def do_init_keys(*, now: datetime | None = None, actor: Any = None) -> tuple[SigningKey, bool]:
    """Create the CSCA and a first document signer. Idempotent: when a signer is already active,
    nothing changes and ``(that signer, False)`` is returned."""
    now = now or timezone.now()
    with transaction.atomic():
        active = (
            SigningKey.objects.select_for_update()
            .filter(kind=KeyKind.DSC, status=KeyStatus.ACTIVE)
            .first()
        )
        if active is not None:
            return active, False
        csca = SigningKey.objects.filter(kind=KeyKind.CSCA, status=KeyStatus.ACTIVE).first()
        if csca is None or csca.not_after - now < MIN_DSC_LIFETIME:
            csca = _new_csca(now)
        signer = _new_signer(csca, now)
        audit.record("keys_init", actor=actor, obj=signer, detail={"csca": csca.kid})
        transaction.on_commit(reset_cache)
    return signer, True


def do_rotate_keys(
    *, now: datetime | None = None, new_csca: bool = False, actor: Any = None
) -> SigningKey:
    """Make a new document signer the active one; the previous signer stays in the trust list
    (certificates it signed keep verifying) until :func:`do_retire_key`."""
    now = now or timezone.now()
    with transaction.atomic():
        list(SigningKey.objects.select_for_update().filter(status=KeyStatus.ACTIVE).order_by("pk"))
        csca = SigningKey.objects.filter(kind=KeyKind.CSCA, status=KeyStatus.ACTIVE).first()
        if csca is None:
            raise error("no_signing_keys")
        if new_csca:
            csca = _new_csca(now)
        signer = _new_signer(csca, now)
        audit.record("keys_rotate", actor=actor, obj=signer, detail={"csca": csca.kid})
        transaction.on_commit(reset_cache)
    return signer


def _find(kid: str) -> SigningKey:
    text = kid.strip()
    candidates = [text]
    with contextlib.suppress(ValueError):  # also the hexadecimal spelling COSE tools print
        candidates.append(kid_text(bytes.fromhex(text)))
    row = SigningKey.objects.filter(kid__in=candidates).first()
    if row is None:
        raise error("unknown_kid", detail=text)
    return row


def do_retire_key(kid: str, *, now: datetime | None = None, actor: Any = None) -> SigningKey:
    """Remove a document signer from the trust list: certificates it signed stop verifying."""
    with transaction.atomic():
        row = SigningKey.objects.select_for_update().get(pk=_find(kid).pk)
        if row.status == KeyStatus.ACTIVE:
            raise error("retire_active_key")
        if row.status != KeyStatus.RETIRED:
            row.status, row.retired_at = KeyStatus.RETIRED, now or timezone.now()
            row.save(update_fields=["status", "retired_at"])
            audit.record("keys_retire", actor=actor, obj=row)
            transaction.on_commit(reset_cache)
    return row


def trust_list_json() -> str:
    return trust_list().to_json()


def list_keys() -> list[SigningKey]:
    return list(SigningKey.objects.order_by("kind", "pk"))
