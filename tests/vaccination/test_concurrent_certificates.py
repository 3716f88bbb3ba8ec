"""Issuing a certificate while the same person's record changes: a double click signs one
certificate, not two, and a dose voided while its certificate is being made is not certified
after the void (a signed certificate cannot be recalled)."""

from __future__ import annotations

import pytest

from phongdich.accounts.models import AuditEvent
from phongdich.vaccination import keys
from phongdich.vaccination.certificates import do_issue_certificate
from phongdich.vaccination.doses import do_void_dose
from phongdich.vaccination.models import Certificate, Dose
from tests.meanwhile import Meanwhile

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_double_click_signs_one_certificate(vaccinated, signing_keys, monkeypatch):
    other: list[tuple[Certificate, bool]] = []
    meanwhile = Meanwhile(  # the second click arrives while the first one signs
        monkeypatch, keys, "sign", lambda: other.append(do_issue_certificate(vaccinated))
    )
    certificate, created = do_issue_certificate(vaccinated)
    assert meanwhile.join() == []
    [(again, created_again)] = other
    assert Certificate.objects.count() == 1
    assert again.pk == certificate.pk
    assert sorted([created, created_again]) == [False, True]


def test_a_dose_voided_while_its_certificate_is_made_is_not_certified_after(
    vaccinated, signing_keys, ward_officer, monkeypatch
):
    last = Dose.objects.get(person=vaccinated, dose_number=2)
    meanwhile = Meanwhile(
        monkeypatch,
        keys,
        "sign",
        lambda: do_void_dose(Dose.objects.get(pk=last.pk), "Nhập nhầm", actor=ward_officer),
    )
    certificate, created = do_issue_certificate(vaccinated)
    assert meanwhile.join() == []
    assert created
    last.refresh_from_db()
    assert last.voided_at is not None
    if certificate.dose_id == last.pk:
        # Allowed only if it was issued before the void: then it is one of the certificates
        # "already issued" that stay signed. The audit trail's order is the commit order here.
        issued = AuditEvent.objects.get(action="issue_certificate").pk
        voided = AuditEvent.objects.get(action="void_dose").pk
        assert issued < voided, "a certificate was signed for a dose already voided"
    else:
        assert certificate.dose.dose_number == 1  # the void came first: the dose before it
        assert certificate.payload["v"][0]["dn"] == 1
