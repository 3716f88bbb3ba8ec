"""Signing keys: a country signing CA (CSCA) and the document signers (DSC) it certifies.

The EU trust framework has two levels. The CSCA is a long-lived, offline, self-signed CA;
document signer certificates, valid for a shorter time, sign the DCCs. A DSC may be limited to
certificate types with extended key usage OIDs (``…1847.2021.1.1`` test, ``.2`` vaccination,
``.3`` recovery); a DSC with none of them may sign every type.

``kid`` — the key identifier in every DCC — is the first 8 bytes of the SHA-256 of the DSC in
DER, so a verifier finds the right certificate without trying them all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID, ObjectIdentifier

from phongdich.lib.dcc.cose import Algorithm, PrivateKey
from phongdich.lib.dcc.cwt import require_aware
from phongdich.lib.dcc.valuesets import CertificateType

__all__ = [
    "CERTIFICATE_TYPE_OIDS",
    "OID_RECOVERY",
    "OID_TEST",
    "OID_VACCINATION",
    "CountrySigningCA",
    "DocumentSigner",
    "certificate_pem",
    "compute_kid",
    "generate_csca",
    "generate_document_signer",
    "load_certificate",
    "load_document_signer",
    "load_private_key",
    "private_key_pem",
]

OID_TEST = ObjectIdentifier("1.3.6.1.4.1.1847.2021.1.1")
OID_VACCINATION = ObjectIdentifier("1.3.6.1.4.1.1847.2021.1.2")
OID_RECOVERY = ObjectIdentifier("1.3.6.1.4.1.1847.2021.1.3")

# Early DSCs were issued with a mistyped arc (an extra ".0" after the enterprise number) and are
# still in circulation; the EU reference test harness accepts both spellings, and so do we.
_LEGACY_ARC = "1.3.6.1.4.1.0.1847.2021.1."
CERTIFICATE_TYPE_OIDS: Mapping[CertificateType, frozenset[str]] = MappingProxyType(
    {
        "t": frozenset({OID_TEST.dotted_string, _LEGACY_ARC + "1"}),
        "v": frozenset({OID_VACCINATION.dotted_string, _LEGACY_ARC + "2"}),
        "r": frozenset({OID_RECOVERY.dotted_string, _LEGACY_ARC + "3"}),
    }
)
_ISSUING_OIDS: Mapping[CertificateType, ObjectIdentifier] = {
    "t": OID_TEST,
    "v": OID_VACCINATION,
    "r": OID_RECOVERY,
}


def compute_kid(certificate: x509.Certificate) -> bytes:
    """First 8 bytes of SHA-256 over the certificate's DER encoding."""
    der = certificate.public_bytes(serialization.Encoding.DER)
    return hashlib.sha256(der).digest()[:8]


@dataclass(frozen=True)
class CountrySigningCA:
    """The self-signed root. Its private key belongs offline (HSM); tests keep it in memory."""

    private_key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate


@dataclass(frozen=True)
class DocumentSigner:
    """A document signer: private key, its certificate and the derived ``kid``."""

    private_key: PrivateKey
    certificate: x509.Certificate
    algorithm: Algorithm = Algorithm.ES256
    kid: bytes = field(init=False)

    def __post_init__(self) -> None:
        expected = (
            ec.EllipticCurvePublicKey if self.algorithm is Algorithm.ES256 else rsa.RSAPublicKey
        )
        if not isinstance(self.certificate.public_key(), expected):
            raise ValueError(f"{self.algorithm.name} does not match the certificate's key type")
        # Frozen dataclass: computing kid once here keeps issuance from re-hashing the DER.
        object.__setattr__(self, "kid", compute_kid(self.certificate))

    @property
    def not_before(self) -> datetime:
        return self.certificate.not_valid_before_utc

    @property
    def not_after(self) -> datetime:
        return self.certificate.not_valid_after_utc


