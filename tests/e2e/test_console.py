"""Staff console: a paper declaration with a symptom puts its visitor at the top, marked."""

from __future__ import annotations

import re
import uuid

import pytest
from django.utils import translation

from phongdich.checkpoints.actions import do_checkin
from phongdich.checkpoints.models import Visit
from tests.conftest import HEALTHY, PERSON
from tests.e2e.conftest import PHONE, expect, log_in, snap

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FLAGGED = re.compile(r"\bflagged\b")


def test_paper_form_with_fever_puts_the_visitor_flagged_at_the_top(
    new_context, ward_officer, venue
):
    page = new_context().new_page()
    log_in(page, "ward")
    page.goto(f"/staff/checkpoints/{venue.code}/paper")
    page.fill("#f-full_name", "Trần Văn Sơn")
    page.fill("#f-birth_year", "1961")
    page.select_option("#f-gender", "male")
    page.check("input[name=symptoms][value=fever]")
    page.check("input[name=commitment]")
    page.click("#paper-save")
    expect(page.locator(".messages li.warning")).to_contain_text("Trần Văn Sơn")

    # Someone healthy comes in later: newer, yet listed below the flagged visitor.
    do_checkin(venue_code=venue.code, client_id=uuid.uuid4(), person=PERSON, declaration=HEALTHY)

    page.goto(f"/staff/checkpoints/{venue.code}/")
    rows = page.locator("#inside-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_class(FLAGGED)
    expect(rows.first).to_contain_text("Trần Văn Sơn")
    with translation.override("vi"):
        risk = translation.gettext("RISK")
    expect(rows.first.locator(".flag")).to_contain_text(risk)
    expect(rows.nth(1)).not_to_have_class(FLAGGED)
    expect(rows.nth(1)).to_contain_text(PERSON["full_name"])
    snap(page, "console")

    visit = Visit.objects.get(person__full_name="Trần Văn Sơn")
    assert (visit.source, visit.flagged, visit.symptoms) == ("paper", True, ["fever"])
    assert visit.entered_by == ward_officer


def test_console_on_a_phone(new_context, ward_officer, venue):
    """Checkpoint staff mostly have a phone: the console must at least render there (screenshot
    for review when PHONGDICH_E2E_SCREENSHOTS is set)."""
    do_checkin(
        venue_code=venue.code,
        client_id=uuid.uuid4(),
        person=PERSON,
        declaration={**HEALTHY, "exposures": ["covid_case"]},
    )
    page = new_context(**PHONE).new_page()
    log_in(page, "ward")
    page.goto(f"/staff/checkpoints/{venue.code}/")
    expect(page.locator("#inside-table tbody tr").first).to_have_class(FLAGGED)
    snap(page, "phone-console")
