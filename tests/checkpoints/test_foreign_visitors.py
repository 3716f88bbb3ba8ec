"""Foreign visitors check in: a nationality from the country list, a passport as ID, a phone in
international form. The OTP proof does not send codes abroad (SMS goes through Vietnamese
carriers) and answers exactly as for anyone else."""

from __future__ import annotations

import re
import uuid

import pytest

from phongdich.checkpoints.models import Visit
from phongdich.core import sms
from phongdich.lib.sms import ConsoleGateway
from phongdich.people.models import Person
from phongdich.people.proof import do_request_code
from tests.conftest import HAC_THANH, HEALTHY, PERSON, THANH_HOA

pytestmark = pytest.mark.django_db

VISITOR = {
    "full_name": "Marie Dubois",
    "birth_year": 1990,
    "gender": "female",
    "phone": "+33 6 12 34 56 78",
    "id_number": "18AB12345",
    "nationality": "FR",
    "ward_code": "",
    "address": "Khách sạn Hạc Thành",
}


def _page_form(venue, client):
    html = client.get(f"/c/{venue.code}").content.decode()
    cid = re.search(r'name="client_id" value="([0-9a-f-]+)"', html).group(1)
    return html, cid


def test_the_checkin_page_offers_countries_by_vietnamese_name_viet_nam_first(client, venue):
    html, _ = _page_form(venue, client)
    select = re.search(r'<select id="f-nationality".*?</select>', html, re.S).group(0)
    options = re.findall(r'<option value="([A-Z]{2})"( selected)?>([^<]+)</option>', select)
    assert [code for code, _, _ in options[:4]] == ["VN", "CN", "LA", "KH"]
    assert options[0] == ("VN", " selected", "Việt Nam")
    assert ("FR", "", "Pháp") in options and len(options) == 249
    # The page says a passport is the ID of other nationalities, and how to write a foreign
    # phone; the ID field accepts letters.
    assert 'id="f-id_number-help"' in html and 'id="f-phone-help"' in html
    assert re.search(r'<input id="f-id_number"[^>]*inputmode="numeric"', html) is None


def test_a_visitor_checks_in_on_the_page_with_passport_and_foreign_phone(client, venue):
    _, cid = _page_form(venue, client)
    done = client.post(f"/c/{venue.code}", {**VISITOR, "client_id": cid, "commitment": "on"})
    assert done.status_code == 302, done.content.decode()[:2000]
    person = Person.objects.get()
    assert (person.nationality, person.id_number, person.phone) == (
        "FR",
        "18AB12345",
        "+33612345678",
    )
    assert Visit.objects.filter(person=person).count() == 1


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("nationality", "ZZ", "invalid_country"),
        ("nationality", "EU", "invalid_country"),
        ("phone", "+33 1", "invalid_foreign_phone"),
        ("id_number", "12-3", "invalid_id_number"),
    ],
)
def test_bad_foreign_details_name_the_field_and_change_nothing(client, venue, field, value, code):
    _, cid = _page_form(venue, client)
    response = client.post(
        f"/c/{venue.code}", {**VISITOR, field: value, "client_id": cid, "commitment": "on"}
    )
    html = response.content.decode()
    assert response.status_code == 422 and f'id="err-{field}"' in html
    assert Person.objects.count() == 0 and Visit.objects.count() == 0
    # The form keeps what was chosen (an unknown code is shown back, not silently replaced).
    if field == "nationality":
        assert f'<option value="{value}" selected>' in html


def test_the_api_stores_a_visitor_and_refuses_unlisted_countries(api_client, venue):
    def post(person):
        return api_client.post(
            "/api/v1/checkins",
            {
                "venue": venue.code,
                "client_id": str(uuid.uuid4()),
                "person": person,
                "declaration": dict(HEALTHY),
            },
        )

    bad = post({**VISITOR, "nationality": "XK", "ward_code": None})
    assert bad.status_code == 422
    [error] = [e for e in bad.json()["errors"] if e["field"] == "person.nationality"]
    assert error["code"] == "invalid_country" and "Quốc tịch" in error["message_vi"]
    assert "nationality" in error["message_en"] and Person.objects.count() == 0
    ok = post({**VISITOR, "ward_code": None})
    assert ok.status_code == 201, ok.content
    assert Person.objects.get().phone == "+33612345678"


def test_vietnamese_numbers_still_need_a_vietnamese_prefix(client, venue):
    _, cid = _page_form(venue, client)
    response = client.post(
        f"/c/{venue.code}",
        {**VISITOR, "phone": "0123 4567 890", "client_id": cid, "commitment": "on"},
    )
    assert response.status_code == 422 and 'id="err-phone"' in response.content.decode()


@pytest.fixture
def outbox():
    gateway = ConsoleGateway("PhongDich")
    sms.use(gateway)
    yield gateway.outbox
    sms.use(None)


def test_no_code_is_sent_abroad_and_the_answer_is_the_same(client, venue, outbox):
    """Decision: SMS goes only to Vietnamese mobiles. A visitor with a foreign phone proves who
    they are with staff and their passport; asking for a code answers as for an unknown ID, so
    nothing tells whether the passport number is on file."""
    _, cid = _page_form(venue, client)
    client.post(f"/c/{venue.code}", {**VISITOR, "client_id": cid, "commitment": "on"})
    visitor = Person.objects.get()
    known = do_request_code(visitor.id_number)
    assert known.person_id == visitor.pk and list(outbox) == []
    client.cookies.clear()
    # Asked again on the page (a resend too soon): refused exactly as for an unknown number.
    asked = client.post("/xac-minh", {"id_number": visitor.id_number})
    do_request_code("ZZ8888888")
    unknown_asked = client.post("/xac-minh", {"id_number": "ZZ8888888"})
    assert asked.status_code == unknown_asked.status_code == 422
    assert re.findall(rb'id="err-[a-z_]+"', asked.content) == re.findall(
        rb'id="err-[a-z_]+"', unknown_asked.content
    )
    fresh = client.post("/xac-minh", {"id_number": "ZZ7777777"})
    assert fresh.status_code == 302 and list(outbox) == []


def test_vaccination_registration_takes_a_nationality_from_the_list(client):
    form = client.get("/dang-ky-tiem", {"province": THANH_HOA}).content.decode()
    assert '<option value="VN" selected>Việt Nam</option>' in form
    data = {**PERSON, **VISITOR, "ward_code": HAC_THANH, "province": THANH_HOA}
    bad = client.post(f"/dang-ky-tiem?province={THANH_HOA}", {**data, "nationality": "ZZ"})
    assert bad.status_code == 422 and b'id="err-nationality"' in bad.content
    assert Person.objects.count() == 0
    ok = client.post(f"/dang-ky-tiem?province={THANH_HOA}", data)
    assert ok.status_code == 302
    assert Person.objects.get().nationality == "FR"


def test_staff_walk_in_forms_offer_the_country_list_and_say_passport(ward_officer):
    from django.template.loader import render_to_string

    html = render_to_string(
        "vaccination/_person_fields.html",
        {"values": {"nationality": "KR"}, "errors": {}, "user": ward_officer},
    )
    assert '<option value="KR" selected>Hàn Quốc</option>' in html
    assert 'id="f-id_number-help"' in html and 'id="f-phone-help"' in html
