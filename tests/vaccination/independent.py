"""A second HC1 decoder written apart from ``phongdich.lib.dcc``: plain base45, zlib, cbor2 and
cryptography, following the specification (eHN DCC technical specification, RFC 8152 §4.4), so
that a bug shared by our issuer and our verifier cannot hide."""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from typing import Any

import base45
import cbor2
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding


@dataclass
class Decoded:
    kid: bytes
    algorithm: int
    issuer: str
    issued_at: int
    expires_at: int
    dcc: dict[str, Any]


def decode_and_verify(hc1: str, certificate: x509.Certificate) -> Decoded:
    """Decode ``hc1`` and check its ES256 signature with ``certificate``; raise on any problem."""
    assert hc1.startswith("HC1:"), "no HC1: prefix"
    cose = zlib.decompress(base45.b45decode(hc1[4:]))
    message = cbor2.loads(cose)
    assert isinstance(message, cbor2.CBORTag) and message.tag == 18, "not a COSE_Sign1"
    protected_bytes, unprotected, payload, signature = message.value
    protected = cbor2.loads(protected_bytes)
    algorithm = protected[1]
    kid = protected.get(4, unprotected.get(4))
    assert algorithm == -7, f"expected ES256 (-7), got {algorithm}"
    assert kid == hashlib.sha256(certificate.public_bytes(Encoding.DER)).digest()[:8]
    to_be_signed = cbor2.dumps(["Signature1", protected_bytes, b"", payload])
    assert len(signature) == 64, "ES256 signatures are r‖s, 32 bytes each"
    der_signature = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    public_key = certificate.public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    public_key.verify(der_signature, to_be_signed, ec.ECDSA(hashes.SHA256()))  # raises if bad
    claims = cbor2.loads(payload)
    return Decoded(kid, algorithm, claims[1], claims[6], claims[4], claims[-260][1])


def tamper(hc1: str, change) -> str:
    """Re-encode ``hc1`` after ``change(claims)`` edits the signed claims, keeping the old
    signature (what a forger would do)."""
    message = cbor2.loads(zlib.decompress(base45.b45decode(hc1[4:])))
    protected, unprotected, payload, signature = message.value
    claims = cbor2.loads(payload)
    change(claims)
    forged = cbor2.dumps(
        cbor2.CBORTag(18, [protected, unprotected, cbor2.dumps(claims), signature])
    )
    return "HC1:" + base45.b45encode(zlib.compress(forged, 9)).decode("ascii")
