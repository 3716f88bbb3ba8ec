"""Trusted document signer certificates, indexed by ``kid``, and their JSON trust-list form.

Parsing a certificate, hashing it and reading its extensions costs far more than verifying one
ECDSA signature, so a :class:`TrustList` does it once per certificate; the verifier only looks
up ``kid`` in a dict. Several certificates may share a ``kid`` (8 bytes of a hash can collide,
and a trust list may carry a renewed certificate for the same key): the verifier tries each.

JSON form (``kid`` and certificate in standard base64, as the EU gateway publishes them)::

    {"format": "phongdich-dcc-trust-list", "version": 1,
     "keys": {"<kid>": [{"certificate": "<DER>", "country": "VN", "key_usage": ["t", "v"]}]}}

``key_usage`` lists the certificate types the DSC may sign, read from its extended key usage;
an empty list means it carries none of the DCC OIDs and may sign any type. On loading, ``kid``
and ``key_usage`` are recomputed from the certificate and must agree with the file, so a list
edited by hand cannot widen what a certificate is allowed to do.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from phongdich.lib.dcc.cose import PublicKey
from phongdich.lib.dcc.der import EXTENDED_KEY_USAGE, extension_oid_list
from phongdich.lib.dcc.keys import CERTIFICATE_TYPE_OIDS, compute_kid
from phongdich.lib.dcc.valuesets import CertificateType

__all__ = ["TRUST_LIST_FORMAT", "TrustList", "TrustSource", "TrustedCertificate", "as_trust_list"]

TRUST_LIST_FORMAT = "phongdich-dcc-trust-list"
_TYPES: tuple[CertificateType, ...] = ("t", "v", "r")


def _extended_key_usage(certificate: x509.Certificate) -> set[str]:
    try:
        extensions = certificate.extensions
    except ValueError:
        # A malformed extension (typically an empty EKU) makes cryptography refuse them all.
        listed = extension_oid_list(certificate.tbs_certificate_bytes, EXTENDED_KEY_USAGE)
        return set(listed or ())
    try:
        eku = extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return set()
    return {oid.dotted_string for oid in eku}


def _usages(certificate: x509.Certificate) -> frozenset[CertificateType]:
    dotted = _extended_key_usage(certificate)
    return frozenset(kind for kind in _TYPES if dotted & CERTIFICATE_TYPE_OIDS[kind])


def _country(certificate: x509.Certificate) -> str | None:
    attributes = certificate.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)
    return str(attributes[0].value) if attributes else None


@dataclass(frozen=True)
class TrustedCertificate:
    """A document signer certificate with everything the verifier needs, parsed once."""

    certificate: x509.Certificate
    kid: bytes
    public_key: PublicKey
    country: str | None
    usages: frozenset[CertificateType]
    not_before: datetime
    not_after: datetime

    @classmethod
    def from_certificate(
        cls, certificate: x509.Certificate, *, country: str | None = None
    ) -> TrustedCertificate:
        return _trusted(certificate, country)

    @classmethod
    def from_der(cls, der: bytes, *, country: str | None = None) -> TrustedCertificate:
        return _trusted(x509.load_der_x509_certificate(der), country)

    def permits(self, certificate_type: CertificateType) -> bool:
        """May this DSC sign ``certificate_type``? Yes if it carries no DCC usage OID at all."""
        return not self.usages or certificate_type in self.usages

    def as_json(self) -> dict[str, Any]:
        return {
            "certificate": base64.b64encode(
                self.certificate.public_bytes(serialization.Encoding.DER)
            ).decode("ascii"),
            "country": self.country,
            "key_usage": [kind for kind in _TYPES if kind in self.usages],
        }


@lru_cache(maxsize=4096)
def _trusted(certificate: x509.Certificate, country: str | None) -> TrustedCertificate:
    # Cached so that callers who pass plain certificate lists to the verifier on every scan do
    # not pay for hashing and extension parsing each time.
    public_key = certificate.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        raise ValueError("DCC signers use EC P-256 or RSA keys")
    return TrustedCertificate(
        certificate=certificate,
        kid=compute_kid(certificate),
        public_key=public_key,
        country=country or _country(certificate),
        usages=_usages(certificate),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )


class TrustList:
    """Trusted DSCs by ``kid``. Rotation = several entries; retiring one = :meth:`remove`."""

    def __init__(self, certificates: Iterable[TrustedCertificate | x509.Certificate] = ()) -> None:
        self._by_kid: dict[bytes, list[TrustedCertificate]] = {}
        for certificate in certificates:
            self.add(certificate)

    def add(
        self, certificate: TrustedCertificate | x509.Certificate, *, country: str | None = None
    ) -> TrustedCertificate:
        trusted = (
            certificate
            if isinstance(certificate, TrustedCertificate)
            else TrustedCertificate.from_certificate(certificate, country=country)
        )
        entries = self._by_kid.setdefault(trusted.kid, [])
        if all(entry.certificate != trusted.certificate for entry in entries):
            entries.append(trusted)
        return trusted

    def remove(self, kid: bytes) -> None:
        """Stop trusting every certificate with ``kid``; unknown kids are ignored."""
        self._by_kid.pop(kid, None)

    def candidates(self, kid: bytes | None) -> tuple[TrustedCertificate, ...]:
        return tuple(self._by_kid.get(kid, ())) if kid is not None else ()

    def __contains__(self, kid: object) -> bool:
        return kid in self._by_kid

    def __iter__(self) -> Iterator[TrustedCertificate]:
        for entries in self._by_kid.values():
            yield from entries

    def __len__(self) -> int:
        return sum(len(entries) for entries in self._by_kid.values())

    def to_json(self) -> str:
        keys: dict[str, list[dict[str, Any]]] = {}
        for kid, entries in self._by_kid.items():
            keys[base64.b64encode(kid).decode("ascii")] = [entry.as_json() for entry in entries]
        document = {"format": TRUST_LIST_FORMAT, "version": 1, "keys": keys}
        return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> TrustList:
        """Load :meth:`to_json` output; raise ``ValueError`` on any inconsistency."""
        document = json.loads(text)
        if not isinstance(document, dict) or document.get("format") != TRUST_LIST_FORMAT:
            raise ValueError("not a PhòngDịch DCC trust list")
        if document.get("version") != 1:
            raise ValueError(f"unsupported trust list version {document.get('version')!r}")
        trust = cls()
        for kid_b64, entries in document.get("keys", {}).items():
            for entry in entries:
                trust._load_entry(kid_b64, entry)
        return trust

    def _load_entry(self, kid_b64: str, entry: dict[str, Any]) -> None:
        try:
            kid = base64.b64decode(kid_b64, validate=True)
            der = base64.b64decode(entry["certificate"], validate=True)
        except (binascii.Error, KeyError, TypeError) as exc:
            raise ValueError(f"malformed trust list entry for kid {kid_b64!r}") from exc
        trusted = TrustedCertificate.from_der(der, country=entry.get("country"))
        if trusted.kid != kid:
            raise ValueError(f"kid {kid_b64} does not match its certificate")
        listed = entry.get("key_usage")
        if listed is not None and set(listed) != set(trusted.usages):
            raise ValueError(f"key_usage for kid {kid_b64} disagrees with the certificate")
        self.add(trusted)


TrustSource = TrustList | Iterable[TrustedCertificate | x509.Certificate]


def as_trust_list(trust: TrustSource) -> TrustList:
    """Accept a :class:`TrustList` as is, or build one from certificates."""
    return trust if isinstance(trust, TrustList) else TrustList(trust)
