"""The staff scanner: personal QR codes (PD1:<token>) read by a checkpoint's staff, with an offline
queue that keeps each scan's own time until the connection returns."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from phongdich.checkpoints.actions import do_checkin, do_checkout
from phongdich.checkpoints.models import Visit
from phongdich.people.models import Person
from tests.conftest import HEALTHY, PERSON
from tests.e2e.conftest import PHONE, expect, log_in, snap
from tests.e2e.fake_camera import browser_seeing, y4m_showing

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

QUEUE_KEY = "phongdich.scanner.queue.v1"
MINH = {
    "full_name": "Trần Văn Minh",
    "birth_year": 1992,
    "gender": "male",
    "phone": "0987 654 321",
    "nationality": "VN",
}


def declared_before(venue, person: dict) -> Person:
    """Someone who has declared once (so holds a personal QR code) and has left again."""
    result = do_checkin(
        venue_code=venue.code, client_id=uuid.uuid4(), person=person, declaration=HEALTHY
    )
    do_checkout(result.visit)
    return result.person


def open_scanner(context, venue):
    page = context.new_page()
    log_in(page, "staff")
    page.goto(f"/staff/checkpoints/{venue.code}/scan")
    expect(page.locator("#queue-count")).to_have_text("0")
    return page


def queue(page) -> list[dict]:
    return page.evaluate(f"() => JSON.parse(localStorage.getItem('{QUEUE_KEY}') || '[]')")


def test_scan_online_then_offline_and_the_queue_drains(new_context, venue_staff, venue):
    lan = declared_before(venue, PERSON)
    minh = declared_before(venue, MINH)
    context = new_context(**PHONE)
    page = open_scanner(context, venue)
    latest = page.locator("#scan-results li").first

    page.fill("#manual-token", f"http://127.0.0.1:8000/c/{venue.code}")
    page.click("#manual-submit")
    expect(page.locator("#manual-error")).to_be_visible()
    expect(page.locator("#confirm-panel")).to_be_hidden()

    # One tap: nothing ticked means no risk declared.
    page.fill("#manual-token", f"PD1:{lan.token}")
    page.press("#manual-token", "Enter")
    expect(page.locator("#confirm-panel")).to_be_visible()
    # Staff see who the code names before they confirm: name and year of birth.
    expect(page.locator("#confirm-name")).to_have_text(lan.full_name)
    expect(page.locator("#confirm-year")).to_have_text(str(lan.birth_year))
    expect(page.locator("#confirm-inside")).to_be_hidden()
    page.tap("#scan-confirm")
    expect(latest).to_have_attribute("data-state", "ok")
    expect(latest.locator(".who")).to_have_text(lan.full_name)
    # Scanned again while inside: the panel says so before anyone confirms.
    page.fill("#manual-token", f"PD1:{lan.token}")
    page.press("#manual-token", "Enter")
    expect(page.locator("#confirm-inside")).to_be_visible()
    page.click("#scan-cancel")
    visit = Visit.objects.get(person=lan, checked_out_at__isnull=True)
    assert (visit.source, visit.flagged, visit.entered_by) == ("scan", False, venue_staff)
    assert latest.get_attribute("data-visit-id") == str(visit.pk)
    # Without the camera the QR decoder is never downloaded.
    assert not page.evaluate(
        "() => performance.getEntriesByType('resource').some(e => e.name.includes('jsQR'))"
    )
    snap(page, "phone-scanner")

    # The connection drops: the next scan waits on the phone, with the time it was made.
    context.set_offline(True)
    page.fill("#manual-token", f"PD1:{minh.token}")
    page.click("#manual-submit")
    page.check("#confirm-panel input[name=symptoms][value=fever]")
    snap(page, "phone-scanner-confirm")
    page.tap("#scan-confirm")
    expect(page.locator("#queue-count")).to_have_text("1")
    expect(latest).to_have_attribute("data-state", "queued")
    [queued] = queue(page)
    assert queued["person_token"] == minh.token
    assert queued["declaration"]["symptoms"] == ["fever"]
    assert not Visit.objects.filter(client_id=queued["client_id"]).exists()
    snap(page, "phone-scanner-offline")

    page.wait_for_timeout(1500)
    context.set_offline(False)
    expect(page.locator("#queue-count")).to_have_text("0", timeout=20_000)
    expect(latest).to_have_attribute("data-state", "flagged")
    visit = Visit.objects.get(client_id=queued["client_id"])
    assert (visit.person, visit.source, visit.flagged) == (minh, "scan", True)
    assert visit.checked_in_at == datetime.fromisoformat(queued["scanned_at"])
    assert visit.received_at - visit.checked_in_at >= timedelta(seconds=1)

    # The same scan uploaded again (a second tab, an answer lost on the way) changes nothing.
    page.evaluate(f"q => localStorage.setItem('{QUEUE_KEY}', JSON.stringify([q]))", queued)
    with page.expect_response("**/api/v1/checkins") as answer:
        page.click("#queue-upload")
    assert answer.value.status == 200
    csrf_cookie = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
    assert answer.value.request.headers["x-csrftoken"] == csrf_cookie
    expect(page.locator("#queue-count")).to_have_text("0")
    assert Visit.objects.filter(person=minh).count() == 2


def test_a_visitor_already_inside_can_be_checked_out_from_the_result(
    new_context, venue_staff, venue
):
    inside = do_checkin(
        venue_code=venue.code, client_id=uuid.uuid4(), person=PERSON, declaration=HEALTHY
    ).visit
    page = open_scanner(new_context(**PHONE), venue)
    page.fill("#manual-token", inside.person.token)  # a bare token works too
    page.click("#manual-submit")
    page.click("#scan-confirm")
    latest = page.locator("#scan-results li").first
    expect(latest).to_have_attribute("data-visit-id", str(inside.pk))
    latest.locator("button").click()
    expect(latest.locator("button")).to_have_count(0)
    inside.refresh_from_db()
    assert inside.checkout_kind == "staff"
    assert Visit.objects.count() == 1


def test_the_camera_reads_a_personal_qr(launch, new_context, venue_staff, venue, tmp_path):
    lan = declared_before(venue, PERSON)
    video = y4m_showing(f"PD1:{lan.token}", tmp_path / "qr.y4m")
    browser = browser_seeing(launch, video)
    context = new_context(on=browser, **PHONE)
    context.grant_permissions(["camera"])
    page = open_scanner(context, venue)
    # The camera is already allowed, so the page opens it without a tap.
    expect(page.locator("#camera-stop")).to_be_visible()
    expect(page.locator("#confirm-panel")).to_be_visible(timeout=15_000)
    # Linux Chromium has no BarcodeDetector, so this exercises the vendored jsQR; phones with
    # the native detector use that instead.
    assert page.locator("#scanner").get_attribute("data-decoder") in {"jsqr", "native"}
    page.tap("#scan-confirm")
    expect(page.locator("#scan-results li").first).to_have_attribute("data-state", "ok")
    visit = Visit.objects.get(person=lan, checked_out_at__isnull=True)
    assert visit.source == "scan"
