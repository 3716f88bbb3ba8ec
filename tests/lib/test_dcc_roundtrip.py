"""Certificates we issue, read back — by an independent decoder and by our own verifier.

``independent_verify`` below is written from the specification with plain cbor2, cryptography,
zlib and base45 and shares no code with ``phongdich.lib.dcc``: if issuer and verifier shared a
misunderstanding, the round trip through our own verifier alone would not notice.
"""

from __future__ import annotations

import hashlib
import io
import zlib
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import base45
import cbor2
import pytest
import zxingcpp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from PIL import Image

from phongdich.lib.dcc import (
    Algorithm,
    KeyRing,
    TrustList,
    build_test_certificate,
    build_vaccination_certificate,
    generate_csca,
    generate_document_signer,
    issue_hc1,
    person_name,
    qr_png,
    qr_svg,
    sign_dcc,
    verify_hc1,
)
from phongdich.lib.dcc.cose import sign_cose_sign1
from phongdich.lib.dcc.cwt import encode_claims
from phongdich.lib.dcc.transport import encode_hc1

T0 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
ISSUED = T0 + timedelta(days=1)
SCAN = T0 + timedelta(days=30)


def independent_verify(hc1: str, certificate: x509.Certificate) -> dict[str, Any]:
    """Decode and check an HC1 string from scratch; return the CWT claims. Raises on any fault."""
    assert hc1.startswith("HC1:")
    cose = zlib.decompress(base45.b45decode(hc1[4:]))
    tagged = cbor2.loads(cose)
    assert isinstance(tagged, cbor2.CBORTag) and tagged.tag == 18
    protected_bytes, unprotected, payload, signature = tagged.value
    protected = cbor2.loads(protected_bytes)
    der = certificate.public_bytes(serialization.Encoding.DER)
    assert protected[4] == hashlib.sha256(der).digest()[:8], "kid is not SHA-256(DER)[:8]"
    assert 4 not in unprotected and 1 not in unprotected
    signed = cbor2.dumps(["Signature1", protected_bytes, b"", payload])
    key = certificate.public_key()
    if protected[1] == -7:
        assert isinstance(key, ec.EllipticCurvePublicKey) and len(signature) == 64
        r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        key.verify(encode_dss_signature(r, s), signed, ec.ECDSA(hashes.SHA256()))
    elif protected[1] == -37:
        assert isinstance(key, rsa.RSAPublicKey)
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        key.verify(signature, signed, pss, hashes.SHA256())
    else:
        raise AssertionError(f"unexpected alg {protected[1]}")
    claims = cbor2.loads(payload)
    assert set(claims) == {1, 4, 6, -260}
    return claims


@pytest.fixture(scope="module")
def csca():
    return generate_csca("VN", valid_from=T0 - timedelta(days=30))


@pytest.fixture(scope="module")
def signer(csca):
    return generate_document_signer(csca, valid_from=T0, valid_for=timedelta(days=730))


@pytest.fixture
def vaccination():
    return build_vaccination_certificate(
        person_name("Nguyễn Thị Minh Khai"),
        "1990-05-17",
        product="EU/1/20/1528",
        dose_number=2,
        total_doses=2,
        vaccination_date=date(2021, 9, 1),
        issuer="Bộ Y tế",
    )


@pytest.fixture
def test_result():
    return build_test_certificate(
        person_name("Trần Văn Đức"),
        "1985",
        test_type="LP6464-4",
        result="260415000",
        sample_collected_at=datetime(2024, 3, 1, 14, 30, tzinfo=UTC),
        issuer="Bộ Y tế",
        testing_centre="Bệnh viện Thanh Hóa",
        naat_name="RT-PCR",
    )


def test_it_is_readable_by_an_independent_decoder(signer, vaccination):
    hc1 = issue_hc1(vaccination, signer, issued_at=ISSUED)

    claims = independent_verify(hc1, signer.certificate)

    assert claims[1] == "VN"
    assert claims[6] == int(ISSUED.timestamp())
    assert claims[4] == int((ISSUED + timedelta(days=365)).timestamp())
    assert claims[-260][1] == vaccination


def test_ps256_certificates_are_readable_by_an_independent_decoder(csca, test_result):
    rsa_signer = generate_document_signer(
        csca, valid_from=T0, algorithm=Algorithm.PS256, rsa_key_size=2048
    )
    hc1 = issue_hc1(test_result, rsa_signer, issued_at=ISSUED, expires_at=ISSUED + timedelta(2))

    assert independent_verify(hc1, rsa_signer.certificate)[-260][1] == test_result
    result = verify_hc1(hc1, [rsa_signer.certificate], ISSUED + timedelta(hours=1))
    assert result.valid, result.reason


