"""The identity model: each finding of the outsider review, reproduced, now refused.

Anonymous input never reveals or changes a known person; staff reach people only inside their
area; nothing is written on a refused request (people.identity)."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from phongdich.people.models import Person
from tests.conftest import HAC_THANH, HEALTHY, PERSON, QUANG_PHU

pytestmark = pytest.mark.django_db

KNOWN_AS_TYPED_BY_SOMEONE_ELSE = {**PERSON, "phone": "0987 000 111", "address": "99 Trần Phú"}


@pytest.fixture
def other_vaccinator(db):
    from phongdich.accounts.actions import do_create_staff

    return do_create_staff("othervaccinator", "vaccinator", area=QUANG_PHU)[0]


@pytest.fixture
def vaccinated(citizen, ward_officer):
    from tests.vaccination.conftest import elsewhere

    elsewhere(citizen, ward_officer, 1, timezone.localdate().replace(year=2025, month=9, day=1))
    return citizen


def _unchanged(citizen):
    before = Person.objects.filter(pk=citizen.pk).values().get()
    return lambda: Person.objects.filter(pk=citizen.pk).values().get() == before


def test_anonymous_checkin_with_a_known_cccd_learns_and_changes_nothing(api_client, venue, citizen):
    still = _unchanged(citizen)
    known = api_client.post(
        "/api/v1/checkins",
        {
            "venue": venue.code,
            "client_id": str(uuid.uuid4()),
            "person": KNOWN_AS_TYPED_BY_SOMEONE_ELSE,
            "declaration": HEALTHY,
        },
    )
    unknown = api_client.post(
        "/api/v1/checkins",
        {
            "venue": venue.code,
            "client_id": str(uuid.uuid4()),
            "person": {**PERSON, "id_number": "038199009999", "phone": "0987 000 222"},
            "declaration": HEALTHY,
        },
    )
    assert known.status_code == unknown.status_code == 201
    assert set(known.json()) == set(unknown.json())
    assert known.json()["person_id"] != citizen.pk
    assert known.json()["person_token"] != citizen.token
    assert still(), "the known person's details were changed"


def test_anonymous_checkin_page_never_sets_the_cookie_to_a_known_person(client, venue, citizen):
    from phongdich.people.cookies import PERSON_COOKIE as COOKIE

    still = _unchanged(citizen)
    response = client.post(
        f"/c/{venue.code}",
        {
            **KNOWN_AS_TYPED_BY_SOMEONE_ELSE,
            "client_id": str(uuid.uuid4()),
            "commitment": "on",
        },
    )
    assert response.status_code in (200, 302), response.content[:500]
    assert response.cookies[COOKIE].value not in ("", citizen.token)
    assert citizen.token not in response.content.decode()
    assert still()


def test_a_vaccinator_of_another_ward_records_a_dose_on_a_claim(
    api_client, other_vaccinator, vaccinated
):
    still = _unchanged(vaccinated)
    doses_before = list(vaccinated.doses.values_list("pk", flat=True))
    response = api_client.as_user(other_vaccinator).post(
        "/api/v1/doses",
        {
            "person": {**PERSON, "ward_code": QUANG_PHU},
            "product": "EU/1/21/1529",
            "dose_number": 1,
            "given_on": "2025-08-01",
            "source_detail": "Bệnh viện Bạch Mai",
            "ward_code": QUANG_PHU,
        },
    )
    assert response.status_code == 201, response.json()
    claim = Person.objects.get(pk=response.json()["person_id"])
    assert claim.claim_of_id == vaccinated.pk
    assert list(vaccinated.doses.values_list("pk", flat=True)) == doses_before
    assert still()
    # and the record they can open is the claim's, not the vaccinated person's
    record = api_client.as_user(other_vaccinator).get(f"/api/v1/doses?person_id={vaccinated.pk}")
    assert record.status_code in (403, 404, 422)
    assert "Lan" not in record.content.decode()


def test_an_officer_of_another_province_moves_no_one(api_client, outsider, citizen):
    still = _unchanged(citizen)
    response = api_client.as_user(outsider).post(
        "/api/v1/vaccination/registrations",
        {"person": {**PERSON, "ward_code": None}, "priority_group": "general"},
    )
    assert response.status_code in (201, 422)
    assert still(), "a registration from another province changed the person"


def test_registering_a_sample_by_cccd_outside_the_area_says_no_one(other_ward_officer, citizen):
    from phongdich.lib.errors import InputErrors
    from phongdich.testing.actions import do_create_session, do_register_sample

    session = do_create_session(
        {
            "site": "Chợ Quảng Phú",
            "ward_code": QUANG_PHU,
            "test_type": "rt_pcr",
            "team": "Tổ 1",
            "target_kind": "walk_in",
            "date": timezone.localdate().isoformat(),
        },
        actor=other_ward_officer,
    )
    with pytest.raises(InputErrors) as outside:
        do_register_sample(session, actor=other_ward_officer, id_number=citizen.id_number)
    with pytest.raises(InputErrors) as nobody:
        do_register_sample(session, actor=other_ward_officer, id_number="038199000777")
    assert outside.value.errors[0].code == nobody.value.errors[0].code == "unknown_id_number"
    assert "Lan" not in str(outside.value.errors[0].message_vi)


def test_a_case_for_a_person_of_another_province_is_no_one(api_client, outsider, citizen):
    from phongdich.tracing.models import Case

    body = {"confirmed_at": "2026-11-22T12:00:00+07:00", "sample_date": "2026-11-21"}
    outside = api_client.as_user(outsider).post(
        "/api/v1/cases", {**body, "person_id": citizen.pk, "ward_code": 1}
    )
    missing = api_client.as_user(outsider).post(
        "/api/v1/cases", {**body, "person_id": 10**9, "ward_code": 1}
    )
    assert outside.status_code == missing.status_code == 422
    assert outside.json() == missing.json()
    assert not Case.objects.exists()


def test_a_refused_dose_creates_and_changes_no_one(api_client, ward_officer, citizen):
    still = _unchanged(citizen)
    count = Person.objects.count()
    for person in ({**PERSON, "phone": "0987 000 333"}, {**PERSON, "id_number": "038199000555"}):
        bad = api_client.as_user(ward_officer).post(
            "/api/v1/doses",
            {
                "person": person,
                "product": "EU/1/21/1529",
                "dose_number": 3,  # no dose 1 and 2: refused
                "given_on": "2025-08-01",
                "source_detail": "Bệnh viện Bạch Mai",
                "ward_code": HAC_THANH,
            },
        )
        assert bad.status_code == 422
    assert Person.objects.count() == count
    assert still()


def test_a_refused_case_leaves_no_person_behind(api_client, ward_officer):
    count = Person.objects.count()
    new = {**PERSON, "id_number": "038199000888", "phone": "0987 000 444"}
    future = api_client.as_user(ward_officer).post(
        "/api/v1/cases",
        {"person": new, "confirmed_at": "2099-01-01T00:00:00+07:00", "sample_date": "2026-11-21"},
    )
    outside = api_client.as_user(ward_officer).post(
        "/api/v1/cases",
        {
            "person": new,
            "confirmed_at": "2026-11-22T12:00:00+07:00",
            "sample_date": "2026-11-21",
            "ward_code": QUANG_PHU,  # another ward of the province
        },
    )
    assert future.status_code == outside.status_code == 422
    assert Person.objects.count() == count


def test_staff_inside_the_area_correct_details_with_the_old_values_audited(ward_officer, citizen):
    from phongdich.accounts.models import AuditEvent
    from phongdich.people.identity import resolve
    from phongdich.people.validation import validate_person

    data, _ = validate_person({**PERSON, "phone": "0987 000 999"})
    resolved = resolve(data, actor=ward_officer)
    assert resolved.person.pk == citizen.pk and not resolved.claim
    citizen.refresh_from_db()
    assert citizen.phone == "+84987000999"
    event = AuditEvent.objects.get(action="correct_person", object_id=str(citizen.pk))
    assert event.detail["changes"]["phone"] == ["+84912345678", "+84987000999"]


def test_a_claim_is_settled_by_the_owning_area_with_the_id_card(
    api_client, venue, citizen, ward_officer, other_ward_officer
):
    from phongdich.accounts.models import AuditEvent
    from phongdich.checkpoints.models import Visit
    from phongdich.people.identity import do_confirm_claim, do_reject_claim

    out = api_client.post(
        "/api/v1/checkins",
        {
            "venue": venue.code,
            "client_id": str(uuid.uuid4()),
            "person": KNOWN_AS_TYPED_BY_SOMEONE_ELSE,
            "declaration": HEALTHY,
        },
    ).json()
    claim = Person.objects.get(pk=out["person_id"])
    with pytest.raises(PermissionError):
        do_confirm_claim(claim, actor=other_ward_officer, via="id_card")
    with pytest.raises(PermissionError):
        do_reject_claim(claim, actor=other_ward_officer)
    assert do_confirm_claim(claim, actor=ward_officer, via="id_card") == citizen
    assert Visit.objects.get(pk=out["visit_id"]).person_id == citizen.pk
    claim.refresh_from_db()
    assert claim.claim_status == "confirmed"
    citizen.refresh_from_db()
    assert citizen.phone == "+84912345678"  # proof moves the visits, not the typed details
    # An officer's "not the same person", sent from a page opened before the proof arrived
    # (the claim as it was then), does not undo the merge.
    stale = Person.objects.get(pk=claim.pk)
    stale.claim_status = "open"
    assert do_reject_claim(stale, actor=ward_officer).claim_status == "confirmed"
    assert not AuditEvent.objects.filter(action="reject_claim").exists()
