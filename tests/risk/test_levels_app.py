"""Ward levels from the platform's data: inputs, proposal, approval, publication, history,
the may-not-go-down rule, the outbox event, scoping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from phongdich.core.models import OutboxEvent
from phongdich.lib.errors import InputErrors
from phongdich.places.models import Province
from phongdich.risk import actions
from phongdich.risk.compute import case_counts, gather
from phongdich.risk.models import Assessment, WardCapacity
from phongdich.risk.queries import public_province
from tests.conftest import HAC_THANH, QUANG_PHU, THANH_HOA
from tests.risk.conftest import TODAY, case, covered_ward

pytestmark = pytest.mark.django_db


def _approve(chair, on=TODAY, wards=(HAC_THANH,), officer=None):
    rows = actions.do_propose_levels(list(wards), on, actor=officer)
    return actions.do_decide([r.pk for r in rows], approve=True, actor=chair)


def test_cases_count_by_ward_of_residence_and_community_excludes_quarantined_f1():
    from phongdich.tracing.models import Case

    resident = case(HAC_THANH, TODAY)
    # Responsible ward elsewhere, residence here: counted here.
    Case.objects.filter(pk=resident.pk).update(ward_id=QUANG_PHU)
    case(HAC_THANH, TODAY - timedelta(days=1), quarantined_since=TODAY - timedelta(days=5))
    case(HAC_THANH, TODAY - timedelta(days=2), quarantined_since=TODAY)  # quarantined after
    case(HAC_THANH, TODAY - timedelta(days=8))  # 14 days, not 7
    case(HAC_THANH, TODAY - timedelta(days=15))  # neither
    counts = case_counts([HAC_THANH, QUANG_PHU], TODAY)
    assert counts[HAC_THANH] == {
        "cases_7d": 3,
        "community_7d": 2,
        "cases_14d": 4,
        "community_14d": 3,
    }
    assert QUANG_PHU not in counts


def test_exactly_20_per_100k_is_level_2_and_one_case_fewer_level_1(ward_officer):
    covered_ward(HAC_THANH, total=10_000)
    case(HAC_THANH, TODAY)
    case(HAC_THANH, TODAY - timedelta(days=6))
    [row] = actions.do_propose_levels([HAC_THANH], TODAY, actor=ward_officer)
    assert row.rule_set_id == "byt-218"
    assert row.criteria["community_cases"]["value"] == 20.0
    assert row.criteria["coverage"]["outcome"] == "met"
    assert row.level == 2
    assert row.inputs["community_cases_7d"] == 2
    assert "matrix" in row.unconfirmed
    case(HAC_THANH, TODAY - timedelta(days=7))  # outside the 7 days: still two
    [again] = actions.do_propose_levels([HAC_THANH], TODAY, actor=ward_officer)
    assert again.level == 2
    assert Assessment.objects.filter(ward=HAC_THANH, status="proposed").count() == 1


def test_coverage_just_below_the_bound_raises_the_level(ward_officer):
    from tests.risk.conftest import population, vaccinated

    population(HAC_THANH, 10_000, 1000, 30, 10)
    vaccinated(HAC_THANH, 739)
    vaccinated(HAC_THANH, 10, birth_year=1950)  # 749 of 1,000 adults: 74.9 %; 218 needs 75 %
    [row] = actions.do_propose_levels([HAC_THANH], TODAY, actor=ward_officer)
    assert row.criteria["population_full_course"]["outcome"] == "not_met"
    assert row.level == 2  # case band 1, coverage not met


def test_approval_publishes_and_emits_one_event_per_change(ward_officer, chairperson):
    covered_ward(HAC_THANH)
    province = Province.objects.get(code=THANH_HOA)
    proposed = actions.do_propose_levels([HAC_THANH], TODAY, actor=ward_officer)
    assert public_province(province)["wards"] == []  # proposals are not published
    actions.do_decide([proposed[0].pk], approve=True, actor=chairperson)
    published = public_province(province)["wards"]
    assert [(w["code"], w["level"], w["rule_set"]["id"]) for w in published] == [
        (HAC_THANH, 1, "byt-218")
    ]
    events = OutboxEvent.objects.filter(topic="risk_level.changed").order_by("pk")
    assert [e.payload for e in events.all()] == [
        {
            "ward_code": HAC_THANH,
            "assessment_id": proposed[0].pk,
            "level": 1,
            "previous_level": None,
        }
    ]
    _approve(chairperson, TODAY + timedelta(days=7))  # same level: no event
    assert events.count() == 1
    for day in range(3):
        case(HAC_THANH, TODAY + timedelta(days=14 - day))
    [row] = _approve(chairperson, TODAY + timedelta(days=14))
    assert row.level == 2  # 30 per 100,000 in 7 days: band 2, coverage met
    assert events.count() == 2
    assert events.last().payload["previous_level"] == 1
    assert public_province(province)["wards"][0]["level"] == 2


def test_a_ward_failing_treatment_capacity_may_not_go_down(ward_officer, chairperson):
    covered_ward(HAC_THANH)
    for day in range(16):  # 160 per 100,000 in 7 days
        case(HAC_THANH, TODAY - timedelta(days=day % 7))
    [high] = _approve(chairperson)
    assert high.level >= 3
    later = TODAY + timedelta(days=14)
    [held] = actions.do_propose_levels([HAC_THANH], later, actor=ward_officer)
    assert held.computed_level == 1 and held.level == high.level and held.held_by_capacity
    assert held.inputs["capacity"] is None  # nothing entered counts as failed
    actions.do_set_capacity(
        held.ward, beds=50, beds_in_use=10, icu_beds=2, oxygen_points=5, actor=ward_officer
    )
    [freed] = actions.do_propose_levels([HAC_THANH], later, actor=ward_officer)
    assert freed.level == 1 and not freed.held_by_capacity


def test_only_a_chairperson_of_the_area_approves(ward_officer, chairperson, other_chair):
    covered_ward(HAC_THANH)
    [row] = actions.do_propose_levels([HAC_THANH], TODAY, actor=ward_officer)
    with pytest.raises(PermissionDenied):
        actions.do_decide([row.pk], approve=True, actor=ward_officer)
    with pytest.raises(Http404):
        actions.do_decide([row.pk], approve=True, actor=other_chair)
    with pytest.raises(PermissionDenied):
        actions.do_propose_levels([HAC_THANH], TODAY, actor=chairperson)
    actions.do_decide([row.pk], approve=False, actor=chairperson, note="số liệu chưa đủ")
    with pytest.raises(InputErrors) as exc:
        actions.do_decide([row.pk], approve=True, actor=chairperson)
    assert exc.value.errors[0].code == "already_decided"
    assert not OutboxEvent.objects.filter(topic="risk_level.changed").exists()


def test_capacity_input_is_checked_and_nothing_is_written(ward_officer, other_ward_officer):
    from phongdich.places.models import Ward

    ward = Ward.objects.get(code=HAC_THANH)
    with pytest.raises(InputErrors) as exc:
        actions.do_set_capacity(
            ward, beds="x", beds_in_use=-1, icu_beds=1, oxygen_points=1, actor=ward_officer
        )
    assert {e.field for e in exc.value.errors} == {"beds", "beds_in_use"}
    with pytest.raises(InputErrors) as exc:
        actions.do_set_capacity(
            ward, beds=5, beds_in_use=6, icu_beds=1, oxygen_points=1, actor=ward_officer
        )
    assert exc.value.errors[0].code == "in_use_exceeds_beds"
    with pytest.raises(Http404):
        actions.do_set_capacity(
            ward, beds=5, beds_in_use=1, icu_beds=1, oxygen_points=1, actor=other_ward_officer
        )
    assert not WardCapacity.objects.exists()


def test_population_is_estimated_from_adults_when_the_total_is_missing():
    from phongdich.vaccination.models import WardPopulation

    WardPopulation.objects.create(
        ward_id=HAC_THANH, age_18_plus=7200, age_50_plus=2000, age_65_plus=800
    )
    facts = gather([HAC_THANH, QUANG_PHU], TODAY)
    assert list(facts) == [HAC_THANH]  # no population at all: not rated
    assert facts[HAC_THANH].population == 10_000 and facts[HAC_THANH].population_estimated


def test_the_weekly_job_runs_once_a_week():
    from phongdich.risk.tasks import run_weekly

    covered_ward(HAC_THANH)
    assert run_weekly(TODAY) == 1
    assert run_weekly(TODAY + timedelta(days=3)) == 0
    assert run_weekly(TODAY + timedelta(days=7)) == 1
