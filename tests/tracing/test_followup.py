from datetime import date

import pytest

from phongdich.accounts.models import AuditEvent
from phongdich.checkpoints.actions import do_purge_old_visits
from phongdich.checkpoints.models import Visit
from phongdich.lib.errors import InputErrors
from phongdich.tracing.actions import (
    do_add_contact,
    do_close_case,
    do_create_case,
    do_update_contact,
)
from phongdich.tracing.errors import TracingError
from phongdich.tracing.models import Case, Contact
from phongdich.tracing.queries import clusters, work_list
from tests.tracing.conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(local("2026-11-23 09:00"), tick=False)


def contact(case, scenario, name):
    return Contact.objects.get(case=case, person=scenario.person(name))


def test_workflow_moves_and_audits(case, scenario, ward_officer):
    c = contact(case, scenario, "P1")
    c = do_update_contact(c, "notified", actor=ward_officer)
    c = do_update_contact(c, "quarantined", actor=ward_officer, quarantine_start=date(2026, 11, 23))
    assert (c.quarantine_start, c.quarantine_end) == (date(2026, 11, 23), date(2026, 11, 30))
    c = do_update_contact(c, "tested", actor=ward_officer, test_result="negative")
    c = do_update_contact(c, "released", actor=ward_officer)
    moves = list(
        AuditEvent.objects.filter(object_type="tracing.contact", object_id=str(c.pk))
        .order_by("id")
        .values_list("detail__to", flat=True)
    )
    assert moves == ["notified", "quarantined", "tested", "released"]


def test_illegal_moves_are_refused(case, scenario, ward_officer):
    c = contact(case, scenario, "P1")
    with pytest.raises(TracingError) as error:
        do_update_contact(c, "released", actor=ward_officer)
    assert error.value.code == "bad_transition"
    with pytest.raises(InputErrors):
        do_update_contact(
            do_update_contact(c, "notified", actor=ward_officer),
            "tested",
            actor=ward_officer,
            test_result="",
        )
    c.refresh_from_db()
    assert c.status == "notified"


def test_positive_contact_becomes_a_case_and_links_the_chain(case, scenario, ward_officer):
    c = contact(case, scenario, "P1")
    do_update_contact(c, "notified", actor=ward_officer)
    do_update_contact(c, "tested", actor=ward_officer, test_result="positive")
    c.refresh_from_db()
    assert c.status == "became_case"
    new_case = Case.objects.get(person=scenario.person("P1"))
    assert new_case.infected_via == c and c.became_case == new_case
    assert new_case.source == "contact"


def test_contact_confirmed_with_an_earlier_sample_is_traced_at_once(case, scenario, ward_officer):
    c = contact(case, scenario, "P1")
    do_update_contact(
        c,
        "became_case",
        actor=ward_officer,
        confirmed_at=local("2026-11-21 12:00"),
        sample_date=date(2026, 11, 21),
    )
    new_case = Case.objects.get(person=scenario.person("P1"))
    assert new_case.window_start == local("2026-11-19 00:00")
    # P1 sat with P10 and P3 at the market on 20/11; P0 (already a case) is a contact too.
    assert set(new_case.contacts.values_list("person__full_name", flat=True)) >= {"P10", "P3"}


def test_one_open_case_per_person(case, scenario, ward_officer):
    with pytest.raises(TracingError) as error:
        do_create_case(
            person=scenario.person("P0"),
            confirmed_at=local("2026-11-22 13:00"),
            sample_date=date(2026, 11, 21),
            actor=ward_officer,
        )
    assert error.value.code == "case_exists"


def test_case_dates_are_validated(scenario, ward_officer):
    with pytest.raises(InputErrors) as error:
        do_create_case(
            person=scenario.person("P0"),
            confirmed_at=local("2026-11-22 12:00"),
            sample_date=date(2026, 11, 25),
            onset_date=date(2026, 11, 24),
            actor=ward_officer,
        )
    assert {e.field for e in error.value.errors} == {"sample_date", "onset_date"}
    assert not Case.objects.exists()


def test_officer_cannot_open_a_case_outside_own_area(scenario, other_ward_officer):
    with pytest.raises(InputErrors) as error:
        do_create_case(
            person=scenario.person("P0"),
            confirmed_at=local("2026-11-22 12:00"),
            sample_date=date(2026, 11, 21),
            actor=other_ward_officer,
        )
    assert error.value.errors[0].code == "outside_area"


def test_manual_contacts_are_not_duplicated(case, ward_officer):
    household = {
        "full_name": "Lê Thị Hoa",
        "birth_year": 1960,
        "gender": "female",
        "phone": "0915111222",
    }
    first, created = do_add_contact(case, household, relation="mẹ", actor=ward_officer)
    again, created_again = do_add_contact(case, household, actor=ward_officer)
    assert created and not created_again and first.pk == again.pk
    assert first.origin == "manual" and first.level == "F1" and first.ward_id == case.ward_id


def test_work_list(case, scenario, ward_officer):
    lists = work_list(ward_officer, date(2026, 11, 23))
    assert {c.person.full_name for c in lists["call"]} >= {"P1", "P3"}
    c = do_update_contact(
        contact(case, scenario, "P1"),
        "quarantined",
        actor=ward_officer,
        quarantine_start=date(2026, 11, 16),
    )
    lists = work_list(ward_officer, date(2026, 11, 23))
    assert c in lists["release"] and c in lists["test"] and c not in lists["call"]


def test_cluster_needs_two_cases_at_one_venue(case, scenario, ward_officer):
    assert clusters(ward_officer, date(2026, 11, 10)) == []
    do_create_case(
        person=scenario.person("P5"),
        confirmed_at=local("2026-11-22 15:00"),
        sample_date=date(2026, 11, 22),
        actor=ward_officer,
    )
    [cluster] = [
        c
        for c in clusters(ward_officer, date(2026, 11, 10))
        if c["venue"] == scenario.venues["office"]
    ]
    assert {k.person.full_name for k in cluster["cases"]} == {"P0", "P5"}
    assert cluster["exposed"] > 0


def test_open_case_holds_visits_past_retention(case, scenario, settings, time_machine):
    settings.RETENTION_DAYS = 1
    p0_visits = Visit.objects.filter(person=scenario.person("P0")).count()
    do_purge_old_visits()
    held = {"P0", "P1", "P3", "P5", "P6", "P7", "P12", "P10", "P2", "P4", "P8"}
    remaining = set(Visit.objects.values_list("person__full_name", flat=True))
    assert remaining == held  # P9, P11 (no link to the case) are gone
    assert Visit.objects.filter(person=scenario.person("P0")).count() == p0_visits
    do_close_case(case, actor=None)
    do_purge_old_visits()
    assert not Visit.objects.exists()
