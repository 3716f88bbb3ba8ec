"""Crowded venues become exposure windows (default: more than 200 people present besides the F1
and the case), listed on request; re-tracing is incremental by visit watermark."""

import pytest
from django_tasks_db.models import DBTaskResult

from phongdich.core.models import OutboxEvent
from phongdich.tracing import exposure
from phongdich.tracing.actions import do_trace_case
from phongdich.tracing.models import (
    Case,
    Contact,
    ContactOrigin,
    Evidence,
    ExposureWindow,
    Level,
    MaterialiseStatus,
)
from phongdich.tracing.tasks import materialise_window, retrace_open_cases
from tests.tracing.conftest import create_case, local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(local("2026-11-23 09:00"), tick=False)


def crowd(scenario, n, prefix="C"):
    """``n`` people at the market while P1 and P3 (both F1) were there, 20 minutes or more."""
    for i in range(n):
        scenario.visit(f"{prefix}{i}", "market", "2026-11-20 10:15", "2026-11-20 10:45")


def names(case, level, origin=None):
    qs = Contact.objects.filter(case=case, level=level)
    if origin:
        qs = qs.filter(origin=origin)
    return set(qs.values_list("person__full_name", flat=True))


def test_a_venue_just_under_the_threshold_lists_everyone(scenario, ward_officer):
    crowd(scenario, 199)  # with P10: 200 people present besides P1, P3 and the case
    case = create_case(scenario, ward_officer)
    assert not ExposureWindow.objects.filter(case=case).exists()
    f2 = names(case, Level.F2)
    assert {f"C{i}" for i in range(199)} | {"P10"} <= f2


def test_a_venue_just_over_the_threshold_becomes_an_exposure_window(scenario, ward_officer):
    crowd(scenario, 200)  # 201 present
    # C0 also spent half an hour with P7 (an F1) at the restaurant: still an F2, through P7.
    scenario.visit("P7", "restaurant", "2026-11-21 12:00", "2026-11-21 13:00")
    scenario.visit("C0", "restaurant", "2026-11-21 12:00", "2026-11-21 12:30")
    case = create_case(scenario, ward_officer)
    window = ExposureWindow.objects.get(case=case)
    assert window.venue == scenario.venues["market"]
    assert (window.start, window.end) == (local("2026-11-20 10:00"), local("2026-11-20 11:00"))
    assert window.present == 201 and window.f1_count == 2
    assert window.via.person.full_name == "P1"  # arrived first
    # The F1 stay listed one by one; the crowd is not (C0 is, through the restaurant).
    assert {"P1", "P3"} <= names(case, Level.F1)
    f2 = names(case, Level.F2)
    assert "P10" not in f2 and not any(n.startswith("C") for n in f2 - {"C0"})
    assert "C0" in f2
    assert not Evidence.objects.filter(contact__case=case, venue=scenario.venues["market"]).filter(
        level=Level.F2
    )
    event = OutboxEvent.objects.get(topic="exposure_window.found")
    assert event.payload == {"case_id": case.pk, "window_ids": [window.pk]}

    # Searching again finds the same window, once.
    do_trace_case(case)
    assert list(ExposureWindow.objects.filter(case=case).values_list("pk", flat=True)) == [
        window.pk
    ]
    assert OutboxEvent.objects.filter(topic="exposure_window.found").count() == 1


def test_the_threshold_is_a_rule(scenario, ward_officer):
    from phongdich.core.models import Rule
    from phongdich.core.rules import reset_cache

    Rule.objects.create(key="tracing.crowd_threshold", value=5)
    reset_cache()
    try:
        crowd(scenario, 5)  # 6 present
        case = create_case(scenario, ward_officer)
        assert ExposureWindow.objects.get(case=case).present == 6
    finally:
        Rule.objects.all().delete()
        reset_cache()


def test_an_officer_lists_a_windows_people_in_pages(scenario, ward_officer, monkeypatch):
    crowd(scenario, 200)
    case = create_case(scenario, ward_officer)
    window = ExposureWindow.objects.get(case=case)
    assert exposure.do_materialise_window(window, actor=ward_officer) is True
    assert exposure.do_materialise_window(window, actor=ward_officer) is False  # queued once
    queued = DBTaskResult.objects.get(task_path="phongdich.tracing.tasks.materialise_window")
    assert queued.args_kwargs["args"] == [window.pk]

    monkeypatch.setattr(exposure, "PAGE", 50)
    assert materialise_window.func(window.pk) == 201  # 200 crowd + P10, in 5 pages
    window.refresh_from_db()
    assert window.materialise_status == MaterialiseStatus.DONE and window.materialised == 201
    listed = names(case, Level.F2, ContactOrigin.WINDOW)
    assert listed == {f"C{i}" for i in range(200)} | {"P10"}
    c5 = Contact.objects.get(case=case, person__full_name="C5")
    assert c5.via.person.full_name in {"P1", "P3"}
    (ev,) = Evidence.objects.filter(contact=c5)
    assert ev.window_id == window.pk and ev.overlap_minutes == 30

    # A re-trace keeps the window, its listed people and their evidence.
    before = Contact.objects.filter(case=case).count()
    do_trace_case(case)
    assert Contact.objects.filter(case=case).count() == before
    assert ExposureWindow.objects.get(case=case).materialise_status == MaterialiseStatus.DONE
    assert Evidence.objects.filter(window=window).count() == 201
    assert materialise_window.func(window.pk) == 0  # done: nothing twice