def _name(country: str, organisation: str, common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _attribute(name: x509.Name, oid: ObjectIdentifier, default: str) -> str:
    # The DSC repeats the CSCA's country and organisation (a CSCA from elsewhere may lack O).
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else default


def generate_csca(
    country: str = "VN",
    *,
    valid_from: datetime,
    valid_for: timedelta = timedelta(days=4 * 365),
    organisation: str = "Bộ Y tế",
    common_name: str = "PhòngDịch CSCA",
) -> CountrySigningCA:
    """A new self-signed ECDSA P-256 country signing CA."""
    start = require_aware(valid_from, "valid_from")
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(country, organisation, common_name)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + valid_for)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return CountrySigningCA(key, certificate)


def _signer_key(algorithm: Algorithm, rsa_key_size: int) -> PrivateKey:
    if algorithm is Algorithm.ES256:
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=rsa_key_size)


def generate_document_signer(
    csca: CountrySigningCA,
    *,
    valid_from: datetime,
    valid_for: timedelta = timedelta(days=2 * 365),
    usages: Iterable[CertificateType] | None = ("v", "t", "r"),
    algorithm: Algorithm = Algorithm.ES256,
    common_name: str = "PhòngDịch DSC",
    rsa_key_size: int = 3072,
) -> DocumentSigner:
    """A new document signer certified by ``csca``.

    ``usages`` lists the certificate types it may sign, written as extended key usage OIDs;
    ``None`` leaves the extension out (the DSC may then sign any type).
    """
    start = require_aware(valid_from, "valid_from")
    end = start + valid_for
    if start < csca.certificate.not_valid_before_utc or end > csca.certificate.not_valid_after_utc:
        raise ValueError("the document signer must lie within the CSCA's validity")
    key = _signer_key(algorithm, rsa_key_size)
    issuer = csca.certificate.subject
    country = _attribute(issuer, NameOID.COUNTRY_NAME, "VN")
    organisation = _attribute(issuer, NameOID.ORGANIZATION_NAME, "Bộ Y tế")
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(country, organisation, common_name))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(csca.private_key.public_key()),
            critical=False,
        )
    )
    if usages is not None:
        oids = [_ISSUING_OIDS[usage] for usage in ("t", "v", "r") if usage in set(usages)]
        if not oids:
            raise ValueError("usages must name at least one of 'v', 't', 'r' (or be None)")
        builder = builder.add_extension(x509.ExtendedKeyUsage(oids), critical=False)
    certificate = builder.sign(csca.private_key, hashes.SHA256())
    return DocumentSigner(key, certificate, algorithm)


def private_key_pem(key: PrivateKey, passphrase: bytes) -> bytes:
    """PKCS#8 PEM, encrypted with ``passphrase`` using the best scheme the library offers."""
    if not passphrase:
        raise ValueError("a signing key is never written unencrypted: give a passphrase")
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )


def load_private_key(pem: bytes, passphrase: bytes) -> PrivateKey:
    """Load a key written by :func:`private_key_pem`; a wrong passphrase raises ``ValueError``."""
    key = serialization.load_pem_private_key(pem, password=passphrase)
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise ValueError("only EC P-256 and RSA signing keys are supported")
    return key


def certificate_pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def load_certificate(data: bytes) -> x509.Certificate:
    """A certificate from PEM or DER bytes."""
    if data.lstrip().startswith(b"-----BEGIN"):
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def load_document_signer(key_pem: bytes, certificate: bytes, passphrase: bytes) -> DocumentSigner:
    """Rebuild a :class:`DocumentSigner` from its encrypted key PEM and its certificate."""
    key = load_private_key(key_pem, passphrase)
    cert = load_certificate(certificate)
    if key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) != cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ):
        raise ValueError("the private key does not belong to this certificate")
    algorithm = Algorithm.ES256 if isinstance(key, ec.EllipticCurvePrivateKey) else Algorithm.PS256
    return DocumentSigner(key, cert, algorithm)
