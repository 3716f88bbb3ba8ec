import pytest

from phongdich.accounts.models import AuditEvent
from phongdich.checkpoints.models import Venue
from phongdich.lib.poster import pdf_to_png_pages
from phongdich.lib.qr import decode_qr_png
from tests.conftest import QUANG_PHU, VENUE_DATA

pytestmark = pytest.mark.django_db


def test_officer_creates_active_venue_through_api(api_client, ward_officer, settings):
    response = api_client.as_user(ward_officer).post("/api/v1/venues", VENUE_DATA)
    assert response.status_code == 201, response.content
    out = response.json()
    venue = Venue.objects.get(code=out["code"])
    assert venue.status == "active" and venue.phone == "+842373742289"
    assert out["checkin_url"] == f"{settings.BASE_URL}/c/{venue.code}"
    assert out["poster_pdf_url"].endswith(f"/staff/checkpoints/{venue.code}/poster.pdf")
    assert out["poster_png_url"].endswith(".png")
    assert AuditEvent.objects.filter(action="create", object_id=str(venue.pk)).exists()


def test_the_poster_links_download_with_the_same_api_token(client, ward_officer, outsider):
    from tests.conftest import bearer_headers

    headers = bearer_headers(ward_officer)
    response = client.post(
        "/api/v1/venues", VENUE_DATA, content_type="application/json", headers=headers
    )
    assert response.status_code == 201
    out = response.json()
    path = out["poster_pdf_url"].split("://", 1)[1].split("/", 1)[1]
    pdf = client.get("/" + path, headers=headers)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert _decode_pdf(pdf.content) == [out["checkin_url"]]
    png = client.get("/" + out["poster_png_url"].split("/", 3)[3], headers=headers)
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    # Another area's token, a wrong token and no credentials get nothing.
    assert client.get("/" + path, headers=bearer_headers(outsider)).status_code == 404
    assert client.get("/" + path, headers={"Authorization": "Bearer pd_wrong"}).status_code == 404
    assert client.get("/" + path).status_code == 404


