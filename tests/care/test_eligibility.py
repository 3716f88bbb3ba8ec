"""Home-care eligibility and discharge (docs/reference/care.md, "Eligibility", "Discharge")."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from phongdich.care.eligibility import (
    Candidate,
    Comorbidity,
    assess_discharge,
    assess_home_care,
    isolation_day,
)
from phongdich.care.rulesets import get_rule_set, select_rule_set

DAY = date(2022, 4, 1)
MOH_604 = get_rule_set("moh-604-2022")
MOH_4038 = get_rule_set("moh-4038-2021")
HCMC = select_rule_set(DAY, "VN-SG")


def aged(years: int, months: int = 0) -> date:
    total = DAY.year * 12 + DAY.month - 1 - years * 12 - months
    return date(total // 12, total % 12 + 1, 1)


BASE = Candidate(
    birth_date=aged(30),
    assessed_on=DAY,
    severity="mild",
    respiratory_rate=16,
    spo2=98,
)


def test_a_mild_adult_with_good_values_is_eligible():
    decision = assess_home_care(BASE, MOH_604)
    assert decision.eligible
    assert decision.reasons == ()
    assert decision.rule_set_id == "moh-604-2022"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"respiratory_rate": 20}, "respiratory_rate_too_high"),
        ({"respiratory_rate": None}, "no_respiratory_rate"),
        ({"spo2": 96}, "spo2_too_low"),
        ({"spo2": None}, "no_spo2"),
        ({"severity": "moderate"}, "not_mild"),
        ({"on_room_air": False}, "not_on_room_air"),
        ({"comorbidities": (Comorbidity("diabetes", stable=False),)}, "comorbidity_not_stable"),
        ({"can_self_care": False}, "cannot_self_care"),
        ({"reachable_by_phone": False}, "not_reachable_by_phone"),
    ],
)
def test_each_failed_condition_gives_its_reason(changes, code):
    decision = assess_home_care(replace(BASE, **changes), MOH_604)
    assert not decision.eligible
    assert decision.codes == (code,)
    assert decision.reasons[0].message_vi
    assert decision.reasons[0].message_en


def test_the_edges_of_the_clinical_criteria():
    assert assess_home_care(replace(BASE, respiratory_rate=19), MOH_604).eligible
    assert assess_home_care(replace(BASE, spo2=97), MOH_604).eligible
    assert assess_home_care(replace(BASE, severity="asymptomatic"), MOH_604).eligible


def test_stable_comorbidities_are_allowed():
    stable = (Comorbidity("hypertension", stable=True), Comorbidity("diabetes", stable=True))
    decision = assess_home_care(replace(BASE, comorbidities=stable), MOH_604)
    assert decision.eligible
    # The reading "any number, if all stable" rests on an unconfirmed setting, and says so.
    assert "eligibility.comorbidities_max" in decision.unconfirmed_used


def test_every_reason_is_listed_not_only_the_first():
    decision = assess_home_care(
        replace(BASE, severity="severe", respiratory_rate=28, spo2=90, reachable_by_phone=False),
        MOH_604,
    )
    assert decision.codes == (
        "not_mild",
        "respiratory_rate_too_high",
        "spo2_too_low",
        "not_reachable_by_phone",
    )


def test_604_has_no_age_limit():
    assert assess_home_care(replace(BASE, birth_date=aged(85)), MOH_604).eligible
    assert assess_home_care(replace(BASE, birth_date=aged(0, 1)), MOH_604).eligible


def test_4038_age_and_vaccination_conditions():
    old = replace(BASE, birth_date=aged(51), fully_vaccinated=False)
    decision = assess_home_care(old, MOH_4038)
    assert decision.codes == ("too_old_not_vaccinated",)
    assert "eligibility.age_max_years" in decision.unconfirmed_used
    assert assess_home_care(replace(old, fully_vaccinated=True), MOH_4038).eligible
    assert assess_home_care(replace(old, birth_date=aged(50, 11)), MOH_4038).eligible
    assert assess_home_care(replace(BASE, birth_date=aged(0, 11)), MOH_4038).codes == ("too_young",)
    assert assess_home_care(replace(BASE, birth_date=aged(1)), MOH_4038).eligible


def test_hcmc_variant_spo2_at_least_97_and_age_3_months_to_64():
    assert assess_home_care(replace(BASE, spo2=96.5), MOH_604).eligible  # > 96
    assert assess_home_care(replace(BASE, spo2=96.5), HCMC).codes == ("spo2_too_low",)
    assert assess_home_care(replace(BASE, spo2=97), HCMC).eligible
    assert assess_home_care(replace(BASE, birth_date=aged(64, 11)), HCMC).eligible
    assert assess_home_care(replace(BASE, birth_date=aged(65)), HCMC).codes == ("too_old",)
    assert assess_home_care(replace(BASE, birth_date=aged(0, 3)), HCMC).eligible
    assert assess_home_care(replace(BASE, birth_date=aged(0, 2)), HCMC).codes == ("too_young",)
    # Vaccination does not lift the HCMC age limit.
    vaccinated = replace(BASE, birth_date=aged(70), fully_vaccinated=True)
    assert assess_home_care(vaccinated, HCMC).codes == ("too_old",)


def test_an_unknown_severity_is_a_programming_error():
    with pytest.raises(ValueError, match="severity"):
        assess_home_care(replace(BASE, severity="so-so"), MOH_604)


START = date(2022, 4, 1)


def test_days_count_from_the_isolation_start_date():
    assert isolation_day(START, START) == (0, 1)
    assert isolation_day(START, START + timedelta(days=7)) == (7, 8)


def test_discharge_is_too_early_before_the_minimum_days():
    decision = assess_discharge(START, START + timedelta(days=6), False, None, MOH_604)
    assert not decision.eligible
    assert decision.codes == ("too_early",)
    assert decision.earliest == START + timedelta(days=7)
    assert decision.days_since_start == 6
    assert "discharge.min_days" in decision.unconfirmed_used


def test_discharge_at_the_minimum_needs_a_negative_test_taken_from_that_day():
    day7 = START + timedelta(days=7)
    assert assess_discharge(START, day7, False, day7, MOH_604).eligible
    assert assess_discharge(START, day7, False, None, MOH_604).codes == ("negative_test_missing",)
    early_test = START + timedelta(days=5)
    assert assess_discharge(START, day7, False, early_test, MOH_604).codes == (
        "negative_test_missing",
    )


def test_after_the_longer_period_no_test_is_needed_unless_the_set_says_so():
    day10 = START + timedelta(days=10)
    assert assess_discharge(START, day10, False, None, MOH_604).eligible
    assert not assess_discharge(START, START + timedelta(days=9), False, None, MOH_604).eligible
    # 4038 (unconfirmed defaults): 14 days and always a negative test.
    assert assess_discharge(START, day10, False, None, MOH_4038).codes == ("too_early",)
    day14 = START + timedelta(days=14)
    assert assess_discharge(START, day14, False, None, MOH_4038).codes == ("negative_test_missing",)
    assert assess_discharge(START, day14, False, day14, MOH_4038).eligible


def test_symptoms_hold_discharge_back():
    day10 = START + timedelta(days=10)
    decision = assess_discharge(START, day10, True, day10, MOH_604)
    assert decision.codes == ("symptoms_present",)
    assert "discharge.symptom_free_required" in decision.unconfirmed_used


def test_a_date_before_the_start_is_refused():
    with pytest.raises(ValueError, match="before"):
        assess_discharge(START, START - timedelta(days=1), False, None, MOH_604)
