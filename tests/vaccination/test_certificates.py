"""Certificates issued from recorded doses: payload, signature (checked independently), validity,
reuse, tampering and expiry, and the contract the testing app signs test certificates with."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from cryptography import x509

from phongdich.core.models import Rule
from phongdich.core.rules import reset_cache
from phongdich.lib.dcc import build_test_certificate, is_valid_uvci, person_name
from phongdich.vaccination import keys
from phongdich.vaccination.certificates import do_issue_certificate, verify_text
from phongdich.vaccination.errors import VaccinationError
from phongdich.vaccination.models import Certificate
from tests.vaccination.conftest import COMIRNATY, NOW, elsewhere
from tests.vaccination.independent import decode_and_verify, tamper

pytestmark = pytest.mark.django_db


def signer_certificate() -> x509.Certificate:
    signer = keys.active_signer()
    assert signer is not None
    return signer.certificate


def test_it_issues_a_certificate_an_independent_decoder_verifies(
    vaccinated, signing_keys, ward_officer
):
    certificate, created = do_issue_certificate(vaccinated, actor=ward_officer)
    assert created
    decoded = decode_and_verify(certificate.hc1, signer_certificate())
    assert decoded.issuer == "VN"
    assert decoded.issued_at == int(NOW.timestamp())
    assert decoded.expires_at == int(datetime(2027, 3, 2, 9, tzinfo=NOW.tzinfo).timestamp())
    dcc = decoded.dcc
    assert dcc["ver"] == "1.3.0"
    assert dcc["nam"] == {"fn": "Nguyễn", "fnt": "NGUYEN", "gn": "Thị Lan", "gnt": "THI<LAN"}
    assert dcc["dob"] == "1985"
    [entry] = dcc["v"]
    assert {k: entry[k] for k in ("tg", "vp", "mp", "ma", "dn", "sd", "dt", "co", "is")} == {
        "tg": "840539006",
        "vp": "1119349007",
        "mp": COMIRNATY,
        "ma": "ORG-100030215",
        "dn": 2,
        "sd": 2,
        "dt": "2025-10-01",
        "co": "VN",
        "is": "Bộ Y tế",
    }
    assert entry["ci"] == certificate.uvci and is_valid_uvci(certificate.uvci)
    assert certificate.uvci.startswith("URN:UVCI:01:VN:")
    assert certificate.payload == dcc
    assert len(certificate.token) >= 32


def test_our_verifier_agrees(vaccinated, signing_keys):
    certificate, _ = do_issue_certificate(vaccinated)
    result = verify_text(certificate.hc1)
    assert result.valid and result.reason is None
    assert all(result.stages.values())
    assert result.payload == certificate.payload


def test_full_date_of_birth_from_registration(vaccinated, signing_keys, ward_officer):
    from phongdich.vaccination.actions import do_register
    from tests.conftest import PERSON

    do_register(PERSON, date_of_birth="1985-04-30", channel="officer", actor=ward_officer)
    certificate, _ = do_issue_certificate(vaccinated)
    assert certificate.payload["dob"] == "1985-04-30"


def test_a_booster_is_written_n_of_n(vaccinated, signing_keys, ward_officer):
    elsewhere(vaccinated, ward_officer, 3, date(2026, 1, 5))
    certificate, _ = do_issue_certificate(vaccinated)
    entry = certificate.payload["v"][0]
    assert (entry["dn"], entry["sd"], entry["dt"]) == (3, 3, "2026-01-05")


def test_a_single_dose_product_is_complete_after_one(citizen, signing_keys, ward_officer):
    elsewhere(citizen, ward_officer, 1, date(2025, 9, 1), product="EU/1/20/1525")
    entry = do_issue_certificate(citizen)[0].payload["v"][0]
    assert (entry["dn"], entry["sd"], entry["vp"]) == (1, 1, "29061000087103")


def test_asking_again_returns_the_same_certificate_until_something_changes(
    vaccinated, signing_keys, ward_officer
):
    first, created = do_issue_certificate(vaccinated)
    again, created_again = do_issue_certificate(vaccinated)
    assert created and not created_again and again.pk == first.pk
    assert do_issue_certificate(vaccinated, reissue=True)[0].pk != first.pk
    elsewhere(vaccinated, ward_officer, 3, date(2026, 1, 5))
    third, created = do_issue_certificate(vaccinated)
    assert created and third.payload["v"][0]["dn"] == 3
    assert Certificate.objects.filter(person=vaccinated).count() == 3


def test_validity_is_a_setting(vaccinated, signing_keys):
    Rule.objects.create(key="vaccination.certificate_validity_months", value=6)
    reset_cache()
    certificate, _ = do_issue_certificate(vaccinated)
    assert certificate.expires_at == datetime(2026, 9, 2, 2, 0, tzinfo=UTC)


def test_expiry_never_passes_the_signer(vaccinated, signing_keys):
    Rule.objects.create(key="vaccination.certificate_validity_months", value=60)
    reset_cache()
    certificate, _ = do_issue_certificate(vaccinated)
    assert certificate.expires_at == signing_keys.not_after
    assert verify_text(certificate.hc1).valid


def test_no_doses_and_no_keys_are_errors_with_codes(citizen, vaccinated, db):
    with pytest.raises(VaccinationError) as no_keys:
        do_issue_certificate(vaccinated)
    assert no_keys.value.code == "no_signing_keys" and no_keys.value.status == 503


def test_a_person_without_doses_gets_no_certificate(ward_officer, signing_keys):
    from phongdich.people.identity import resolve
    from phongdich.people.validation import validate_person
    from tests.vaccination.conftest import MINH

    person = resolve(validate_person(MINH)[0]).person
    with pytest.raises(VaccinationError) as error:
        do_issue_certificate(person)
    assert error.value.code == "no_doses"


def test_a_tampered_certificate_fails_at_the_signature(vaccinated, signing_keys):
    certificate, _ = do_issue_certificate(vaccinated)

    def rename(claims):
        claims[-260][1]["nam"]["fnt"] = "TRAN"

    forged = tamper(certificate.hc1, rename)
    result = verify_text(forged)
    assert not result.valid and result.reason == "signature"
    assert result.stages["kid"] is True and result.stages["signature"] is False
    assert result.payload is None


def test_expired_and_not_yet_valid_certificates_are_refused(vaccinated, signing_keys):
    certificate, _ = do_issue_certificate(vaccinated)
    later = verify_text(certificate.hc1, at=certificate.expires_at + timedelta(seconds=1))
    assert (later.valid, later.reason, later.stages["expiry"]) == (False, "expired", False)
    assert later.stages["signature"] is True
    earlier = verify_text(certificate.hc1, at=certificate.issued_at - timedelta(seconds=1))
    assert (earlier.valid, earlier.reason) == (False, "not_yet_valid")
    at_the_end = verify_text(certificate.hc1, at=certificate.expires_at)
    assert at_the_end.valid


def test_garbage_fails_at_the_first_broken_stage(vaccinated, signing_keys):
    hc1 = do_issue_certificate(vaccinated)[0].hc1
    assert verify_text("HC2:" + hc1[4:]).reason == "bad_prefix"
    assert verify_text("HC1:" + hc1[4:-3] + "~~~").reason == "base45"
    assert verify_text("HC1:ABCDEF").reason in {"base45", "decompress"}


def test_the_testing_app_contract_signs_test_certificates(signing_keys):
    payload = build_test_certificate(
        person_name("Lê Văn Tám"),
        "1990-01-01",
        test_type="LP6464-4",
        result="260415000",
        sample_collected_at=NOW - timedelta(hours=5),
        issuer="CDC Thanh Hóa",
        testing_centre="CDC Thanh Hóa",
    )
    hc1 = keys.issue_signed_hc1(payload, expires_at=NOW + timedelta(hours=72))
    result = verify_text(hc1)
    assert result.valid and result.certificate_type == "t"
    assert result.stages["key_usage"] is True
    assert result.expires_at == NOW + timedelta(hours=72)
    assert keys.trust_list().candidates(keys.active_signer().kid)


def test_the_contract_without_keys(db):
    assert keys.active_signer() is None
    assert len(keys.trust_list()) == 0
    with pytest.raises(VaccinationError) as error:
        keys.issue_signed_hc1({"ver": "1.3.0"})
    assert error.value.code == "no_signing_keys"


def test_a_payload_that_fails_the_schema_is_refused(signing_keys):
    with pytest.raises(VaccinationError) as error:
        keys.issue_signed_hc1({"ver": "1.3.0", "nam": {"fnt": "x"}, "dob": "1990", "v": []})
    assert error.value.code == "invalid_certificate_payload"


def test_issuing_and_verifying_stay_within_their_queries(
    vaccinated, signing_keys, django_assert_max_num_queries, django_assert_num_queries
):
    certificate, _ = do_issue_certificate(vaccinated)  # the signer is loaded once per process
    # doses, signer, 2 inserts (certificate, audit), the certificate.issued event, savepoint in
    # and out
    with django_assert_max_num_queries(7):
        do_issue_certificate(vaccinated, reissue=True)
    with django_assert_max_num_queries(2):  # doses with the reusable one, then that one
        assert do_issue_certificate(vaccinated)[1] is False
    keys.trust_list()
    with django_assert_num_queries(1):  # which signers are trusted now
        assert verify_text(certificate.hc1).valid


def test_a_name_that_cannot_be_transliterated_is_a_clear_error(ward_officer, signing_keys):
    from phongdich.people.identity import resolve
    from phongdich.people.validation import validate_person

    data, errors = validate_person(
        {
            "full_name": "李小龍",
            "birth_year": 1990,
            "gender": "male",
            "phone": "0901 234 567",
            "nationality": "CN",
        }
    )
    assert not errors
    person = resolve(data).person
    elsewhere(person, ward_officer, 1, date(2025, 9, 1), ward_code=14797)
    with pytest.raises(VaccinationError) as error:
        do_issue_certificate(person)
    assert error.value.code == "invalid_certificate_payload" and error.value.status == 422
