"""Every staff page and API operation, tried by people who must not reach a ward's records:
staff of another ward, another province, another venue, a vaccinator elsewhere, and anonymous.

The ward (Hạc Thành) holds one person with a visit, a case, a contact, a sample, a dose, a
registration and a claim. Each outsider request must be refused (302 to login, 403, 404, 405,
422) or, when a page or list is open to them, show none of that person's data. Requests that
match by CCCD and phone carry the person's own numbers and must neither reveal nor change
them (people.identity).
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import URLResolver, get_resolver
from django.utils import timezone

from tests.conftest import HEALTHY, PERSON, QUANG_PHU, bearer_headers

pytestmark = pytest.mark.django_db

SECRETS = ("Nguyễn Thị Lan", "0912345678", "+84912345678", "038185001234", "912 345 678")
REFUSED = {302, 401, 403, 404, 405, 409, 422, 429}
# Pages whose capability is the token in their own URL (a citizen's status page, a holder's
# certificate, a registrant's poster): whoever holds the link is who it was given to.
TOKEN_PAGES = ("<str:token>", "<token>")


@pytest.fixture
def world(ward_officer, venue, citizen, lab_technician_of_province):
    from phongdich.checkpoints.actions import do_checkin
    from phongdich.testing.actions import do_create_session, do_register_sample
    from phongdich.tracing.actions import do_add_contact, do_create_case
    from phongdich.vaccination.actions import do_register
    from tests.vaccination.conftest import elsewhere, make_session

    visit = do_checkin(
        venue_code=venue.code,
        client_id=uuid.uuid4(),
        person_token=citizen.token,
        declaration=HEALTHY,
    ).visit
    claim_visit = do_checkin(
        venue_code=venue.code,
        client_id=uuid.uuid4(),
        person={**PERSON, "phone": "0987 000 111"},
        declaration=HEALTHY,
    ).visit
    case = do_create_case(
        person=citizen,
        confirmed_at=timezone.now(),
        sample_date=timezone.localdate(),
        actor=ward_officer,
        trace=False,
    )
    contact, _ = do_add_contact(
        case,
        {"full_name": "Lê Thị Hoa", "birth_year": 1960, "gender": "female", "phone": "0915111222"},
        actor=ward_officer,
    )
    sampling = do_create_session(
        {
            "site": "Nhà văn hóa khu phố 3",
            "ward_code": 14797,
            "test_type": "rt_pcr",
            "team": "Tổ 1",
            "target_kind": "walk_in",
            "date": timezone.localdate().isoformat(),
        },
        actor=ward_officer,
    )
    sample, _ = do_register_sample(sampling, actor=ward_officer, qr=f"PD1:{citizen.token}")
    dose = elsewhere(citizen, ward_officer, 1, timezone.localdate().replace(year=2025, day=1))
    vaccination = make_session(ward_officer)
    registration, _ = do_register(PERSON, channel="officer", actor=ward_officer)
    return {
        "visit": visit,
        "claim": claim_visit.person,
        "case": case,
        "contact": contact,
        "sampling": sampling,
        "sample": sample,
        "dose": dose,
        "vaccination": vaccination,
        "registration": registration,
        "venue": venue,
        "citizen": citizen,
    }


@pytest.fixture
def lab_technician_of_province(db):
    from phongdich.accounts.actions import do_create_staff

    return do_create_staff("labtech", "lab_technician", area=38)[0]


@pytest.fixture(params=["other_ward_officer", "outsider", "other_venue_staff", "vaccinator_b"])
def intruder(request, db):
    if request.param == "vaccinator_b":
        from phongdich.accounts.actions import do_create_staff

        return do_create_staff("vaccinatorb", "vaccinator", area=QUANG_PHU)[0]
    return request.getfixturevalue(request.param)


def _routes(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern)


def _fill(route: str, w: dict) -> str | None:
    values = {
        "case_id": w["case"].pk,
        "contact_id": w["contact"].pk,
        "claim_id": w["claim"].pk,
        "person_id": w["citizen"].pk,
        "dose_id": w["dose"].pk,
        "registration_id": w["registration"].pk,
        "visit_id": w["visit"].pk,
        "client_id": w["visit"].client_id,
        "event_id": 1,
        "invitation_id": 1,
        "fmt": "csv",
        "kind": "a4",
    }
    if route.startswith("staff/testing"):
        values["session_id"] = w["sampling"].pk
        values["code"] = w["sample"].tube_code
    else:
        values["session_id"] = w["vaccination"].pk
        values["code"] = w["venue"].code

    def value(match):
        name = match.group(1)
        return str(values[name]) if name in values else "1"

    path = re.sub(r"<(?:\w+:)?(\w+)>", value, route)
    return "/" + path.replace("^", "").replace("$", "")


def _leaks(content: bytes) -> list[str]:
    text = content.decode(errors="replace")
    return [s for s in SECRETS if s in text]


def _body(response) -> bytes:
    """The whole body, also of a streamed export (read once, kept for the next look)."""
    if getattr(response, "streaming", False):
        if not hasattr(response, "_read_body"):
            response._read_body = b"".join(response.streaming_content)
        return response._read_body
    return response.content


def test_staff_pages_refuse_or_show_nothing_of_another_area(client, world, intruder):
    routes = [
        r
        for r in _routes(get_resolver().url_patterns)
        if r.startswith("staff/") and not any(t in r for t in TOKEN_PAGES)
    ]
    assert len(routes) > 40
    client.force_login(intruder)
    problems = []
    for route in routes:
        path = _fill(route, world)
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            if response.status_code >= 500:
                problems.append(f"{method} {path}: {response.status_code}")
            elif response.status_code not in REFUSED and _leaks(_body(response)):
                problems.append(
                    f"{method} {path}: {response.status_code} shows {_leaks(_body(response))}"
                )
    assert problems == []


def test_anonymous_gets_the_login_page_everywhere_staff_go(client, world):
    for route in _routes(get_resolver().url_patterns):
        if not route.startswith("staff/") or route.startswith(("staff/login", "staff/2fa")):
            continue
        if any(t in route for t in TOKEN_PAGES):
            continue
        response = client.get(_fill(route, world))
        assert response.status_code in {302, 403, 404, 405}, route
        assert not _leaks(_body(response)), route


def _operations():
    from phongdich.api import api

    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method in methods:
            yield method, path


def _api_path(path: str, w: dict) -> str:
    values = {
        "code": w["venue"].code,
        "case_id": w["case"].pk,
        "contact_id": w["contact"].pk,
        "session_id": w["sampling"].pk if "/testing/" in path else w["vaccination"].pk,
        "person_id": w["citizen"].pk,
        "dose_id": w["dose"].pk,
        "sample_id": w["sample"].pk,
        "tube_code": w["sample"].tube_code,
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), 1)), path)


def test_every_api_operation_refuses_or_shows_nothing_to_staff_elsewhere(client, world, intruder):
    _api_matrix(client, world, bearer_headers(intruder))


def test_every_api_operation_refuses_or_shows_nothing_to_anonymous(client, world):
    _api_matrix(client, world, {})


def _api_matrix(client, world, headers):
    citizen = world["citizen"]
    before = type(citizen).objects.filter(pk=citizen.pk).values().get()
    problems = []
    for method, path in _operations():
        url = _api_path(path, world)
        bodies = [{}]
        if method in ("post", "patch", "put"):
            # Match by the person's own CCCD and phone, as an intruder who knows them would.
            bodies.append(
                {"person": PERSON, "person_id": citizen.pk, "id_number": PERSON["id_number"]}
            )
        for body in bodies:
            response = getattr(client, method)(
                url, body, content_type="application/json", headers=headers
            )
            if response.status_code >= 500:
                problems.append(f"{method} {url}: {response.status_code}")
            elif citizen.token in _body(response).decode(errors="replace"):
                problems.append(f"{method} {url}: answers with the person's token")
            elif (
                method == "get" and response.status_code not in REFUSED and _leaks(_body(response))
            ):
                problems.append(f"{method} {url}: shows {_leaks(_body(response))}")
    assert problems == []
    assert type(citizen).objects.filter(pk=citizen.pk).values().get() == before
