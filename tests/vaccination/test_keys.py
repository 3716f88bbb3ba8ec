"""Signing keys: created once, encrypted at rest, a real CA chain with the DCC key usages, rotated
(old certificates keep verifying) and retired (then they stop), through the command too."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from phongdich.lib.dcc import OID_RECOVERY, OID_TEST, OID_VACCINATION, TrustList
from phongdich.vaccination import keys
from phongdich.vaccination.certificates import do_issue_certificate, verify_text
from phongdich.vaccination.errors import VaccinationError
from phongdich.vaccination.models import SigningKey
from tests.vaccination.independent import decode_and_verify

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("certkeys", *args, stdout=out)
    return out.getvalue()


def test_init_creates_a_ca_and_a_signer_once(db):
    assert "Created the signing keys" in run("init")
    assert "already exist" in run("init")
    assert SigningKey.objects.filter(kind="csca").count() == 1
    assert SigningKey.objects.filter(kind="dsc", status="active").count() == 1


def test_private_keys_are_encrypted_at_rest(signing_keys):
    for row in SigningKey.objects.all():
        assert row.private_key_pem.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    keys._signers.clear()
    with (
        override_settings(CERT_KEY_PASSPHRASE="another passphrase of enough length 123"),
        pytest.raises(VaccinationError) as error,
    ):
        keys.active_signer()
    assert error.value.code == "signing_key_unreadable"


def test_the_signer_is_certified_by_the_ca_with_the_dcc_key_usages(signing_keys):
    signer = x509.load_pem_x509_certificate(signing_keys.certificate_pem.encode())
    ca = x509.load_pem_x509_certificate(signing_keys.issuer.certificate_pem.encode())
    assert signer.issuer == ca.subject
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    ca_key = ca.public_key()
    assert isinstance(ca_key, ec.EllipticCurvePublicKey)
    ca_key.verify(
        signer.signature, signer.tbs_certificate_bytes, ec.ECDSA(hashes.SHA256())
    )  # raises if the chain is broken
    usages = set(signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    assert usages == {OID_TEST, OID_VACCINATION, OID_RECOVERY}
    assert isinstance(signer.public_key(), ec.EllipticCurvePublicKey)
    assert signer.public_key().curve.name == "secp256r1"
    assert signer.subject.get_attributes_for_oid(x509.oid.NameOID.COUNTRY_NAME)[0].value == "VN"


def test_rotation_keeps_old_certificates_valid_until_the_key_is_retired(vaccinated, signing_keys):
    old_certificate, _ = do_issue_certificate(vaccinated)
    old_signer = keys.active_signer()
    assert "New active document signer" in run("rotate")
    new_signer = keys.active_signer()
    assert new_signer.kid != old_signer.kid
    assert len(keys.trust_list()) == 2
    assert verify_text(old_certificate.hc1).valid
    assert do_issue_certificate(vaccinated)[0].pk == old_certificate.pk  # still trusted: reused
    new_certificate, _ = do_issue_certificate(vaccinated, reissue=True)
    decode_and_verify(new_certificate.hc1, new_signer.certificate)
    assert new_certificate.kid != old_certificate.kid

    with pytest.raises(CommandError, match="retire_active_key"):
        run("retire", new_certificate.kid)
    assert "Retired" in run("retire", old_signer.kid.hex())  # the hexadecimal spelling works
    result = verify_text(old_certificate.hc1)
    assert (result.valid, result.reason) == (False, "unknown_kid")
    assert verify_text(new_certificate.hc1).valid
    with pytest.raises(CommandError, match="unknown_kid"):
        run("retire", "AAAAAAAAAAA=")


def test_a_retired_key_makes_the_next_request_sign_again(vaccinated, signing_keys):
    first, _ = do_issue_certificate(vaccinated)
    keys.do_rotate_keys()
    keys.do_retire_key(first.kid)
    again, created = do_issue_certificate(vaccinated)
    assert created and again.kid != first.kid and verify_text(again.hc1).valid


def test_rotation_with_a_new_ca(signing_keys):
    keys.do_rotate_keys(new_csca=True)
    assert SigningKey.objects.filter(kind="csca").count() == 2
    assert SigningKey.objects.filter(kind="csca", status="active").count() == 1
    active = SigningKey.objects.get(kind="dsc", status="active")
    assert active.issuer.status == "active" and active.issuer != signing_keys.issuer


def test_a_ca_about_to_expire_asks_for_a_new_one(signing_keys, time_machine):
    time_machine.move_to(signing_keys.issuer.not_after - timedelta(days=30), tick=False)
    with pytest.raises(VaccinationError) as error:
        keys.do_rotate_keys()
    assert error.value.code == "csca_expiring"
    assert keys.do_rotate_keys(new_csca=True).status == "active"


def test_the_trust_list_is_exported_as_json(signing_keys, tmp_path):
    keys.do_rotate_keys()
    document = json.loads(run("export-trust-list"))
    assert document["format"] == "phongdich-dcc-trust-list"
    kids = {row.kid for row in SigningKey.objects.filter(kind="dsc")}
    assert set(document["keys"]) == kids
    for entries in document["keys"].values():
        assert entries[0]["key_usage"] == ["t", "v", "r"] and entries[0]["country"] == "VN"
    target = tmp_path / "trust.json"
    assert "Wrote" in run("export-trust-list", str(target))
    assert len(TrustList.from_json(target.read_text())) == 2


def test_list_shows_every_key(signing_keys):
    lines = run("list").splitlines()
    assert len(lines) == 2 and any(line.startswith("dsc") and "active" in line for line in lines)


def test_the_trust_list_cache_follows_the_database(signing_keys):
    first = keys.trust_list()
    assert keys.trust_list() is first  # unchanged keys: no re-parsing
    keys.do_rotate_keys()
    assert len(keys.trust_list()) == 2


@pytest.mark.django_db(transaction=True)
def test_outside_transactions_the_current_kids_are_remembered_briefly(
    django_assert_num_queries, monkeypatch
):
    keys.do_init_keys()  # commits, which forgets what was remembered
    first = keys.signer_kids()
    keys.trust_list()
    with django_assert_num_queries(0):
        assert keys.signer_kids() == first
        keys.trust_list()
    rotated = keys.do_rotate_keys()
    assert keys.signer_kids()[0] == rotated.kid  # the rotation in this process is seen at once
    SigningKey.objects.filter(kid=rotated.kid).update(status="trusted")  # as another process would
    assert keys.signer_kids()[0] == rotated.kid
    later = keys.time.monotonic() + keys.KIDS_TTL_SECONDS + 1
    monkeypatch.setattr(keys.time, "monotonic", lambda: later)
    assert keys.signer_kids()[0] is None
