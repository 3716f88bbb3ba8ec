"""A ward officer opens a case and the transmission-chain view in a real browser."""

from datetime import date

import pytest

from tests.e2e.conftest import expect, log_in, snap
from tests.tracing.conftest import World, local


def wait_for_chain(page, attempts: int = 100) -> None:
    """Wait until the chain view has drawn its graph. Polled with ``evaluate``: the page's
    Content-Security-Policy allows no string evaluation, which ``wait_for_function`` needs."""
    for _ in range(attempts):
        if page.evaluate("!!(window.phongdichChain && window.phongdichChain.nodes().length > 0)"):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the chain view drew no graph")


pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_chain_view_draws_cases_contacts_and_venues(new_context, ward_officer, other_ward_officer):
    from phongdich.tracing.actions import do_create_case

    world = World(ward_officer, other_ward_officer)
    world.visit("F0 Nguyễn An", "office", "2026-11-19 08:00", "2026-11-19 09:00")
    world.visit("Trần Bình", "office", "2026-11-19 08:10", "2026-11-19 08:50")
    world.visit("Trần Bình", "market", "2026-11-20 10:00", "2026-11-20 11:00")
    world.visit("Lê Chi", "market", "2026-11-20 10:05", "2026-11-20 10:45")
    case = do_create_case(
        person=world.person("F0 Nguyễn An"),
        confirmed_at=local("2026-11-22 12:00"),
        sample_date=date(2026, 11, 21),
        actor=ward_officer,
    )

    page = new_context().new_page()
    log_in(page, "ward")
    page.goto(f"/staff/tracing/{case.pk}/")
    rows = page.locator("#contact-table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("tr[data-level=F1]")).to_contain_text("Trần Bình")
    expect(page.locator("tr[data-level=F2]")).to_contain_text("Lê Chi")

    page.goto("/staff/tracing/chains/?f2=1")
    wait_for_chain(page)
    kinds = page.evaluate("window.phongdichChain.nodes().map(n => n.data('kind')).sort()")
    assert kinds == ["F0", "F1", "F2", "venue", "venue"]
    expect(page.locator("#chain-summary")).to_contain_text("1 F0 · 1 F1 · 1 F2")
    snap(page, "tracing-chains")


def test_a_big_chain_is_grouped_and_listed(new_context, ward_officer, other_ward_officer):
    """Past 50 nodes the graph draws F2 as counts and clusters contacts by checkpoint; the
    list under it names every case with its F1 and F2."""
    from phongdich.tracing.actions import do_create_case

    world = World(ward_officer, other_ward_officer)
    world.visit("F0 Nguyễn An", "market", "2026-11-19 08:00", "2026-11-19 10:00")
    for n in range(60):
        world.visit(f"Khách {n}", "market", "2026-11-19 08:30", "2026-11-19 09:30")
    case = do_create_case(
        person=world.person("F0 Nguyễn An"),
        confirmed_at=local("2026-11-22 12:00"),
        sample_date=date(2026, 11, 21),
        actor=ward_officer,
    )
    page = new_context().new_page()
    log_in(page, "ward")
    page.goto("/staff/tracing/chains/?f2=1")
    wait_for_chain(page)
    expect(page.locator("#chain-summary")).to_have_attribute("data-grouped-view", "1")
    children = page.evaluate("window.phongdichChain.nodes().filter(n => n.isChild()).length")
    assert children == 60  # every F1 inside the market's box
    expect(page.locator("#chain-summary")).not_to_contain_text("venues")
    row = page.locator(f"#chain-list a[href='/staff/tracing/{case.pk}/']")
    expect(row).to_have_text(f"F0-{case.pk}")
    expect(page.locator("#chain-list tbody tr").first.locator("td").nth(5)).to_have_text("60")


def test_case_with_an_exposure_window(new_context, ward_officer, other_ward_officer):
    """The market was crowded while the F1 was there: the case page shows an exposure window
    instead of its people; the officer has them listed, and the chain view draws the window."""
    from phongdich.core.models import Rule
    from phongdich.core.rules import reset_cache
    from phongdich.tracing.actions import do_create_case
    from phongdich.tracing.models import ExposureWindow
    from phongdich.tracing.tasks import materialise_window

    Rule.objects.create(key="tracing.crowd_threshold", value=3)  # 4 present: a small crowd
    reset_cache()
    try:
        world = World(ward_officer, other_ward_officer)
        world.visit("F0 Nguyễn An", "office", "2026-11-19 08:00", "2026-11-19 09:00")
        world.visit("Trần Bình", "office", "2026-11-19 08:10", "2026-11-19 08:50")
        world.visit("Trần Bình", "market", "2026-11-20 10:00", "2026-11-20 11:00")
        for name in ("Lê Chi", "Phạm Dũng", "Võ Em", "Đỗ Giang"):
            world.visit(name, "market", "2026-11-20 10:05", "2026-11-20 10:45")
        case = do_create_case(
            person=world.person("F0 Nguyễn An"),
            confirmed_at=local("2026-11-22 12:00"),
            sample_date=date(2026, 11, 21),
            actor=ward_officer,
        )
        window = ExposureWindow.objects.get(case=case)

        page = new_context(viewport={"width": 360, "height": 740}).new_page()
        log_in(page, "ward")
        page.goto(f"/staff/tracing/{case.pk}/")
        row = page.locator(f"#exposure-windows tr[data-window='{window.pk}']")
        expect(row).to_contain_text("Venue market")
        expect(row).to_contain_text("4")
        expect(row).to_contain_text("Trần Bình")
        expect(page.locator("tr[data-level=F2]")).to_have_count(0)  # the crowd is not listed
        snap(page, "tracing-exposure-window")
        row.get_by_role("button").click()
        expect(row.get_by_role("button")).to_have_count(0)  # asked for: no second request
        window.refresh_from_db()
        assert window.materialise_status == "queued"

        assert materialise_window.func(window.pk) == 4  # what the worker runs
        page.reload()
        expect(page.locator("tr[data-level=F2]")).to_have_count(4)
        expect(page.locator(f"#exposure-windows tr[data-window='{window.pk}']")).to_contain_text(
            "4 F2"
        )

        page.goto("/staff/tracing/chains/?f2=1")
        wait_for_chain(page)
        kinds = page.evaluate("window.phongdichChain.nodes().map(n => n.data('kind'))")
        assert kinds.count("window") == 1
    finally:
        Rule.objects.all().delete()
        reset_cache()
