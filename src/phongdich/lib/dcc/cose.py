"""COSE_Sign1 (RFC 9052) as the DCC uses it: one signer, ES256 or PS256, ``kid`` in the header.

Only what the EU DCC specification needs is implemented, which keeps the attack surface small:
no detached payloads, no external AAD, no counter-signatures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from phongdich.lib.dcc.errors import DccError

__all__ = [
    "COSE_SIGN1_TAG",
    "CWT_TAG",
    "HEADER_ALG",
    "HEADER_KID",
    "Algorithm",
    "CoseSign1",
    "PrivateKey",
    "PublicKey",
    "is_supported_algorithm",
    "parse_cose_sign1",
    "sign_cose_sign1",
    "verify_cose_signature",
]

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey

COSE_SIGN1_TAG = 18
# Some issuers wrap the COSE message in the CWT tag as well (RFC 8392 §6); readers must accept it.
CWT_TAG = 61
HEADER_ALG = 1
HEADER_KID = 4

_P256_COORDINATE_BYTES = 32
_NIST_CURVES = (ec.SECP256R1, ec.SECP384R1, ec.SECP521R1)
_DECODE_ERRORS = (cbor2.CBORError, ValueError, TypeError, OverflowError, RecursionError)


class Algorithm(IntEnum):
    """COSE algorithm identifiers allowed by the DCC specification."""

    ES256 = -7  # ECDSA P-256 + SHA-256: primary, small signatures keep the QR code small
    PS256 = -37  # RSASSA-PSS + SHA-256: secondary


# RFC 8230 §2: the PSS salt is as long as the hash.
_PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)


@dataclass(frozen=True)
class CoseSign1:
    """A parsed COSE_Sign1 message. ``protected`` keeps the exact bytes, which are signed."""

    protected: bytes
    protected_header: Mapping[Any, Any]
    unprotected_header: Mapping[Any, Any]
    payload: bytes
    signature: bytes

    def _header(self, label: int) -> Any:
        # The protected value wins: only it is covered by the signature (DCC spec §3.3.1).
        if label in self.protected_header:
            return self.protected_header[label]
        return self.unprotected_header.get(label)

    @property
    def kid(self) -> bytes | None:
        value = self._header(HEADER_KID)
        return value if isinstance(value, bytes) else None

    @property
    def algorithm(self) -> int | None:
        value = self._header(HEADER_ALG)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def to_be_signed(self) -> bytes:
        return _sig_structure(self.protected, self.payload)


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    # Sig_structure for COSE_Sign1 with empty external AAD (RFC 9052 §4.4).
    return cbor2.dumps(["Signature1", protected, b"", payload])


def _unwrap_tags(item: Any) -> Any:
    seen_cwt = False
    while isinstance(item, cbor2.CBORTag):
        if item.tag == CWT_TAG and not seen_cwt:
            seen_cwt = True
            item = item.value
        elif item.tag == COSE_SIGN1_TAG:
            return item.value
        else:
            raise DccError("cbor", f"unexpected CBOR tag {item.tag}")
    return item  # untagged COSE_Sign1 is tolerated, as the EU reference verifiers do


def parse_cose_sign1(data: bytes) -> CoseSign1:
    """Parse (optionally CWT-tagged) COSE_Sign1 bytes; raise ``DccError('cbor')`` if malformed."""
    try:
        item = _unwrap_tags(cbor2.loads(data))
    except _DECODE_ERRORS as exc:
        raise DccError("cbor", f"not CBOR: {exc}") from exc
    if not isinstance(item, list | tuple) or len(item) != 4:
        raise DccError("cbor", "COSE_Sign1 must be an array of four items")
    protected, unprotected, payload, signature = item
    if not isinstance(protected, bytes) or not isinstance(unprotected, Mapping):
        raise DccError("cbor", "malformed COSE headers")
    if not isinstance(payload, bytes) or not isinstance(signature, bytes):
        raise DccError("cbor", "COSE payload and signature must be byte strings")
    try:
        protected_header = cbor2.loads(protected) if protected else {}
    except _DECODE_ERRORS as exc:
        raise DccError("cbor", f"protected header is not CBOR: {exc}") from exc
    if not isinstance(protected_header, Mapping):
        raise DccError("cbor", "protected header must be a map")
    return CoseSign1(protected, protected_header, unprotected, payload, signature)


def sign_cose_sign1(
    payload: bytes, private_key: PrivateKey, *, algorithm: Algorithm, kid: bytes
) -> bytes:
    """Sign ``payload`` and return the tagged COSE_Sign1 bytes.

    ``alg`` and ``kid`` go in the protected header so that neither can be swapped without
    breaking the signature.
    """
    protected = cbor2.dumps({HEADER_ALG: int(algorithm), HEADER_KID: kid})
    to_be_signed = _sig_structure(protected, payload)
    if algorithm is Algorithm.ES256:
        if not isinstance(private_key, ec.EllipticCurvePrivateKey) or not isinstance(
            private_key.curve, ec.SECP256R1
        ):
            raise TypeError("ES256 signing needs an EC P-256 private key")
        r, s = decode_dss_signature(private_key.sign(to_be_signed, ec.ECDSA(hashes.SHA256())))
        # COSE wants the fixed-size r‖s form, not the DER that OpenSSL produces.
        signature = r.to_bytes(_P256_COORDINATE_BYTES, "big") + s.to_bytes(
            _P256_COORDINATE_BYTES, "big"
        )
    elif algorithm is Algorithm.PS256:
        if not isinstance(private_key, rsa.RSAPrivateKey):
            raise TypeError("PS256 needs an RSA private key")
        signature = private_key.sign(to_be_signed, _PSS, hashes.SHA256())
    else:  # pragma: no cover - the enum has two members
        raise ValueError(f"unsupported algorithm {algorithm!r}")
    message = [protected, {}, payload, signature]
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, message))


def _verify_ecdsa(message: CoseSign1, public_key: ec.EllipticCurvePublicKey) -> None:
    # RFC 9053 §2.1: ES256 is "ECDSA with SHA-256" and the key fixes the curve. The DCC asks for
    # P-256, but signers with P-384 keys exist (Spain's conformance files), so every NIST curve
    # is accepted; the raw signature is r‖s, each as long as the curve's coordinates.
    if not isinstance(public_key.curve, _NIST_CURVES):
        raise InvalidSignature
    size = (public_key.curve.key_size + 7) // 8
    if len(message.signature) != 2 * size:
        raise InvalidSignature
    r = int.from_bytes(message.signature[:size], "big")
    s = int.from_bytes(message.signature[size:], "big")
    public_key.verify(encode_dss_signature(r, s), message.to_be_signed(), ec.ECDSA(hashes.SHA256()))


def verify_cose_signature(message: CoseSign1, public_key: PublicKey) -> bool:
    """True if the signature is valid for ``public_key`` under the message's ``alg``.

    The algorithm must match the key type: an RSA key never verifies an ES256 message.
    """
    algorithm = message.algorithm
    try:
        if algorithm == Algorithm.ES256 and isinstance(public_key, ec.EllipticCurvePublicKey):
            _verify_ecdsa(message, public_key)
            return True
        if algorithm == Algorithm.PS256 and isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(message.signature, message.to_be_signed(), _PSS, hashes.SHA256())
            return True
    except (InvalidSignature, ValueError):
        return False
    return False


def is_supported_algorithm(value: int | None) -> bool:
    return value in (Algorithm.ES256, Algorithm.PS256)
