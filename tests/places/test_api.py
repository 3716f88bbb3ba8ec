import pytest

pytestmark = pytest.mark.django_db


def test_all_34_provinces_are_listed(client):
    response = client.get("/api/v1/places/provinces")
    assert response.status_code == 200
    provinces = response.json()
    assert len(provinces) == 34
    assert {"code": 38, "name": "Thanh Hóa", "kind": "tỉnh"} in provinces


def test_wards_of_thanh_hoa(client):
    wards = client.get("/api/v1/places/provinces/38/wards").json()
    assert len(wards) == 166
    assert {"code": 14797, "name": "Phường Hạc Thành", "kind": "phường"} in wards


@pytest.mark.parametrize("query", ["hac thanh", "Hạc Thành", "HAC THANH", "phuong hac"])
def test_name_search_ignores_diacritics_and_case(client, query):
    wards = client.get("/api/v1/places/provinces/38/wards", {"q": query}).json()
    assert [w["code"] for w in wards] == [14797]


def test_province_search_without_diacritics(client):
    assert [
        p["code"] for p in client.get("/api/v1/places/provinces", {"q": "thanh hoa"}).json()
    ] == [38]


def test_unknown_province_is_404(client):
    assert client.get("/api/v1/places/provinces/99/wards").status_code == 404


def test_openapi_schema_is_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/places/provinces" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200
