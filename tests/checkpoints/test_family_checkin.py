"""Family declaration on the public check-in page: one phone declares for several people, each a
person of their own with a visit of their own, through the identity model (people.identity)."""

from __future__ import annotations

import re

import pytest

from phongdich.checkpoints.models import Visit
from phongdich.people.models import Person
from tests.conftest import HEALTHY, PERSON

pytestmark = pytest.mark.django_db

DECLARER = {
    "full_name": "Trần Văn Minh",
    "birth_year": "1980",
    "gender": "male",
    "phone": "0987 654 321",
    "id_number": "",
    "nationality": "VN",
    "ward_code": "14797",
    "address": "5 Lê Lợi",
    "commitment": "on",
}
CHILD = {"full_name": "Trần Bảo An", "birth_year": "2018", "gender": "female", "id_number": ""}
GRANDMOTHER = {"full_name": "Lê Thị Hoa", "birth_year": "1950", "gender": "female"}


def _member(n: int, member: dict) -> dict:
    return {f"m{n}-{k}": v for k, v in {"nationality": "VN", **member}.items()}


def _client_id(html: str) -> str:
    return re.search(r'name="client_id" value="([0-9a-f-]+)"', html).group(1)


def _family_post(client, venue, *members, **over):
    cid = _client_id(client.get(f"/c/{venue.code}").content.decode())
    data = {**DECLARER, "client_id": cid, "members": str(len(members)), **over}
    for n, member in enumerate(members, 1):
        data.update(_member(n, member))
    return data


def test_add_a_family_member_without_javascript_keeps_what_was_typed(client, venue):
    html = client.get(f"/c/{venue.code}").content.decode()
    assert 'id="add-member"' in html and 'id="member-1"' not in html
    data = {**DECLARER, "client_id": _client_id(html), "members": "0", "action": "add_member"}
    longer = client.post(f"/c/{venue.code}", data)
    page = longer.content.decode()
    assert longer.status_code == 200 and 'id="member-1"' in page and 'id="member-2"' not in page
    assert 'name="members" value="1"' in page and "Trần Văn Minh" in page
    assert _client_id(page) == data["client_id"]  # the same check-in, not a new one
    again = client.post(f"/c/{venue.code}", {**data, "members": "1", **_member(1, CHILD)})
    page = again.content.decode()
    assert 'id="member-2"' in page and 'value="Trần Bảo An"' in page
    assert Visit.objects.count() == 0 and Person.objects.count() == 0


def test_a_family_of_three_with_one_phone_is_three_people_and_three_visits(client, venue):
    data = _family_post(client, venue, CHILD, GRANDMOTHER)
    done = client.post(f"/c/{venue.code}", data)
    assert done.status_code == 302
    people = Person.objects.order_by("birth_year")
    assert [p.full_name for p in people] == ["Lê Thị Hoa", "Trần Văn Minh", "Trần Bảo An"]
    assert {p.phone for p in people} == {"+84987654321"}
    assert all(p.claim_of_id is None for p in people)
    assert Visit.objects.filter(venue=venue).count() == 3
    assert {v.person_id for v in Visit.objects.all()} == {p.pk for p in people}
    # The device is remembered as the declarer, not as a member.
    assert "Trần Văn Minh" in client.get(done.url).content.decode()
    # The same form sent again (a double tap, a retry) records nothing more.
    repeat = client.post(f"/c/{venue.code}", data)
    assert repeat.status_code == 302
    assert Visit.objects.count() == 3 and Person.objects.count() == 3


def test_blank_member_fieldsets_are_no_one(client, venue):
    data = _family_post(client, venue, CHILD, {"full_name": "", "birth_year": "", "gender": ""})
    assert client.post(f"/c/{venue.code}", data).status_code == 302
    assert Person.objects.count() == 2 and Visit.objects.count() == 2


def test_a_bad_member_names_its_field_in_both_languages_and_nothing_is_written(client, venue):
    data = _family_post(client, venue, CHILD, {**GRANDMOTHER, "birth_year": "1850"})
    response = client.post(f"/c/{venue.code}", data)
    html = response.content.decode()
    assert response.status_code == 422 and 'id="err-m2-birth_year"' in html
    assert 'id="err-birth_year"' not in html  # the declarer's own year is fine
    assert 'value="Trần Bảo An"' in html and 'value="Lê Thị Hoa"' in html
    assert Person.objects.count() == 0 and Visit.objects.count() == 0
    client.cookies["django_language"] = "en"
    english = client.post(f"/c/{venue.code}", data).content.decode()
    assert "birth_year must be between 1900" in english


