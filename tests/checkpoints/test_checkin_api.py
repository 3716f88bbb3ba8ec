import json
import uuid
from datetime import timedelta

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from phongdich.checkpoints.models import Visit
from phongdich.checkpoints.venue_actions import do_rotate_venue_code, do_set_venue_status
from phongdich.people.models import Person
from tests import wsgi_client
from tests.conftest import HEALTHY, PERSON, bearer_headers

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["handler", "wsgi"])
def api_client(request, api_client):
    """Every test here runs twice: through Django's test client, and through the WSGI application
    a server runs, where anonymous check-ins and check-outs take the fast path
    (``checkpoints.fast_api``) and everything else goes on to Django."""
    if request.param == "handler":
        return api_client
    return WsgiApi()


class WsgiApi:
    def __init__(self, user=None):
        self.headers = bearer_headers(user)

    def as_user(self, user):
        return WsgiApi(user)

    def get(self, path, **kw):
        from phongdich.wsgi import application

        return wsgi_client.call(application, "GET", path, headers=self.headers, **kw)

    def post(self, path, data=None, **kw):
        from phongdich.wsgi import application

        body = json.dumps(data, cls=DjangoJSONEncoder).encode()
        return wsgi_client.post_json(application, path, body, headers=self.headers, **kw)


def body(target, **over):
    data = {
        "venue": target.code,
        "client_id": str(uuid.uuid4()),
        "person": dict(PERSON),
        "declaration": dict(HEALTHY),
    }
    data.update(over)
    return data


def test_checkin_creates_visit_and_person(api_client, venue):
    response = api_client.post("/api/v1/checkins", body(venue))
    assert response.status_code == 201, response.content
    out = response.json()
    visit = Visit.objects.get(pk=out["visit_id"])
    assert visit.person.full_name == "Nguyễn Thị Lan"
    assert visit.person.phone == "+84912345678"
    assert out["person_id"] == visit.person_id and out["person_token"] == visit.person.token
    assert out["flagged"] is False and visit.source == "self"
    assert visit.form_version == "moh-domestic-2021.1"


def test_same_client_id_returns_same_visit_and_creates_nothing(api_client, venue):
    data = body(venue)
    first = api_client.post("/api/v1/checkins", data)
    second = api_client.post("/api/v1/checkins", data)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["visit_id"] == second.json()["visit_id"]
    assert Visit.objects.count() == 1 and Person.objects.count() == 1


def test_symptoms_flag_the_visit(api_client, venue):
    out = api_client.post(
        "/api/v1/checkins", body(venue, declaration={**HEALTHY, "symptoms": ["fever", "cough"]})
    ).json()
    assert out["flagged"] is True
    assert Visit.objects.get().symptoms == ["cough", "fever"]


def test_person_is_matched_by_cccd_then_by_phone_name_year(api_client, venue, other_venue):
    api_client.post("/api/v1/checkins", body(venue))
    api_client.post(
        "/api/v1/checkins",
        body(
            other_venue,
            person={**PERSON, "full_name": "nguyễn  thị LAN", "phone": "+84 912 345 678"},
        ),
    )
    no_id = {**PERSON, "id_number": "", "full_name": "Trần Văn Minh", "phone": "0987654321"}
    api_client.post("/api/v1/checkins", body(venue, person=no_id))
    api_client.post(
        "/api/v1/checkins", body(other_venue, person={**no_id, "full_name": "TRẦN VĂN MINH"})
    )
    # Two humans. The second declaration of each, without proof, is a claim on the first
    # (people.identity): matched, so officers see it, but never merged on typed data alone.
    lan, minh = Person.objects.filter(claim_of__isnull=True).order_by("pk")
    assert (lan.id_number, minh.id_number) == (PERSON["id_number"], None)
    assert sorted(
        Person.objects.filter(claim_of__isnull=False).values_list("claim_of", flat=True)
    ) == [
        lan.pk,
        minh.pk,
    ]
    assert Visit.objects.count() == 4


