"""The epidemic map and the workplace self-assessment in Chromium: a phone opens the public map,
clicks a ward and reads its numbers; a business signs in with the code sent to its phone,
assesses itself as high risk, the ward officer sees the inspection task and requires two fixes
with their deadlines, which the business then sees."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from phongdich.core import sms
from phongdich.lib.sms import ConsoleGateway
from phongdich.lib.timeutil import local_date
from phongdich.risk import actions
from phongdich.risk import business as biz
from tests.conftest import HAC_THANH, QUANG_PHU, THANH_HOA, _staff
from tests.e2e.conftest import PHONE, expect, log_in, snap
from tests.risk.conftest import case, covered_ward

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_public_map_on_a_phone_click_a_ward_and_read_its_numbers(new_context, ward_officer):
    today = local_date(timezone.now())
    covered_ward(HAC_THANH)
    covered_ward(QUANG_PHU)
    for day in range(7):  # 7 per 10,000 in 7 days: 70 per 100,000
        case(HAC_THANH, today - timedelta(days=day))
    rows = actions.do_propose_levels([HAC_THANH, QUANG_PHU], today)  # the weekly job
    actions.do_decide(
        [r.pk for r in rows], approve=True, actor=_staff("chair38", "chairperson", THANH_HOA)
    )
    page = new_context(**PHONE).new_page()
    page.goto("/ban-do-dich")
    province = page.locator(f"#units button[data-code='{THANH_HOA}']")
    expect(province).to_contain_text("Thanh Hóa")
    province.click()
    page.click("#open-province")
    page.wait_for_url(re.compile(rf"province={THANH_HOA}"))
    expect(page.locator(".leaflet-interactive")).to_have_count(2)  # the grid: no shapes uploaded
    # Without positions the list is grouped by level, highest first, and the note says so.
    groups = page.locator("#units li.group")
    expect(groups).to_have_count(2)
    expect(groups.first).to_have_attribute("data-level", "2")
    expect(page.locator("#map-note")).to_contain_text("theo cấp độ")
    ward = page.locator(f"#units button[data-code='{HAC_THANH}']")
    ward.click()
    numbers = page.locator("#detail-numbers")
    expect(numbers).to_contain_text("byt-218 v1")
    expect(numbers).to_contain_text("70")  # per 100,000 in 7 days
    expect(page.locator("#detail .level-line")).to_contain_text("Cấp 2")  # 218: 20–< 150 is band 2
    # The other ward has no case: its counts are 0, never a small number.
    page.locator(".leaflet-interactive").nth(1).click()
    expect(page.locator("#detail")).to_have_attribute("data-unit", str(QUANG_PHU))
    snap(page, "risk-public-map")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360


@pytest.fixture
def outbox():
    gateway = ConsoleGateway("PhongDich")
    sms.use(gateway)  # the live server runs in this process: its codes land here
    yield gateway.outbox
    sms.use(None)


def test_business_self_assessment_creates_a_task_the_officer_sees(
    new_context, venue, ward_officer, outbox
):
    tax_id = "0100047516"
    biz.do_register_business(
        {
            "tax_id": tax_id,
            "name": "Công ty May Hạc Thành",
            "kind": "factory",
            "ward_code": HAC_THANH,
            "contact_phone": venue.phone,
            "venue_codes": venue.code,
        }
    )
    phone = new_context(**PHONE).new_page()
    phone.goto("/doanh-nghiep/dang-nhap")
    phone.fill("#tax_id", tax_id)
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_url(re.compile("/doanh-nghiep/ma"))
    code = re.search(r"\d{6}", outbox[-1].text).group()
    phone.fill("#code", code)
    phone.click("#check-code")
    phone.wait_for_url(re.compile("/doanh-nghiep/danh-gia"))
    phone.fill("#f-tp1", "6000")
    phone.fill("#f-tp2", "1.5")
    phone.fill("#f-tp4", "100")
    phone.fill("#f-tp7", "90")
    phone.fill("#f-tp5", "100")  # every worker checked → 1
    phone.fill("#f-tp8", "1")  # one pick-up area → 1
    for key, value in {
        "tp3": "none",
        "tp6": "crowded",
        "tp9": "daily",
        "tp10": "most",
    }.items():
        phone.check(f"input[name={key}][value={value}]")
    phone.click("#submit-assessment")
    expect(phone.locator("#band")).to_have_attribute("data-band", "high")
    expect(phone.locator("#what-if li").first).to_be_visible()
    snap(phone, "risk-self-assessment")

    officer = new_context().new_page()
    log_in(officer, "ward")
    officer.goto("/staff/risk/inspections/")
    row = officer.locator(f"#inspections tr[data-tax-id='{tax_id}']")
    expect(row).to_contain_text("Công ty May Hạc Thành")
    row.locator("a").click()
    expect(officer.locator("h1")).to_contain_text("Công ty May Hạc Thành")

    # The officer, on a phone, requires two fixes with different deadlines (dd/mm/yyyy).
    officer_phone = new_context(**PHONE).new_page()
    log_in(officer_phone, "ward")
    officer_phone.goto(officer.url)
    today = local_date(timezone.now())
    soon, later = today + timedelta(days=7), today + timedelta(days=30)
    for text, day in (("Giãn ca: tối đa 50 người mỗi ca", later), ("Kẻ vạch cách 2 m", soon)):
        officer_phone.fill("#fix-text", text)
        officer_phone.fill("#fix-deadline", f"{day:%d/%m/%Y}")
        officer_phone.click("#add-fix-button")
        expect(officer_phone.locator("#fixes")).to_contain_text(text)
    items = officer_phone.locator("#fixes li[data-status=open]")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text(f"{soon:%d/%m/%Y}")  # the nearer deadline first
    # A date that does not exist is refused, named in both languages, and nothing is added.
    officer_phone.fill("#fix-text", "Sai ngày")
    officer_phone.fill("#fix-deadline", "31/02/2027")
    officer_phone.click("#add-fix-button")
    expect(officer_phone.locator("#add-fix .errorlist")).to_contain_text("Hạn khắc phục")
    expect(officer_phone.locator("#add-fix .errorlist")).to_contain_text("fix-by date")
    expect(officer_phone.locator("#fixes li[data-status]")).to_have_count(2)
    snap(officer_phone, "risk-inspection-fixes")
    assert officer_phone.evaluate("document.documentElement.scrollWidth") <= 360

    # The business sees both, with their deadlines, on its page.
    phone.reload()
    fixes = phone.locator("#required-fixes li")
    expect(fixes).to_have_count(2)
    expect(fixes.first).to_contain_text("Kẻ vạch cách 2 m")
    expect(fixes.first).to_contain_text(f"{soon:%d/%m/%Y}")
    expect(fixes.nth(1)).to_contain_text(f"{later:%d/%m/%Y}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # On the staff map, the task is a point at the factory's venue; its popup links to it.
    from phongdich.risk.models import WardShape

    # The ward's point is put where the venue is, so that both are in view at the zoom a single
    # ward gives; the popup tells a venue's position from a ward's.
    WardShape.objects.create(
        ward_id=HAC_THANH,
        geometry={"type": "Point", "coordinates": [venue.lon, venue.lat]},
        lat=venue.lat,
        lon=venue.lon,
    )
    officer.goto("/staff/risk/map/")
    expect(officer.locator(".leaflet-interactive")).to_have_count(1)  # the ward
    officer.check("input[data-layer=inspections]")
    point = officer.locator(".leaflet-interactive[stroke='#ef6c00']")  # open, nothing overdue
    expect(point).to_have_count(1)
    point.dispatch_event("click")  # a point at the view's edge: a pointer may not reach it
    popup = officer.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Công ty May Hạc Thành")
    expect(popup).to_contain_text("2 việc cần khắc phục")
    expect(popup).not_to_contain_text("chưa có tọa độ")
    officer.goto(popup.locator("a").get_attribute("href"))  # the popup may sit past the map's edge
    expect(officer.locator("h1")).to_contain_text("Công ty May Hạc Thành")


def _sign_in(page, tax_id, outbox):
    page.goto("/doanh-nghiep/dang-nhap")
    page.fill("#tax_id", tax_id)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile("/doanh-nghiep/ma"))
    page.fill("#code", re.search(r"\d{6}", outbox[-1].text).group())
    page.click("#check-code")
    page.wait_for_url(re.compile("/doanh-nghiep/danh-gia"))


def test_a_restaurant_fails_2225_and_the_officer_attaches_a_photo(
    new_context, venue, ward_officer, outbox, settings, tmp_path
):
    """Decision 2225 (pass/fail, every criterion unconfirmed): the restaurant sees the unmet
    criterion and that meeting it would pass; the officer's task takes a photo and shows it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    tax_id = "0100047516"
    biz.do_register_business(
        {
            "tax_id": tax_id,
            "name": "Quán Phở Hạc Thành",
            "kind": "restaurant",
            "ward_code": HAC_THANH,
            "contact_phone": venue.phone,
            "venue_codes": venue.code,
        }
    )
    phone = new_context(**PHONE).new_page()
    _sign_in(phone, tax_id, outbox)
    expect(phone.locator("#unconfirmed-note")).to_be_visible()
    for fieldset in phone.locator("#assessment fieldset[data-indicator]").all():
        key = fieldset.get_attribute("data-indicator")
        fieldset.locator(f"input[value={'no' if key == 'ventilation' else 'yes'}]").check()
    phone.click("#submit-assessment")
    expect(phone.locator("#band")).to_have_attribute("data-band", "fail")
    expect(phone.locator("#drivers li")).to_have_count(1)
    expect(phone.locator("#drivers")).to_contain_text("Thông khí")
    expect(phone.locator("#what-if")).to_contain_text("sẽ đạt")
    snap(phone, "risk-self-assessment-2225")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    picture = tmp_path / "cua-so.png"
    from PIL import Image

    Image.new("RGB", (64, 48), (10, 120, 200)).save(picture)
    officer = new_context().new_page()
    log_in(officer, "ward")
    officer.goto("/staff/risk/inspections/")
    officer.locator(f"#inspections tr[data-tax-id='{tax_id}'] a").click()
    expect(officer.locator("#reassessments li")).to_have_count(1)
    officer.set_input_files("#photo", str(picture))
    officer.fill("#findings", "Cửa sổ đóng kín")
    officer.click("#save-inspection")
    image = officer.locator("#photos img")
    expect(image).to_have_count(1)
    # Polled with evaluate: the page's Content-Security-Policy allows no string evaluation,
    # which wait_for_function needs.
    for _ in range(100):
        if officer.evaluate("document.querySelector('#photos img').naturalWidth") == 64:
            break
        officer.wait_for_timeout(100)
    else:
        raise AssertionError("the inspection photo did not load as a 64-pixel-wide image")
    expect(officer.locator("#findings")).to_have_value("Cửa sổ đóng kín")
