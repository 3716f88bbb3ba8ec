"""A new case lists its F1 at once; with many F1 its F2 search goes to the background worker."""

import pytest
from django_tasks_db.models import DBTaskResult

from phongdich.tracing.actions import do_trace_case
from phongdich.tracing.models import Contact, Evidence, Level
from phongdich.tracing.tasks import trace_case
from tests.tracing.conftest import create_case

pytestmark = pytest.mark.django_db

F1 = {"P1", "P3", "P5", "P6", "P7", "P12"}
F2 = {"P2", "P4", "P8", "P10"}


def listed(scenario, case, level):
    names = {p.pk: n for n, p in scenario.people.items()}
    rows = Contact.objects.filter(case=case, level=level).values_list("person_id", flat=True)
    return {names[pk] for pk in rows}


def test_a_case_with_few_f1_gets_its_f2_at_once(scenario, ward_officer):
    case = create_case(scenario, ward_officer)
    assert listed(scenario, case, Level.F1) == F1 and listed(scenario, case, Level.F2) == F2
    assert case.f2_pending is False
    assert not DBTaskResult.objects.exists()


def test_a_case_with_many_f1_lists_them_and_queues_the_f2(scenario, ward_officer, settings):
    settings.TRACING_INLINE_F1 = 5
    case = create_case(scenario, ward_officer)
    # The F1 list, with its evidence, is there when the officer's request returns.
    assert listed(scenario, case, Level.F1) == F1 and listed(scenario, case, Level.F2) == set()
    assert Evidence.objects.filter(contact__case=case, level=Level.F1).count() >= len(F1)
    case.refresh_from_db()
    assert case.f2_pending is True
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "phongdich.tracing.tasks.trace_case"
    assert queued.args_kwargs["args"] == [case.pk]
    fields = ("contact_id", "index_visit_id", "contact_visit_id", "overlap_start", "overlap_end")
    f1_evidence = set(Evidence.objects.filter(contact__case=case).values_list(*fields))
    assert trace_case.func(case.pk) == len(F2)  # what the worker runs
    case.refresh_from_db()
    assert listed(scenario, case, Level.F1) == F1 and listed(scenario, case, Level.F2) == F2
    assert case.f2_pending is False
    # Evidence is replaced per case: the F1 evidence comes back the same; the F2 evidence is added.
    after = set(Evidence.objects.filter(contact__case=case).values_list(*fields))
    assert f1_evidence < after


def test_the_first_pass_never_drops_contacts_of_a_traced_case(scenario, ward_officer):
    case = create_case(scenario, ward_officer)
    do_trace_case(case, f2=False)  # a case with contacts is searched in full
    assert listed(scenario, case, Level.F1) == F1 and listed(scenario, case, Level.F2) == F2


def test_the_case_page_and_api_say_the_f2_are_pending(
    scenario, ward_officer, settings, client, api_client
):
    settings.TRACING_INLINE_F1 = 5
    case = create_case(scenario, ward_officer)
    client.force_login(ward_officer)
    assert b'id="f2-pending"' in client.get(f"/staff/tracing/{case.pk}/").content
    out = api_client.as_user(ward_officer).get(f"/api/v1/cases/{case.pk}").json()
    assert out["f2_pending"] is True and out["f1"] == len(F1) and out["f2"] == 0
    trace_case.func(case.pk)
    assert b'id="f2-pending"' not in client.get(f"/staff/tracing/{case.pk}/").content


def test_search_again_runs_at_once_or_in_the_background(scenario, ward_officer, settings, client):
    case = create_case(scenario, ward_officer)
    client.force_login(ward_officer)
    page = client.post(f"/staff/tracing/{case.pk}/retrace", follow=True)
    assert "F1" in page.content.decode() and not DBTaskResult.objects.exists()
    settings.TRACING_INLINE_F1 = 5
    client.post(f"/staff/tracing/{case.pk}/retrace")
    case.refresh_from_db()
    assert case.f2_pending is True
    assert DBTaskResult.objects.get().args_kwargs["args"] == [case.pk]
    trace_case.func(case.pk)
    case.refresh_from_db()
    assert case.f2_pending is False
    assert listed(scenario, case, Level.F2) == F2