def test_a_family_needs_the_declarers_phone(client, venue):
    data = _family_post(client, venue, CHILD, phone="", id_number="038080001111")
    response = client.post(f"/c/{venue.code}", data)
    assert response.status_code == 422 and 'id="err-phone"' in response.content.decode()
    assert Person.objects.count() == 0


def test_a_known_cccd_in_a_family_makes_a_claim_and_reveals_nothing(client, venue, citizen):
    before = Person.objects.values().get(pk=citizen.pk)
    elder = {"full_name": "Bà Nội", "birth_year": "1949", "gender": "female"}
    data = _family_post(client, venue, {**elder, "id_number": citizen.id_number})
    done = client.post(f"/c/{venue.code}", data)
    assert done.status_code == 302
    claim = Person.objects.get(claim_of=citizen)
    assert claim.full_name == "Bà Nội" and claim.phone == "+84987654321"
    assert Visit.objects.filter(person=claim).count() == 1
    assert not Visit.objects.filter(person=citizen).exists()
    assert Person.objects.values().get(pk=citizen.pk) == before
    assert PERSON["full_name"] not in client.get(done.url).content.decode()


def test_sharing_a_known_persons_phone_never_merges_nor_claims(client, venue, other_venue):
    # The parent declares first and is remembered on this phone.
    first = _family_post(client, venue)
    assert client.post(f"/c/{venue.code}", first).status_code == 302
    parent = Person.objects.get()
    before = Person.objects.values().get(pk=parent.pk)
    # Next venue, one tap for the parent, and the child added with the parent's phone.
    html = client.get(f"/c/{other_venue.code}").content.decode()
    assert 'name="full_name"' not in html and 'id="add-member"' in html
    data = {"client_id": _client_id(html), "commitment": "on", "members": "1"}
    assert client.post(f"/c/{other_venue.code}", {**data, **_member(1, CHILD)}).status_code == 302
    child = Person.objects.exclude(pk=parent.pk).get()
    assert child.phone == parent.phone and child.claim_of_id is None
    assert child.ward_id == parent.ward_id and child.full_name == "Trần Bảo An"
    assert Person.objects.values().get(pk=parent.pk) == before
    assert Visit.objects.filter(venue=other_venue).count() == 2
    # Someone else typing the parent's phone for their own child: again no claim on the parent.
    client.cookies.clear()
    other = _family_post(
        client,
        venue,
        {"full_name": "Phạm Minh Khôi", "birth_year": "2019", "gender": "male"},
        full_name="Phạm Văn Tú",
        birth_year="1985",
    )
    assert client.post(f"/c/{venue.code}", other).status_code == 302
    assert not Person.objects.filter(claim_of=parent).exists()
    assert Person.objects.values().get(pk=parent.pk) == before


def test_the_api_takes_members_each_their_own_person_and_visit(api_client, venue, citizen):
    body = {
        "venue": venue.code,
        "client_id": "6f1f4f7e-3b1a-4c47-9a3e-0d6b7c1e2a90",
        "person": {**PERSON, "id_number": "", "full_name": "Trần Văn Minh", "birth_year": 1980},
        "declaration": dict(HEALTHY),
        "members": [
            {"full_name": "Trần Bảo An", "birth_year": 2018, "gender": "female"},
            {
                "full_name": "Bà Nội",
                "birth_year": 1949,
                "gender": "female",
                "id_number": citizen.id_number,
            },
        ],
    }
    first = api_client.post("/api/v1/checkins", body)
    assert first.status_code == 201, first.content
    members = first.json()["members"]
    assert len({first.json()["person_id"], *(m["person_id"] for m in members)}) == 3
    assert citizen.pk not in {m["person_id"] for m in members}
    assert Person.objects.get(pk=members[1]["person_id"]).claim_of_id == citizen.pk
    repeat = api_client.post("/api/v1/checkins", body)
    assert repeat.status_code == 200 and repeat.json()["members"] == members
    assert Visit.objects.count() == 3
    bad = {**body, "client_id": "7f1f4f7e-3b1a-4c47-9a3e-0d6b7c1e2a91"}
    bad["members"] = [{"full_name": "X", "birth_year": 1850, "gender": "robot"}]
    errors = api_client.post("/api/v1/checkins", bad)
    assert errors.status_code == 422
    fields = {e["field"] for e in errors.json()["errors"]}
    assert fields == {"members.0.full_name", "members.0.birth_year", "members.0.gender"}
    assert all(e["message_vi"] != e["message_en"] for e in errors.json()["errors"])
    assert Visit.objects.count() == 3
