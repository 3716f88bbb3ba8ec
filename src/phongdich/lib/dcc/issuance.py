"""Issue certificates: DCC → CWT → COSE_Sign1 → ``HC1:`` string."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from phongdich.lib.dcc.cose import sign_cose_sign1
from phongdich.lib.dcc.cwt import encode_claims, require_aware
from phongdich.lib.dcc.errors import DccError
from phongdich.lib.dcc.keys import DocumentSigner
from phongdich.lib.dcc.payload import certificate_type
from phongdich.lib.dcc.schema import validate_dcc
from phongdich.lib.dcc.transport import encode_hc1
from phongdich.lib.dcc.trust import TrustedCertificate
from phongdich.lib.dcc.valuesets import COUNTRY_VIETNAM, value_set_problems

__all__ = ["DEFAULT_VALIDITY", "issue_hc1", "sign_dcc"]

# MOH Decision 5772/QĐ-BYT (20 Dec 2021): the vaccine passport is valid for 12 months.
DEFAULT_VALIDITY = timedelta(days=365)


def _check_signer(
    signer: DocumentSigner, dcc: Mapping[str, Any], start: datetime, end: datetime
) -> None:
    # A verifier refuses a DCC whose [iat, exp] leaves the DSC's validity, or whose type the DSC
    # may not sign; refusing here means we never print a certificate that would fail to scan.
    if not signer.not_before <= start or not end <= signer.not_after:
        raise ValueError(
            "the certificate's validity must lie within the document signer's "
            f"({signer.not_before.isoformat()} – {signer.not_after.isoformat()})"
        )
    kind = certificate_type(dcc)
    if kind is None or not TrustedCertificate.from_certificate(signer.certificate).permits(kind):
        raise DccError("key_usage", f"signer may not sign certificate type {kind!r}")


def sign_dcc(
    dcc: Mapping[str, Any],
    signer: DocumentSigner,
    *,
    issued_at: datetime | None = None,
    expires_at: datetime | None = None,
    issuer_country: str = COUNTRY_VIETNAM,
    validate: bool = True,
) -> bytes:
    """Return the signed COSE_Sign1 bytes for ``dcc``.

    ``issued_at`` defaults to now and ``expires_at`` to :data:`DEFAULT_VALIDITY` later; both must
    be timezone-aware. With ``validate`` (the default) the DCC must pass the 1.3.0 schema and use
    only known value-set codes, raising ``DccError('schema')`` otherwise.
    """
    start = require_aware(issued_at, "issued_at") if issued_at else datetime.now(UTC)
    end = require_aware(expires_at, "expires_at") if expires_at else start + DEFAULT_VALIDITY
    if end <= start:
        raise ValueError("expires_at must be after issued_at")
    if validate:
        validate_dcc(dcc)
        problems = value_set_problems(dcc)
        if problems:
            raise DccError("schema", "codes outside the eHN value sets: " + ", ".join(problems))
    _check_signer(signer, dcc, start, end)
    claims = encode_claims(dcc, issuer=issuer_country, issued_at=start, expires_at=end)
    return sign_cose_sign1(claims, signer.private_key, algorithm=signer.algorithm, kid=signer.kid)


def issue_hc1(
    dcc: Mapping[str, Any],
    signer: DocumentSigner,
    *,
    issued_at: datetime | None = None,
    expires_at: datetime | None = None,
    issuer_country: str = COUNTRY_VIETNAM,
    validate: bool = True,
) -> str:
    """Sign ``dcc`` and return the ``HC1:…`` string for the QR code (see :func:`sign_dcc`)."""
    cose = sign_dcc(
        dcc,
        signer,
        issued_at=issued_at,
        expires_at=expires_at,
        issuer_country=issuer_country,
        validate=validate,
    )
    return encode_hc1(cose)
