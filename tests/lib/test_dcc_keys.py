"""Country signing CA, document signers, encrypted key storage and the JSON trust list."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from phongdich.lib.dcc import (
    Algorithm,
    DocumentSigner,
    KeyRing,
    TrustedCertificate,
    TrustList,
    certificate_pem,
    compute_kid,
    generate_csca,
    generate_document_signer,
    load_certificate,
    load_document_signer,
    load_private_key,
    private_key_pem,
)
from phongdich.lib.dcc.der import EXTENDED_KEY_USAGE, extension_oid_list

T0 = datetime(2024, 1, 1, tzinfo=UTC)
PASSPHRASE = b"correct horse battery staple"


@pytest.fixture(scope="module")
def csca():
    return generate_csca("VN", valid_from=T0)


@pytest.fixture(scope="module")
def signer(csca):
    return generate_document_signer(csca, valid_from=T0 + timedelta(days=1))


def test_the_csca_is_a_self_signed_p256_ca(csca):
    certificate = csca.certificate

    assert certificate.issuer == certificate.subject
    assert isinstance(certificate.public_key(), ec.EllipticCurvePublicKey)
    assert certificate.public_key().curve.name == "secp256r1"
    assert certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert certificate.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    certificate.verify_directly_issued_by(certificate)
    country = certificate.subject.get_attributes_for_oid(x509.NameOID.COUNTRY_NAME)[0].value
    assert country == "VN"


def test_the_document_signer_is_issued_by_the_csca_with_all_dcc_usages(csca, signer):
    certificate = signer.certificate

    certificate.verify_directly_issued_by(csca.certificate)
    assert not certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    eku = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert [oid.dotted_string for oid in eku] == [
        "1.3.6.1.4.1.1847.2021.1.1",
        "1.3.6.1.4.1.1847.2021.1.2",
        "1.3.6.1.4.1.1847.2021.1.3",
    ]
    assert signer.algorithm is Algorithm.ES256
    assert signer.not_before == T0 + timedelta(days=1)


def test_kid_is_the_first_8_bytes_of_the_der_hash(signer):
    der = signer.certificate.public_bytes(serialization.Encoding.DER)

    assert signer.kid == hashlib.sha256(der).digest()[:8]
    assert compute_kid(signer.certificate) == signer.kid


def test_a_signer_must_lie_within_the_csca(csca):
    with pytest.raises(ValueError, match="CSCA"):
        generate_document_signer(csca, valid_from=T0 - timedelta(days=1))
    with pytest.raises(ValueError, match="timezone-aware"):
        generate_document_signer(csca, valid_from=datetime(2024, 2, 1))


def test_the_private_key_round_trips_encrypted(signer):
    pem = private_key_pem(signer.private_key, PASSPHRASE)

    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    loaded = load_private_key(pem, PASSPHRASE)
    assert loaded.private_numbers() == signer.private_key.private_numbers()


def test_a_wrong_or_missing_passphrase_is_refused(signer):
    pem = private_key_pem(signer.private_key, PASSPHRASE)

    with pytest.raises(ValueError):
        load_private_key(pem, b"wrong")
    with pytest.raises(TypeError):
        load_private_key(pem, None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="passphrase"):
        private_key_pem(signer.private_key, b"")


def test_a_document_signer_reloads_from_pem_files(signer):
    key_pem = private_key_pem(signer.private_key, PASSPHRASE)

    for certificate in (
        certificate_pem(signer.certificate),
        signer.certificate.public_bytes(serialization.Encoding.DER),
    ):
        reloaded = load_document_signer(key_pem, certificate, PASSPHRASE)
        assert reloaded.kid == signer.kid
        assert reloaded.algorithm is Algorithm.ES256


def test_a_key_and_a_foreign_certificate_do_not_make_a_signer(csca, signer):
    other = generate_document_signer(csca, valid_from=T0)
    key_pem = private_key_pem(signer.private_key, PASSPHRASE)

    with pytest.raises(ValueError, match="does not belong"):
        load_document_signer(key_pem, certificate_pem(other.certificate), PASSPHRASE)


def test_an_rsa_signer_uses_ps256(csca):
    rsa_signer = generate_document_signer(
        csca, valid_from=T0, algorithm=Algorithm.PS256, rsa_key_size=2048, usages=["t"]
    )

    assert isinstance(rsa_signer.private_key, rsa.RSAPrivateKey)
    reloaded = load_document_signer(
        private_key_pem(rsa_signer.private_key, PASSPHRASE),
        certificate_pem(rsa_signer.certificate),
        PASSPHRASE,
    )
    assert reloaded.algorithm is Algorithm.PS256
    with pytest.raises(ValueError, match="does not match"):
        DocumentSigner(rsa_signer.private_key, rsa_signer.certificate, Algorithm.ES256)


def test_usages_can_be_limited_or_left_out(csca):
    vaccination_only = generate_document_signer(csca, valid_from=T0, usages=["v"])
    unrestricted = generate_document_signer(csca, valid_from=T0, usages=None)

    assert TrustedCertificate.from_certificate(vaccination_only.certificate).usages == {"v"}
    assert TrustedCertificate.from_certificate(unrestricted.certificate).usages == frozenset()
    assert TrustedCertificate.from_certificate(unrestricted.certificate).permits("r")
    assert not TrustedCertificate.from_certificate(vaccination_only.certificate).permits("t")
    with pytest.raises(ValueError, match="at least one"):
        generate_document_signer(csca, valid_from=T0, usages=[])


def test_the_legacy_oid_spelling_still_counts(csca):
    # Early DSCs carried 1.3.6.1.4.1.0.1847.2021.1.x; verifiers must treat them the same.
    legacy = x509.ObjectIdentifier("1.3.6.1.4.1.0.1847.2021.1.3")
    certificate = (
        x509.CertificateBuilder()
        .subject_name(csca.certificate.subject)
        .issuer_name(csca.certificate.subject)
        .public_key(csca.private_key.public_key())
        .serial_number(1)
        .not_valid_before(T0)
        .not_valid_after(T0 + timedelta(days=1))
        .add_extension(
            x509.ExtendedKeyUsage([legacy, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
        .sign(csca.private_key, hashes.SHA256())
    )
    assert TrustedCertificate.from_certificate(certificate).usages == {"r"}


def test_the_trust_list_round_trips_through_json(csca, signer):
    second = generate_document_signer(csca, valid_from=T0, usages=["t"])
    trust = TrustList([signer.certificate, second.certificate])

    document = json.loads(trust.to_json())
    restored = TrustList.from_json(trust.to_json())

    assert document["format"] == "phongdich-dcc-trust-list"
    entry = document["keys"][base64.b64encode(second.kid).decode()][0]
    assert entry["country"] == "VN"
    assert entry["key_usage"] == ["t"]
    assert load_certificate(base64.b64decode(entry["certificate"])) == second.certificate
    assert {c.kid for c in restored} == {signer.kid, second.kid}
    assert len(restored) == 2
    assert signer.kid in restored


def test_a_doctored_trust_list_is_refused(csca, signer):
    document = json.loads(TrustList([signer.certificate]).to_json())
    kid = base64.b64encode(signer.kid).decode()

    widened = json.loads(json.dumps(document))
    limited = generate_document_signer(csca, valid_from=T0, usages=["t"])
    widened["keys"] = {
        base64.b64encode(limited.kid).decode(): [
            TrustedCertificate.from_certificate(limited.certificate).as_json()
            | {"key_usage": ["t", "v", "r"]}
        ]
    }
    with pytest.raises(ValueError, match="key_usage"):
        TrustList.from_json(json.dumps(widened))

    wrong_kid = {**document, "keys": {"AAAAAAAAAAA=": document["keys"][kid]}}
    with pytest.raises(ValueError, match="does not match"):
        TrustList.from_json(json.dumps(wrong_kid))

    with pytest.raises(ValueError, match="not a"):
        TrustList.from_json(json.dumps({"keys": {}}))
    with pytest.raises(ValueError, match="malformed"):
        TrustList.from_json(json.dumps({**document, "keys": {kid: [{"certificate": "%%%"}]}}))


def test_adding_the_same_certificate_twice_keeps_one_entry(signer):
    trust = TrustList([signer.certificate, signer.certificate])
    assert len(trust) == 1
    trust.remove(signer.kid)
    trust.remove(signer.kid)  # unknown kids are ignored
    assert len(trust) == 0


def test_a_key_ring_needs_a_signer_and_knows_its_active_one(csca, signer):
    with pytest.raises(ValueError):
        KeyRing([])
    other = generate_document_signer(csca, valid_from=T0)
    ring = KeyRing([signer, other], active_kid=signer.kid)
    assert ring.active is signer
    ring.activate(other.kid)
    assert ring.active is other
    assert len(ring) == 2
    with pytest.raises(KeyError):
        ring.activate(b"12345678")
    ring.add(generate_document_signer(csca, valid_from=T0), activate=False)
    assert ring.active is other


def test_the_der_reader_finds_extended_key_usage(signer):
    oids = extension_oid_list(signer.certificate.tbs_certificate_bytes, EXTENDED_KEY_USAGE)
    assert oids == [
        "1.3.6.1.4.1.1847.2021.1.1",
        "1.3.6.1.4.1.1847.2021.1.2",
        "1.3.6.1.4.1.1847.2021.1.3",
    ]
    assert extension_oid_list(signer.certificate.tbs_certificate_bytes, "1.2.3.4") is None
    with pytest.raises(ValueError):
        extension_oid_list(b"\x30\x05\x01", EXTENDED_KEY_USAGE)