def test_it_verifies_with_every_stage_passed(signer, vaccination):
    hc1 = issue_hc1(vaccination, signer, issued_at=ISSUED)

    result = verify_hc1(hc1, TrustList([signer.certificate]), SCAN)

    assert result.valid
    assert result.reason is None
    assert dict(result.stages) == dict.fromkeys(
        (
            "unprefix",
            "base45",
            "decompress",
            "cbor",
            "signature",
            "kid",
            "key_usage",
            "expiry",
            "schema",
        ),
        True,
    )
    assert result.payload == vaccination
    assert result.kid == signer.kid
    assert result.signer is not None and result.signer.certificate == signer.certificate
    assert result.certificate_type == "v"


def test_a_tampered_payload_fails_the_signature(signer, vaccination):
    cose = cbor2.loads(sign_dcc(vaccination, signer, issued_at=ISSUED))
    protected, unprotected, payload, signature = cose.value
    claims = cbor2.loads(payload)
    claims[-260][1]["nam"]["fnt"] = "TRAN"  # someone edits the name and re-encodes
    forged = cbor2.dumps(
        cbor2.CBORTag(18, [protected, unprotected, cbor2.dumps(claims), signature])
    )
    hc1 = encode_hc1(forged)

    result = verify_hc1(hc1, [signer.certificate], SCAN)

    assert not result.valid
    assert result.reason == "signature"
    assert result.stages["kid"] is True
    assert result.stages["signature"] is False
    assert result.payload is None  # never hand out content whose signature failed
    assert result.unverified_payload["nam"]["fnt"] == "TRAN"
    with pytest.raises(InvalidSignature):
        independent_verify(hc1, signer.certificate)


def test_a_flipped_signature_bit_fails(signer, test_result):
    cose = cbor2.loads(sign_dcc(test_result, signer, issued_at=ISSUED, expires_at=SCAN))
    protected, unprotected, payload, signature = cose.value
    broken = bytes([signature[0] ^ 1]) + signature[1:]
    hc1 = encode_hc1(cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, payload, broken])))

    assert verify_hc1(hc1, [signer.certificate], ISSUED).reason == "signature"


def test_an_expired_certificate_is_refused(signer, test_result):
    hc1 = issue_hc1(test_result, signer, issued_at=ISSUED, expires_at=ISSUED + timedelta(hours=72))

    still_valid = verify_hc1(hc1, [signer.certificate], ISSUED + timedelta(hours=72))
    expired = verify_hc1(hc1, [signer.certificate], ISSUED + timedelta(hours=72, seconds=1))

    assert still_valid.valid  # exp itself is inclusive
    assert not expired.valid
    assert expired.reason == "expired"
    assert expired.stages["expiry"] is False
    assert expired.stages["signature"] is True
    assert expired.payload == test_result  # authentic, only out of date
    assert expired.message_en == "The certificate has expired."
    assert expired.message_vi == "Chứng nhận đã hết hạn."


def test_a_certificate_from_the_future_is_not_yet_valid(signer, vaccination):
    hc1 = issue_hc1(vaccination, signer, issued_at=ISSUED)

    result = verify_hc1(hc1, [signer.certificate], ISSUED - timedelta(minutes=5))

    assert result.reason == "not_yet_valid"


def test_an_unknown_kid_is_refused(csca, signer, vaccination):
    stranger = generate_document_signer(csca, valid_from=T0)
    hc1 = issue_hc1(vaccination, signer, issued_at=ISSUED)

    result = verify_hc1(hc1, [stranger.certificate], SCAN)

    assert result.reason == "unknown_kid"
    assert result.stages["kid"] is False
    assert result.stages["signature"] is None
    assert result.stages["key_usage"] is None
    assert result.stages["expiry"] is True  # the claims alone are in date
    assert result.payload is None


def test_a_signer_for_tests_only_cannot_vouch_for_vaccination(csca, vaccination):
    test_only = generate_document_signer(csca, valid_from=T0, usages=["t"])
    ekus = test_only.certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert [oid.dotted_string for oid in ekus] == ["1.3.6.1.4.1.1847.2021.1.1"]
    with pytest.raises(ValueError, match="may not sign"):
        issue_hc1(vaccination, test_only, issued_at=ISSUED)  # our issuer refuses outright
    # A careless foreign issuer might not: sign with the low-level primitives.
    claims = encode_claims(vaccination, issuer="VN", issued_at=ISSUED, expires_at=SCAN)
    cose = sign_cose_sign1(
        claims, test_only.private_key, algorithm=test_only.algorithm, kid=test_only.kid
    )

    result = verify_hc1(encode_hc1(cose), [test_only.certificate], SCAN)

    assert result.stages["signature"] is True
    assert result.stages["key_usage"] is False
    assert result.reason == "key_usage"
    assert not result.valid


