"""The checkpoint list scales: paged with the total, searched by name or code, filtered,
sorted in Vietnamese alphabetical order, and only inside the caller's area."""

from __future__ import annotations

import pytest

from phongdich.checkpoints.venue_actions import do_register_venue
from tests.conftest import VENUE_DATA

pytestmark = pytest.mark.django_db

FIRST = ["Ủy ban phường", "Đình làng", "Chợ Đông", "Bến xe", "Ăn uống Cô Ba", "Ân Thi"]


def test_venue_list_pages_searches_and_sorts_in_vietnamese_order(
    client, ward_officer, other_ward_officer, other_venue, venue_staff, venue
):
    names = FIRST + [f"Quán {chr(ord('A') + n // 26)}{chr(ord('a') + n % 26)}" for n in range(54)]
    made = [do_register_venue({**VENUE_DATA, "name": n}, actor=ward_officer) for n in names]
    client.force_login(ward_officer)
    page = client.get("/staff/checkpoints/", {"sort": "name"})
    listing = page.context["listing"]
    assert listing.total == len(names) + 1  # and not the other ward's market
    assert len(listing.rows) == 50 and 'data-total="61"' in page.content.decode()
    assert [v.name for v in listing.rows[:5]] == [
        "Ăn uống Cô Ba",
        "Ân Thi",
        "Bến xe",
        "Chợ Đông",
        "Đình làng",
    ]
    assert [
        v.name
        for v in client.get("/staff/checkpoints/", {"sort": "name", "page": 2})
        .context["listing"]
        .rows
    ][-1] == "Ủy ban phường"  # Ư/Ủ after Q, not first or last by code points
    code = made[3].code
    assert [
        v.code for v in client.get("/staff/checkpoints/", {"q": code}).context["listing"].rows
    ] == [code]
    assert client.get("/staff/checkpoints/", {"kind": "market"}).context["listing"].total == 0
    client.force_login(venue_staff)
    assert [v.code for v in client.get("/staff/checkpoints/").context["listing"].rows] == [
        venue.code
    ]
