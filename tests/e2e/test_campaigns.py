"""A campaign in Chromium on a 360 px phone: the officer types the message and narrows the
segment, the count and the SMS count follow (htmx), schedules it; the worker sends it (console
channel) and the results show it; nothing is wider than the screen."""

from __future__ import annotations

import pytest
import time_machine
from django.utils import timezone

from phongdich.campaigns import sending
from phongdich.core import sms
from phongdich.lib.sms import ConsoleGateway
from phongdich.lib.sms.policy import next_allowed_time
from tests.campaigns.conftest import make_person
from tests.e2e.conftest import PHONE, expect, log_in, snap

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_an_officer_previews_schedules_and_reads_results_on_a_phone(new_context, ward_officer):
    from datetime import datetime

    from phongdich.lib.timeutil import VN_TZ

    year = datetime.now(VN_TZ).year
    old = [make_person(birth_year=year - 70) for _ in range(2)]
    make_person(birth_year=year - 20)
    page = new_context(**PHONE).new_page()
    log_in(page, ward_officer.username)
    page.goto("/staff/campaigns/new")
    expect(page.locator("#preview-count")).to_have_text("3")
    page.fill("#title", "Mời tiêm nhắc lại")
    page.fill("#text", "Phường Hạc Thành: mời người trên 60 tuổi tiêm nhắc lại sáng thứ Bảy.")
    page.fill("#age_min", "60")
    page.locator("#age_min").dispatch_event("change")
    expect(page.locator("#preview-count")).to_have_text("2")
    expect(page.locator("#preview-parts")).to_have_text("2")  # Unicode: 70 characters a part
    page.check("input[name=ascii_only]")
    expect(page.locator("#preview-parts")).to_have_text("1")
    assert _width(page) <= 360
    snap(page, "campaign-new-360")
    page.click("#save-campaign")
    expect(page.locator("#status")).to_have_text("Đã lên lịch")

    gateway = ConsoleGateway("PhongDich")
    sms.use(gateway)
    try:
        # The worker sends only in the sending hours: run it at the next opening (now, by day).
        opening = next_allowed_time(timezone.now(), sending.quiet_hours())
        with time_machine.travel(opening, tick=True):
            sending.run()
    finally:
        sms.use(None)
    assert sorted(m.to for m in gateway.outbox) == sorted(p.phone for p in old)
    page.reload()
    expect(page.locator("#status")).to_have_text("Đã gửi")
    expect(page.locator("tr[data-row=sent] td")).to_have_text("2")
    assert _width(page) <= 360
    page.goto("/staff/campaigns/")
    expect(page.locator("#campaigns")).to_contain_text("Mời tiêm nhắc lại")
    assert _width(page) <= 360