def test_a_signer_without_dcc_usages_may_sign_any_type(csca, vaccination, test_result):
    unrestricted = generate_document_signer(csca, valid_from=T0, usages=None)
    with pytest.raises(x509.ExtensionNotFound):
        unrestricted.certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage)

    for dcc in (vaccination, test_result):
        hc1 = issue_hc1(dcc, unrestricted, issued_at=ISSUED, expires_at=ISSUED + timedelta(1))
        assert verify_hc1(hc1, [unrestricted.certificate], ISSUED).valid


def test_rotation_keeps_old_certificates_valid_until_the_old_key_is_removed(csca, vaccination):
    first = generate_document_signer(csca, valid_from=T0, common_name="DSC 2024-1")
    ring = KeyRing([first])
    old_hc1 = ring.issue(vaccination, issued_at=ISSUED)

    second = generate_document_signer(
        csca, valid_from=T0 + timedelta(days=10), common_name="DSC 2024-2"
    )
    ring.add(second)  # becomes the issuing key
    new_hc1 = ring.issue(vaccination, issued_at=T0 + timedelta(days=11))
    trust = ring.trust_list()

    assert ring.active.kid == second.kid
    assert len(trust) == 2
    assert verify_hc1(old_hc1, trust, SCAN).signer.kid == first.kid
    assert verify_hc1(new_hc1, trust, SCAN).signer.kid == second.kid

    with pytest.raises(ValueError, match="active"):
        ring.retire(second.kid)
    ring.retire(first.kid)
    trust = ring.trust_list()

    assert verify_hc1(old_hc1, trust, SCAN).reason == "unknown_kid"
    assert verify_hc1(new_hc1, trust, SCAN).valid


def test_rotation_through_a_published_trust_list(csca, vaccination):
    first = generate_document_signer(csca, valid_from=T0)
    second = generate_document_signer(csca, valid_from=T0)
    old_hc1 = issue_hc1(vaccination, first, issued_at=ISSUED)
    published = TrustList([first.certificate, second.certificate]).to_json()

    trust = TrustList.from_json(published)
    assert verify_hc1(old_hc1, trust, SCAN).valid

    trust.remove(first.kid)
    assert verify_hc1(old_hc1, trust, SCAN).reason == "unknown_kid"


def test_every_certificate_sharing_a_kid_is_tried(csca, signer, vaccination):
    hc1 = issue_hc1(vaccination, signer, issued_at=ISSUED)
    other = generate_document_signer(csca, valid_from=T0)
    trust = TrustList([signer.certificate])
    # Simulate an 8-byte kid collision: another key filed under the same kid, listed first.
    impostor = replace(TrustList([other.certificate]).candidates(other.kid)[0], kid=signer.kid)
    trust._by_kid[signer.kid].insert(0, impostor)

    result = verify_hc1(hc1, trust, SCAN)

    assert result.valid
    assert result.signer.certificate == signer.certificate


def test_the_qr_png_decodes_back_to_the_same_string(signer, vaccination):
    hc1 = issue_hc1(vaccination, signer, issued_at=ISSUED)

    barcodes = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(hc1))))

    assert len(barcodes) == 1
    assert barcodes[0].text == hc1
    assert barcodes[0].ec_level == "Q"
    assert verify_hc1(barcodes[0].text, [signer.certificate], SCAN).valid


def test_the_qr_svg_is_an_svg_document(signer, vaccination):
    svg = qr_svg(issue_hc1(vaccination, signer, issued_at=ISSUED))

    assert svg.startswith(b"<?xml")
    assert b"<svg" in svg


def test_issuing_refuses_a_validity_beyond_the_signer(signer, vaccination):
    with pytest.raises(ValueError, match="validity"):
        issue_hc1(vaccination, signer, issued_at=ISSUED, expires_at=signer.not_after + timedelta(1))
    with pytest.raises(ValueError, match="validity"):
        issue_hc1(vaccination, signer, issued_at=signer.not_before - timedelta(seconds=1))


def test_issuing_refuses_naive_datetimes(signer, vaccination):
    with pytest.raises(ValueError, match="timezone-aware"):
        issue_hc1(vaccination, signer, issued_at=datetime(2024, 3, 2, 8, 0))


def test_verifying_refuses_a_naive_clock(signer, vaccination):
    hc1 = issue_hc1(vaccination, signer, issued_at=ISSUED)
    with pytest.raises(ValueError, match="timezone-aware"):
        verify_hc1(hc1, [signer.certificate], datetime(2024, 3, 30))
