import re
import uuid

import pytest

from phongdich.checkpoints.models import Visit
from phongdich.checkpoints.venue_actions import do_set_venue_status
from phongdich.lib.qr import decode_qr_png

pytestmark = pytest.mark.django_db

FORM = {
    "full_name": "Trần Văn Minh",
    "birth_year": "1990",
    "gender": "male",
    "phone": "0987 654 321",
    "id_number": "",
    "nationality": "VN",
    "ward_code": "14797",
    "address": "5 Lê Lợi",
    "commitment": "on",
}


def client_id(html: str) -> str:
    return re.search(r'name="client_id" value="([0-9a-f-]+)"', html).group(1)


def test_first_visit_full_form_then_one_tap_next_time(client, venue, other_venue):
    page = client.get(f"/c/{venue.code}")
    html = page.content.decode()
    assert page.status_code == 200 and 'name="full_name"' in html and "Sốt" in html
    assert len(page.content) < 60_000
    done = client.post(f"/c/{venue.code}", {**FORM, "client_id": client_id(html)})
    assert done.status_code == 302
    assert "Trần Văn Minh" in client.get(done.url).content.decode()
    # Next venue: only the health questions, no personal fields, no data in the URL.
    html = client.get(f"/c/{other_venue.code}").content.decode()
    assert 'name="full_name"' not in html and "Trần Văn Minh" in html
    response = client.post(
        f"/c/{other_venue.code}", {"client_id": client_id(html), "commitment": "on"}
    )
    assert response.status_code == 302 and "0987654321" not in response.url
    assert Visit.objects.filter(person__full_name="Trần Văn Minh").count() == 2


def test_repeated_submit_of_the_same_form_records_one_visit(client, venue):
    cid = client_id(client.get(f"/c/{venue.code}").content.decode())
    client.post(f"/c/{venue.code}", {**FORM, "client_id": cid})
    client.post(f"/c/{venue.code}", {**FORM, "client_id": cid})
    assert Visit.objects.count() == 1


def test_scanning_again_while_inside_offers_checkout(client, venue):
    cid = client_id(client.get(f"/c/{venue.code}").content.decode())
    client.post(f"/c/{venue.code}", {**FORM, "client_id": cid})
    html = client.get(f"/c/{venue.code}").content.decode()
    assert "checkout-button" in html
    out = client.post(f"/c/{venue.code}/out")
    assert out.status_code == 200 and "checked-out" in out.content.decode()
    visit = Visit.objects.get()
    assert visit.checkout_kind == "self"


def test_risky_answers_record_the_visit_and_advise(client, venue):
    cid = client_id(client.get(f"/c/{venue.code}").content.decode())
    done = client.post(
        f"/c/{venue.code}",
        {**FORM, "client_id": cid, "symptoms": ["fever"], "exposures": ["covid_case"]},
    )
    html = client.get(done.url).content.decode()
    assert "risk-advice" in html and "trạm y tế" in html
    assert Visit.objects.get().flagged


def test_errors_name_fields_and_keep_input(client, venue):
    cid = client_id(client.get(f"/c/{venue.code}").content.decode())
    response = client.post(
        f"/c/{venue.code}", {**FORM, "client_id": cid, "phone": "0123", "commitment": ""}
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "err-phone" in html and "err-commitment" in html and 'value="Trần Văn Minh"' in html
    assert not Visit.objects.exists()


def test_suspended_venue_page_says_so(client, venue, ward_officer):
    do_set_venue_status(venue, "suspended", actor=ward_officer)
    response = client.get(f"/c/{venue.code}")
    assert response.status_code == 409
    assert "tạm dừng" in response.content.decode()


def test_mistyped_code_is_unknown(client, venue):
    typo = venue.code[:-1] + ("0" if venue.code[-1] != "0" else "1")
    assert client.get(f"/c/{typo}").status_code == 404


def test_code_typed_in_lower_case_with_dashes_works(client, venue):
    typed = f"{venue.code[:4]}-{venue.code[4:8]}-{venue.code[8:]}".lower()
    assert client.get(f"/c/{typed}").status_code == 200


def test_personal_qr_holds_only_an_opaque_token(client, venue):
    cid = client_id(client.get(f"/c/{venue.code}").content.decode())
    client.post(f"/c/{venue.code}", {**FORM, "client_id": cid})
    png = client.get("/ma-ca-nhan.png")
    [payload] = decode_qr_png(png.content)
    person = Visit.objects.get().person
    assert payload == f"PD1:{person.token}"
    assert "Minh" not in payload and "0987" not in payload


def test_done_page_is_private_to_the_device(client, venue):
    cid = client_id(client.get(f"/c/{venue.code}").content.decode())
    done = client.post(f"/c/{venue.code}", {**FORM, "client_id": cid})
    client.cookies.clear()
    assert client.get(done.url).status_code == 404
    assert client.get(f"/c/{venue.code}/ok/{uuid.uuid4()}").status_code == 404


def test_the_venue_code_field_leads_to_the_declaration(client, venue):
    page = client.get("/c/")
    assert page.status_code == 200 and 'id="venue-code"' in page.content.decode()
    typed = f"{venue.code[:5]} {venue.code[5:]}".lower()
    assert client.get("/c/", {"code": typed})["Location"] == f"/c/{venue.code}"
    wrong = client.get("/c/", {"code": "KHONG-CO"})
    html = wrong.content.decode()
    assert wrong.status_code == 404 and 'id="venue-code-error"' in html and "KHONG-CO" in html
    # A mistyped code in the link offers the field again.
    assert 'id="venue-code"' in client.get("/c/ABCDEFGHJK").content.decode()


def test_personal_qr_page_without_a_cookie_explains_and_offers_the_code_field(client, db):
    page = client.get("/ma-ca-nhan")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="no-personal-code"' in html and 'id="venue-code"' in html
    assert client.get("/ma-ca-nhan.png").status_code == 404  # no image without a person
