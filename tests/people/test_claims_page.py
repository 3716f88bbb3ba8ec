"""Officers of the person's area settle claims; nobody else sees them."""

from __future__ import annotations

import uuid

import pytest

from phongdich.checkpoints.models import Visit
from phongdich.people.models import Person
from tests.conftest import HEALTHY, PERSON

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim(api_client, venue, citizen):
    out = api_client.post(
        "/api/v1/checkins",
        {
            "venue": venue.code,
            "client_id": str(uuid.uuid4()),
            "person": {**PERSON, "phone": "0987 000 111"},
            "declaration": HEALTHY,
        },
    ).json()
    return Person.objects.get(pk=out["person_id"])


def test_the_owning_officer_sees_and_confirms_with_the_id_card(client, ward_officer, claim):
    client.force_login(ward_officer)
    page = client.get("/staff/people/claims")
    assert page.status_code == 200 and f'id="claim-{claim.pk}"'.encode() in page.content
    assert page["Cache-Control"] == "private, no-store"
    url = f"/staff/people/claims/{claim.pk}"
    client.post(url, {"decision": "confirm"})  # without ticking the ID card box
    claim.refresh_from_db()
    assert claim.claim_status == "open"
    client.post(url, {"decision": "confirm", "id_card_seen": "on"})
    claim.refresh_from_db()
    assert claim.claim_status == "confirmed"
    assert not Visit.objects.filter(person=claim).exists()
    assert b'id="no-claims"' in client.get("/staff/people/claims").content


def test_another_person_is_kept_apart(client, ward_officer, claim):
    client.force_login(ward_officer)
    client.post(f"/staff/people/claims/{claim.pk}", {"decision": "reject"})
    claim.refresh_from_db()
    assert claim.claim_status == "rejected" and Visit.objects.filter(person=claim).exists()


@pytest.mark.parametrize("who", ["other_ward_officer", "outsider", "venue_staff", None])
def test_outsiders_neither_see_nor_settle(client, request, claim, who):
    if who:
        client.force_login(request.getfixturevalue(who))
    page = client.get("/staff/people/claims")
    assert page.status_code in (200, 302)
    assert f'id="claim-{claim.pk}"'.encode() not in page.content
    answer = client.post(
        f"/staff/people/claims/{claim.pk}", {"decision": "confirm", "id_card_seen": "on"}
    )
    assert answer.status_code in (302, 404)
    if who:
        assert answer.status_code == 404
    claim.refresh_from_db()
    assert claim.claim_status == "open"
