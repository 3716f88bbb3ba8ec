"""The per-process venue cache: changes made here show at once, changes made elsewhere within
PHONGDICH_VENUE_CACHE_SECONDS."""

import uuid

import pytest

from phongdich.checkpoints import venue_cache
from phongdich.checkpoints.models import Venue, VenueStatus, Visit
from phongdich.checkpoints.venue_actions import do_set_venue_status
from tests.conftest import HEALTHY, PERSON

pytestmark = pytest.mark.django_db


def checkin(api_client, venue, client_id=None, **person):
    return api_client.post(
        "/api/v1/checkins",
        {
            "venue": venue.code,
            "client_id": client_id or str(uuid.uuid4()),
            "person": {**PERSON, **person},
            "declaration": HEALTHY,
        },
    )


def test_a_suspension_in_this_process_applies_to_the_next_checkin(api_client, venue, ward_officer):
    assert checkin(api_client, venue).status_code == 201  # the venue is now cached
    do_set_venue_status(venue, VenueStatus.SUSPENDED, actor=ward_officer)
    refused = checkin(api_client, venue, phone="0912000001", id_number="038190000001")
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["code"] == "venue_suspended"


def test_a_change_made_by_another_process_applies_when_the_entry_expires(
    api_client, venue, settings, monkeypatch
):
    settings.VENUE_CACHE_SECONDS = 10
    clock = [1000.0]
    monkeypatch.setattr(venue_cache, "monotonic", lambda: clock[0])
    assert checkin(api_client, venue).status_code == 201
    # Another server process suspends it: no signal reaches this one.
    Venue.objects.filter(pk=venue.pk).update(status=VenueStatus.SUSPENDED)
    clock[0] += 9
    still = checkin(api_client, venue, phone="0912000001", id_number="038190000001")
    assert still.status_code == 201
    clock[0] += 2
    refused = checkin(api_client, venue, phone="0912000002", id_number="038190000002")
    assert refused.status_code == 409
    assert Visit.objects.count() == 2


def test_zero_seconds_turns_the_cache_off(api_client, venue, settings):
    settings.VENUE_CACHE_SECONDS = 0
    assert checkin(api_client, venue).status_code == 201
    Venue.objects.filter(pk=venue.pk).update(status=VenueStatus.CLOSED)
    refused = checkin(api_client, venue, phone="0912000001", id_number="038190000001")
    assert refused.json()["errors"][0]["code"] == "venue_closed"


def test_unknown_codes_are_not_kept(api_client, venue):
    venue_cache.clear()
    assert api_client.post(
        "/api/v1/checkins",
        {"venue": "ZZZZZZZZ", "client_id": str(uuid.uuid4()), "person": PERSON,
         "declaration": HEALTHY},
    ).status_code in (404, 422)  # fmt: skip
    assert venue_cache._entries == {}


def test_a_retry_after_the_venue_was_suspended_returns_the_recorded_visit(
    api_client, venue, ward_officer
):
    client_id = str(uuid.uuid4())
    first = checkin(api_client, venue, client_id)
    do_set_venue_status(venue, VenueStatus.SUSPENDED, actor=ward_officer)
    again = checkin(api_client, venue, client_id)
    assert again.status_code == 200
    assert again.json()["visit_id"] == first.json()["visit_id"]
    assert Visit.objects.count() == 1
