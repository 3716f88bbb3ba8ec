"""Public pages: the verifier (works without JavaScript), self-registration, and the holder's
pages, reachable only through their unguessable links; the PDF and PNG codes scan."""

from __future__ import annotations

import pytest
from django.urls import reverse

from phongdich.accounts.models import AuditEvent
from phongdich.lib.poster import pdf_to_png_pages
from phongdich.lib.qr import decode_qr_png
from phongdich.vaccination.certificates import do_issue_certificate
from phongdich.vaccination.models import Registration
from tests.conftest import HAC_THANH, PERSON, THANH_HOA
from tests.vaccination.independent import tamper

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(vaccinated, signing_keys):
    return do_issue_certificate(vaccinated)[0]


def test_the_home_page_link_leads_to_the_verifier(client):
    response = client.get(reverse("portal:verify"))
    assert response.status_code == 200 and b'id="verify-form"' in response.content
    assert reverse("portal:verify") == reverse("vaccination_public:verify") == "/xac-thuc"


def test_pasting_a_valid_certificate(client, certificate):
    response = client.post("/xac-thuc", {"hc1": certificate.hc1})
    page = response.content.decode()
    assert 'data-valid="true"' in page and 'id="verify-fields"' in page
    assert "Nguyễn" in page and certificate.uvci in page
    assert 'data-stage="signature"' in page


def test_pasting_a_forged_or_broken_certificate(client, certificate):
    def edit(claims):
        claims[-260][1]["dob"] = "1999"

    forged = client.post("/xac-thuc", {"hc1": tamper(certificate.hc1, edit)}).content.decode()
    assert 'data-valid="false"' in forged and 'data-reason="signature"' in forged
    assert "Chữ ký số không hợp lệ" in forged  # the reason, in Vietnamese by default
    assert 'id="verify-fields"' not in forged  # unverified content is not shown as genuine
    broken = client.post("/xac-thuc", {"hc1": "HC1:%%%"}).content.decode()
    assert 'data-reason="base45"' in broken
    english = client.post("/xac-thuc", {"hc1": "hello"}, headers={"Accept-Language": "en"})
    assert 'data-reason="bad_prefix"' in english.content.decode()


def test_the_verifier_is_rate_limited(client, settings, steady_rate_window):
    from phongdich.vaccination import public

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "verify-test",
        }
    }
    limit = public.VERIFY_RATE_PER_MINUTE
    public.VERIFY_RATE_PER_MINUTE = 2
    try:
        codes = [client.post("/xac-thuc", {"hc1": "x"}).status_code for _ in range(3)]
    finally:
        public.VERIFY_RATE_PER_MINUTE = limit
    assert codes == [200, 200, 429]


def test_the_camera_scanner_is_loaded_only_on_the_verifier(client):
    page = client.get("/xac-thuc").content.decode()
    assert "vaccination/verifier" in page and "vendor/jsqr/jsQR" in page
    assert 'id="scanner" hidden' in page  # without JavaScript it stays hidden


def test_self_registration_in_two_steps_and_a_private_status_page(client):
    first = client.get("/dang-ky-tiem")
    assert b'id="province-form"' in first.content
    form = client.get("/dang-ky-tiem", {"province": THANH_HOA})
    assert f'value="{HAC_THANH}"'.encode() in form.content
    response = client.post(
        f"/dang-ky-tiem?province={THANH_HOA}",
        {
            **PERSON,
            "province": THANH_HOA,
            "priority_group": "chronic",
            "date_of_birth": "1985-04-30",
        },
    )
    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/dang-ky-tiem/{registration.token}"
    status = client.get(response["Location"])
    assert status.status_code == 200 and b'id="registration-ok"' in status.content
    assert status["Cache-Control"] == "private, max-age=0"
    again = client.post(f"/dang-ky-tiem?province={THANH_HOA}", {**PERSON, "province": THANH_HOA})
    # Someone else typing the same details gets what a new person gets (a claim's own
    # registration), never the first one's private page.
    assert again.status_code == 302 and again["Location"] != response["Location"]
    assert registration.token.encode() not in again.content
    claimed = client.get(again["Location"])
    assert claimed.status_code == 200 and registration.token.encode() not in claimed.content
    repeat = client.post(f"/dang-ky-tiem?province={THANH_HOA}", {**PERSON, "province": THANH_HOA})
    assert b'id="already-registered"' in repeat.content  # the same details a third time
    assert registration.token.encode() not in repeat.content
    bad = client.post(
        f"/dang-ky-tiem?province={THANH_HOA}", {"province": THANH_HOA, "full_name": "A"}
    )
    assert bad.status_code == 422 and b'id="err-birth_year"' in bad.content


def test_the_holder_page_pdf_and_png(client, certificate):
    page = client.get(f"/chung-nhan/{certificate.token}")
    assert page.status_code == 200
    text = page.content.decode()
    assert certificate.hc1 in text and "<svg" in text
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    pdf = client.get(f"/chung-nhan/{certificate.token}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    [png] = pdf_to_png_pages(pdf.content, dpi=200)
    assert decode_qr_png(png) == [certificate.hc1]
    qr = client.get(f"/chung-nhan/{certificate.token}.png")
    assert decode_qr_png(qr.content) == [certificate.hc1]
    views = AuditEvent.objects.filter(action="view", object_type="vaccination.certificate")
    assert views.count() == 3 and views.first().actor is None


def test_holder_links_cannot_be_guessed(client, certificate):
    for path in (
        f"/chung-nhan/{certificate.pk}",
        f"/chung-nhan/{certificate.pk}.pdf",
        # One character changed (never the same one: a token may itself end in "x").
        "/chung-nhan/" + certificate.token[:-1] + ("y" if certificate.token.endswith("x") else "x"),
        f"/dang-ky-tiem/{certificate.pk}",
    ):
        assert client.get(path).status_code == 404, path


def test_the_pdf_prints_vietnamese_and_english(certificate):
    import pypdfium2

    from phongdich.vaccination.pdf import render_certificate_pdf

    pdf = render_certificate_pdf(
        certificate, list(certificate.person.doses.order_by("dose_number"))
    )
    document = pypdfium2.PdfDocument(pdf)
    text = document[0].get_textpage().get_text_range()
    document.close()
    for phrase in (
        "CHỨNG NHẬN TIÊM CHỦNG COVID-19",
        "COVID-19 VACCINATION CERTIFICATE",
        "Nguyễn Thị Lan",
        "Họ và tên / Name",
        certificate.uvci,
        "Comirnaty",
        "Mũi 2/2",
    ):
        assert phrase in text, phrase


def test_a_province_that_is_not_a_number_shows_the_choice_again(client):
    assert b'id="province-form"' in client.get("/dang-ky-tiem", {"province": "abc"}).content
