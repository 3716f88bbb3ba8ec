"""The anonymous check-in fast path answers exactly as Django does, and only what it should.

Each comparison runs the same scenario twice in the same database: once through the served
application (``phongdich.wsgi.application``, the fast path in front) and once through Django's
own WSGI handler, with a fresh person and client_id each time. Ids, tokens and times then differ;
everything else (status, headers, every other byte of the body) must match.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from contextlib import contextmanager

import pytest
import time_machine
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished

from phongdich.checkpoints.models import Visit
from phongdich.checkpoints.venue_actions import do_rotate_venue_code, do_set_venue_status
from phongdich.fast_api import FastPath, middleware_hooks
from tests import wsgi_client
from tests.conftest import HEALTHY, PERSON

pytestmark = pytest.mark.django_db

_person_serial = iter(range(1000, 9999))


def fresh_person(**over) -> dict:
    n = next(_person_serial)
    return {**PERSON, "id_number": f"03818500{n:04d}", "phone": f"0912{n:06d}", **over}


def checkin_body(venue_code: str, **over) -> dict:
    return {
        "venue": venue_code,
        "client_id": str(uuid.uuid4()),
        "person": fresh_person(),
        "declaration": dict(HEALTHY),
        **over,
    }


VARIABLE = re.compile(
    r'("(?:visit_id|person_id)": )\d+'
    r'|("(?:client_id|person_token)": )"[^"]+"'
    r'|("(?:checked_in_at|checked_out_at)": )"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{3})?Z"'
)


# A new CSRF cookie: its value and expiry time differ between two answers.
COOKIE_VALUE = re.compile(r"^(\s*[^=;]+=)[^;]*|(expires=)[^;]*")


def normalised(response) -> tuple:
    """Status, headers and body with ids, tokens and times masked (their format is kept)."""
    if "content-length" in response.headers:
        assert int(response["Content-Length"]) == len(response.content)
    # Content-Length's value follows the masked ids, Retry-After the clock (the two apps answer
    # a moment apart); whether they are there at all is compared.
    headers = sorted(
        (name.lower(), "*" if name.lower() in {"content-length", "retry-after"} else value)
        for name, value in response.header_list
    )
    headers = [
        (
            name,
            COOKIE_VALUE.sub(lambda m: (m[1] or m[2]) + "*", value)
            if name == "set-cookie"
            else value,
        )
        for name, value in headers
    ]
    body = VARIABLE.sub(lambda m: (m.group(1) or m.group(2) or m.group(3)) + "*", response.text)
    return response.status_code, response.reason, headers, body


def django_app():
    return WSGIHandler()


def served_app():
    from phongdich.wsgi import application

    assert isinstance(application, FastPath)
    return application


def both(scenario, served=None):
    """Run ``scenario(app, remote_addr)`` on the served app and on plain Django; return both.
    ``served``: a new fast path to use instead, for settings that middleware reads when loaded
    (Django's own handler reads them once too; the one compared with is always new)."""
    fast = scenario(served or served_app(), "10.0.0.1")
    slow = scenario(django_app(), "10.0.0.2")
    return fast, slow


@pytest.fixture
def seen_by_django(monkeypatch):
    """Counts the requests the fast path hands on to Django."""
    from phongdich import wsgi

    passed: list[str] = []
    inner = wsgi.application.app

    def counting(environ, start_response):
        passed.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    monkeypatch.setattr(wsgi.application, "app", counting)
    return passed


def post(app, path, data, addr="127.0.0.1", **kw):
    return wsgi_client.post_json(app, path, data, remote_addr=addr, **kw)


def assert_same(scenario, served=None):
    fast, slow = both(scenario, served)
    assert normalised(fast) == normalised(slow), (fast.content, slow.content)
    return fast


def test_new_checkin_retry_and_already_inside_answer_the_same(venue, seen_by_django):
    def new(app, addr):
        return post(app, "/api/v1/checkins", checkin_body(venue.code), addr)

    first = assert_same(new)
    assert first.status_code == 201 and first.json()["already_inside"] is False

    def retry(app, addr):
        data = checkin_body(venue.code)
        post(app, "/api/v1/checkins", data, addr)
        return post(app, "/api/v1/checkins", data, addr)

    again = assert_same(retry)
    assert again.status_code == 200

    def inside(app, addr):
        data = checkin_body(venue.code)
        token = post(app, "/api/v1/checkins", data, addr).json()["person_token"]
        return post(
            app,
            "/api/v1/checkins",
            checkin_body(venue.code, person=None, person_token=token),
            addr,
        )

    assert assert_same(inside).json()["already_inside"] is True

    def typed_again(app, addr):  # another phone typing the same details: a claim of its own
        data = checkin_body(venue.code)
        post(app, "/api/v1/checkins", data, addr)
        return post(app, "/api/v1/checkins", {**data, "client_id": str(uuid.uuid4())}, addr)

    claimed = assert_same(typed_again)
    assert claimed.status_code == 201 and claimed.json()["already_inside"] is False
    assert seen_by_django == []  # the served app answered every request itself
    assert Visit.objects.count() == 2 + 2 + 2 + 4


def test_returning_person_with_token_and_flagged_declaration(venue):
    def returning(app, addr):
        token = post(app, "/api/v1/checkins", checkin_body(venue.code), addr).json()
        post(app, "/api/v1/checkouts", {"client_id": token["client_id"]}, addr)
        return post(
            app,
            "/api/v1/checkins",
            checkin_body(
                venue.code,
                person=None,
                person_token=token["person_token"],
                declaration={**HEALTHY, "symptoms": ["fever"]},
            ),
            addr,
        )

    response = assert_same(returning)
    assert response.status_code == 201 and response.json()["flagged"] is True


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"venue": "ZZZZZZZZ"}, id="unknown-venue"),
        pytest.param({"person": fresh_person(phone="0951234567")}, id="bad-phone"),
        pytest.param({"person": fresh_person(birth_year=1700)}, id="bad-birth-year"),
        pytest.param({"declaration": {**HEALTHY, "commitment": False}}, id="no-commitment"),
        pytest.param({"declaration": {**HEALTHY, "symptoms": ["hiccups"]}}, id="unknown-symptom"),
        pytest.param({"person": None, "person_token": "nobody"}, id="unknown-token"),
        pytest.param({"source": "paper"}, id="paper-needs-staff"),
        pytest.param({"scanned_at": "2030-01-01T00:00:00Z"}, id="future-scan"),
        pytest.param({"client_id": "not-a-uuid"}, id="schema-error"),
        pytest.param({"declaration": "yes"}, id="schema-type-error"),
    ],
)
def test_refused_checkins_answer_the_same_and_write_nothing(venue, change):
    before = Visit.objects.count()
    response = assert_same(
        lambda app, addr: post(app, "/api/v1/checkins", checkin_body(venue.code, **change), addr)
    )
    assert response.status_code in (403, 404, 422)
    assert response.json()["errors"][0]["message_vi"] and response.json()["errors"][0]["message_en"]
    assert Visit.objects.count() == before


