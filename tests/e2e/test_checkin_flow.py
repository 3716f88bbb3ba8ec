"""The public flow people depend on: a place registers a checkpoint, the ward approves it, the QR
on its printed poster leads a phone to the declaration, the visitor checks in and out."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import translation

from phongdich.accounts.actions import do_create_staff
from phongdich.checkpoints.models import Venue, VenueStatus, Visit
from phongdich.lib.poster import pdf_to_png_pages
from phongdich.lib.qr import decode_qr_png
from tests.conftest import HAC_THANH, PASSWORD
from tests.e2e.conftest import PHONE, expect, log_in, snap

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FIRST_LOAD_LIMIT = 60_000  # bytes: the check-in page on a cheap phone over slow 3G


def vi(text) -> str:
    with translation.override("vi"):
        return str(text)


def register(page) -> Venue:
    page.goto("/checkpoints/register")
    page.fill("#f-name", "Tạp hóa Cô Ba")
    page.select_option("#f-kind", "shop")
    page.fill("#f-address", "7 Lê Hoàn")
    page.fill("#f-ward_code", str(HAC_THANH))
    page.fill("#f-phone", "0912 000 111")
    page.click("#register-button")
    page.wait_for_url(re.compile(r"/checkpoints/manage/"))
    return Venue.objects.get()


def poster_url(page) -> str:
    """Download the poster PDF behind #poster-pdf and read the URL its QR code holds."""
    response = page.request.get(page.locator("#poster-pdf").get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    pages = pdf_to_png_pages(response.body())
    assert len(pages) == 1
    [url] = decode_qr_png(pages[0])
    return url


def first_load_bytes(responses) -> int:
    """What the page's first load downloaded; every part of it must have arrived."""
    total = 0
    for response in responses:
        if response.url.endswith("/favicon.ico") or 300 <= response.status < 400:
            continue
        assert response.ok, f"{response.url}: HTTP {response.status}"
        total += len(response.body())
    return total


def test_register_approve_print_then_check_in_and_out_on_a_phone(new_context, live_server):
    registrant = new_context().new_page()
    venue = register(registrant)
    assert venue.status == VenueStatus.PENDING
    expect(registrant.locator("#venue-status")).to_have_text(vi(VenueStatus.PENDING.label))
    expect(registrant.locator("#poster-pdf")).to_have_count(0)

    do_create_staff("ward", "ward_officer", area=HAC_THANH, password=PASSWORD)
    officer = new_context().new_page()
    log_in(officer, "ward")
    officer.goto("/staff/checkpoints/")
    officer.click(f"a[href='/staff/checkpoints/{venue.code}/']")
    officer.click("#approve-button")
    expect(officer.locator("#approve-button")).to_have_count(0)
    venue.refresh_from_db()
    assert venue.status == VenueStatus.ACTIVE
    assert venue.approved_by.username == "ward"
    checkin_url = f"{settings.BASE_URL}/c/{venue.code}"
    assert poster_url(officer) == checkin_url

    registrant.reload()
    expect(registrant.locator("#venue-status")).to_have_text(vi(VenueStatus.ACTIVE.label))
    assert poster_url(registrant) == checkin_url

    phone = new_context(**PHONE).new_page()
    responses = []
    phone.on("response", lambda response: responses.append(response))
    phone.goto(live_server.url + checkin_url.removeprefix(settings.BASE_URL))
    phone.wait_for_load_state("load")
    size = first_load_bytes(responses)
    assert size < FIRST_LOAD_LIMIT, [(r.url, len(r.body())) for r in responses]
    snap(phone, "phone-checkin")

    phone.fill("#f-full_name", "Lê Văn Tám")
    phone.fill("#f-birth_year", "1990")
    phone.select_option("#f-gender", "male")
    phone.fill("#f-phone", "0987 654 321")
    phone.check("input[name=commitment]")
    phone.tap("#checkin-button")
    expect(phone.locator("#checked-in")).to_contain_text("Lê Văn Tám")
    expect(phone.locator("#risk-advice")).to_have_count(0)
    snap(phone, "phone-checked-in")
    visit = Visit.objects.select_related("person").get()
    assert (visit.venue, visit.source, visit.flagged, visit.inside) == (venue, "self", False, True)
    assert visit.person.phone == "+84987654321"

    phone.tap("#checkout-button")
    expect(phone.locator("#checked-out")).to_be_visible()
    visit.refresh_from_db()
    assert not visit.inside
    assert visit.checkout_kind == "self"


def test_a_phone_without_javascript_checks_in(new_context, venue):
    page = new_context(java_script_enabled=False, **PHONE).new_page()
    page.goto(f"/c/{venue.code}")
    page.fill("#f-full_name", "Phạm Thị Hoa")
    page.fill("#f-birth_year", "1978")
    page.select_option("#f-gender", "female")
    page.fill("#f-phone", "0903 111 222")
    page.check("input[name=symptoms][value=cough]")
    page.check("input[name=commitment]")
    page.tap("#checkin-button")
    expect(page.locator("#checked-in")).to_contain_text("Phạm Thị Hoa")
    expect(page.locator("#risk-advice")).to_be_visible()
    visit = Visit.objects.get()
    assert visit.flagged and visit.symptoms == ["cough"]

    # The same phone scanning the poster again is recognised and offered the way out.
    page.goto(f"/c/{venue.code}")
    page.tap("#checkout-button")
    expect(page.locator("#checked-out")).to_be_visible()
    visit.refresh_from_db()
    assert not visit.inside