def test_officer_cannot_create_outside_own_area(api_client, ward_officer):
    response = api_client.as_user(ward_officer).post(
        "/api/v1/venues", {**VENUE_DATA, "ward_code": QUANG_PHU}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "outside_area"
    assert not Venue.objects.exists()


@pytest.mark.parametrize("who", [None, "venue_staff", "outsider_lab"])
def test_non_officers_cannot_create_venues(api_client, venue_staff, who):
    from phongdich.accounts.actions import do_create_staff

    user = {
        None: None,
        "venue_staff": venue_staff,
        "outsider_lab": do_create_staff("lab", "lab_technician", area=38)[0],
    }[who]
    client = api_client.as_user(user) if user else api_client
    assert client.post("/api/v1/venues", VENUE_DATA).status_code in (401, 403)


def test_venue_validation_names_every_bad_field(api_client, ward_officer):
    response = api_client.as_user(ward_officer).post(
        "/api/v1/venues",
        {
            **VENUE_DATA,
            "name": "",
            "kind": "casino",
            "phone": "12",
            "lat": 200,
            "default_stay_minutes": 0,
            "ward_code": 1,
        },
    )
    assert response.status_code == 422
    codes = {e["field"]: e["code"] for e in response.json()["errors"]}
    assert codes == {
        "name": "required",
        "kind": "not_allowed",
        "phone": codes["phone"],
        "lat": "out_of_range",
        "default_stay_minutes": "out_of_range",
        "ward_code": "unknown_ward",
    }
    assert not Venue.objects.exists()


def test_public_registration_is_pending_until_approved(client, ward_officer, settings):
    settings.AUTO_APPROVE_VENUES = False
    response = client.post("/checkpoints/register", VENUE_DATA)
    assert response.status_code == 302
    venue = Venue.objects.get()
    assert venue.status == "pending"
    manage = client.get(response.url)
    assert "Chờ phê duyệt" in manage.content.decode()
    assert client.get(response.url + "/poster.pdf").status_code == 404  # not before approval
    client.force_login(ward_officer)
    client.post(f"/staff/checkpoints/{venue.code}/status", {"status": "active"})
    venue.refresh_from_db()
    assert venue.status == "active" and venue.approved_by == ward_officer
    client.logout()
    assert client.get(response.url + "/poster.pdf").status_code == 200


def test_a_registration_is_announced_and_a_refused_one_is_not(client, settings):
    from phongdich.core.models import OutboxEvent

    settings.AUTO_APPROVE_VENUES = False
    client.post("/checkpoints/register", {**VENUE_DATA, "phone": "abc"})
    assert not OutboxEvent.objects.exists()
    client.post("/checkpoints/register", VENUE_DATA)
    venue = Venue.objects.get()
    [event] = OutboxEvent.objects.filter(topic="venue.registered")
    assert event.payload == {"venue_id": venue.pk, "ward_id": venue.ward_id, "status": "pending"}


def test_public_registration_can_auto_approve(client, settings):
    settings.AUTO_APPROVE_VENUES = True
    client.post("/checkpoints/register", VENUE_DATA)
    assert Venue.objects.get().status == "active"


def test_public_registration_shows_errors_and_writes_nothing(client):
    response = client.post("/checkpoints/register", {**VENUE_DATA, "phone": "abc"})
    assert response.status_code == 422
    assert "err-phone" in response.content.decode()
    assert not Venue.objects.exists()


def _decode_pdf(pdf: bytes) -> list[str]:
    found = []
    for page in pdf_to_png_pages(pdf, dpi=150):
        found += decode_qr_png(page)
    return found


def test_posters_decode_back_to_the_checkin_url_and_printing_is_logged(
    client, venue, ward_officer, settings
):
    client.force_login(ward_officer)
    url = f"{settings.BASE_URL}/c/{venue.code}"
    pdf = client.get(f"/staff/checkpoints/{venue.code}/poster.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert _decode_pdf(pdf.content) == [url]
    png = client.get(f"/staff/checkpoints/{venue.code}/poster.png")
    assert decode_qr_png(png.content) == [url]
    svg = client.get(f"/staff/checkpoints/{venue.code}/poster.svg")
    assert svg.content.startswith(b"<?xml") or b"<svg" in svg.content[:200]
    printed = AuditEvent.objects.filter(action="print_poster", object_id=str(venue.pk))
    assert sorted(printed.values_list("detail__format", flat=True)) == ["pdf", "png", "svg"]


def test_rotating_code_changes_poster(client, venue, ward_officer, settings):
    client.force_login(ward_officer)
    old = venue.code
    client.post(f"/staff/checkpoints/{old}/rotate")
    venue.refresh_from_db()
    assert venue.code != old
    assert _decode_pdf(client.get(f"/staff/checkpoints/{venue.code}/poster.pdf").content) == [
        f"{settings.BASE_URL}/c/{venue.code}"
    ]
    page = client.get(f"/c/{old}")
    assert page.status_code == 410
    assert "Mã QR này đã được thay" in page.content.decode()
    assert AuditEvent.objects.filter(action="rotate_code", detail__old=old).exists()


@pytest.mark.parametrize("who", ["other_ward_officer", "other_venue_staff", "outsider"])
def test_other_areas_and_venues_get_404(client, venue, request, who):
    client.force_login(request.getfixturevalue(who))
    for path in ("/", "/inside", "/paper", "/scan", "/export.csv", "/poster.pdf"):
        assert client.get(f"/staff/checkpoints/{venue.code}{path}").status_code == 404, path
    assert client.post(f"/staff/checkpoints/{venue.code}/rotate").status_code == 404


def test_venue_staff_cannot_change_status(client, venue, venue_staff):
    client.force_login(venue_staff)
    assert client.get(f"/staff/checkpoints/{venue.code}/").status_code == 200
    assert (
        client.post(f"/staff/checkpoints/{venue.code}/status", {"status": "closed"}).status_code
        == 403
    )
    assert client.post(f"/staff/checkpoints/{venue.code}/rotate").status_code == 403
