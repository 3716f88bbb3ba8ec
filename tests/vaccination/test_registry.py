"""The registry: sessions, registrations (citizen and officer), invitations by priority group and
age, and what each account may see of it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.http import Http404

from phongdich.accounts.models import AuditEvent
from phongdich.lib.errors import InputErrors
from phongdich.vaccination import queries
from phongdich.vaccination.actions import (
    do_cancel_registration,
    do_create_session,
    do_register,
    do_set_session_status,
)
from phongdich.vaccination.errors import VaccinationError
from phongdich.vaccination.invitations import (
    do_answer_invitation,
    do_invite,
    invitation_candidates,
)
from phongdich.vaccination.models import Registration
from tests.conftest import HAC_THANH, PERSON, QUANG_PHU
from tests.vaccination.conftest import MINH, TODAY, elsewhere, make_session

pytestmark = pytest.mark.django_db


def person(name: str, year: int, phone: str, ward: int = HAC_THANH) -> dict:
    return {
        "full_name": name,
        "birth_year": year,
        "gender": "female",
        "phone": phone,
        "ward_code": ward,
    }


def test_a_session_is_planned_in_the_officers_area(ward_officer, other_ward_officer):
    session = make_session(ward_officer)
    assert (session.ward_id, session.lot_numbers, session.status) == (
        HAC_THANH,
        ["FK1234", "FK5678"],
        "planned",
    )
    with pytest.raises(InputErrors) as error:
        make_session(other_ward_officer, ward=HAC_THANH)
    assert error.value.errors[0].code == "outside_area"


def test_a_session_reports_every_bad_field(ward_officer):
    with pytest.raises(InputErrors) as error:
        do_create_session(
            {
                "ward_code": HAC_THANH,
                "site_name": "",
                "date": "02/03/2026",
                "product": "Sputnik-X",
                "slots": "0",
            },
            actor=ward_officer,
        )
    assert {e.field for e in error.value.errors} == {"site_name", "date", "product", "slots"}


def test_a_citizen_registers_once_and_learns_nothing_the_second_time(db):
    registration, created = do_register(
        PERSON, priority_group="chronic", date_of_birth="1985-04-30"
    )
    assert created and registration.channel == "self" and registration.ward_id == HAC_THANH
    assert registration.date_of_birth == date(1985, 4, 30)
    again, created_again = do_register(
        {**PERSON, "phone": "0912 000 111"}, priority_group="health_worker"
    )
    assert created_again  # what a new person gets: nothing tells the two apart
    # A citizen without proof registers a claim (people.identity): the first registration and
    # its person are untouched.
    assert again.pk != registration.pk and again.person.claim_of_id == registration.person_id
    registration.refresh_from_db()
    assert registration.priority_group == "chronic"
    assert registration.person.phone == "+84912345678"


def test_registration_needs_contact_and_a_ward_and_a_matching_birth_date(db):
    with pytest.raises(InputErrors) as error:
        do_register(
            {**PERSON, "phone": "", "id_number": "", "ward_code": ""}, date_of_birth="1990-01-01"
        )
    fields = {e.field for e in error.value.errors}
    assert fields == {"phone", "date_of_birth"}
    with pytest.raises(InputErrors) as no_ward:
        do_register({**PERSON, "ward_code": ""})
    assert no_ward.value.errors[0].field == "ward_code"


def test_an_officer_registers_in_the_area_and_may_update(ward_officer, other_ward_officer):
    do_register(PERSON, channel="officer", actor=ward_officer)
    again, created = do_register(
        PERSON, priority_group="elderly", channel="officer", actor=ward_officer
    )
    assert not created and again.priority_group == "elderly"
    with pytest.raises(InputErrors):
        do_register(PERSON, channel="officer", actor=other_ward_officer)


def _list(officer, *people):
    return [
        do_register(p, priority_group=g, channel="officer", actor=officer)[0] for p, g in people
    ]


def test_invitations_follow_priority_then_age_up_to_the_free_slots(ward_officer):
    regs = _list(
        ward_officer,
        (person("Người Trẻ", 2000, "0901000001"), "general"),
        (person("Người Già", 1940, "0901000002"), "general"),
        (person("Bác Sĩ", 1980, "0901000003"), "health_worker"),
        (person("Bệnh Nền", 1960, "0901000004"), "chronic"),
    )
    do_register(person("Khác Phường", 1930, "0901000005", QUANG_PHU), priority_group="elderly")
    session = make_session(ward_officer, slots=3)
    order = [r.person.full_name for r in invitation_candidates(session)]
    assert order == ["Bác Sĩ", "Bệnh Nền", "Người Già", "Người Trẻ"]
    assert do_invite(session, actor=ward_officer) == 3
    invited = set(session.invitations.values_list("registration__person__full_name", flat=True))
    assert invited == {"Bác Sĩ", "Bệnh Nền", "Người Già"}
    assert do_invite(session, actor=ward_officer) == 0  # full
    do_answer_invitation(session.invitations.get(registration=regs[1]), "declined")
    assert do_invite(session, actor=ward_officer) == 1  # the declined slot, to the next one
    assert session.invitations.filter(registration=regs[0]).exists()


def test_invitations_by_group_and_age(ward_officer):
    _list(
        ward_officer,
        (person("Sáu Mươi", 1966, "0901000011"), "general"),
        (person("Bảy Mươi", 1956, "0901000012"), "general"),
        (person("Tám Mươi", 1946, "0901000013"), "elderly"),
        (person("Ba Mươi", 1996, "0901000014"), "general"),
    )
    session = make_session(ward_officer, day=date(2026, 6, 1))
    assert (
        do_invite(session, priority_groups=["general"], min_age=50, max_age=65, actor=ward_officer)
        == 1
    )
    assert session.invitations.get().registration.person.full_name == "Sáu Mươi"
    with pytest.raises(InputErrors):
        do_invite(session, priority_groups=["astronauts"], actor=ward_officer)


def test_nobody_is_invited_before_their_next_dose_is_due(ward_officer, citizen):
    do_register(PERSON, channel="officer", actor=ward_officer)
    elsewhere(citizen, ward_officer, 1, TODAY - timedelta(days=10))
    soon = make_session(ward_officer, day=TODAY + timedelta(days=5))
    later = make_session(ward_officer, day=TODAY + timedelta(days=11))
    assert do_invite(soon, actor=ward_officer) == 0
    assert do_invite(later, actor=ward_officer) == 1
    # Holding an open invitation, they are not invited to a third session as well.
    assert (
        do_invite(make_session(ward_officer, day=TODAY + timedelta(days=12)), actor=ward_officer)
        == 0
    )


def test_cancelled_registrations_and_sessions(ward_officer):
    registration, _ = do_register(PERSON, channel="officer", actor=ward_officer)
    session = make_session(ward_officer)
    do_invite(session, actor=ward_officer)
    do_cancel_registration(registration, actor=ward_officer)
    assert not session.invitations.exists()
    assert not invitation_candidates(session).exists()
    do_set_session_status(session, "cancelled", actor=ward_officer)
    with pytest.raises(VaccinationError) as error:
        do_invite(session, actor=ward_officer)
    assert error.value.code == "session_closed"
    past = make_session(ward_officer, day=TODAY - timedelta(days=1))
    with pytest.raises(VaccinationError):
        do_invite(past, actor=ward_officer)
    assert AuditEvent.objects.filter(action="cancel", object_type="vaccination.registration")


def test_each_account_sees_its_own_area(
    ward_officer,
    other_ward_officer,
    province_officer,
    outsider,
    vaccinator,
    other_vaccinator,
    citizen,
):
    session = make_session(ward_officer)
    registration, _ = do_register(PERSON, channel="officer", actor=ward_officer)
    for user in (ward_officer, province_officer, vaccinator):
        assert queries.access_session(user, session.pk) == session
        assert queries.access_person(user, citizen.pk) == citizen
        assert queries.access_registration(user, registration.pk) == registration
    for user in (other_ward_officer, other_vaccinator, outsider):
        for lookup in (
            lambda u: queries.access_session(u, session.pk),
            lambda u: queries.access_person(u, citizen.pk),
            lambda u: queries.access_registration(u, registration.pk),
        ):
            with pytest.raises(Http404):
                lookup(user)


def test_a_person_vaccinated_in_a_ward_is_visible_there(other_ward_officer, citizen):
    elsewhere(citizen, other_ward_officer, 1, date(2025, 9, 1), ward_code=QUANG_PHU)
    assert queries.access_person(other_ward_officer, citizen.pk) == citizen
    assert Registration.objects.count() == 0


def test_finding_people_stays_in_the_area(ward_officer, other_ward_officer, citizen):
    assert [p.pk for p in queries.find_people(ward_officer, "thi lan")] == [citizen.pk]
    assert [p.pk for p in queries.find_people(ward_officer, "038185001234")] == [citizen.pk]
    assert queries.find_people(other_ward_officer, "thi lan") == []
    assert queries.find_people(ward_officer, "la") == []


def test_minh_is_invited_as_the_oldest(ward_officer):
    do_register(MINH, channel="officer", actor=ward_officer)
    do_register(PERSON, channel="officer", actor=ward_officer)
    session = make_session(ward_officer, slots=1)
    do_invite(session, actor=ward_officer)
    assert session.invitations.get().registration.person.full_name == "Trần Văn Minh"