def test_rotated_and_suspended_codes_answer_the_same(venue, ward_officer):
    old_code = venue.code
    do_rotate_venue_code(venue, actor=ward_officer)
    rotated = assert_same(
        lambda app, addr: post(app, "/api/v1/checkins", checkin_body(old_code), addr)
    )
    venue.refresh_from_db()
    do_set_venue_status(venue, "suspended", actor=ward_officer)
    suspended = assert_same(
        lambda app, addr: post(app, "/api/v1/checkins", checkin_body(venue.code), addr)
    )
    assert rotated.json()["errors"][0]["code"] != suspended.json()["errors"][0]["code"]
    assert Visit.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'"text"', b"{}", b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"],
    ids=["bad-json", "list", "string", "empty-object", "nested-deeper-than-json-reads"],
)
def test_bodies_it_cannot_read_go_to_django(venue, body, seen_by_django):
    response = assert_same(lambda app, addr: post(app, "/api/v1/checkins", body, addr))
    assert response.status_code in (400, 422)
    assert seen_by_django == ["/api/v1/checkins"]


def test_checkouts_answer_the_same(venue):
    def checkout_twice(app, addr):
        visit = post(app, "/api/v1/checkins", checkin_body(venue.code), addr).json()
        post(app, "/api/v1/checkouts", {"client_id": visit["client_id"]}, addr)
        return post(app, "/api/v1/checkouts", {"client_id": visit["client_id"]}, addr)

    closed = assert_same(checkout_twice)
    assert closed.status_code == 200 and closed.json()["checkout_kind"] == "self"
    assert not Visit.objects.filter(checked_out_at__isnull=True).exists()
    unknown = assert_same(
        lambda app, addr: post(app, "/api/v1/checkouts", {"client_id": str(uuid.uuid4())}, addr)
    )
    assert unknown.status_code == 404
    visit_id = Visit.objects.first().pk
    by_id = assert_same(
        lambda app, addr: post(app, "/api/v1/checkouts", {"visit_id": visit_id}, addr)
    )
    assert by_id.status_code == 404  # a bare visit id is for staff only
    neither = assert_same(lambda app, addr: post(app, "/api/v1/checkouts", {}, addr))
    assert neither.status_code == 422


