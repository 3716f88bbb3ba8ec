"""CWT claims (RFC 8392) carrying the DCC: ``1`` iss, ``6`` iat, ``4`` exp, ``-260: {1: DCC}``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import cbor2

from phongdich.lib.dcc.errors import DccError

__all__ = [
    "CLAIM_EXPIRES_AT",
    "CLAIM_HCERT",
    "CLAIM_ISSUED_AT",
    "CLAIM_ISSUER",
    "HCERT_DCC",
    "CwtClaims",
    "decode_claims",
    "encode_claims",
    "encode_dcc",
    "normalise_dcc",
    "require_aware",
]

CLAIM_ISSUER = 1
CLAIM_EXPIRES_AT = 4
CLAIM_ISSUED_AT = 6
CLAIM_HCERT = -260
HCERT_DCC = 1  # key of the EU DCC inside the health-certificate claim

_DECODE_ERRORS = (cbor2.CBORError, ValueError, TypeError, OverflowError, RecursionError)


def require_aware(moment: datetime, name: str = "datetime") -> datetime:
    """Refuse naive datetimes: a certificate's validity must never depend on the server's zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (use UTC)")
    return moment


@dataclass(frozen=True)
class CwtClaims:
    """Decoded claims. Times are ``None`` when absent or not a number."""

    issuer: str | None
    issued_at: datetime | None
    expires_at: datetime | None
    dcc: dict[str, Any]


def _epoch(moment: datetime, name: str) -> int:
    # NumericDate in whole seconds; issuers in the EU data use integers.
    return int(require_aware(moment, name).timestamp())


def encode_dcc(dcc: Mapping[str, Any]) -> bytes:
    """CBOR encoding of a bare DCC (the ``CBOR`` field of the conformance data)."""
    return cbor2.dumps(dict(dcc))


def encode_claims(
    dcc: Mapping[str, Any], *, issuer: str, issued_at: datetime, expires_at: datetime
) -> bytes:
    """CBOR-encode the CWT claims set for ``dcc``."""
    claims = {
        CLAIM_ISSUER: issuer,
        CLAIM_ISSUED_AT: _epoch(issued_at, "issued_at"),
        CLAIM_EXPIRES_AT: _epoch(expires_at, "expires_at"),
        CLAIM_HCERT: {HCERT_DCC: dict(dcc)},
    }
    return cbor2.dumps(claims)


def _to_datetime(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _format_datetime(moment: datetime) -> str:
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def normalise_dcc(value: Any) -> Any:
    """Turn a CBOR-decoded DCC into plain JSON types.

    The schema's README lets issuers tag ``sc`` as a CBOR date-time (tag 0), which cbor2 turns
    into a :class:`datetime`; validators "MUST be able to read both tagged and untagged data",
    so it becomes an RFC 3339 string again. Immutable maps/arrays become dicts/lists.
    """
    if isinstance(value, Mapping):
        return {key: normalise_dcc(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [normalise_dcc(item) for item in value]
    if isinstance(value, datetime):
        return _format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def decode_claims(payload: bytes) -> CwtClaims:
    """Decode the COSE payload; raise ``DccError('cbor')`` unless it holds a DCC map."""
    try:
        claims = cbor2.loads(payload)
    except _DECODE_ERRORS as exc:
        raise DccError("cbor", f"CWT payload is not CBOR: {exc}") from exc
    if not isinstance(claims, Mapping):
        raise DccError("cbor", "CWT claims must be a map")
    hcert = claims.get(CLAIM_HCERT)
    if not isinstance(hcert, Mapping) or not isinstance(hcert.get(HCERT_DCC), Mapping):
        raise DccError("cbor", "no EU DCC in claim -260/1")
    issuer = claims.get(CLAIM_ISSUER)
    return CwtClaims(
        issuer=issuer if isinstance(issuer, str) else None,
        issued_at=_to_datetime(claims.get(CLAIM_ISSUED_AT)),
        expires_at=_to_datetime(claims.get(CLAIM_EXPIRES_AT)),
        dcc=normalise_dcc(hcert[HCERT_DCC]),
    )
