"""Printed documents read back by real decoders: tube and pool label sheets, and the result
certificate whose QR verifies as an EU DCC test certificate."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from unittest import mock

import pypdfium2
import pytest
from django.urls import reverse
from django.utils import timezone

from phongdich.lib.codes import is_valid_code
from phongdich.lib.dcc import verify_hc1
from phongdich.lib.dcc.valuesets import TEST_RESULT_DETECTED, TEST_RESULT_NOT_DETECTED
from phongdich.lib.poster import pdf_to_png_pages
from phongdich.lib.qr import decode_qr_png
from phongdich.testing import certificates
from phongdich.testing.labels import blank_tube_labels_pdf, pool_labels_pdf, tube_labels_pdf
from phongdich.testing.results import do_record_result
from tests.testing.conftest import pooled, register


def decoded(pdf: bytes, dpi: int = 150) -> list[str]:
    return [text for page in pdf_to_png_pages(pdf, dpi=dpi) for text in decode_qr_png(page)]


def test_tube_and_pool_labels_scan_back_to_their_codes(session, ward_officer):
    samples, pools = pooled(session, ward_officer, 26, 5)
    tubes = tube_labels_pdf(session)
    assert len(pdf_to_png_pages(tubes)) == 2  # 24 labels a sheet
    assert sorted(decoded(tubes)) == sorted(s.tube_code for s in samples)
    assert sorted(decoded(pool_labels_pdf(session))) == sorted(p.code for p in pools)


def test_blank_labels_carry_fresh_valid_codes(session):
    pdf, codes = blank_tube_labels_pdf(session, 3)
    assert sorted(decoded(pdf)) == sorted(codes) and all(is_valid_code(c) for c in codes)


def test_thermal_labels_are_one_50_by_30_mm_label_a_page_that_scan_back(session, ward_officer):
    samples, pools = pooled(session, ward_officer, 3, 2)
    pdf = tube_labels_pdf(session, "thermal")
    document = pypdfium2.PdfDocument(pdf)
    assert len(document) == 3
    width, height = document[0].get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (50, 30)
    assert decoded(pdf, dpi=300) == [s.tube_code for s in samples]  # one code per page, in order
    assert sorted(decoded(pool_labels_pdf(session, "thermal"), dpi=300)) == sorted(
        p.code for p in pools
    )
    blank, codes = blank_tube_labels_pdf(session, 2, "thermal")
    assert decoded(blank, dpi=300) == codes


def test_label_page_offers_the_thermal_layout(client, session, ward_officer):
    pooled(session, ward_officer, 2, 2)
    client.force_login(ward_officer)
    page = client.get(reverse("testing:session", args=[session.pk])).content.decode()
    assert "layout=thermal" in page
    url = reverse("testing:labels", args=[session.pk, "tubes"])
    response = client.get(url + "?layout=thermal")
    assert response.status_code == 200
    assert len(pypdfium2.PdfDocument(response.content)) == 2


@pytest.fixture
def keys(db):
    from phongdich.vaccination.keys import do_init_keys

    do_init_keys()


def result(session, ward_officer, lab_technician, lab, value="negative"):
    [sample] = register(session, ward_officer, 1)
    do_record_result(sample.tube_code, value, user=lab_technician, lab=lab)
    sample.refresh_from_db()
    return sample


def verify(hc1: str):
    from phongdich.vaccination.keys import trust_list

    return verify_hc1(hc1, trust_list(), at=timezone.now())


@pytest.mark.parametrize(
    ("value", "code"), [("negative", TEST_RESULT_NOT_DETECTED), ("positive", TEST_RESULT_DETECTED)]
)
def test_the_certificate_qr_is_a_verifiable_test_certificate(
    keys, session, ward_officer, lab_technician, lab, value, code
):
    sample = result(session, ward_officer, lab_technician, lab, value)
    pdf = certificates.certificate_pdf(sample)
    [hc1] = decoded(pdf, dpi=200)
    assert hc1.startswith("HC1:")
    checked = verify(hc1)
    assert checked.valid, checked.reason
    payload = checked.payload
    [test] = payload["t"]
    assert test["tr"] == code and test["tt"] == "LP6464-4" and test["tc"] == lab.name
    assert payload["dob"] == str(sample.person.birth_year)
    assert payload["nam"]["fnt"] == "LE" and payload["nam"]["gnt"].startswith("VAN<THU")
    assert test["sc"] == sample.collected_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert checked.expires_at - checked.issued_at <= timedelta(hours=72, seconds=1)


def test_a_rapid_test_certificate_names_its_device(keys, ward_officer, lab_technician, lab):
    from phongdich.testing.actions import do_create_session
    from tests.testing.conftest import SESSION

    rapid = do_create_session(
        {
            **SESSION,
            "date": timezone.localdate(),
            "test_type": "rapid_antigen",
            "rat_device": "1232",
        },
        actor=ward_officer,
    )
    sample = result(rapid, ward_officer, lab_technician, lab)
    [test] = verify(certificates.issue_hc1(sample)).payload["t"]
    assert test["tt"] == "LP217198-3" and test["ma"] == "1232"
    rapid.rat_device = ""
    rapid.save()
    sample.refresh_from_db()
    with pytest.raises(certificates.TestingError) as err:
        certificates.issue_hc1(sample)
    assert err.value.code == "no_rat_device"


def test_without_keys_there_is_no_certificate_yet(session, ward_officer, lab_technician, lab):
    sample = result(session, ward_officer, lab_technician, lab)
    with pytest.raises(certificates.TestingError) as err:
        certificates.certificate_pdf(sample)
    assert err.value.code == "no_signing_keys" and err.value.status == 503


def test_the_seam_reports_a_missing_vaccination_app(session, ward_officer, lab_technician, lab):
    sample = result(session, ward_officer, lab_technician, lab)
    with (
        mock.patch.dict("sys.modules", {"phongdich.vaccination.keys": None}),
        pytest.raises(certificates.TestingError) as err,
    ):
        certificates.issue_hc1(sample)
    assert err.value.code == "no_signing_keys"


def test_a_pending_sample_has_no_certificate(session, ward_officer):
    [sample] = register(session, ward_officer, 1)
    with pytest.raises(certificates.TestingError) as err:
        certificates.dcc_payload(sample)
    assert err.value.code == "no_result"


def test_the_public_page_links_to_the_certificate(
    keys, client, session, ward_officer, lab_technician, lab
):
    sample = result(session, ward_officer, lab_technician, lab)
    page = client.post(
        "/ket-qua", {"code": sample.tube_code, "birth_year": sample.person.birth_year}
    )
    link = re.search(r'id="certificate-link" href="([^"]+)"', page.content.decode()).group(1)
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    [hc1] = decoded(response.content, dpi=200)
    assert verify(hc1).valid
    assert client.get(link[:-3] + "xyz").status_code == 404