def test_rate_limit_answers_the_same(venue, settings):
    settings.CHECKIN_RATE_PER_MINUTE = 2
    cache.clear()

    def third(app, addr):
        for _ in range(2):
            assert post(app, "/api/v1/checkins", checkin_body(venue.code), addr).status_code == 201
        return post(app, "/api/v1/checkins", checkin_body(venue.code), addr)

    # The limit counts in fixed one-minute windows: on a slow machine the six requests could
    # straddle a window's end, so the clock stands still one second into the current window.
    with time_machine.travel(int(time.time()) // 60 * 60 + 1, tick=False):
        fast, slow = both(third)
    assert normalised(fast) == normalised(slow)
    assert fast.status_code == 429
    assert fast["Retry-After"] == slow["Retry-After"] == "59"
    cache.clear()


def test_language_and_host_checks_answer_the_same(venue):
    english = assert_same(
        lambda app, addr: post(
            app,
            "/api/v1/checkins",
            checkin_body(venue.code),
            addr,
            headers={"Accept-Language": "en"},
        )
    )
    assert english["Content-Language"] == "en"
    before = Visit.objects.count()
    bad_host = assert_same(
        lambda app, addr: post(
            app, "/api/v1/checkins", checkin_body(venue.code), addr, host="evil.example"
        )
    )
    assert bad_host.status_code == 400
    assert Visit.objects.count() == before


def test_requests_with_credentials_or_other_routes_go_to_django(venue, venue_staff, seen_by_django):
    from phongdich.accounts.actions import do_issue_token

    app = served_app()
    token = do_issue_token(venue_staff)
    paper = checkin_body(venue.code, source="paper")
    staff = post(app, "/api/v1/checkins", paper, headers={"Authorization": f"Bearer {token}"})
    assert staff.status_code == 201 and Visit.objects.get().source == "paper"
    session = post(
        app, "/api/v1/checkins", checkin_body(venue.code), headers={"Cookie": "sessionid=abc"}
    )
    assert session.status_code == 201  # an unknown session is anonymous, as Django decides
    # Any cookie: Django's parser reads "sessionid =x" as a session, and the CSRF middleware
    # acts on a csrftoken cookie, so the fast path leaves every request with cookies to Django.
    cookie = post(app, "/api/v1/checkins", checkin_body(venue.code), headers={"Cookie": "a=b"})
    assert cookie.status_code == 201
    listing = wsgi_client.call(app, "GET", f"/api/v1/venues/{venue.code}/visits")
    assert listing.status_code == 401
    assert seen_by_django == [
        "/api/v1/checkins",
        "/api/v1/checkins",
        "/api/v1/checkins",
        f"/api/v1/venues/{venue.code}/visits",
    ]


def test_oversized_or_unsized_bodies_go_to_django(venue, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    app = FastPath(WSGIHandler())
    big = json.dumps(checkin_body(venue.code)).encode()
    assert len(big) > 100
    counted: list[str] = []
    inner = app.app
    app.app = lambda environ, start: counted.append(environ["PATH_INFO"]) or inner(environ, start)
    response = wsgi_client.call(
        app, "POST", "/api/v1/checkins", big, {"Content-Type": "application/json"}
    )
    assert response.status_code == 413  # Django (the API's handler) refuses the body as too large
    chunked = wsgi_client.call(
        app,
        "POST",
        "/api/v1/checkins",
        json.dumps(checkin_body(venue.code)).encode(),
        {"Content-Type": "application/json"},
        sized=False,
    )
    assert chunked.status_code == 422  # without a length Django reads no body: body required
    assert counted == ["/api/v1/checkins", "/api/v1/checkins"]
    assert Visit.objects.count() == 0


def test_an_unknown_middleware_turns_the_fast_path_off(settings, venue):
    assert middleware_hooks(settings.MIDDLEWARE) is not None
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "example.middleware.Unknown"]
    assert middleware_hooks(settings.MIDDLEWARE) is None
    app = FastPath(lambda environ, start: start("418 I'm a teapot", []) or [b"django"])
    response = post(app, "/api/v1/checkins", checkin_body(venue.code))
    assert response.status_code == 418 and Visit.objects.count() == 0


def test_the_setting_turns_the_fast_path_off(settings, venue):
    settings.API_FAST_PATH = False
    app = FastPath(lambda environ, start: start("418 I'm a teapot", []) or [b"django"])
    assert post(app, "/api/v1/checkins", checkin_body(venue.code)).status_code == 418
    assert Visit.objects.count() == 0


@contextmanager
def requests_finished():
    """The senders of request_finished while inside (Django closes connections on it)."""
    finished: list[object] = []

    def receiver(sender, **kwargs):
        finished.append(sender)

    request_finished.connect(receiver)
    try:
        yield finished
    finally:
        request_finished.disconnect(receiver)


def test_request_finished_is_sent_when_the_answer_is_closed(venue):
    """Django closes expired or broken database connections on this signal."""
    with requests_finished() as finished:
        response = post(served_app(), "/api/v1/checkins", checkin_body(venue.code))
    assert response.status_code == 201
    assert finished == [WSGIHandler]


def test_a_malformed_csrf_cookie_answers_the_same(venue):
    """Django replaces a malformed CSRF cookie (Set-Cookie, Vary: Cookie first)."""
    response = assert_same(
        lambda app, addr: post(
            app,
            "/api/v1/checkins",
            checkin_body(venue.code),
            addr,
            headers={"Cookie": "csrftoken=bad"},
        )
    )
    assert response.status_code == 201 and "csrftoken=" in response["Set-Cookie"]


PROXY = ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.mark.parametrize(
    ("overrides", "headers", "status"),
    [
        ({"SECURE_SSL_REDIRECT": True}, {}, 301),
        (
            {"SECURE_HSTS_SECONDS": 3600, "SECURE_PROXY_SSL_HEADER": PROXY},
            {"X-Forwarded-Proto": "https"},
            201,
        ),
        ({"DISALLOWED_USER_AGENTS": [re.compile("BadBot")]}, {"User-Agent": "BadBot/1.0"}, 403),
    ],
    ids=["ssl-redirect", "hsts-behind-proxy", "disallowed-user-agent"],
)
def test_security_settings_answer_the_same(venue, settings, overrides, headers, status):
    for name, value in overrides.items():
        setattr(settings, name, value)
    response = assert_same(
        lambda app, addr: post(
            app, "/api/v1/checkins", checkin_body(venue.code), addr, headers=headers
        ),
        served=FastPath(WSGIHandler()),
    )
    assert response.status_code == status
    if "SECURE_HSTS_SECONDS" in overrides:
        assert response["Strict-Transport-Security"] == "max-age=3600"


def test_a_failing_response_hook_gives_an_error_page_and_the_request_still_finishes(venue):
    """As Django wraps each middleware: an exception in one becomes a 500 page."""

    class Failing:
        def process_response(self, request, response):
            raise RuntimeError("broken hook")

    app = FastPath(WSGIHandler())
    app._setup()
    app.hooks = [*app.hooks, Failing()]
    with requests_finished() as finished:
        response = post(app, "/api/v1/checkins", checkin_body(venue.code))
    assert response.status_code == 500
    assert finished == [WSGIHandler]


@pytest.mark.parametrize(
    "person",
    [
        pytest.param({"full_name": "Nguyễn\x00Văn A"}, id="nul"),
        pytest.param({"full_name": "Nguyễn \ud800Văn A"}, id="lone-surrogate"),
        pytest.param({"address": "\udfff"}, id="lone-low-surrogate"),
    ],
)
def test_text_no_database_stores_is_refused_the_same_and_writes_nothing(venue, person):
    """NUL (PostgreSQL refuses it) and lone surrogates (no UTF-8 for them) gave a 500."""
    before = Visit.objects.count()
    body = checkin_body(venue.code)
    body["person"] = {**body["person"], **person}
    response = assert_same(lambda app, addr: post(app, "/api/v1/checkins", body, addr))
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["code"] == "bad_characters" and error["field"].startswith("person.")
    assert Visit.objects.count() == before


def test_text_no_database_stores_is_refused_on_every_endpoint(client, db):
    for body in ('{"full_name": "A\\u0000"}', '{"full_name": "\\ud800"}', '{"a\\u0000": 1}'):
        response = client.post(
            "/api/v1/vaccination/registrations", body, content_type="application/json"
        )
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["code"] == "bad_characters"


def test_a_family_checkin_and_its_errors_answer_the_same(venue, seen_by_django):
    """``members`` (checkpoints.family) on the fast path: the same answer as Django's, each
    member's visit in ``members``, and bad members' errors naming ``members.<i>.<field>``."""
    child = {"full_name": "Trần Bảo An", "birth_year": 2018, "gender": "female"}
    elder = {"full_name": "Lê Thị Hoa", "birth_year": 1950, "gender": "female"}

    def family(app, addr):
        return post(app, "/api/v1/checkins", checkin_body(venue.code, members=[child, elder]), addr)

    answer = assert_same(family)
    assert answer.status_code == 201 and len(answer.json()["members"]) == 2

    def family_again(app, addr):
        data = checkin_body(venue.code, members=[child])
        post(app, "/api/v1/checkins", data, addr)
        return post(app, "/api/v1/checkins", data, addr)

    again = assert_same(family_again)
    assert again.status_code == 200 and len(again.json()["members"]) == 1

    def bad_member(app, addr):
        body = checkin_body(venue.code, members=[child, {**elder, "nationality": "ZZ"}])
        return post(app, "/api/v1/checkins", body, addr)

    bad = assert_same(bad_member)
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["members.1.nationality"]
    assert seen_by_django == []  # all served by the fast path itself
