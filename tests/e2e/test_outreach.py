"""The closed loop in a real browser: an officer opens a case, its F1 get robot calls (sipp on
loopback is each phone), one presses 1 for symptoms, and the officer's list shows that person
flagged with the call log — on a 360 px phone screen."""

from __future__ import annotations

import pytest

from tests.conftest import HAC_THANH
from tests.e2e.conftest import expect, log_in, snap
from tests.outreach.conftest import MORNING
from tests.outreach.phones import Phones
from tests.telephony.conftest import require_tool
from tests.tracing.conftest import World

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def test_an_f1_who_presses_1_is_flagged_on_the_officer_s_list(
    new_context, ward_officer, other_ward_officer, tmp_path
):
    from phongdich.core.events import deliver_pending
    from phongdich.core.models import Rule
    from phongdich.core.rules import reset_cache
    from phongdich.outreach.dialer import dial_due
    from phongdich.people.models import Person

    for tool in ("sipp", "espeak-ng", "sox"):
        require_tool(tool)
    Rule.objects.create(key="outreach.announce_minutes", value=0)
    reset_cache()
    world = World(ward_officer, other_ward_officer)
    world.visit("Nguyễn An", "office", "2026-11-19 08:00", "2026-11-19 09:00")
    world.visit("Trần Bình", "office", "2026-11-19 08:10", "2026-11-19 08:50")
    world.visit("Lê Chi", "office", "2026-11-19 08:20", "2026-11-19 08:55")
    Person.objects.filter(pk=world.person("Nguyễn An").pk).update(id_number="038190001111")

    page = new_context().new_page()
    log_in(page, "ward")
    page.goto("/staff/tracing/")
    page.locator("details.card summary").click()
    page.fill("#c-full_name", "Nguyễn An")
    page.fill("#c-birth_year", str(world.person("Nguyễn An").birth_year))
    page.select_option("#c-gender", "female")
    page.fill("#c-id_number", "038190001111")
    page.fill("#c-ward_code", str(HAC_THANH))
    page.fill("#c-confirmed", "2026-11-22")
    page.fill("#c-sample", "2026-11-21")
    page.fill("#c-onset", "2026-11-20")
    page.locator("#c-notes").locator("xpath=ancestor::form").locator("button[type=submit]").click()
    page.wait_for_url("**/staff/tracing/*/")
    expect(page.locator("tr[data-level=F1]")).to_have_count(2)

    # The worker's part, in this process: the outbox plans the calls, the dialler places them.
    assert deliver_pending() >= 1
    binh, chi = world.person("Trần Bình"), world.person("Lê Chi")
    phones = Phones(tmp_path, tmp_path / "prompts")
    factory = phones.start(
        {
            binh.phone: ("answer_keys.xml", {"KEY1": "1", "KEY2": "1"}, {}),  # fever: 1
            chi.phone: ("answer_keys.xml", {"KEY1": "1", "KEY2": "2"}, {}),  # well: 2
        }
    )
    report = dial_due(factory, MORNING)
    assert phones.finish() == [0, 0], phones.log()
    assert report.outcomes == {"answered": 2}

    # The call log on the person's record, linked from the case page.
    page.reload()
    page.locator("tr[data-level=F1]", has_text="Trần Bình").locator("a.person-link").click()
    expect(page.locator("#call-log li[data-outcome=answered]")).to_contain_text("symptoms: 1")

    phone = new_context(**PHONE).new_page()
    log_in(phone, "ward")
    phone.goto("/staff/outreach/")
    flagged = phone.locator("#follow-ups section[data-kind=symptoms]")
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text("Trần Bình")
    expect(flagged.locator("li[data-outcome=answered]")).to_contain_text("symptoms: 1")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    snap(phone, "outreach-follow-ups")

    phone.goto("/staff/tracing/worklist/?task=test")
    expect(phone.locator("main")).to_contain_text("Trần Bình")  # due a test now
    expect(phone.locator("main")).not_to_contain_text("Lê Chi")
