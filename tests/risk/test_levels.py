"""Golden tests for the ward risk level rules (docs/reference/risk.md §1).

Every expected level below is read off the rules in the reference doc by hand, not taken from
the code: bands < 20 / 20–< 50 / 50–< 150 / ≥ 150 (4800), "> 600" for very high (218), the
default matrix (met → 1 2 3 3, not met → 2 3 4 4)."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest

from phongdich.risk.errors import RiskInputError, RuleDataError
from phongdich.risk.levels import (
    LEVELS,
    Coverage,
    RuleSets,
    WardInputs,
    default_rule_sets,
    evaluate,
    evaluate_on,
    load_rule_set,
)
from phongdich.risk.loading import DATA, read_json

OCT_2021 = date(2021, 10, 20)  # 4800, the 65+ component applies
NOV_2021 = date(2021, 11, 15)  # 4800, the 50+ component applies
FEB_2022 = date(2022, 2, 10)  # 218


def cov_4800(adults=(700, 1000), older=(800, 1000)):
    return {
        "adults_18_plus_one_dose": Coverage(*adults),
        "age_65_plus_full_course": Coverage(*older),
        "age_50_plus_full_course": Coverage(*older),
    }


def cov_218(population=(750, 1000), high_risk=(900, 1000)):
    return {
        "population_full_course": Coverage(*population),
        "high_risk_full_course": Coverage(*high_risk),
    }


def ward(cases, population=100_000, coverage=None, capacity_ok=True, previous=None, **extra):
    return WardInputs(
        population=population,
        community_cases_7d=cases,
        coverage=cov_4800() if coverage is None else coverage,
        treatment_capacity_ok=capacity_ok,
        previous_level=previous,
        **extra,
    )


@pytest.mark.parametrize(
    ("cases", "population", "band"),
    [
        (0, 100_000, 1),
        (19, 100_000, 1),
        (1_999, 10_000_000, 1),  # 19.99
        (20, 100_000, 2),  # exactly 20.0 is in 20–< 50
        (49, 100_000, 2),
        (50, 100_000, 3),
        (14_999, 10_000_000, 3),  # 149.99
        (150, 100_000, 4),  # exactly 150.0 is in ≥ 150
        (2, 1_000, 4),  # a small ward: 200 per 100,000
    ],
)
def test_4800_case_bands_at_their_edges(cases, population, band):
    result = evaluate_on(ward(cases, population), OCT_2021)
    assert result.criteria["community_cases"].level == band
    assert result.criteria["community_cases"].value == pytest.approx(cases * 100_000 / population)
    assert result.criteria["cases"].level == band
    assert result.rule_set_id == "byt-4800"


@pytest.mark.parametrize(
    ("band_cases", "met", "level"),
    [
        (0, True, 1),
        (0, False, 2),
        (20, True, 2),
        (20, False, 3),
        (50, True, 3),
        (50, False, 4),
        (150, True, 3),
        (150, False, 4),
    ],
)
def test_4800_default_matrix(band_cases, met, level):
    adults = (700, 1000) if met else (699, 1000)
    result = evaluate_on(ward(band_cases, coverage=cov_4800(adults=adults)), OCT_2021)
    assert result.level == level
    assert "matrix" in result.unconfirmed  # the matrix is a setting, marked unconfirmed


def test_4800_coverage_699_per_mille_is_not_met_and_700_is():
    below = evaluate_on(ward(0, coverage=cov_4800(adults=(699, 1000))), OCT_2021)
    at = evaluate_on(ward(0, coverage=cov_4800(adults=(700, 1000))), OCT_2021)
    assert below.criteria["adults_18_plus_one_dose"].outcome == "not_met"
    assert below.criteria["coverage"].outcome == "not_met"
    assert at.criteria["adults_18_plus_one_dose"].outcome == "met"
    assert at.criteria["coverage"].outcome == "met"
    assert (below.level, at.level) == (2, 1)


def test_4800_older_group_is_65_plus_in_october_and_50_plus_from_november():
    coverage = {
        "adults_18_plus_one_dose": Coverage(900, 1000),
        "age_65_plus_full_course": Coverage(850, 1000),
        "age_50_plus_full_course": Coverage(799, 1000),  # 79.9 %: not met
    }
    october = evaluate_on(ward(0, coverage=coverage), date(2021, 10, 31))
    november = evaluate_on(ward(0, coverage=coverage), date(2021, 11, 1))
    assert "age_50_plus_full_course" not in october.criteria
    assert october.criteria["age_65_plus_full_course"].outcome == "met"
    assert october.level == 1
    assert "age_65_plus_full_course" not in november.criteria
    assert november.criteria["age_50_plus_full_course"].outcome == "not_met"
    assert november.level == 2


def test_missing_coverage_figure_counts_as_not_met():
    coverage = {"adults_18_plus_one_dose": Coverage(900, 1000)}
    result = evaluate_on(ward(0, coverage=coverage), NOV_2021)
    assert result.criteria["age_50_plus_full_course"].outcome == "missing"
    assert result.criteria["coverage"].outcome == "not_met"
    assert result.level == 2


@pytest.mark.parametrize(
    ("cases", "capacity_ok", "previous", "level", "held"),
    [
        (20, False, 3, 3, True),  # computed 2 < 3 and capacity fails: stays at 3
        (20, True, 3, 2, False),  # capacity holds: may go down
        (20, False, 4, 4, True),
        (20, False, 2, 2, False),  # not a step down
        (150, False, 1, 3, False),  # going up is never held back
        (20, False, None, 2, False),  # no previous level: nothing to hold
    ],
)
def test_treatment_capacity_failing_means_no_step_down(cases, capacity_ok, previous, level, held):
    result = evaluate_on(ward(cases, capacity_ok=capacity_ok, previous=previous), OCT_2021)
    assert result.computed_level == (2 if cases == 20 else 3)
    assert result.level == level
    assert result.held_by_treatment_capacity is held
    assert result.criteria["treatment_capacity"].outcome == ("ok" if capacity_ok else "failed")


@pytest.mark.parametrize(
    ("day", "rule_set_id"),
    [
        (date(2021, 10, 12), "byt-4800"),
        (date(2022, 1, 26), "byt-4800"),
        (date(2022, 1, 27), "byt-218"),
        (date(2025, 7, 1), "byt-218"),
    ],
)
def test_rule_set_is_chosen_by_date(day, rule_set_id):
    assert default_rule_sets().for_date(day).id == rule_set_id


def test_no_rule_set_before_4800():
    with pytest.raises(RiskInputError) as caught:
        default_rule_sets().for_date(date(2021, 10, 11))
    assert caught.value.code == "no_rule_set_for_date"
    assert "11/10/2021" in caught.value.message_vi


@pytest.mark.parametrize(
    ("cases", "population", "band", "level_met", "level_not_met"),
    [
        (600, 100_000, 3, 3, 4),  # exactly 600 is not "> 600"
        (60_001, 10_000_000, 4, 3, 4),  # 600.01
    ],
)
def test_218_very_high_needs_more_than_600(cases, population, band, level_met, level_not_met):
    met = evaluate_on(ward(cases, population, coverage=cov_218()), FEB_2022)
    not_met = evaluate_on(
        ward(cases, population, coverage=cov_218(high_risk=(899, 1000))), FEB_2022
    )
    assert met.rule_set_id == "byt-218"
    assert met.criteria["community_cases"].level == band
    assert (met.level, not_met.level) == (level_met, level_not_met)
    assert not_met.criteria["high_risk_full_course"].outcome == "not_met"


def test_218_coverage_thresholds_75_and_90_percent():
    ok = evaluate_on(ward(0, coverage=cov_218()), FEB_2022)
    low = evaluate_on(ward(0, coverage=cov_218(population=(749, 1000))), FEB_2022)
    assert ok.criteria["coverage"].outcome == "met"
    assert low.criteria["population_full_course"].outcome == "not_met"
    assert (ok.level, low.level) == (1, 2)


def test_218_marks_what_it_relied_on_that_is_unconfirmed():
    middle = evaluate_on(ward(100, coverage=cov_218()), FEB_2022)  # band 2: placeholder bounds
    top = evaluate_on(ward(700, coverage=cov_218()), FEB_2022)  # band 4: only "> 600" matters
    assert middle.criteria["community_cases"].confirmed is False
    assert "community_cases.bounds" in middle.unconfirmed
    assert top.criteria["community_cases"].confirmed is True
    assert "community_cases.bounds" not in top.unconfirmed
    assert middle.criteria["oxygen_cases"].outcome == "missing"
    reported = evaluate_on(ward(0, coverage=cov_218(), oxygen_cases_7d=3), FEB_2022)
    assert reported.criteria["oxygen_cases"].outcome == "not_configured"
    assert reported.criteria["oxygen_cases"].value == 3


def _document(name):
    return read_json(DATA / "levels" / name)


def test_an_administrator_can_set_the_218_oxygen_bands_and_the_highest_band_counts():
    doc = copy.deepcopy(_document("byt-218.json"))
    doc["version"] = 2
    doc["case_measures"][1]["bounds"] = [
        {"value": 1, "at_bound": "higher", "confirmed": False},
        {"value": 5, "at_bound": "higher", "confirmed": False},
        {"value": 10, "at_bound": "higher", "confirmed": False},
    ]
    rule_set = load_rule_set(doc)
    result = evaluate(rule_set, ward(0, coverage=cov_218(), oxygen_cases_7d=10), FEB_2022)
    assert result.criteria["community_cases"].level == 1
    assert result.criteria["oxygen_cases"].level == 4
    assert result.criteria["cases"].level == 4
    assert result.level == 3  # band 4, coverage met
    assert {"case_combination", "oxygen_cases.bounds"} <= set(result.unconfirmed)
    assert result.rule_set_version == 2


def test_result_is_plain_data_for_the_api():
    result = evaluate_on(ward(30), OCT_2021)
    data = json.loads(json.dumps(result.as_dict()))
    assert data["level"] == 2
    assert data["colour"] == LEVELS[2][0] == "yellow"
    assert data["criteria"]["community_cases"]["value"] == 30.0
    assert data["rule_set"] == {"id": "byt-4800", "version": 1}


@pytest.mark.parametrize(
    ("inputs", "code", "field"),
    [
        (ward(1, population=0), "invalid_population", "population"),
        (ward(-1), "negative_count", "community_cases_7d"),
        (ward(1, previous=5), "invalid_level", "previous_level"),
        (
            ward(1, coverage={"adults_18_plus_one_dose": Coverage(11, 10)}),
            "invalid_coverage",
            "coverage.adults_18_plus_one_dose",
        ),
    ],
)
def test_it_rejects_inputs_it_cannot_evaluate(inputs, code, field):
    with pytest.raises(RiskInputError) as caught:
        evaluate_on(inputs, OCT_2021)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert caught.value.message_vi and caught.value.message_en


def _broken(mutate):
    doc = copy.deepcopy(_document("byt-4800.json"))
    mutate(doc)
    with pytest.raises(RuleDataError) as caught:
        load_rule_set(doc, "levels/test.json")
    return caught.value


def test_it_rejects_rule_data_that_breaks_the_schema_and_says_where():
    error = _broken(lambda d: d["case_measures"][0]["bounds"][1].pop("confirmed"))
    assert error.code == "rule_data_invalid"
    assert error.where == "$.case_measures[0].bounds[1]"
    assert "levels/test.json" in error.message_vi and "'confirmed'" in error.message_en


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda d: d["case_measures"][0]["bounds"][1].update(value=10), "rule_data_bounds_order"),
        (
            lambda d: d["matrix"].update(levels=[[2, 1], [2, 3], [3, 4], [3, 4]]),
            "rule_data_matrix_order",
        ),
        (lambda d: d.update(valid_until="2021-10-01"), "rule_data_dates"),
        (lambda d: d["case_measures"][0].update(bounds=None), "rule_data_no_case_bands"),
        (
            lambda d: d["coverage"]["components"][1].update(key="adults_18_plus_one_dose"),
            "rule_data_duplicate_key",
        ),
        (lambda d: d["matrix"]["levels"][0].append(3), "rule_data_invalid"),
    ],
)
def test_it_rejects_rule_data_that_makes_no_sense(mutate, code):
    error = _broken(mutate)
    assert error.code == code
    assert error.message_vi != error.message_en


def test_rule_sets_may_not_overlap_in_time():
    first = load_rule_set(_document("byt-4800.json"))
    later = copy.deepcopy(_document("byt-218.json"))
    later["valid_from"] = "2022-01-20"  # before 4800's valid_until
    with pytest.raises(RuleDataError) as caught:
        RuleSets([first, load_rule_set(later)])
    assert caught.value.code == "rule_data_overlap"