def test_returning_person_checks_in_with_token(api_client, venue, citizen):
    out = api_client.post(
        "/api/v1/checkins", body(venue, person=None, person_token=citizen.token)
    ).json()
    assert out["person_id"] == citizen.pk


def _errors(response):
    assert response.status_code == 422, response.content
    return {e["field"]: e for e in response.json()["errors"]}


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("full_name", "", "required"),
        ("full_name", "Lan 123", "invalid_name"),
        ("birth_year", 1800, "out_of_range"),
        ("gender", "robot", "not_allowed"),
        ("phone", "0123 4567 890", "old_mobile_prefix"),
        ("phone", "12345", None),
        ("id_number", "12345", "invalid_id_number"),
        ("nationality", "Vietnam", "invalid_country"),
        ("ward_code", 99999999, "unknown_ward"),
        ("address", "x" * 201, "too_long"),
    ],
)
def test_person_field_errors_name_the_field_in_both_languages(
    api_client, venue, field, value, code
):
    response = api_client.post("/api/v1/checkins", body(venue, person={**PERSON, field: value}))
    error = _errors(response)[f"person.{field}"]
    if code:
        assert error["code"] == code
    assert (
        error["message_vi"] and error["message_en"] and error["message_vi"] != error["message_en"]
    )
    assert Visit.objects.count() == 0 and Person.objects.count() == 0


def test_type_errors_are_reported_with_field_and_code(api_client, venue):
    errors = _errors(
        api_client.post(
            "/api/v1/checkins",
            body(venue, client_id="not-a-uuid", person={**PERSON, "birth_year": "nineteen"}),
        )
    )
    assert errors["client_id"]["code"] == "not_uuid"
    assert errors["person.birth_year"]["code"] == "not_integer"
    assert "person.birth_year" in errors["person.birth_year"]["message_vi"]


def test_declaration_errors(api_client, venue):
    errors = _errors(
        api_client.post(
            "/api/v1/checkins",
            body(
                venue,
                declaration={
                    "symptoms": ["fever", "headache"],
                    "exposures": ["bat"],
                    "conditions": ["x"],
                    "travel": ["Hà Nội"] * 21,
                    "commitment": False,
                },
            ),
        )
    )
    assert errors["declaration.symptoms"]["code"] == "unknown_code"
    assert "headache" in errors["declaration.symptoms"]["message_en"]
    assert errors["declaration.exposures"]["code"] == "unknown_code"
    assert errors["declaration.conditions"]["code"] == "unknown_code"
    assert errors["declaration.travel"]["code"] == "too_long"
    assert errors["declaration.commitment"]["code"] == "commitment_required"
    assert Visit.objects.count() == 0


def test_missing_contact_is_refused_for_self_checkin(api_client, venue):
    errors = _errors(
        api_client.post(
            "/api/v1/checkins", body(venue, person={**PERSON, "phone": "", "id_number": ""})
        )
    )
    assert errors["person.phone"]["code"] == "contact_required"


def test_scan_time_limits(api_client, venue, venue_staff):
    staff = api_client.as_user(venue_staff)
    future = (timezone.now() + timedelta(minutes=30)).isoformat()
    errors = _errors(staff.post("/api/v1/checkins", body(venue, scanned_at=future, source="scan")))
    assert errors["scanned_at"]["code"] == "in_future"
    old = (timezone.now() - timedelta(days=40)).isoformat()
    assert (
        _errors(staff.post("/api/v1/checkins", body(venue, scanned_at=old, source="scan")))[
            "scanned_at"
        ]["code"]
        == "too_old"
    )
    earlier = timezone.now() - timedelta(hours=2)
    ok = staff.post("/api/v1/checkins", body(venue, scanned_at=earlier.isoformat(), source="scan"))
    assert ok.status_code == 201
    visit = Visit.objects.get()
    assert abs((visit.checked_in_at - earlier).total_seconds()) < 1
    assert (visit.received_at - visit.checked_in_at) > timedelta(hours=1)
    assert visit.entered_by == venue_staff


