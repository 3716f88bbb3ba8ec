"""Shared fixtures: the same cast everywhere (the house style in CONTRIBUTING.md) — officers at both levels, an officer of
another ward who should see nothing of Hạc Thành, checkpoint staff and a citizen."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("PHONGDICH_FAST_HASHER", "1")  # for subprocesses the tests start


def pytest_configure(config):
    # Settings are already loaded here; tests need no slow password hashing.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


THANH_HOA = 38
HAC_THANH = 14797  # Phường Hạc Thành (old Ngọc Trạo ward is part of it)
QUANG_PHU = 16522  # another ward of Thanh Hóa
HA_NOI = 1
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """A rolled-back test leaves no signal behind: forget what the process cached of an earlier
    test's rows — venues looked up, rules set, the hotlines pages and SMS print (a test that
    edited the hotlines made a later test's call announcement name its number)."""
    from phongdich.checkpoints import venue_cache
    from phongdich.core.rules import reset_cache
    from phongdich.portal import contacts

    venue_cache.clear()
    reset_cache()
    contacts.forget()


@pytest.fixture(autouse=True)
def _divisions_after_flush(request):
    """Transactional tests (threads, live server) flush every table afterwards, including the
    provinces and wards that a data migration loaded; put them back for the test that needs them."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and (
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    )
    if transactional or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        from phongdich.places.loader import load_divisions
        from phongdich.places.models import Province, Ward

        if not Ward.objects.exists():
            load_divisions(Province, Ward)


def _staff(username: str, role: str, area: int | None, **extra):
    from phongdich.accounts.actions import do_create_staff

    user, _ = do_create_staff(username, role, area=area, password=PASSWORD, **extra)
    return user


@pytest.fixture
def admin_user(db):
    return _staff("admin", "admin", None)


@pytest.fixture
def province_officer(db):
    return _staff("province", "province_officer", THANH_HOA)


@pytest.fixture
def ward_officer(db):
    return _staff("ward", "ward_officer", HAC_THANH)


@pytest.fixture
def other_ward_officer(db):
    return _staff("otherward", "ward_officer", QUANG_PHU)


@pytest.fixture
def outsider(db):
    """A province officer of Hà Nội: should have no access to anything in Thanh Hóa."""
    return _staff("outsider", "province_officer", HA_NOI)


def bearer_headers(user) -> dict[str, str]:
    """An Authorization header with a fresh API token of ``user`` (none for None)."""
    if user is None:
        return {}
    from phongdich.accounts.actions import do_issue_token

    return {"Authorization": f"Bearer {do_issue_token(user)}"}


@pytest.fixture
def api_client(client):
    """A Django test client speaking JSON with a bearer token."""

    class Api:
        def __init__(self, user=None):
            self.headers = bearer_headers(user)

        def as_user(self, user):
            return Api(user)

        def get(self, path, **kw):
            return client.get(path, headers=self.headers, **kw)

        def post(self, path, data=None, **kw):
            return client.post(
                path, data=data, content_type="application/json", headers=self.headers, **kw
            )

        def patch(self, path, data=None, **kw):
            return client.patch(
                path, data=data, content_type="application/json", headers=self.headers, **kw
            )

    return Api()


VENUE_DATA = {
    "name": "UBND Phường Hạc Thành",
    "kind": "office",
    "address": "25 Trần Phú",
    "ward_code": HAC_THANH,
    "phone": "0237 3742 289",
    "operator": "UBND phường",
    "lat": 19.8067,
    "lon": 105.7852,
    "default_stay_minutes": 60,
}


@pytest.fixture
def venue(ward_officer):
    from phongdich.checkpoints.venue_actions import do_register_venue

    return do_register_venue(VENUE_DATA, actor=ward_officer)


@pytest.fixture
def other_venue(other_ward_officer):
    from phongdich.checkpoints.venue_actions import do_register_venue

    return do_register_venue(
        {**VENUE_DATA, "name": "Chợ Quảng Phú", "kind": "market", "ward_code": QUANG_PHU},
        actor=other_ward_officer,
    )


@pytest.fixture
def venue_staff(venue):
    return _staff("staff", "venue_staff", None, venue=venue)


@pytest.fixture
def other_venue_staff(other_venue):
    return _staff("otherstaff", "venue_staff", None, venue=other_venue)


PERSON = {
    "full_name": "Nguyễn Thị Lan",
    "birth_year": 1985,
    "gender": "female",
    "phone": "0912 345 678",
    "id_number": "038185001234",
    "nationality": "VN",
    "ward_code": HAC_THANH,
    "address": "12 Lê Lợi",
}
HEALTHY = {"symptoms": [], "exposures": [], "conditions": [], "travel": [], "commitment": True}


@pytest.fixture
def citizen(db):
    """A person who has declared before (matched by CCCD)."""
    from phongdich.people.identity import resolve
    from phongdich.people.validation import validate_person

    data, errors = validate_person(PERSON)
    assert not errors
    return resolve(data).person


@pytest.fixture
def steady_rate_window(monkeypatch):
    """Rate limits count in fixed windows (``core.ratelimit``: a minute, an hour). On a loaded
    machine a test's requests can straddle a window's end, the count starts again and the
    expected refusal never comes. The limiter's clock stands one second into the current minute
    for the test (so every window's end, and its expiry, is still ahead of the real clock)."""
    import time
    import types

    from phongdich.core import ratelimit

    frozen = int(time.time()) // 60 * 60 + 1
    monkeypatch.setattr(ratelimit, "time", types.SimpleNamespace(time=lambda: frozen))
    return frozen
