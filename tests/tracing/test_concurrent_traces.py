"""Two writers of one case's list at once: the search runs outside any transaction and takes
seconds at a busy market, so a periodic re-trace, an officer's "search again" and a follow-up
move can meet. None of them fails, duplicates a contact or loses another's change."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection

from phongdich.checkpoints.models import Visit
from phongdich.tracing import search
from phongdich.tracing.actions import do_create_case, do_trace_case, do_update_contact
from phongdich.tracing.models import Case, Contact, ContactStatus, Evidence
from tests.tracing.conftest import local

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 30  # seconds a held search waits for the others
# The scenario's lists (tests/tracing/test_search.py: test_exact_f1_and_f2_sets).
EXPECTED = sorted(
    {
        **dict.fromkeys(["P1", "P3", "P5", "P6", "P7", "P12"], "F1"),
        **dict.fromkeys(["P10", "P2", "P4", "P8"], "F2"),
    }.items()
)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(local("2026-11-23 09:00"), tick=False)


def _new_case(scenario, officer) -> Case:
    return do_create_case(
        person=scenario.person("P0"),
        confirmed_at=local("2026-11-22 12:00"),
        sample_date=date(2026, 11, 21),
        onset_date=date(2026, 11, 20),
        actor=officer,
        trace=False,
    )


def _hold_searches(monkeypatch, parties: int, then=None) -> threading.Barrier:
    """Every trace's F2 search waits until ``parties`` threads have searched (and ``then`` has
    run in the last one), so that all of them write what they found afterwards."""
    barrier = threading.Barrier(parties, action=then, timeout=WAIT)
    real = search.find_outside_crowds

    def held(*args, **kwargs):
        found = real(*args, **kwargs)
        barrier.wait()
        return found

    monkeypatch.setattr(search, "find_outside_crowds", held)
    return barrier


def _in_threads(count: int, target) -> list[BaseException]:
    errors: list[BaseException] = []

    def run():
        try:
            target()
        except BaseException as error:  # reported by the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT * 2)
    assert not any(t.is_alive() for t in threads), "a trace never finished"
    return errors


def _listing(case: Case) -> tuple[list[tuple[str, str]], int]:
    contacts = sorted((c.person.full_name, c.level) for c in Contact.objects.filter(case=case))
    return contacts, Evidence.objects.filter(contact__case=case).count()


def test_two_first_traces_of_one_case_at_once_list_everyone_once(
    scenario, ward_officer, monkeypatch
):
    case = _new_case(scenario, ward_officer)
    _hold_searches(monkeypatch, 2)
    errors = _in_threads(2, lambda: do_trace_case(Case.objects.get(pk=case.pk)))
    assert not errors, errors
    both = _listing(case)
    # The same as one trace alone, written again from scratch.
    monkeypatch.undo()
    Contact.objects.filter(case=case).delete()
    do_trace_case(Case.objects.get(pk=case.pk))
    alone = _listing(case)
    assert both == alone
    assert alone[0] == EXPECTED and alone[1] >= len(EXPECTED)  # every contact has evidence


def test_a_retrace_does_not_remove_a_contact_an_officer_moved_meanwhile(
    scenario, ward_officer, monkeypatch
):
    case = _new_case(scenario, ward_officer)
    do_trace_case(case)
    p12 = Contact.objects.get(case=case, person=scenario.person("P12"))
    # P12's only visit with P0 is withdrawn: the next search no longer finds them, and a
    # contact nobody has acted on yet would be taken off the list.
    Visit.objects.filter(person=scenario.person("P12")).delete()

    def officer_notifies():  # while the search runs, before the trace writes
        do_update_contact(
            Contact.objects.get(pk=p12.pk), ContactStatus.NOTIFIED, actor=ward_officer
        )

    _hold_searches(monkeypatch, 1, then=officer_notifies)
    result = do_trace_case(Case.objects.get(pk=case.pk))
    assert result.removed == 0
    assert Contact.objects.get(pk=p12.pk).status == ContactStatus.NOTIFIED


def test_a_retrace_still_removes_a_contact_nobody_acted_on(scenario, ward_officer):
    case = _new_case(scenario, ward_officer)
    do_trace_case(case)
    p12 = Contact.objects.get(case=case, person=scenario.person("P12"))
    assert Evidence.objects.filter(contact=p12).exists()
    Visit.objects.filter(person=scenario.person("P12")).delete()
    assert do_trace_case(Case.objects.get(pk=case.pk)).removed == 1
    assert not Contact.objects.filter(pk=p12.pk).exists()
    assert not Evidence.objects.filter(contact_id=p12.pk).exists()