@pytest.mark.parametrize("source", ["paper", "scan"])
def test_paper_and_scan_sources_need_staff_of_that_venue(
    api_client, venue, other_venue_staff, source
):
    anonymous = api_client.post("/api/v1/checkins", body(venue, source=source))
    assert anonymous.status_code == 403
    assert anonymous.json()["errors"][0]["code"] == "staff_required"
    foreign = api_client.as_user(other_venue_staff).post(
        "/api/v1/checkins", body(venue, source=source)
    )
    assert foreign.status_code == 403
    assert Visit.objects.count() == 0


def test_unknown_code(api_client, venue):
    response = api_client.post("/api/v1/checkins", body(venue, venue="ABCDEFGHJK"))
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "unknown_venue"


def test_rotated_code_gets_its_own_error(api_client, venue, ward_officer):
    old = venue.code
    new = do_rotate_venue_code(venue, actor=ward_officer)
    response = api_client.post("/api/v1/checkins", body(venue, venue=old))
    assert response.status_code == 410
    assert response.json()["errors"][0]["code"] == "venue_code_rotated"
    assert api_client.post("/api/v1/checkins", body(new)).status_code == 201


def test_retry_after_rotation_returns_the_visit_recorded_under_the_old_code(
    api_client, venue, other_venue, ward_officer
):
    """An offline scanner re-uploads its queue after the poster was replaced."""
    data = body(venue)
    first = api_client.post("/api/v1/checkins", data)
    do_rotate_venue_code(venue, actor=ward_officer)
    again = api_client.post("/api/v1/checkins", data)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["visit_id"] == first.json()["visit_id"]
    # Another venue's retired code is still not this check-in.
    old_other = other_venue.code
    do_rotate_venue_code(other_venue, actor=ward_officer)
    replay = api_client.post("/api/v1/checkins", {**data, "venue": old_other})
    assert replay.status_code == 422
    assert replay.json()["errors"][0]["code"] == "client_id_reused"
    assert Visit.objects.count() == 1


@pytest.mark.parametrize(
    ("status", "code"),
    [("suspended", "venue_suspended"), ("pending", "venue_pending"), ("closed", "venue_closed")],
)
def test_inactive_venues_refuse_checkins(api_client, venue, ward_officer, status, code):
    do_set_venue_status(venue, status, actor=ward_officer)
    response = api_client.post("/api/v1/checkins", body(venue))
    assert response.json()["errors"][0]["code"] == code
    assert Visit.objects.count() == 0


def test_second_checkin_while_inside_returns_open_visit(api_client, venue):
    first = api_client.post("/api/v1/checkins", body(venue)).json()
    again = api_client.post(
        "/api/v1/checkins", body(venue, person=None, person_token=first["person_token"])
    )
    assert again.status_code == 200
    assert again.json()["visit_id"] == first["visit_id"] and again.json()["already_inside"]


def test_typed_data_of_someone_inside_learns_nothing_about_them(api_client, venue):
    """Another phone typing the same details (no token): a visit of its own on a claim, the
    same answer a new person gets, nothing of the first visit or the person's token."""
    first = api_client.post("/api/v1/checkins", body(venue)).json()
    again = api_client.post("/api/v1/checkins", body(venue))
    assert again.status_code == 201
    out = again.json()
    assert out["visit_id"] != first["visit_id"] and not out["already_inside"]
    assert out["person_id"] != first["person_id"]
    assert out["person_token"] != first["person_token"]
    assert set(out) == set(first)


