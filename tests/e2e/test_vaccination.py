"""The vaccination flow in Chromium: a ward officer records two doses (one given elsewhere, one at
today's session with the screening checklist), issues the certificate, opens the holder's page,
pastes its code into the public verifier and sees "valid"."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from phongdich.lib.dcc import make_qr
from phongdich.lib.timeutil import local_date
from phongdich.vaccination.certificates import do_issue_certificate
from phongdich.vaccination.keys import do_init_keys
from phongdich.vaccination.models import Certificate, Dose
from tests.e2e.conftest import expect, log_in, snap
from tests.e2e.fake_camera import browser_seeing, y4m_showing
from tests.vaccination.conftest import elsewhere, make_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_two_doses_a_certificate_and_the_verifier_says_valid(new_context, ward_officer, citizen):
    do_init_keys()
    today = local_date(timezone.now())
    session = make_session(ward_officer, day=today)
    page = new_context().new_page()
    log_in(page, "ward")

    page.goto(f"/staff/vaccination/people/{citizen.pk}/")
    page.locator("#elsewhere summary").click()
    page.fill("#e-number", "1")
    page.fill("#e-date", (today - timedelta(days=60)).isoformat())
    page.select_option("#e-product", "EU/1/20/1528")
    page.fill("#e-source", "Bệnh viện Đa khoa tỉnh Thanh Hóa")
    page.click("#elsewhere-save")
    expect(page.locator("#dose-table tr[data-dose='1']")).to_be_visible()

    page.goto(f"/staff/vaccination/sessions/{session.pk}/?person={citizen.pk}#dose-form")
    expect(page.locator("#dose-person")).to_have_text(citizen.full_name)
    expect(page.locator("#d-number")).to_have_value("2")
    page.fill("#d-temperature", "36.8")
    page.fill("#d-pulse", "76")
    page.click("#dose-save")
    expect(page.locator("#observing")).to_contain_text(citizen.full_name)
    assert list(Dose.objects.order_by("dose_number").values_list("dose_number", "source")) == [
        (1, "elsewhere"),
        (2, "here"),
    ]

    page.goto(f"/staff/vaccination/people/{citizen.pk}/")
    page.click("#issue-certificate")
    link = page.locator("#certificate-list a.certificate-link").first
    expect(link).to_be_visible()
    snap(page, "vaccination-person")
    link.click()
    page.wait_for_url(re.compile(r"/chung-nhan/"))
    expect(page.locator("#certificate-qr svg")).to_be_visible()
    hc1 = page.locator("#hc1-text").input_value()
    assert hc1 == Certificate.objects.get().hc1 and hc1.startswith("HC1:")
    snap(page, "vaccination-certificate")

    verifier = new_context().new_page()  # anyone, not logged in
    verifier.goto("/xac-thuc")
    expect(verifier.locator("#camera-start")).to_be_visible()  # scanning offered with JS
    verifier.fill("#hc1", hc1)
    verifier.click("#verify-submit")
    result = verifier.locator("#verify-result")
    expect(result).to_have_attribute("data-valid", "true")
    expect(verifier.locator("#verify-verdict")).to_be_visible()
    expect(verifier.locator("#verify-fields")).to_contain_text("NGUYEN")
    snap(verifier, "vaccination-verifier")

    verifier.fill("#hc1", hc1[:-10] + "AAAAAAAAAA")
    verifier.click("#verify-submit")
    expect(verifier.locator("#verify-result")).to_have_attribute("data-valid", "false")


def test_the_camera_reads_a_certificate(launch, new_context, ward_officer, citizen, tmp_path):
    do_init_keys()
    elsewhere(citizen, ward_officer, 1, date(2025, 9, 1))
    certificate, _ = do_issue_certificate(citizen)
    video = y4m_showing(certificate.hc1, tmp_path / "hc1.y4m", qr=make_qr(certificate.hc1), scale=5)
    browser = browser_seeing(launch, video)
    context = new_context(on=browser)
    context.grant_permissions(["camera"])
    page = context.new_page()
    page.goto("/xac-thuc")
    page.click("#camera-start")
    # Linux Chromium has no BarcodeDetector: the vendored jsQR reads the code, fills the box and
    # submits the form; the server says whether it is valid.
    expect(page.locator("#verify-result")).to_have_attribute("data-valid", "true", timeout=20_000)
    assert page.locator("#hc1").input_value() == certificate.hc1