def test_periodic_retrace_only_searches_cases_with_new_visits_near_them(
    scenario, ward_officer, django_assert_max_num_queries
):
    case = create_case(scenario, ward_officer)
    traced_at = Case.objects.get(pk=case.pk).traced_at
    # Nothing new: no search.
    with django_assert_max_num_queries(8):
        assert retrace_open_cases() == 0
    # A visit far from the case's people (another venue, nobody of the case there): no search.
    scenario.visit("Q1", "office", "2026-11-21 20:00", "2026-11-21 20:30")
    assert retrace_open_cases() == 0
    assert Case.objects.get(pk=case.pk).traced_at == traced_at
    # Uploaded late: P13 spent 25 minutes at the market beside P1 (an F1, still inside the
    # window): the next periodic run finds them as F2.
    scenario.visit("P13", "market", "2026-11-20 10:20", "2026-11-20 10:45")
    assert retrace_open_cases() == 1
    p13 = Contact.objects.get(case=case, person__full_name="P13")
    assert p13.level == Level.F2 and p13.via.person.full_name == "P1"
    assert retrace_open_cases() == 0


def test_periodic_retrace_sees_new_visits_of_the_case_and_its_f1(scenario, ward_officer):
    case = create_case(scenario, ward_officer)
    # P5 (an F1) went to the restaurant later, and P14 was there with them: a new index interval.
    scenario.visit("P14", "restaurant", "2026-11-21 19:00", "2026-11-21 20:00")
    scenario.visit("P5", "restaurant", "2026-11-21 19:00", "2026-11-21 20:00")
    assert retrace_open_cases() == 1
    assert Contact.objects.get(case=case, person__full_name="P14").level == Level.F2


@pytest.fixture
def crowded_case(scenario, ward_officer):
    crowd(scenario, 200)
    return create_case(scenario, ward_officer)


def test_case_page_api_export_and_chain_show_the_window(
    crowded_case, client, api_client, ward_officer, other_ward_officer, scenario
):
    import csv
    import io

    window = ExposureWindow.objects.get(case=crowded_case)
    client.force_login(ward_officer)
    page = client.get(f"/staff/tracing/{crowded_case.pk}/").content.decode()
    assert 'id="exposure-windows"' in page and f'data-window="{window.pk}"' in page
    assert "Venue market" in page and ">201<" in page

    api = api_client.as_user(ward_officer)
    assert api.get(f"/api/v1/cases/{crowded_case.pk}").json()["exposure_windows"] == 1
    listed = api.get(f"/api/v1/cases/{crowded_case.pk}/exposure-windows").json()
    assert (listed["total"], listed["next_cursor"]) == (1, None)
    (out,) = listed["items"]
    assert out["present"] == 201 and out["f1_count"] == 2
    assert out["venue"] == scenario.venues["market"].code
    assert out["via_contact_id"] == window.via_id and out["materialise_status"] == ""

    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(
                    client.get(f"/staff/tracing/{crowded_case.pk}/contacts.csv").streaming_content
                ).decode("utf-8-sig")
            )
        )
    )
    windows = [r for r in rows if r[0] == "Khung phơi nhiễm"]
    assert len(windows) == 1 and windows[0][1] == "201 người có mặt"
    assert "Venue market" in windows[0][8]

    graph = api.get("/api/v1/chains").json()
    node = next(n for n in graph["nodes"] if n["kind"] == "window")
    assert node["present"] == 201 and node["case_id"] == crowded_case.pk
    edge = next(e for e in graph["edges"] if e["target"] == node["id"])
    assert edge == {"source": f"contact-{window.via_id}", "target": node["id"], "kind": "crowd"}


def test_materialising_through_the_api_queues_once_and_checks_the_area(
    crowded_case, api_client, ward_officer, other_ward_officer, venue_staff
):
    window = ExposureWindow.objects.get(case=crowded_case)
    url = f"/api/v1/exposure-windows/{window.pk}/materialise"
    outside = api_client.as_user(other_ward_officer).post(url)
    assert outside.status_code == 404
    assert api_client.as_user(venue_staff).post(url).status_code == 403
    for _ in range(2):
        response = api_client.as_user(ward_officer).post(url)
        assert response.status_code == 202 and response.json()["materialise_status"] == "queued"
    assert DBTaskResult.objects.filter(args_kwargs__args=[window.pk]).count() == 1


def test_contact_lists_longer_than_a_statement_takes_are_read_in_chunks(
    case, api_client, client, ward_officer, monkeypatch
):
    """A case at a busy market lists more contacts than PostgreSQL takes parameters (65,535):
    the case page and the API read their evidence and visits in chunks."""
    from phongdich.tracing import queries

    api = api_client.as_user(ward_officer)
    whole = api.get(f"/api/v1/cases/{case.pk}/contacts").json()["items"]
    monkeypatch.setattr(queries, "IDS_PER_QUERY", 3)
    assert api.get(f"/api/v1/cases/{case.pk}/contacts").json()["items"] == whole
    assert sum(len(c["evidence"]) for c in whole) > 10
    client.force_login(ward_officer)
    page = client.get(f"/staff/tracing/{case.pk}/").content.decode()
    assert page.count("data-contact=") == len(whole)
