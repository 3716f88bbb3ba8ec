"""Rule-set selection by date and place, inheritance, and the unconfirmed flags."""

from __future__ import annotations

import json
from datetime import date

import pytest

from phongdich.care.errors import CareError
from phongdich.care.rulesets import get_rule_set, load_catalogue, select_rule_set


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2021, 8, 21), "moh-4038-2021"),
        (date(2022, 1, 30), "moh-4038-2021"),
        (date(2022, 1, 31), "moh-261-2022"),
        (date(2022, 3, 13), "moh-261-2022"),
        (date(2022, 3, 14), "moh-604-2022"),
        (date(2026, 1, 1), "moh-604-2022"),
    ],
)
def test_the_decision_in_force_is_chosen_by_date(day, expected):
    assert select_rule_set(day).id == expected


def test_before_the_first_decision_there_is_no_rule_set():
    with pytest.raises(CareError) as raised:
        select_rule_set(date(2021, 8, 20))
    assert raised.value.code == "no_rule_set_in_force"


def test_604_inherits_the_261_values_and_keeps_its_own_identity():
    base, later = get_rule_set("moh-261-2022"), get_rule_set("moh-604-2022")
    assert later.document == "604/QĐ-BYT"
    assert later.form_version == "604/QĐ-BYT/PL2"
    assert later.warnings == base.warnings
    assert later.eligibility == base.eligibility


def test_4038_keeps_its_age_conditions_and_marks_them_unconfirmed():
    rule_set = get_rule_set("moh-4038-2021")
    assert rule_set.eligibility["age_max_years"] == 50
    assert rule_set.is_unconfirmed("eligibility.age_max_years")
    assert rule_set.is_unconfirmed("eligibility.older_allowed_if_vaccinated")
    # 261's own notes are inherited.
    assert rule_set.is_unconfirmed("discharge.min_days")


def test_the_reference_values_are_not_flagged_and_the_missing_ones_are():
    rule_set = get_rule_set("moh-604-2022")
    for key in (
        "warnings.spo2_at_most",
        "warnings.systolic_below",
        "eligibility.spo2_above",
        "eligibility.respiratory_rate_below",
    ):
        assert not rule_set.is_unconfirmed(key), key
    for key in ("min_days", "negative_test_required", "release_without_test_after_days"):
        assert rule_set.is_unconfirmed(f"discharge.{key}")
    assert rule_set.is_unconfirmed("warnings.respiratory_rate_at_least.0")


def test_ho_chi_minh_city_applies_its_overlay_on_the_decision_in_force():
    hcmc = select_rule_set(date(2022, 4, 1), "VN-SG")
    assert hcmc.id == "moh-604-2022+hcmc-home-care"
    assert hcmc.eligibility["spo2_at_least"] == 97
    assert hcmc.eligibility["spo2_above"] is None
    assert hcmc.eligibility["age_min_months"] == 3
    assert hcmc.eligibility["age_max_years"] == 64
    assert hcmc.warnings == get_rule_set("moh-604-2022").warnings
    assert hcmc.is_unconfirmed("hcmc-home-care.valid_from")
    # In 2021 the overlay sits on 4038 and replaces its (unconfirmed) age limits.
    autumn = select_rule_set(date(2021, 9, 1), "VN-SG")
    assert autumn.id == "moh-4038-2021+hcmc-home-care"
    assert autumn.eligibility["age_max_years"] == 64
    assert not autumn.is_unconfirmed("eligibility.age_max_years")


def test_other_provinces_get_the_national_set():
    assert select_rule_set(date(2022, 4, 1), "VN-38").id == "moh-604-2022"


def _write(folder, name, data):
    (folder / name).write_text(json.dumps(data), encoding="utf-8")


def test_an_administrator_can_supply_a_new_decision_as_a_file(tmp_path):
    base = {
        "id": "base",
        "document": "1/QĐ",
        "title_vi": "a",
        "title_en": "a",
        "valid_from": "2030-01-01",
        "valid_until": "2030-12-31",
        "warnings": {"spo2_at_most": 96, "pulse_above": 120},
    }
    _write(tmp_path, "base.json", base)
    _write(
        tmp_path,
        "next.json",
        {
            "id": "next",
            "extends": "base",
            "document": "2/QĐ",
            "valid_from": "2031-01-01",
            "valid_until": None,
            "warnings": {"spo2_at_most": 95},
        },
    )
    catalogue = load_catalogue(tmp_path)
    chosen = select_rule_set(date(2031, 6, 1), catalogue=catalogue)
    assert chosen.id == "next"
    assert chosen.warnings == {"spo2_at_most": 95, "pulse_above": 120}
    assert select_rule_set(date(2030, 6, 1), catalogue=catalogue).id == "base"


def test_overlapping_national_sets_are_refused(tmp_path):
    for name in ("a", "b"):
        _write(
            tmp_path,
            f"{name}.json",
            {
                "id": name,
                "document": name,
                "title_vi": name,
                "title_en": name,
                "valid_from": "2030-01-01",
                "valid_until": None,
            },
        )
    with pytest.raises(CareError) as raised:
        select_rule_set(date(2030, 2, 1), catalogue=load_catalogue(tmp_path))
    assert raised.value.code == "no_rule_set_in_force"


def test_an_inheritance_loop_is_refused(tmp_path):
    common = {"document": "x", "title_vi": "x", "title_en": "x", "valid_from": "2030-01-01"}
    _write(tmp_path, "a.json", {"id": "a", "extends": "b", **common})
    _write(tmp_path, "b.json", {"id": "b", "extends": "a", **common})
    with pytest.raises(ValueError, match="loops"):
        load_catalogue(tmp_path)


def test_unknown_rule_set():
    with pytest.raises(CareError) as raised:
        get_rule_set("moh-9999")
    assert raised.value.code == "unknown_rule_set"
