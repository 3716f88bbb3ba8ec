"""A ward picked by name, typed without diacritics, on a phone."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PHONE, expect, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_typing_a_name_without_diacritics_offers_the_ward(new_context, province_officer):
    page = new_context(**PHONE).new_page()
    log_in(page, "province")
    page.goto("/staff/tracing/")
    page.click("details.card summary")
    page.fill("#c-ward_code", "quang ph")
    options = page.locator("#c-ward_code-list option")
    expect(options.first).to_have_attribute("value", "Phường Quảng Phú (16522)")
