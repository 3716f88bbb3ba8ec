"""Pages, JSON API and exports of the ward levels; the public map's data; ward shapes (GeoJSON)."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from phongdich.risk import actions
from phongdich.risk.models import Assessment, WardShape
from tests.conftest import HAC_THANH, PASSWORD, QUANG_PHU, THANH_HOA
from tests.risk.conftest import TODAY, case, covered_ward

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def published(ward_officer, chairperson):
    covered_ward(HAC_THANH)
    covered_ward(QUANG_PHU)
    for day in range(2):
        case(HAC_THANH, TODAY - timedelta(days=day))
    rows = actions.do_propose_levels([HAC_THANH, QUANG_PHU], TODAY, actor=None)
    actions.do_decide([r.pk for r in rows], approve=True, actor=_chair_of_province())
    return rows


def _chair_of_province():
    from tests.conftest import _staff

    return _staff("chair38", "chairperson", THANH_HOA)


def test_public_data_suppresses_small_counts_and_names_the_rule_set(client, published):
    data = client.get(f"/ban-do-dich/tinh/{THANH_HOA}.json").json()
    ward = next(w for w in data["wards"] if w["code"] == HAC_THANH)
    assert ward["cases_7d"] == "< 5" and ward["community_cases_7d"] == "< 5"
    assert ward["rate_7d"] == "< 50.0"  # the bound, never the exact small rate
    assert ward["rule_set"] == {"id": "byt-218", "version": 1}
    assert ward["assessed_on"] == TODAY.isoformat()
    assert ward["coverage_18_one_dose"] == 90.0
    assert "person" not in json.dumps(data)
    country = client.get("/ban-do-dich/ca-nuoc.json").json()["provinces"]
    assert [(p["code"], p["wards"]) for p in country] == [(THANH_HOA, 2)]
    assert country[0]["wards_by_level"]["1"] + country[0]["wards_by_level"]["2"] == 2
    assert client.get("/ban-do-dich/tinh/99999.json").status_code == 404


def test_public_page_loads_leaflet_from_static_and_no_cdn(client):
    html = client.get("/ban-do-dich").content.decode()
    assert "risk/vendor/leaflet/leaflet.js" in html
    assert "unpkg" not in html and "cdn" not in html.lower()


def test_the_api_publishes_proposes_and_approves(api_client, ward_officer, chairperson):
    covered_ward(HAC_THANH)
    officer, chair = api_client.as_user(ward_officer), api_client.as_user(chairperson)
    r = officer.post("/api/v1/risk/proposals", {"on": TODAY.isoformat()})
    assert r.status_code == 201
    [proposal] = [p for p in r.json() if p["ward_code"] == HAC_THANH]
    assert proposal["criteria"]["coverage"]["outcome"] == "met"
    assert (
        officer.post("/api/v1/risk/decisions", {"assessment_ids": [proposal["id"]]}).status_code
        == 403
    )
    r = chair.post("/api/v1/risk/decisions", {"assessment_ids": [proposal["id"]]})
    assert r.status_code == 200 and r.json()[0]["status"] == "approved"
    levels = api_client.get(f"/api/v1/risk/levels?province={THANH_HOA}").json()
    assert [w["code"] for w in levels["wards"]] == [HAC_THANH]
    history = officer.get(f"/api/v1/risk/wards/{HAC_THANH}/history").json()
    assert [h["status"] for h in history] == ["approved"]


def test_api_errors_have_the_one_shape(api_client, ward_officer, other_ward_officer):
    officer = api_client.as_user(ward_officer)
    bad = officer.post("/api/v1/risk/proposals", {"on": "not-a-date"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "on"
    assert set(bad.json()["errors"][0]) == {"field", "code", "message_vi", "message_en"}
    outsider = api_client.as_user(other_ward_officer)
    assert outsider.post("/api/v1/risk/proposals", {"ward_codes": [HAC_THANH]}).status_code == 404
    assert outsider.get(f"/api/v1/risk/wards/{HAC_THANH}/history").status_code == 404
    assert api_client.get("/api/v1/risk/proposals").status_code == 401
    assert not Assessment.objects.exists()


def test_export_has_the_national_map_shape(client, published, province_officer, outsider):
    client.login(username="province", password=PASSWORD)
    rows = list(
        csv.reader(io.StringIO(client.get("/staff/risk/export.csv").content.decode("utf-8-sig")))
    )
    assert rows[0] == ["tier", "unit_code", "unit_name", "level", "date", "rule_set"]
    tiers = sorted((r[0], int(r[1])) for r in rows[1:])
    assert tiers == [("province", THANH_HOA), ("ward", HAC_THANH), ("ward", QUANG_PHU)]
    assert all(r[4] == TODAY.isoformat() and r[5] == "byt-218 v1" for r in rows[1:])
    book = load_workbook(io.BytesIO(client.get("/staff/risk/export.xlsx").content))
    assert book.active.max_row == 4
    units = client.get("/staff/risk/export.json").json()["units"]
    assert {u["tier"] for u in units} == {"ward", "province"}
    client.logout()
    client.login(username="outsider", password=PASSWORD)
    assert client.get("/staff/risk/export.json").json()["units"] == []


def test_staff_pages_are_scoped(client, published, ward_officer, other_ward_officer, chairperson):
    client.login(username="ward", password=PASSWORD)
    page = client.get("/staff/risk/").content.decode()
    assert f'data-ward="{HAC_THANH}"' in page and f'data-ward="{QUANG_PHU}"' not in page
    assert client.get(f"/staff/risk/wards/{HAC_THANH}/").status_code == 200
    assert client.get(f"/staff/risk/wards/{QUANG_PHU}/").status_code == 404
    data = client.get("/staff/risk/map/data.json").json()
    assert [w["code"] for w in data["wards"]] == [HAC_THANH]
    assert data["wards"][0]["cases_7d"] == 2  # staff see exact counts
    assert client.get("/staff/risk/map/").status_code == 200
    client.logout()
    assert client.get("/staff/risk/").status_code == 302
    client.login(username="chair", password=PASSWORD)
    assert client.post("/staff/risk/propose", {"on": TODAY.isoformat()}).status_code == 403


def test_capacity_form_saves_and_shows_errors(client, ward_officer):
    client.login(username="ward", password=PASSWORD)
    r = client.post(
        f"/staff/risk/wards/{HAC_THANH}/",
        {"beds": "10", "beds_in_use": "20", "icu_beds": "1", "oxygen_points": "1"},
    )
    assert r.status_code == 200 and "Số giường đang dùng" in r.content.decode()
    r = client.post(
        f"/staff/risk/wards/{HAC_THANH}/",
        {"beds": "30", "beds_in_use": "20", "icu_beds": "1", "oxygen_points": "1"},
    )
    assert r.status_code == 302


FEATURES = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"ward_code": HAC_THANH},
            "geometry": {"type": "Point", "coordinates": [105.78, 19.81]},
        },
        {
            "type": "Feature",
            "properties": {"ward_code": str(QUANG_PHU)},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[105.7, 19.7], [105.8, 19.7], [105.8, 19.8], [105.7, 19.8], [105.7, 19.7]]
                ],
            },
        },
    ],
}


def test_a_valid_geojson_places_wards(client, province_officer, published):
    from phongdich.risk.geo import do_import_shapes

    assert (
        do_import_shapes(json.dumps(FEATURES).encode(), "wards.geojson", actor=province_officer)
        == 2
    )
    shape = WardShape.objects.get(ward=QUANG_PHU)
    assert (round(shape.lat, 4), round(shape.lon, 4)) == (19.75, 105.75)
    ward = next(
        w
        for w in client.get(f"/ban-do-dich/tinh/{THANH_HOA}.json").json()["wards"]
        if w["code"] == HAC_THANH
    )
    assert (ward["lat"], ward["lon"]) == (19.81, 105.78)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda d: d.update(type="Feature"), "geojson_not_collection"),
        (lambda d: d.update(crs={"type": "name"}), "geojson_crs"),
        (
            lambda d: d["features"][0]["geometry"].update(coordinates=[19.81, 205.78]),
            "geojson_range",
        ),
        (lambda d: d["features"][1]["geometry"]["coordinates"][0].pop(), "geojson_ring_open"),
        (lambda d: d["features"][0]["geometry"].update(type="LineString"), "geojson_geometry"),
        (lambda d: d["features"][0].update(properties={}), "geojson_ward_code"),
        (lambda d: d["features"][0].update(properties=["ward_code"]), "geojson_ward_code"),
        (lambda d: d["features"][0]["properties"].update(ward_code=1), "outside_area"),
    ],
)
def test_bad_geojson_is_refused_naming_the_feature(change, code, province_officer):
    from phongdich.lib.errors import InputErrors
    from phongdich.risk.geo import do_import_shapes

    doc = json.loads(json.dumps(FEATURES))
    change(doc)
    with pytest.raises(InputErrors) as exc:
        do_import_shapes(json.dumps(doc).encode(), "x.geojson", actor=province_officer)
    assert exc.value.errors[0].code == code
    assert not WardShape.objects.exists()


def test_shape_upload_page_shows_errors(client, province_officer):
    client.login(username="province", password=PASSWORD)
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post("/staff/risk/shapes/", {"file": SimpleUploadedFile("x.json", b"{nope")})
    assert r.status_code == 200 and "not_json" not in r.content.decode()
    assert "JSON" in r.content.decode()


def test_rule_set_overrides_are_checked_before_use():
    from django.core.exceptions import ValidationError

    from phongdich.core.rules import validate

    validate(
        "risk.level_rule_set_overrides",
        {"byt-218": {"matrix": {"levels": [[1, 2], [2, 3], [3, 4], [4, 4]], "confirmed": False}}},
    )
    with pytest.raises(ValidationError):
        validate(
            "risk.level_rule_set_overrides",
            {
                "byt-218": {
                    "matrix": {"levels": [[3, 2], [2, 3], [3, 4], [4, 4]], "confirmed": False}
                }
            },
        )


def test_only_province_officers_upload_shapes_and_outsiders_see_nothing(
    client, ward_officer, outsider, published
):
    client.login(username="ward", password=PASSWORD)
    assert client.get("/staff/risk/shapes/").status_code == 403
    client.logout()
    client.login(username="outsider", password=PASSWORD)
    assert client.get(f"/staff/risk/wards/{HAC_THANH}/").status_code == 404
    assert client.get(f"/staff/risk/map/?ward={HAC_THANH}").status_code == 404
    assert client.get("/staff/risk/map/data.json").json()["wards"] == []
    assert "data-ward" not in client.get("/staff/risk/").content.decode()


def test_the_epidemic_curve_counts_cases_per_day_with_a_7_day_average(client, ward_officer):
    for day, n in ((0, 3), (1, 1), (6, 3)):
        for _ in range(n):
            case(HAC_THANH, TODAY - timedelta(days=day))
    client.login(username="ward", password=PASSWORD)
    page = client.get(f"/staff/risk/map/?ward={HAC_THANH}")
    curve = {p["day"]: p for p in page.context["curve"]}
    assert len(curve) == 28
    assert curve[TODAY.isoformat()]["cases"] == 3
    assert curve[TODAY.isoformat()]["avg7"] == 1.0  # 7 cases over the last 7 days
    assert f"<td>{TODAY:%d/%m/%Y}</td>" in page.content.decode()  # as people read dates
    assert curve[(TODAY - timedelta(days=1)).isoformat()]["avg7"] == round(4 / 7, 2)
