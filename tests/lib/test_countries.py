"""Nationalities: ISO 3166-1 alpha-2 codes named from CLDR, Việt Nam and neighbours first."""

from __future__ import annotations

import pytest

from phongdich.lib.countries import country_choices, country_name, is_country
from phongdich.lib.text import vi_sort_key


def test_the_list_starts_with_viet_nam_then_its_land_neighbours():
    codes = [code for code, _ in country_choices("vi")]
    assert codes[:4] == ["VN", "CN", "LA", "KH"]
    assert dict(country_choices("vi"))["VN"] == "Việt Nam"


def test_the_rest_is_in_vietnamese_alphabetical_order_without_repeats():
    choices = country_choices("vi")
    rest = [name for _, name in choices[4:]]
    assert rest == sorted(rest, key=vi_sort_key)
    codes = [code for code, _ in choices]
    assert len(codes) == len(set(codes))


def test_every_assigned_iso_code_is_there_and_nothing_else():
    codes = {code for code, _ in country_choices("vi")}
    # ISO 3166-1 assigns 249 alpha-2 codes.
    assert len(codes) == 249
    assert {"FR", "US", "KR", "JP", "TW", "PS", "SS", "AQ"} <= codes
    assert not codes & {"EU", "UN", "ZZ", "XK", "AC", "IC", "001"}


@pytest.mark.parametrize(
    ("code", "ok"), [("VN", True), ("FR", True), ("ZZ", False), ("EU", False), ("vn", False)]
)
def test_is_country(code, ok):
    assert is_country(code) is ok


def test_names_in_vietnamese_and_english():
    assert country_name("FR") == "Pháp"
    assert country_name("KR", "en") == "South Korea"
    assert country_name("DE", "en-gb") == "Germany"
    assert country_name("QQ") == "QQ"
    assert [c for c, _ in country_choices("en")[:4]] == ["VN", "CN", "LA", "KH"]
