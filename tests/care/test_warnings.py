"""Golden tests of the warning signs (docs/reference/care.md, "Warning signs"): every threshold
edge per age band, the SpO2 re-measure step, symptoms and the age-specific forms."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from phongdich.care.errors import CareError
from phongdich.care.reports import Report, age_in_months, form_for_age, form_version, symptoms
from phongdich.care.rulesets import get_rule_set
from phongdich.care.warnings import ALERT, OK, REMEASURE, evaluate

# 1 Apr 2022, 08:00 in Vietnam: decision 604/QĐ-BYT is in force.
MORNING = datetime(2022, 4, 1, 1, 0, tzinfo=UTC)
DAY = date(2022, 4, 1)
NORMAL = {
    "respiratory_rate": 16,
    "pulse": 80,
    "temperature_c": 36.8,
    "spo2": 98,
    "systolic": 120,
    "diastolic": 80,
}


def born(years: int, months: int = 0) -> date:
    """A birth date that makes the patient exactly ``years`` and ``months`` old on DAY."""
    total = DAY.year * 12 + DAY.month - 1 - years * 12 - months
    return date(total // 12, total % 12 + 1, 1)


def report(**changes) -> Report:
    values = {**NORMAL, **changes}
    return Report(measured_at=MORNING, form_version="604/QĐ-BYT/PL2/adult", **values)


def test_born_gives_the_age_asked_for():
    assert age_in_months(born(4, 11), DAY) == 59
    assert age_in_months(born(5), DAY) == 60
    assert age_in_months(born(30), DAY) == 360


def test_a_normal_adult_report_is_ok_with_the_advice_to_keep_monitoring():
    result = evaluate(report(), born(30))
    assert result.status == OK
    assert result.signs == ()
    assert result.rule_set_id == "moh-604-2022"
    assert "2 lần mỗi ngày" in result.advice_vi
    assert "twice a day" in result.advice_en


# (age in years, months; quiet value; value that fires) — the respiratory-rate bands.
RR_EDGES = [
    ((30, 0), 19, 20),  # adult ≥ 20
    ((16, 0), 19, 20),
    ((12, 0), 19, 20),  # the adult threshold from 12 years
    ((11, 11), 29, 30),  # 5–< 12 years ≥ 30
    ((11, 0), 29, 30),
    ((5, 0), 29, 30),
    ((4, 11), 39, 40),  # 1–< 5 years ≥ 40
    ((4, 0), 39, 40),
    ((1, 0), 39, 40),
    ((0, 11), 49, 50),  # 2–< 12 months ≥ 50 (unconfirmed default)
    ((0, 1), 59, 60),  # under 2 months ≥ 60 (unconfirmed default)
]


@pytest.mark.parametrize(("age", "quiet", "fires"), RR_EDGES)
def test_respiratory_rate_edge_per_age_band(age, quiet, fires):
    birth = born(*age)
    assert evaluate(report(respiratory_rate=quiet), birth).status == OK
    result = evaluate(report(respiratory_rate=fires), birth)
    assert result.status == ALERT
    assert result.codes == ("respiratory_rate_high",)
    assert result.signs[0].value == fires
    assert f"≥ {fires}" in result.signs[0].message_en


@pytest.mark.parametrize(
    ("field", "quiet", "fires", "code"),
    [
        ("pulse", 120, 121, "pulse_high"),
        ("pulse", 50, 49, "pulse_low"),
        ("systolic", 90, 89, "systolic_low"),
        ("diastolic", 60, 59, "diastolic_low"),
    ],
)
@pytest.mark.parametrize("age", [(30, 0), (8, 0), (2, 0)])
def test_pulse_and_blood_pressure_edges(field, quiet, fires, code, age):
    assert evaluate(report(**{field: quiet}), born(*age)).status == OK
    result = evaluate(report(**{field: fires}), born(*age))
    assert result.status == ALERT
    assert result.codes == (code,)


def test_spo2_96_asks_for_a_second_reading_and_97_does_not():
    assert evaluate(report(spo2=97), born(30)).status == OK
    result = evaluate(report(spo2=96), born(30))
    assert result.status == REMEASURE
    assert result.codes == ("spo2_low",)
    assert result.remeasure_after_seconds == (30, 60)
    assert "30 giây đến 60 giây" in result.advice_vi


@pytest.mark.parametrize(
    "other",
    [{"respiratory_rate": 20}, {"pulse": 121}, {"systolic": 89}, {"symptoms": {"chest_pain"}}],
)
def test_low_spo2_with_another_sign_alerts_at_once(other):
    result = evaluate(report(spo2=95, **other), born(30))
    assert result.status == ALERT
    assert result.remeasure_after_seconds is None
    assert "spo2_low" in result.codes
    assert len(result.codes) == 2


def test_a_second_low_reading_alerts():
    result = evaluate(report(spo2=96, spo2_repeat=95), born(30))
    assert result.status == ALERT
    assert result.codes == ("spo2_low",)
    assert result.signs[0].value == 95


def test_a_normal_second_reading_clears_the_first():
    result = evaluate(report(spo2=96, spo2_repeat=97), born(30))
    assert result.status == OK
    assert result.signs == ()


def test_a_low_second_reading_after_a_normal_first_is_itself_remeasured():
    assert evaluate(report(spo2=97, spo2_repeat=96), born(30)).status == REMEASURE


def test_fever_over_39_alerts_under_5_only():
    assert evaluate(report(temperature_c=39.0), born(4, 11)).status == OK
    result = evaluate(report(temperature_c=39.1), born(4, 11))
    assert result.codes == ("fever_high_under_5",)
    assert evaluate(report(temperature_c=39.5), born(5)).status == OK
    assert evaluate(report(temperature_c=39.5), born(30)).status == OK


WARNING_SYMPTOMS = [
    "breathlessness",
    "chest_pain",
    "confusion",
    "cyanosis",
    "pallor_cold_extremities",
    "new_acute_illness",
    "other_instability",
    "grunting",
    "chest_indrawing",
    "nasal_flaring",
    "wheeze",
    "stridor",
    "cannot_drink",
    "vomiting_child",
    "misc_signs",
]


@pytest.mark.parametrize("code", WARNING_SYMPTOMS)
def test_each_warning_symptom_alerts_with_its_text(code):
    result = evaluate(report(symptoms=frozenset({code})), born(3))
    assert result.status == ALERT
    assert result.codes == (f"symptom_{code}",)
    assert result.signs[0].message_vi.startswith(symptoms()[code].vi)
    assert result.signs[0].message_en.startswith(symptoms()[code].en)


def test_ordinary_symptoms_do_not_alert():
    ordinary = frozenset({"fatigue", "cough", "loss_of_taste_smell", "sore_throat", "headache"})
    assert evaluate(report(symptoms=ordinary), born(30)).status == OK


def test_every_sign_that_fired_is_returned():
    result = evaluate(
        report(respiratory_rate=32, pulse=130, diastolic=55, symptoms={"breathlessness"}),
        born(40),
    )
    assert set(result.codes) == {
        "respiratory_rate_high",
        "pulse_high",
        "diastolic_low",
        "symptom_breathlessness",
    }


def test_missing_optional_values_are_not_judged():
    bare = Report(measured_at=MORNING, form_version="604/QĐ-BYT/PL2/adult", spo2=98)
    assert evaluate(bare, born(30)).status == OK


def test_the_rule_set_in_force_on_the_local_date_is_used():
    birth = born(30)
    # 13 Mar 2022 23:59 in Vietnam is still 261; one minute later 604 is in force.
    before = Report(measured_at=datetime(2022, 3, 13, 16, 59, tzinfo=UTC), form_version="x")
    after = Report(measured_at=datetime(2022, 3, 13, 17, 0, tzinfo=UTC), form_version="x")
    assert evaluate(before, birth).rule_set_id == "moh-261-2022"
    assert evaluate(after, birth).rule_set_id == "moh-604-2022"
    autumn = Report(measured_at=datetime(2021, 9, 1, 3, tzinfo=UTC), form_version="x")
    assert evaluate(autumn, birth).rule_set_id == "moh-4038-2021"


def test_no_rule_set_before_the_first_decision():
    old = Report(measured_at=datetime(2020, 5, 1, 3, tzinfo=UTC), form_version="x", spo2=98)
    with pytest.raises(CareError) as raised:
        evaluate(old, born(30))
    assert raised.value.code == "no_rule_set_in_force"
    assert raised.value.message_vi
    # An explicit rule set still judges it (imported historic data).
    assert evaluate(old, date(1980, 1, 1), rule_set=get_rule_set("moh-604-2022")).status == OK


@pytest.mark.parametrize(
    ("age", "form", "has_bp", "has_grunting"),
    [
        ((0, 3), "child_under_5", False, True),
        ((4, 11), "child_under_5", False, True),
        ((5, 0), "child_5_11", False, True),
        ((11, 11), "child_5_11", False, True),
        ((12, 0), "child_12_16", True, True),
        ((15, 11), "child_12_16", True, True),
        ((16, 0), "adult", True, False),
        ((70, 0), "adult", True, False),
    ],
)
def test_age_specific_forms(age, form, has_bp, has_grunting):
    chosen = form_for_age(age_in_months(born(*age), DAY))
    assert chosen.code == form
    assert {"respiratory_rate", "pulse", "temperature_c", "spo2"} <= set(chosen.fields)
    assert ("systolic" in chosen.fields) is has_bp
    assert ("diastolic" in chosen.fields) is has_bp
    assert ("grunting" in chosen.symptoms) is has_grunting
    assert {"breathlessness", "chest_pain", "confusion", "cough"} <= set(chosen.symptoms)


def test_the_form_version_names_the_decision_and_the_form():
    version = form_version(get_rule_set("moh-261-2022"), form_for_age(30))
    assert version == "261/QĐ-BYT/PL2/child_under_5"
    stored = report().as_dict()
    assert stored["form_version"] == "604/QĐ-BYT/PL2/adult"
    assert Report.from_dict(stored) == report()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"spo2": 101}, "implausible_spo2"),
        ({"temperature_c": 98.6}, "implausible_temperature_c"),
        ({"respiratory_rate": 0}, "implausible_respiratory_rate"),
        ({"symptoms": frozenset({"sneezing"})}, "unknown_symptom"),
    ],
)
def test_implausible_entries_are_refused_with_a_code(changes, code):
    with pytest.raises(CareError) as raised:
        report(**changes)
    assert raised.value.code == code
    assert raised.value.message_vi
    assert raised.value.message_en


def test_a_naive_time_is_refused():
    with pytest.raises(CareError) as raised:
        Report(measured_at=datetime(2022, 4, 1, 8), form_version="x")
    assert raised.value.code == "naive_datetime"
