"""Dose rules: numbering, intervals and maximum as settings, screening, sessions, idempotency,
voiding, observation, and the person's derived status."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from phongdich.accounts.models import AuditEvent
from phongdich.core.models import Rule
from phongdich.core.rules import reset_cache
from phongdich.lib.errors import InputErrors
from phongdich.vaccination.actions import do_register, do_set_session_status
from phongdich.vaccination.doses import do_finish_observation, do_record_dose, do_void_dose
from phongdich.vaccination.errors import VaccinationError
from phongdich.vaccination.models import Dose, PersonStatus, Screening
from tests.conftest import PERSON
from tests.vaccination.conftest import (
    HEALTHY_SCREENING,
    NOW,
    TODAY,
    at_session,
    elsewhere,
    make_session,
)

pytestmark = pytest.mark.django_db


def code_of(excinfo) -> str:
    return excinfo.value.errors[0].code


def set_rule(key, value):
    Rule.objects.create(key=key, value=value)
    reset_cache()


def test_it_records_a_dose_at_a_session_with_screening_and_observation(
    citizen, session, vaccinator
):
    dose = at_session(citizen, session, vaccinator, 1)
    assert (dose.product, dose.manufacturer, dose.vaccine_type) == (
        "EU/1/20/1528",
        "ORG-100030215",
        "1119349007",
    )
    assert (dose.given_on, dose.lot, dose.site, dose.source) == (
        TODAY,
        "FK1234",
        session.site_name,
        "here",
    )
    assert dose.vaccinator == vaccinator and dose.given_at == NOW
    assert dose.observation_until == NOW + timedelta(minutes=30)
    assert dose.screening.result == "eligible" and dose.screening.form_version == "2995-2021"
    assert AuditEvent.objects.filter(action="record_dose", object_id=str(dose.pk)).exists()


def test_dose_numbers_follow_each_other(citizen, ward_officer):
    with pytest.raises(InputErrors) as gap:
        elsewhere(citizen, ward_officer, 2, date(2025, 9, 1))
    assert code_of(gap) == "dose_number_gap"
    elsewhere(citizen, ward_officer, 1, date(2025, 9, 1))
    with pytest.raises(InputErrors) as repeat:
        elsewhere(citizen, ward_officer, 1, date(2025, 10, 1))
    assert code_of(repeat) == "dose_already_recorded"


def test_the_primary_interval_depends_on_the_product_and_is_a_setting(citizen, ward_officer):
    elsewhere(citizen, ward_officer, 1, date(2025, 9, 1))
    with pytest.raises(InputErrors) as short:
        elsewhere(citizen, ward_officer, 2, date(2025, 9, 21))  # 20 days; Comirnaty needs 21
    assert code_of(short) == "interval_too_short" and short.value.errors[0].field == "given_on"
    set_rule("vaccination.min_interval_days", {"default": 21, "EU/1/20/1528": 28})
    with pytest.raises(InputErrors):
        elsewhere(citizen, ward_officer, 2, date(2025, 9, 22))
    assert elsewhere(citizen, ward_officer, 2, date(2025, 9, 29)).dose_number == 2


def test_a_booster_waits_the_booster_interval(citizen, ward_officer):
    elsewhere(citizen, ward_officer, 1, date(2025, 9, 1))
    elsewhere(citizen, ward_officer, 2, date(2025, 10, 1))
    with pytest.raises(InputErrors) as early:
        elsewhere(citizen, ward_officer, 3, date(2025, 12, 29))  # 89 days
    assert code_of(early) == "interval_too_short"
    assert elsewhere(citizen, ward_officer, 3, date(2025, 12, 30)).dose_number == 3


def test_a_doctor_may_shorten_an_interval_with_a_reason(citizen, ward_officer):
    elsewhere(citizen, ward_officer, 1, date(2025, 9, 1))
    dose = elsewhere(
        citizen,
        ward_officer,
        2,
        date(2025, 9, 10),
        override_reason="Đi công tác nước ngoài, bác sĩ chỉ định",
    )
    assert dose.interval_override_reason
    with pytest.raises(InputErrors) as before:
        elsewhere(citizen, ward_officer, 3, date(2025, 9, 5), override_reason="x")
    assert code_of(before) == "before_previous_dose"


def test_the_maximum_number_of_doses_is_a_setting(citizen, ward_officer):
    set_rule("vaccination.max_doses", 2)
    elsewhere(citizen, ward_officer, 1, date(2025, 9, 1))
    elsewhere(citizen, ward_officer, 2, date(2025, 10, 1))
    assert PersonStatus.objects.get(person=citizen).next_due_on is None
    with pytest.raises(InputErrors) as error:
        elsewhere(citizen, ward_officer, 3, date(2026, 2, 1))
    assert code_of(error) == "too_many_doses"


def test_dates_in_the_future_and_children_too_young_are_refused(citizen, ward_officer):
    with pytest.raises(InputErrors) as future:
        elsewhere(citizen, ward_officer, 1, TODAY + timedelta(days=1))
    assert code_of(future) == "in_future"
    set_rule("vaccination.min_age_years", 50)
    with pytest.raises(InputErrors) as young:
        elsewhere(citizen, ward_officer, 1, TODAY)
    assert code_of(young) == "too_young"


def test_a_dose_given_elsewhere_needs_its_source(citizen, ward_officer):
    with pytest.raises(InputErrors) as error:
        do_record_dose(
            citizen,
            {"product": "EU/1/20/1528", "dose_number": 1, "given_on": "2025-09-01"},
            actor=ward_officer,
        )
    assert {e.field for e in error.value.errors} == {"source_detail"}
    dose = elsewhere(citizen, ward_officer, 1, date(2025, 9, 1), country="FR")
    assert (dose.source, dose.country, dose.ward_id, dose.given_at) == (
        "elsewhere",
        "FR",
        citizen.ward_id,
        None,
    )
    assert dose.observation_result == "ok" and dose.screening is None


def test_every_field_error_is_reported_at_once(citizen, session, vaccinator):
    with pytest.raises(InputErrors) as error:
        do_record_dose(
            citizen,
            {
                "product": "EU/1/20/1507",
                "lot": "NOPE",
                "dose_number": "x",
                "screening": HEALTHY_SCREENING,
            },
            session=session,
            actor=vaccinator,
        )
    assert {(e.field, e.code) for e in error.value.errors} == {
        ("product", "product_mismatch"),
        ("lot", "unknown_lot"),
        ("dose_number", "required"),
    }
    assert error.value.errors[0].message_vi and error.value.errors[0].message_en


def test_screening_postpones_and_is_kept(citizen, session, vaccinator):
    fever = {**HEALTHY_SCREENING, "temperature": "38.2"}
    with pytest.raises(VaccinationError) as error:
        at_session(citizen, session, vaccinator, 1, screening=fever)
    assert error.value.code == "not_eligible" and error.value.status == 409
    kept = Screening.objects.get(person=citizen)
    assert (kept.result, str(kept.temperature)) == ("postpone", "38.2")
    assert not Dose.objects.exists()
    anaphylaxis = {"answers": {"anaphylaxis_previous_dose": True}}
    with pytest.raises(VaccinationError):
        at_session(citizen, session, vaccinator, 1, screening=anaphylaxis)
    assert Screening.objects.filter(result="contraindicated").count() == 1


def test_a_precaution_means_a_longer_observation(citizen, session, vaccinator):
    dose = at_session(
        citizen, session, vaccinator, 1, screening={"answers": {"aged_65_or_more": True}}
    )
    assert dose.screening.result == "precaution"
    assert dose.observation_until == NOW + timedelta(minutes=60)


def test_unknown_screening_questions_are_refused(citizen, session, vaccinator):
    with pytest.raises(InputErrors) as error:
        at_session(citizen, session, vaccinator, 1, screening={"answers": {"feels_lucky": True}})
    assert code_of(error) == "unknown_question"


def test_a_closed_session_takes_no_doses(citizen, session, vaccinator, ward_officer):
    do_set_session_status(session, "closed", actor=ward_officer)
    with pytest.raises(VaccinationError) as error:
        at_session(citizen, session, vaccinator, 1)
    assert error.value.code == "session_closed"


def test_a_vaccinator_cannot_use_another_wards_session(citizen, other_session, vaccinator):
    with pytest.raises(VaccinationError) as error:
        at_session(citizen, other_session, vaccinator, 1)
    assert error.value.code == "unknown_session"


def test_a_repeated_client_id_returns_the_same_dose(citizen, session, vaccinator):
    client_id = uuid.uuid4()
    data = {"dose_number": 1, "lot": "FK1234", "screening": HEALTHY_SCREENING}
    first, created = do_record_dose(
        citizen, data, session=session, actor=vaccinator, client_id=client_id
    )
    again, created_again = do_record_dose(
        citizen, data, session=session, actor=vaccinator, client_id=client_id
    )
    assert created and not created_again and again.pk == first.pk
    assert Dose.objects.count() == 1


def test_status_follows_the_doses(citizen, ward_officer):
    elsewhere(citizen, ward_officer, 1, date(2025, 9, 1))
    status = PersonStatus.objects.get(person=citizen)
    assert (status.doses, status.completed_on, status.next_due_on) == (1, None, date(2025, 9, 22))
    elsewhere(citizen, ward_officer, 2, date(2025, 10, 1))
    third = elsewhere(citizen, ward_officer, 3, date(2026, 1, 5))
    status.refresh_from_db()
    assert (
        status.doses,
        status.primary_required,
        status.first_dose_on,
        status.completed_on,
        status.booster_on,
        status.next_due_on,
    ) == (3, 2, date(2025, 9, 1), date(2025, 10, 1), date(2026, 1, 5), date(2026, 4, 5))
    do_void_dose(third, "Nhập nhầm người", actor=ward_officer)
    status.refresh_from_db()
    assert (status.doses, status.booster_on) == (2, None)


def test_only_the_last_dose_can_be_voided(citizen, ward_officer):
    first = elsewhere(citizen, ward_officer, 1, date(2025, 9, 1))
    elsewhere(citizen, ward_officer, 2, date(2025, 10, 1))
    with pytest.raises(InputErrors) as error:
        do_void_dose(first, "sai", actor=ward_officer)
    assert code_of(error) == "not_last_dose"
    with pytest.raises(InputErrors):
        do_void_dose(first, "  ", actor=ward_officer)


def test_a_voided_number_can_be_recorded_again(citizen, ward_officer):
    wrong = elsewhere(citizen, ward_officer, 1, date(2025, 9, 1))
    do_void_dose(wrong, "Sai ngày", actor=ward_officer)
    assert elsewhere(citizen, ward_officer, 1, date(2025, 9, 3)).dose_number == 1
    with pytest.raises(VaccinationError):
        do_void_dose(wrong, "again", actor=ward_officer)


def test_observation_ends_with_ok_or_reaction(citizen, session, vaccinator):
    dose = at_session(citizen, session, vaccinator, 1)
    do_finish_observation(dose, "ok", actor=vaccinator)
    dose.refresh_from_db()
    assert dose.observation_result == "ok"
    with pytest.raises(InputErrors):
        do_finish_observation(dose, "fine", actor=vaccinator)


def test_a_dose_marks_the_invitation_attended(ward_officer, vaccinator):
    from phongdich.vaccination.invitations import do_invite

    registration, _ = do_register(PERSON, channel="officer", actor=ward_officer)
    session = make_session(ward_officer, day=TODAY)
    assert do_invite(session, actor=ward_officer) == 1
    at_session(registration.person, session, vaccinator, 1)
    assert session.invitations.get().status == "attended"
