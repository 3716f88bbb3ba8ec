"""Verify HC1 certificates stage by stage, reporting where and why verification stopped.

Stages (keys of :attr:`VerificationResult.stages`; ``True`` passed, ``False`` failed, ``None``
not reached or not applicable):

``unprefix`` ``base45`` ``decompress``
    The transport layers (``None`` for :func:`verify_cose`, which starts below them).
``cbor``
    A COSE_Sign1 (tag 18, optionally inside CWT tag 61, or untagged) whose payload is a CWT
    with a DCC at ``-260/1``. Nothing later runs if this fails.
``kid``
    The ``kid`` (protected header wins over unprotected) names at least one trusted certificate.
``signature``
    One of those certificates verifies the signature with the header's ``alg`` (ES256/PS256).
    Every certificate sharing the ``kid`` is tried.
``key_usage``
    If the verified signer carries any DCC extended-key-usage OID, the certificate type
    (``v``/``t``/``r``) is among them. ``None`` until a signer is verified.
``expiry``
    ``iat ≤ at ≤ exp`` from the CWT claims — checked whenever the claims decode, even if the
    signer is unknown, so a scanner can say "expired" about any certificate. Once a signer is
    verified, also ``not_before ≤ iat`` and ``exp ≤ not_after`` of its certificate: a DCC may
    not outlive (or predate) the certificate that signed it — the EU trust framework rule, and
    the rule of the EU conformance harness. Together these imply that ``at`` lies inside the
    signer's validity; a signer used outside it therefore fails here, not at ``signature``.
``schema``
    The DCC validates against the official schema for its ``ver`` (see ``schema``).

``notes`` are facts that are not failures, e.g. ``clock_assumed_utc`` when ``at`` was a
:class:`~phongdich.lib.dcc.clock.ValidationClock` read without an offset
(:data:`~phongdich.lib.dcc.clock.NOTE_MESSAGES` has their text).

``reason`` is the code of the first failing stage in pipeline order (``kid`` before
``signature``); :data:`~phongdich.lib.dcc.errors.REASON_MESSAGES` has its text. ``payload``
is set only when the signature verified — the decoded but unauthenticated content is in
``unverified_payload`` for diagnostics and must never be shown as if it were genuine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from phongdich.lib.dcc.clock import ValidationClock
from phongdich.lib.dcc.cose import CoseSign1, is_supported_algorithm, parse_cose_sign1
from phongdich.lib.dcc.cose import verify_cose_signature as _verify_signature
from phongdich.lib.dcc.cwt import CwtClaims, decode_claims, require_aware
from phongdich.lib.dcc.errors import DccError, reason_message
from phongdich.lib.dcc.payload import certificate_type
from phongdich.lib.dcc.schema import schema_errors
from phongdich.lib.dcc.transport import b45decode, decompress, strip_prefix
from phongdich.lib.dcc.trust import TrustedCertificate, TrustList, TrustSource, as_trust_list
from phongdich.lib.dcc.valuesets import CertificateType

__all__ = [
    "STAGES",
    "VerificationResult",
    "check_expiry",
    "check_key_usage",
    "verify_cose",
    "verify_hc1",
]

STAGES = (
    "unprefix",
    "base45",
    "decompress",
    "cbor",
    "signature",
    "kid",
    "key_usage",
    "expiry",
    "schema",
)
_PIPELINE_ORDER = (
    "unprefix",
    "base45",
    "decompress",
    "cbor",
    "kid",
    "signature",
    "key_usage",
    "expiry",
    "schema",
)
_TRANSPORT: tuple[tuple[str, Callable[[Any], Any]], ...] = (
    ("unprefix", strip_prefix),
    ("base45", b45decode),
    ("decompress", decompress),
)


@dataclass(frozen=True)
class VerificationResult:
    """Outcome of :func:`verify_hc1`; see the module docstring for each field's meaning."""

    valid: bool
    reason: str | None
    payload: dict[str, Any] | None
    stages: Mapping[str, bool | None]
    unverified_payload: dict[str, Any] | None = None
    kid: bytes | None = None
    issuer: str | None = None
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    signer: TrustedCertificate | None = None
    certificate_type: CertificateType | None = None
    schema_errors: tuple[str, ...] = ()
    detail: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def message_vi(self) -> str | None:
        return reason_message(self.reason)[0] if self.reason else None

    @property
    def message_en(self) -> str | None:
        return reason_message(self.reason)[1] if self.reason else None


def check_key_usage(signer: TrustedCertificate, dcc: Mapping[str, Any]) -> bool:
    """May ``signer`` sign this DCC's type? False when the type is ambiguous (not one group)."""
    kind = certificate_type(dcc)
    return kind is not None and signer.permits(kind)


def check_expiry(
    claims: CwtClaims, at: datetime, signer: TrustedCertificate | None = None
) -> str | None:
    """``None`` if the claims are valid at ``at`` (and within ``signer``'s validity), else a code.

    Boundaries are inclusive: a certificate is still valid at exactly ``exp``.
    """
    require_aware(at, "at")
    if claims.issued_at is None or claims.expires_at is None:
        return "missing_claims"
    if at < claims.issued_at:
        return "not_yet_valid"
    if at > claims.expires_at:
        return "expired"
    if signer is not None and (
        claims.issued_at < signer.not_before or claims.expires_at > signer.not_after
    ):
        return "certificate_validity"
    return None


