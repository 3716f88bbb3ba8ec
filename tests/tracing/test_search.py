from datetime import date

import pytest

from phongdich.tracing.actions import do_override_window, do_trace_case
from phongdich.tracing.models import Contact, Evidence
from tests.tracing.conftest import local

pytestmark = pytest.mark.django_db


def levels(case):
    return {
        c.person.full_name: c.level
        for c in Contact.objects.filter(case=case).select_related("person")
    }


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(local("2026-11-23 09:00"), tick=False)


def test_window_starts_two_days_before_onset_and_ends_at_isolation(case):
    assert case.window_start == local("2026-11-18 00:00")
    assert case.window_end == local("2026-11-22 12:00")


def test_asymptomatic_window_starts_two_days_before_sample(scenario, ward_officer):
    from phongdich.tracing.actions import do_create_case

    case = do_create_case(
        person=scenario.person("P2"),
        confirmed_at=local("2026-11-22 12:00"),
        sample_date=date(2026, 11, 21),
        actor=ward_officer,
    )
    assert case.window_start == local("2026-11-19 00:00")


def test_exact_f1_and_f2_sets(case):
    # P2 and P4 were too briefly with the F0 but long enough with P5 (an F1 whose missing
    # check-out means a 60-minute stay); P8 arrived after the F0 left but sat with P7 (an F1).
    assert levels(case) == {
        "P1": "F1",
        "P3": "F1",
        "P5": "F1",
        "P6": "F1",
        "P7": "F1",
        "P12": "F1",
        "P10": "F2",
        "P2": "F2",
        "P4": "F2",
        "P8": "F2",
    }


def test_f2_evidence_for_the_near_misses(case, scenario):
    p2 = Contact.objects.get(case=case, person=scenario.person("P2"))
    # With P3 (10 min), P5 (20) and P6 (8): one row for the office that day, naming the F1 they
    # spent longest with; the minutes are the union, 08:50–09:10.
    assert list(
        Evidence.objects.filter(contact=p2).values_list(
            "index_person__full_name", "overlap_minutes"
        )
    ) == [("P5", 20)]
    assert p2.via.person == scenario.person("P5")
    p8 = Contact.objects.get(case=case, person=scenario.person("P8"))
    assert list(
        Evidence.objects.filter(contact=p8).values_list(
            "index_person__full_name", "overlap_minutes"
        )
    ) == [("P7", 30)]


def test_evidence_names_venue_visits_and_overlap_minutes(case, scenario):
    p1 = Contact.objects.get(case=case, person=scenario.person("P1"))
    [ev] = Evidence.objects.filter(contact=p1, level="F1")
    assert ev.venue == scenario.venues["office"]
    assert (ev.overlap_start, ev.overlap_end) == (
        local("2026-11-19 08:30"),
        local("2026-11-19 08:50"),
    )
    assert ev.overlap_minutes == 20 and ev.index_person == scenario.person("P0")
    p5 = Contact.objects.get(case=case, person=scenario.person("P5"))
    ev5 = Evidence.objects.get(contact=p5, level="F1")
    assert ev5.overlap_end == local("2026-11-19 09:00") and ev5.overlap_minutes == 50
    p6 = Contact.objects.get(case=case, person=scenario.person("P6"))
    assert sorted(
        Evidence.objects.filter(contact=p6, level="F1").values_list("overlap_minutes", flat=True)
    ) == [8, 8]
    # The F1s at the office were also together: each keeps F1 and gains the F2 evidence too.
    assert Evidence.objects.filter(contact=p5, level="F2").exists()


def test_midnight_cuts_a_visit_without_check_out(case, scenario):
    p7 = Contact.objects.get(case=case, person=scenario.person("P7"))
    ev = Evidence.objects.get(contact=p7, level="F1")
    assert ev.overlap_end == local("2026-11-20 00:00") and ev.overlap_minutes == 20


def test_f2_is_reached_through_its_f1_and_keeps_the_chain(case, scenario):
    p10 = Contact.objects.get(case=case, person=scenario.person("P10"))
    assert p10.via.person == scenario.person("P1")  # 30 min with P1 beats 20 min with P3
    evidence = list(
        Evidence.objects.filter(contact=p10).values_list(
            "index_person__full_name", "overlap_minutes"
        )
    )
    assert evidence == [("P1", 30)]  # P3 was there too, inside the same 30 minutes


def test_f1_also_reached_as_f2_keeps_f1_and_all_evidence(case, scenario):
    p3 = Contact.objects.get(case=case, person=scenario.person("P3"))
    assert p3.level == "F1"
    market = scenario.venues["market"]
    assert list(
        Evidence.objects.filter(contact=p3, level="F1").values_list("overlap_minutes", flat=True)
    ) == [15]
    assert list(
        Evidence.objects.filter(contact=p3, level="F2", venue=market).values_list(
            "index_person__full_name", "overlap_minutes"
        )
    ) == [("P1", 40)]


def test_rerun_with_new_visits_adds_without_duplicating(case, scenario):
    before = Contact.objects.filter(case=case).count()
    scenario.visit("P13", "office", "2026-11-19 08:00", "2026-11-19 08:40")  # uploaded late
    result = do_trace_case(case)
    assert Contact.objects.filter(case=case).count() == before + 1
    assert result.f1 == 7 and result.f2 == 4
    do_trace_case(case)
    assert Contact.objects.filter(case=case).count() == before + 1
    assert (
        Evidence.objects.filter(
            contact__case=case, contact__person__full_name="P1", level="F1"
        ).count()
        == 1
    )


def test_shorter_window_drops_uncontacted_people_but_keeps_followed_up_ones(
    case, scenario, ward_officer
):
    from phongdich.tracing.actions import do_update_contact

    p12 = Contact.objects.get(case=case, person=scenario.person("P12"))
    do_update_contact(p12, "notified", actor=ward_officer)
    do_override_window(
        case,
        local("2026-11-20 00:00"),
        local("2026-11-22 12:00"),
        "exposure dates confirmed by interview",
        actor=ward_officer,
    )
    remaining = levels(case)
    assert "P1" not in remaining and "P12" in remaining
    case.refresh_from_db()
    assert case.window_override_reason == "exposure dates confirmed by interview"


def test_quarantine_start_ends_the_f2_search(case, scenario, ward_officer):
    from phongdich.tracing.actions import do_update_contact

    for name in ("P1", "P3"):
        contact = Contact.objects.get(case=case, person=scenario.person(name))
        do_update_contact(
            contact, "quarantined", actor=ward_officer, quarantine_start=date(2026, 11, 20)
        )
    do_trace_case(case)
    assert "P10" not in levels(case)  # both F1s it met were in quarantine from 20/11 00:00


def test_overlap_minimum_is_a_rule_per_venue_kind(case, scenario):
    from phongdich.core.models import Rule
    from phongdich.core.rules import reset_cache

    Rule.objects.create(key="tracing.f1_min_overlap_minutes", value={"office": 25})
    reset_cache()
    try:
        do_trace_case(case)
        found = levels(case)
        assert "P1" not in found and "P3" not in found and "P5" in found  # 20 < 25 ≤ 50
        assert "P7" in found  # restaurant still uses the default 15
    finally:
        Rule.objects.all().delete()
        reset_cache()
