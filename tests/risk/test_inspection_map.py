"""The staff map's inspection layer (docs/reference/risk.md §9): a GeoJSON point per inspection
task of the caller's area at its business's venue (else its ward's position, said so), coloured
by state, with no person in it; another ward's officer gets none of them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from phongdich.risk import business as biz
from phongdich.risk import fixes as fx
from phongdich.risk.inspection_map import inspection_points
from phongdich.risk.models import InspectionTask, WardShape
from phongdich.risk.questionnaires import default_questionnaires
from tests.conftest import HAC_THANH, PASSWORD, QUANG_PHU, _staff
from tests.risk.conftest import at

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 16)
PROPERTIES = {
    "task",
    "business",
    "ward",
    "band",
    "band_label",
    "state",
    "fixes_open",
    "fixes_overdue",
    "position",
    "url",
}


@pytest.fixture(autouse=True)
def on_day(time_machine):
    time_machine.move_to(at(DAY, 9), tick=False)
    return time_machine


def _task(tax_id, name, ward, phone, venues=""):
    found = biz.do_register_business(
        {
            "tax_id": tax_id,
            "name": name,
            "kind": "restaurant",
            "ward_code": ward,
            "contact_phone": phone,
            "venue_codes": venues,
        }
    )
    q = default_questionnaires()[("bcdqg-2225-food", 1)]
    biz.do_self_assess(found, "bcdqg-2225-food", {i.key: i.key != "masks" for i in q.indicators})
    return InspectionTask.objects.get(business=found)


@pytest.fixture
def tasks(venue, other_venue, ward_officer, other_ward_officer):
    at_venue = _task("0100047516", "Quán Phở Hạc Thành", HAC_THANH, venue.phone, venue.code)
    no_venue = _task("0100047523", "Chợ cóc Hạc Thành", HAC_THANH, venue.phone)
    elsewhere = _task(
        "0100047530", "Quán Quảng Phú", QUANG_PHU, other_venue.phone, other_venue.code
    )
    WardShape.objects.create(
        ward_id=HAC_THANH,
        geometry={"type": "Point", "coordinates": [105.78, 19.80]},
        lat=19.80,
        lon=105.78,
    )
    fx.do_add_fix(no_venue, ward_officer, {"text": "Kẻ vạch giãn cách", "deadline": "17/03/2026"})
    fx.do_add_fix(no_venue, ward_officer, {"text": "Bàn rửa tay", "deadline": "30/03/2026"})
    return at_venue, no_venue, elsewhere


def _layer(client, username):
    client.login(username=username, password=PASSWORD)
    data = client.get("/staff/risk/map/data.json").json()
    client.logout()
    return data["inspections"]


def test_one_point_per_task_at_its_venue_or_its_ward(client, tasks, venue, on_day):
    at_venue, no_venue, _elsewhere = tasks
    on_day.move_to(at(DAY + timedelta(days=2), 9), tick=False)  # the 17th's fix is overdue
    layer = _layer(client, "ward")
    assert layer["type"] == "FeatureCollection"
    by_task = {f["id"]: f for f in layer["features"]}
    assert set(by_task) == {at_venue.pk, no_venue.pk}
    shop, market = by_task[at_venue.pk], by_task[no_venue.pk]
    assert shop["type"] == "Feature"
    assert shop["geometry"] == {"type": "Point", "coordinates": [venue.lon, venue.lat]}
    assert shop["properties"] == {
        "task": at_venue.pk,
        "business": "Quán Phở Hạc Thành",
        "ward": HAC_THANH,
        "band": "fail",
        "band_label": at_venue.assessment.result["band_label"],
        "state": "open",
        "fixes_open": 0,
        "fixes_overdue": 0,
        "position": "venue",
        "url": f"/staff/risk/inspections/{at_venue.pk}/",
    }
    assert market["geometry"] == {"type": "Point", "coordinates": [105.78, 19.80]}
    props = market["properties"]
    assert (props["position"], props["state"]) == ("ward", "overdue")
    assert (props["fixes_open"], props["fixes_overdue"]) == (2, 1)
    # Nobody in it: no phone, no officer, no fix text.
    raw = str(layer)
    for fragment in (venue.phone, "Kẻ vạch", "username", "phone"):
        assert fragment not in raw
    assert all(set(f["properties"]) == PROPERTIES for f in layer["features"])


def test_a_closed_task_shows_done_for_two_weeks_and_a_ward_without_position_has_none(
    client, tasks, ward_officer, on_day
):
    at_venue, no_venue, _ = tasks
    client.login(username="ward", password=PASSWORD)
    client.post(f"/staff/risk/inspections/{at_venue.pk}/", {"close": "1"})
    WardShape.objects.all().delete()
    states = {f["id"]: f for f in _layer(client, "ward")["features"]}
    assert states[at_venue.pk]["properties"]["state"] == "done"
    assert states[no_venue.pk]["geometry"] is None  # placed on its ward's square by the page
    on_day.move_to(at(DAY + timedelta(days=15), 9), tick=False)
    assert at_venue.pk not in {f["id"] for f in _layer(client, "ward")["features"]}


def test_the_layer_is_scoped_to_the_area_and_links_only_for_officers(
    client, tasks, province_officer, outsider
):
    at_venue, no_venue, elsewhere = tasks
    other = _layer(client, "otherward")
    assert [f["id"] for f in other["features"]] == [elsewhere.pk]
    assert "Hạc Thành" not in str(other)
    # A chairperson may not load the map's data (the cluster layer is tracing's, 403), so the
    # layer is asked directly: the same points, none with a link (a chairperson cannot open one).
    chair = inspection_points(_staff("chair", "chairperson", HAC_THANH), {}, DAY)
    assert {f["id"] for f in chair["features"]} == {at_venue.pk, no_venue.pk}
    assert {f["properties"]["url"] for f in chair["features"]} == {None}  # cannot open tasks
    assert {f["id"] for f in _layer(client, "province")["features"]} == {
        at_venue.pk,
        no_venue.pk,
        elsewhere.pk,
    }
    assert _layer(client, "outsider")["features"] == []


def test_the_map_page_offers_the_layer_with_its_legend(client, ward_officer):
    client.login(username="ward", password=PASSWORD)
    page = client.get("/staff/risk/map/").content.decode()
    assert 'data-layer="inspections"' in page and 'id="inspection-legend"' in page
