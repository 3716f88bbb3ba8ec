"""Verifier stages one by one, on messages built with the low-level primitives."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta

import base45
import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from phongdich.lib.dcc import (
    REASON_MESSAGES,
    STAGES,
    DccError,
    TrustList,
    check_expiry,
    decode_claims,
    decode_hc1,
    encode_hc1,
    generate_csca,
    generate_document_signer,
    issue_hc1,
    parse_cose_sign1,
    verify_cose,
    verify_hc1,
)
from phongdich.lib.dcc.cwt import CwtClaims, encode_claims
from phongdich.lib.dcc.transport import MAX_DECOMPRESSED_BYTES, decompress

T0 = datetime(2024, 1, 1, tzinfo=UTC)
NOW = T0 + timedelta(days=40)
DCC = {
    "ver": "1.3.0",
    "nam": {"fn": "Lê", "fnt": "LE", "gn": "Văn Tám", "gnt": "VAN<TAM"},
    "dob": "1970-01-01",
    "r": [
        {
            "tg": "840539006",
            "fr": "2023-12-20",
            "co": "VN",
            "is": "Bộ Y tế",
            "df": "2024-01-01",
            "du": "2024-06-30",
            "ci": "URN:UVCI:01:VN:R1#Q",
        }
    ],
}


@pytest.fixture(scope="module")
def signer():
    csca = generate_csca("VN", valid_from=T0 - timedelta(days=365))
    return generate_document_signer(csca, valid_from=T0, valid_for=timedelta(days=730))


@pytest.fixture
def trust(signer):
    return TrustList([signer.certificate])


def _message(signer, *, protected=None, unprotected=None, claims=None, tag=18):
    """A COSE_Sign1 with any headers we like, correctly signed over what it carries."""
    payload = claims if claims is not None else _claims()
    protected = cbor2.dumps(protected if protected is not None else {1: -7, 4: signer.kid})
    to_be_signed = cbor2.dumps(["Signature1", protected, b"", payload])
    r, s = decode_dss_signature(signer.private_key.sign(to_be_signed, ec.ECDSA(hashes.SHA256())))
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    body = [protected, unprotected or {}, payload, signature]
    return cbor2.dumps(cbor2.CBORTag(tag, body) if tag is not None else body)


def _claims(**overrides):
    claims = {
        1: "VN",
        6: int((T0 + timedelta(days=1)).timestamp()),
        4: int((T0 + timedelta(days=100)).timestamp()),
        -260: {1: DCC},
    }
    for key, value in overrides.items():
        label = {"iss": 1, "iat": 6, "exp": 4}[key]
        if value is None:
            del claims[label]
        else:
            claims[label] = value
    return cbor2.dumps(claims)


def test_every_stage_is_reported_in_the_documented_order(signer, trust):
    result = verify_hc1(issue_hc1(DCC, signer, issued_at=T0 + timedelta(days=1)), trust, NOW)
    assert tuple(result.stages) == STAGES
    assert STAGES == (
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
    with pytest.raises(TypeError):
        result.stages["schema"] = False  # type: ignore[index]


@pytest.mark.parametrize(
    ("text", "reason", "failed"),
    [
        ("HC2:NCFOXN%TS3DH", "bad_prefix", "unprefix"),
        ("NCFOXN%TS3DH", "bad_prefix", "unprefix"),
        ("", "bad_prefix", "unprefix"),
        ("HC1:abc", "base45", "base45"),  # lower case is not Base45
        ("HC1:GGW", "base45", "base45"),  # a triple above 65535
        ("HC1:" + base45.b45encode(b"not zlib").decode(), "decompress", "decompress"),
        ("HC1:" + base45.b45encode(zlib.compress(b"\x01\x02")).decode(), "cbor", "cbor"),
    ],
)
def test_transport_failures_stop_at_their_stage(trust, text, reason, failed):
    result = verify_hc1(text, trust, NOW)

    assert result.reason == reason
    assert result.stages[failed] is False
    later = STAGES[STAGES.index(failed) + 1 :]
    assert all(result.stages[stage] is None for stage in later)
    assert not result.valid
    assert result.payload is None and result.unverified_payload is None


def test_bytes_instead_of_text_is_a_bad_prefix(trust):
    assert verify_hc1(b"HC1:NCF", trust, NOW).reason == "bad_prefix"  # type: ignore[arg-type]


def test_surrounding_whitespace_is_ignored(signer, trust):
    hc1 = issue_hc1(DCC, signer, issued_at=T0 + timedelta(days=1))
    assert verify_hc1(f"  {hc1}\n", trust, NOW).valid


def test_a_decompression_bomb_is_refused():
    bomb = zlib.compress(b"\0" * (MAX_DECOMPRESSED_BYTES + 1))
    with pytest.raises(DccError) as raised:
        decompress(bomb)
    assert raised.value.code == "decompress"
    with pytest.raises(DccError):
        decompress(zlib.compress(b"x" * 100)[:-3])  # truncated


def test_decode_hc1_raises_the_failing_stage(signer):
    hc1 = issue_hc1(DCC, signer, issued_at=T0 + timedelta(days=1))
    assert parse_cose_sign1(decode_hc1(hc1)).kid == signer.kid
    with pytest.raises(DccError) as raised:
        decode_hc1("HC1:%%")
    assert raised.value.code == "base45"
    assert raised.value.message_vi.startswith("Mã QR bị hỏng")


def test_a_cwt_tagged_message_is_accepted(signer, trust):
    inner = cbor2.loads(_message(signer))
    wrapped = cbor2.dumps(cbor2.CBORTag(61, inner))

    assert verify_cose(wrapped, trust, NOW).valid


def test_an_untagged_message_is_accepted_but_other_tags_are_not(signer, trust):
    assert verify_cose(_message(signer, tag=None), trust, NOW).valid
    assert verify_cose(_message(signer, tag=98), trust, NOW).reason == "cbor"


def test_the_protected_kid_wins_over_the_unprotected_one(signer, trust):
    bogus = b"\x00" * 8
    good_protected = _message(signer, unprotected={4: bogus})
    bad_protected = _message(signer, protected={1: -7, 4: bogus}, unprotected={4: signer.kid})

    assert verify_cose(good_protected, trust, NOW).valid
    result = verify_cose(bad_protected, trust, NOW)
    assert result.reason == "unknown_kid"
    assert result.kid == bogus


def test_a_kid_only_in_the_unprotected_header_is_used(signer, trust):
    message = _message(signer, protected={1: -7}, unprotected={4: signer.kid})
    assert verify_cose(message, trust, NOW).valid


def test_a_message_without_kid_is_refused(signer, trust):
    result = verify_cose(_message(signer, protected={1: -7}), trust, NOW)
    assert result.reason == "unknown_kid"


def test_an_unsupported_algorithm_is_refused(signer, trust):
    result = verify_cose(_message(signer, protected={1: -35, 4: signer.kid}), trust, NOW)
    assert result.reason == "unsupported_algorithm"
    assert result.stages["signature"] is False


def test_an_alg_that_does_not_match_the_key_fails_the_signature(signer, trust):
    result = verify_cose(_message(signer, protected={1: -37, 4: signer.kid}), trust, NOW)
    assert result.reason == "signature"


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        (cbor2.dumps({1: "VN"}), "cbor"),  # no DCC
        (cbor2.dumps([1, 2]), "cbor"),
        (cbor2.dumps({-260: {1: "not a map"}}), "cbor"),
        (b"\xff", "cbor"),
    ],
)
def test_a_payload_without_a_dcc_is_a_cbor_failure(signer, trust, claims, reason):
    result = verify_cose(_message(signer, claims=claims), trust, NOW)
    assert result.reason == reason
    assert result.stages["kid"] is None


def test_missing_time_claims_fail_expiry(signer, trust):
    result = verify_cose(_message(signer, claims=_claims(exp=None)), trust, NOW)
    assert result.reason == "missing_claims"
    assert result.stages["signature"] is True


def test_a_certificate_outliving_its_signer_fails_expiry(signer, trust):
    beyond = int((signer.not_after + timedelta(days=1)).timestamp())
    result = verify_cose(_message(signer, claims=_claims(exp=beyond)), trust, NOW)
    assert result.reason == "certificate_validity"


def test_a_certificate_predating_its_signer_fails_expiry(signer, trust):
    early = int((signer.not_before - timedelta(days=1)).timestamp())
    result = verify_cose(_message(signer, claims=_claims(iat=early)), trust, NOW)
    assert result.reason == "certificate_validity"


def test_an_invalid_payload_fails_only_the_schema(signer, trust):
    broken = DCC | {"nam": {"fn": "Lê"}}
    claims = encode_claims(broken, issuer="VN", issued_at=T0 + timedelta(1), expires_at=NOW)
    result = verify_cose(_message(signer, claims=claims), trust, NOW)

    assert result.reason == "schema"
    assert result.stages["signature"] is True
    assert any("fnt" in problem for problem in result.schema_errors)
    assert result.payload == broken  # authentic, but not a valid DCC


def test_the_schema_check_can_be_left_to_the_caller(signer, trust):
    broken = DCC | {"nam": {"fn": "Lê"}}
    claims = encode_claims(broken, issuer="VN", issued_at=T0 + timedelta(1), expires_at=NOW)
    result = verify_cose(_message(signer, claims=claims), trust, NOW, check_schema=False)

    assert result.valid
    assert result.stages["schema"] is None


def test_verify_cose_leaves_the_transport_stages_empty(signer, trust):
    result = verify_cose(_message(signer), trust, NOW)
    assert result.valid
    assert [result.stages[s] for s in ("unprefix", "base45", "decompress")] == [None] * 3


def test_a_tagged_sample_time_is_read_as_text(signer, trust):
    tagged = DCC | {
        "r": None,
        "t": [
            {
                "tg": "840539006",
                "tt": "LP6464-4",
                "sc": cbor2.CBORTag(0, "2024-01-01T07:30:00Z"),
                "tr": "260415000",
                "tc": "CDC",
                "co": "VN",
                "is": "Bộ Y tế",
                "ci": "URN:UVCI:01:VN:T#X",
            }
        ],
    }
    del tagged["r"]
    claims = cbor2.dumps(
        {1: "VN", 6: int(T0.timestamp()) + 60, 4: int(NOW.timestamp()), -260: {1: tagged}}
    )

    result = verify_cose(_message(signer, claims=claims), trust, NOW)

    assert result.valid, result.schema_errors
    assert result.payload["t"][0]["sc"] == "2024-01-01T07:30:00Z"


def test_check_expiry_boundaries():
    claims = CwtClaims("VN", T0, T0 + timedelta(days=1), {})
    assert check_expiry(claims, T0) is None
    assert check_expiry(claims, T0 + timedelta(days=1)) is None
    assert check_expiry(claims, T0 - timedelta(seconds=1)) == "not_yet_valid"
    assert check_expiry(claims, T0 + timedelta(days=1, seconds=1)) == "expired"


def test_float_and_malformed_timestamps(signer):
    claims = decode_claims(_claims(iat=1_700_000_000.5, exp="tomorrow"))
    assert claims.issued_at == datetime.fromtimestamp(1_700_000_000.5, UTC)
    assert claims.expires_at is None


def test_every_reason_has_messages_in_both_languages(signer, trust):
    for code, (vietnamese, english) in REASON_MESSAGES.items():
        assert vietnamese and english, code
    result = verify_hc1("HC2:", trust, NOW)
    assert result.message_vi == REASON_MESSAGES["bad_prefix"][0]
    assert result.message_en == REASON_MESSAGES["bad_prefix"][1]
    assert (
        verify_hc1(issue_hc1(DCC, signer, issued_at=T0 + timedelta(1)), trust, NOW).message_en
        is None
    )


def test_round_trip_through_the_transport_layers(signer):
    cose = _message(signer)
    assert decode_hc1(encode_hc1(cose)) == cose