@dataclass
class _Run:
    at: datetime
    stages: dict[str, bool | None] = field(default_factory=lambda: dict.fromkeys(STAGES))
    codes: dict[str, str] = field(default_factory=dict)
    detail: str | None = None
    claims: CwtClaims | None = None
    message: CoseSign1 | None = None
    signer: TrustedCertificate | None = None
    schema_problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def fail(self, stage: str, code: str, detail: str | None = None) -> None:
        self.stages[stage] = False
        self.codes[stage] = code
        if self.detail is None:
            self.detail = detail

    def result(self) -> VerificationResult:
        reason = next(
            (self.codes[stage] for stage in _PIPELINE_ORDER if self.stages[stage] is False),
            None,
        )
        verified = all(self.stages[stage] for stage in ("signature", "key_usage", "expiry"))
        claims = self.claims
        dcc = claims.dcc if claims else None
        return VerificationResult(
            valid=reason is None and verified,
            reason=reason,
            payload=dcc if self.signer is not None else None,
            stages=MappingProxyType(self.stages),
            unverified_payload=dcc,
            kid=self.message.kid if self.message else None,
            issuer=claims.issuer if claims else None,
            issued_at=claims.issued_at if claims else None,
            expires_at=claims.expires_at if claims else None,
            signer=self.signer,
            certificate_type=certificate_type(dcc) if dcc is not None else None,
            schema_errors=self.schema_problems,
            detail=self.detail,
            notes=self.notes,
        )


def _unwrap_transport(run: _Run, text: str) -> bytes | None:
    value: Any = text
    for stage, step in _TRANSPORT:
        try:
            value = step(value)
        except DccError as exc:
            run.fail(stage, exc.code, exc.detail)
            return None
        run.stages[stage] = True
    return value if isinstance(value, bytes) else None


def _authenticate(run: _Run, message: CoseSign1, trust: TrustList) -> None:
    candidates = trust.candidates(message.kid)
    run.stages["kid"] = bool(candidates)
    if not candidates:
        run.fail("kid", "unknown_kid", f"kid {message.kid.hex() if message.kid else None}")
        return
    if not is_supported_algorithm(message.algorithm):
        run.fail("signature", "unsupported_algorithm", f"alg {message.algorithm}")
        return
    for candidate in candidates:
        if _verify_signature(message, candidate.public_key):
            run.stages["signature"] = True
            run.signer = candidate
            return
    run.fail("signature", "signature")


def _verify_message(
    run: _Run, cose: bytes, trust: TrustSource, check_schema: bool
) -> VerificationResult:
    try:
        message = parse_cose_sign1(cose)
        claims = decode_claims(message.payload)
    except DccError as exc:
        run.fail("cbor", exc.code, exc.detail)
        return run.result()
    run.stages["cbor"] = True
    run.message, run.claims = message, claims

    _authenticate(run, message, as_trust_list(trust))
    if run.signer is not None:
        if check_key_usage(run.signer, claims.dcc):
            run.stages["key_usage"] = True
        else:
            run.fail("key_usage", "key_usage", f"type {certificate_type(claims.dcc)!r}")
    expiry_problem = check_expiry(claims, run.at, run.signer)
    if expiry_problem is None:
        run.stages["expiry"] = True
    else:
        run.fail("expiry", expiry_problem)
    if check_schema:
        run.schema_problems = tuple(schema_errors(claims.dcc))
        if run.schema_problems:
            run.fail("schema", "schema", "; ".join(run.schema_problems))
        else:
            run.stages["schema"] = True
    return run.result()


def _start(at: datetime | ValidationClock) -> _Run:
    if isinstance(at, ValidationClock):
        return _Run(require_aware(at.moment, "at"), notes=at.notes)
    return _Run(require_aware(at, "at"))


def verify_hc1(
    text: str, trust: TrustSource, at: datetime | ValidationClock, *, check_schema: bool = True
) -> VerificationResult:
    """Verify an ``HC1:…`` string at the (timezone-aware) moment ``at``.

    ``at`` may be a :class:`~phongdich.lib.dcc.clock.ValidationClock`; its notes (how it was
    read) are carried into the result's ``notes``. ``trust`` is a :class:`~phongdich.lib.dcc.trust.TrustList` (fast: parsed once) or any
    iterable of certificates. Never raises for bad input — every failure is in the result.
    """
    run = _start(at)
    cose = _unwrap_transport(run, text)
    if cose is None:
        return run.result()
    return _verify_message(run, cose, trust, check_schema)


def verify_cose(
    cose: bytes, trust: TrustSource, at: datetime | ValidationClock, *, check_schema: bool = True
) -> VerificationResult:
    """Verify raw COSE_Sign1 bytes (the transport stages stay ``None``)."""
    run = _start(at)
    return _verify_message(run, cose, trust, check_schema)
