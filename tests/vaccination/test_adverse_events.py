"""Adverse events after immunisation: reported on a dose, checked, listed in the area, followed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from phongdich.accounts.models import AuditEvent
from phongdich.lib.errors import InputErrors
from phongdich.vaccination.adverse import do_report_adverse_event, do_update_adverse_event
from phongdich.vaccination.doses import do_void_dose
from phongdich.vaccination.errors import VaccinationError
from phongdich.vaccination.queries import adverse_events_for
from tests.vaccination.conftest import NOW, at_session, elsewhere

pytestmark = pytest.mark.django_db

FEVER = {"severity": "mild", "symptoms": ["fever", "injection_site"], "outcome": "recovering"}


def test_a_reaction_during_observation_is_reported_and_closes_it(
    citizen, session, vaccinator, time_machine
):
    dose = at_session(citizen, session, vaccinator, 1)
    time_machine.move_to(NOW + timedelta(minutes=20), tick=False)
    event = do_report_adverse_event(
        dose,
        {
            **FEVER,
            "severity": "serious",
            "symptoms": ["anaphylaxis", "dyspnoea"],
            "onset_at": NOW + timedelta(minutes=10),
            "hospitalised": True,
        },
        actor=vaccinator,
    )
    assert event.during_observation and event.hospitalised
    assert (event.person_id, event.ward_id, event.severity) == (citizen.pk, dose.ward_id, "serious")
    dose.refresh_from_db()
    assert dose.observation_result == "reaction"
    assert AuditEvent.objects.filter(action="report_aefi", object_id=str(event.pk)).exists()


def test_a_later_event_is_not_during_observation(
    citizen, session, clinician, vaccinator, time_machine
):
    dose = at_session(citizen, session, vaccinator, 1)
    time_machine.move_to(NOW + timedelta(hours=4), tick=False)
    event = do_report_adverse_event(
        dose, {**FEVER, "onset_at": (NOW + timedelta(hours=3)).isoformat()}, actor=clinician
    )
    assert not event.during_observation and event.symptoms == ["injection_site", "fever"]


def test_every_problem_is_reported(vaccinated, ward_officer):
    dose = vaccinated.doses.get(dose_number=2)
    with pytest.raises(InputErrors) as error:
        do_report_adverse_event(
            dose,
            {
                "onset_at": "2025-09-30T10:00:00+07:00",
                "severity": "apocalyptic",
                "symptoms": ["boredom"],
                "outcome": "fine",
            },
            actor=ward_officer,
        )
    assert {(e.field, e.code) for e in error.value.errors} == {
        ("onset_at", "before_dose"),
        ("severity", "not_allowed"),
        ("symptoms", "not_allowed"),
        ("outcome", "not_allowed"),
    }
    with pytest.raises(InputErrors) as naive:
        do_report_adverse_event(dose, {**FEVER, "onset_at": "2025-10-01T10:00"}, actor=ward_officer)
    assert naive.value.errors[0].code == "not_datetime"
    with pytest.raises(InputErrors) as future:
        do_report_adverse_event(
            dose, {**FEVER, "onset_at": NOW + timedelta(hours=1)}, actor=ward_officer
        )
    assert future.value.errors[0].code == "in_future"


def test_no_event_on_a_voided_dose(citizen, ward_officer):
    dose = elsewhere(citizen, ward_officer, 1, date(2025, 9, 1))
    do_void_dose(dose, "sai", actor=ward_officer)
    with pytest.raises(VaccinationError) as error:
        do_report_adverse_event(dose, {**FEVER, "onset_at": NOW}, actor=ward_officer)
    assert error.value.code == "dose_voided"


def test_events_are_listed_in_the_area_and_followed_up(
    vaccinated, ward_officer, other_ward_officer, province_officer, outsider
):
    dose = vaccinated.doses.get(dose_number=2)
    mild = do_report_adverse_event(
        dose, {**FEVER, "onset_at": "2025-10-01T20:00:00+07:00"}, actor=ward_officer
    )
    severe = do_report_adverse_event(
        dose,
        {**FEVER, "severity": "severe", "onset_at": "2025-10-02T08:00:00+07:00"},
        actor=ward_officer,
    )
    assert list(adverse_events_for(ward_officer)) == [severe, mild]
    assert list(adverse_events_for(province_officer, severity="severe")) == [severe]
    assert list(adverse_events_for(ward_officer, since=date(2025, 10, 2))) == [severe]
    assert list(adverse_events_for(ward_officer, until=date(2025, 10, 1))) == [mild]
    assert not adverse_events_for(other_ward_officer).exists()
    assert not adverse_events_for(outsider).exists()
    do_update_adverse_event(severe, outcome="recovered", hospitalised=True, actor=ward_officer)
    severe.refresh_from_db()
    assert (severe.outcome, severe.hospitalised) == ("recovered", True)
    with pytest.raises(InputErrors):
        do_update_adverse_event(severe, outcome="great", actor=ward_officer)


def test_other_roles_have_no_list(venue_staff):
    with pytest.raises(PermissionDenied):
        adverse_events_for(venue_staff)