def test_checkout_by_client_id_and_repeat_is_harmless(api_client, venue):
    data = body(venue)
    api_client.post("/api/v1/checkins", data)
    out = api_client.post("/api/v1/checkouts", {"client_id": data["client_id"]})
    assert out.status_code == 200 and out.json()["checkout_kind"] == "self"
    again = api_client.post("/api/v1/checkouts", {"client_id": data["client_id"]})
    assert again.json()["checked_out_at"] == out.json()["checked_out_at"]


def test_checkout_by_visit_id_needs_staff_of_the_venue(
    api_client, venue, venue_staff, other_venue_staff
):
    visit_id = api_client.post("/api/v1/checkins", body(venue)).json()["visit_id"]
    assert api_client.post("/api/v1/checkouts", {"visit_id": visit_id}).status_code == 404
    assert (
        api_client.as_user(other_venue_staff)
        .post("/api/v1/checkouts", {"visit_id": visit_id})
        .status_code
        == 404
    )
    ok = api_client.as_user(venue_staff).post("/api/v1/checkouts", {"visit_id": visit_id})
    assert ok.status_code == 200 and ok.json()["checkout_kind"] == "staff"


def test_checkin_costs_a_small_fixed_number_of_queries(
    api_client, venue, other_venue, django_assert_num_queries
):
    for place in (venue, other_venue):  # warm caches (content types, the venues)
        api_client.post("/api/v1/checkins", body(place))
    # A new person: look them up, then insert them and the visit: two INSERTs in a transaction
    # on SQLite, one INSERT … WITH statement on PostgreSQL. Here, inside the test's own
    # transaction, the write is wrapped in a savepoint (in production: BEGIN and COMMIT on SQLite,
    # nothing on PostgreSQL). Each check-in also counts once for the client's rate limit: one
    # upsert, shared by every server process (core.ratelimit; none with Redis configured).
    from django.db import connection

    with django_assert_num_queries(5 if connection.vendor == "postgresql" else 6):
        new = api_client.post(
            "/api/v1/checkins",
            body(venue, person={**PERSON, "id_number": "038190009999", "phone": "0977000111"}),
        )
        assert new.status_code == 201
    # A returning person by their token: the token lookup, the visit and the rate count.
    with django_assert_num_queries(5):
        again = api_client.post(
            "/api/v1/checkins",
            body(other_venue, person=None, person_token=new.json()["person_token"]),
        )
        assert again.status_code == 201, again.content
    assert Visit.objects.filter(person_id=new.json()["person_id"]).count() == 2


def test_public_checkin_is_rate_limited(api_client, venue, settings, steady_rate_window):
    settings.CHECKIN_RATE_PER_MINUTE = 3
    from django.core.cache import cache

    cache.clear()
    codes = [
        api_client.post(
            "/api/v1/checkins",
            body(
                venue, person={**PERSON, "id_number": f"03818500{i:04d}", "phone": f"091200{i:04d}"}
            ),
        ).status_code
        for i in range(5)
    ]
    assert codes[:3] == [201, 201, 201]
    assert codes[3:] == [429, 429]
    cache.clear()


def test_replayed_client_id_with_other_details_reveals_nothing(api_client, venue, other_venue):
    data = body(venue)
    api_client.post("/api/v1/checkins", data)
    for replay in (
        body(other_venue, client_id=data["client_id"]),
        body(
            venue,
            client_id=data["client_id"],
            person={**PERSON, "id_number": "038199999999", "phone": "0988888888"},
        ),
        {**data, "person": None, "person_token": "guess"},
    ):
        response = api_client.post("/api/v1/checkins", replay)
        assert response.status_code == 422
        assert response.json()["errors"][0]["code"] == "client_id_reused"
        assert "person_token" not in response.content.decode()


def test_staff_session_without_csrf_token_acts_as_anonymous(client, venue, venue_staff):
    """A page elsewhere cannot use a logged-in staff browser to record paper/scan visits."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(venue_staff)
    response = browser.post(
        "/api/v1/checkins", body(venue, source="paper"), content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "staff_required"
    assert Visit.objects.count() == 0
