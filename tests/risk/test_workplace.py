"""Workplace self-assessment (docs/reference/risk.md §3): the 1203 questionnaire end to end,
2194 banding at its gaps, drivers and what-if, pass/fail, and bad answers.

Expected figures are worked out by hand from the answer bands in the reference doc."""

from __future__ import annotations

import copy
from fractions import Fraction

import pytest

from phongdich.lib.errors import InputErrors
from phongdich.risk.loading import DATA, read_json
from phongdich.risk.workplace import (
    default_questionnaires,
    load_questionnaire,
    questionnaires_for,
    score,
    score_by_id,
)


def q1203():
    return default_questionnaires()[("hcmc-1203", 1)]


def q2194():
    return default_questionnaires()[("bcdqg-2194", 1)]


# A garment factory (worked example, docs/reference/risk.md): 1,200 workers on site → TP1 7;
# 5 m² each → TP2 6 (4–9 m²); sanitiser at every entrance → 1; everyone masked (100 %) → 1;
# temperature at every entry → 1; canteen seats 1–2 m apart → 5; 40 % on company buses → 5;
# pick-up points ≥ 3 km apart → 1; masks issued daily → 1; some night shifts → 5.
# Sum 7+6+1+1+1+5+5+1+1+5 = 33 → CRLN 33 % → medium; TP1 scores ≥ 7, so it may not operate.
FACTORY = {
    "tp1": 1200,
    "tp2": "5",
    "tp3": "every_entrance",
    "tp4": 100,
    "tp5": "every_entry",
    "tp6": "one_metre",
    "tp7": 40,
    "tp8": "yes",
    "tp9": "daily",
    "tp10": "some",
}


def test_1203_worked_example_end_to_end():
    result = score_by_id("hcmc-1203", FACTORY, version=1)
    assert result.total == 33
    assert result.index == 33
    assert result.band.key == "medium"
    assert result.may_operate is False
    assert result.blocking == ("tp1",)
    vi, en = result.operation_messages
    assert "7 điểm" in vi and "7 or more" in en
    assert [s.score for s in result.scores] == [7, 6, 1, 1, 1, 5, 5, 1, 1, 5]
    # Drivers: points above each component's lowest score (1), most first.
    assert [d.key for d in result.drivers] == ["tp1", "tp2", "tp6", "tp7", "tp10"]
    assert [d.excess for d in result.drivers] == [6, 5, 4, 4, 4]


def test_1203_what_if_puts_the_biggest_single_drop_first():
    result = score_by_id("hcmc-1203", FACTORY, version=1)
    best = result.best_change
    # Fewer than 100 workers on site (e.g. shifts): 33 − 7 + 1 = 27 % → low, may operate.
    assert (best.key, best.current_score, best.best_score) == ("tp1", 7, 1)
    assert best.best_answer.label_vi == "dưới 100 người"
    assert best.best_answer.label_en == "under 100 people"
    assert (best.index, best.band, best.index_drop, best.may_operate) == (27, "low", 6, True)
    second = result.what_if[1]
    assert (second.key, second.index, second.band) == ("tp2", 28, "low")
    assert second.best_answer.label_en == "16 m² per person or more"
    # Components already at their lowest score offer nothing.
    assert {w.key for w in result.what_if} == {"tp1", "tp2", "tp6", "tp7", "tp10"}
    assert [w.index_drop for w in result.what_if] == [6, 5, 4, 4, 4]


def test_1203_medium_may_operate_when_no_component_reaches_7():
    # 600 workers → 5; 5 m² → 6; some entrances → 5; 90 % masked → 4; daily temperature → 5;
    # 1–2 m canteen → 5; the rest at 1 → 5+6+5+4+5+5+1+1+1+1 = 34 → medium, nothing ≥ 7.
    answers = FACTORY | {
        "tp1": 600,
        "tp3": "some_entrances",
        "tp4": 90,
        "tp5": "daily",
        "tp7": 5,
        "tp10": "none",
    }
    result = score(q1203(), answers)
    assert (result.total, result.band.key, result.may_operate, result.blocking) == (
        34,
        "medium",
        True,
        (),
    )


def test_1203_lowest_and_highest_possible_answers():
    q = q1203()
    best = {i.key: i.best_answer().key for i in q.indicators if i.type == "choice"}
    best |= {"tp1": 0, "tp2": 100, "tp4": 100, "tp7": 0}  # few workers, space, masks, no buses
    worst = {
        "tp1": 5000,
        "tp2": 0.5,
        "tp3": "none",
        "tp4": 0,
        "tp5": "none",
        "tp6": "crowded",
        "tp7": 100,
        "tp8": "no",
        "tp9": "never",
        "tp10": "most",
    }
    low, high = score(q, best), score(q, worst)
    assert (low.index, low.band.key, low.may_operate, low.what_if) == (10, "very_low", True, ())
    assert (high.index, high.band.key, high.may_operate) == (100, "very_high", False)


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (10, "very_low"),
        (11, "low"),
        (29, "low"),
        (30, "medium"),
        (49, "medium"),
        (50, "high"),
        (79, "high"),
        (80, "very_high"),
        (100, "very_high"),
    ],
)
def test_1203_band_edges(total, band):
    q = q1203()
    index, banded = q.index_of(Fraction(total))
    assert index == banded == total  # CRLN = sum / 100, shown in %
    assert q.band_of(banded).key == band


@pytest.mark.parametrize(
    ("total", "index", "band"),
    [
        (45, Fraction(15), "very_low"),
        (46, Fraction(46, 3), "very_low"),  # 15.33 % rounds to 15
        (47, Fraction(47, 3), "low"),  # 15.67 % rounds to 16
        (90, Fraction(30), "low"),
        (92, Fraction(92, 3), "medium"),  # 30.67 → 31
        (150, Fraction(50), "medium"),
        (152, Fraction(152, 3), "high"),  # 50.67 → 51
        (241, Fraction(241, 3), "high"),  # 80.33 → 80
        (242, Fraction(242, 3), "very_high"),  # 80.67 → 81
        (300, Fraction(100), "very_high"),
    ],
)
def test_2194_bands_with_the_default_rounding(total, index, band):
    q = q2194()
    exact_index, banded = q.index_of(Fraction(total))
    assert exact_index == index  # sum / 300 × 100
    assert q.band_of(banded).key == band


def _2194_with(mutate):
    doc = copy.deepcopy(read_json(DATA / "questionnaires" / "bcdqg-2194.json"))
    mutate(doc)
    return load_questionnaire(doc)


@pytest.mark.parametrize(
    ("method", "total", "band"),
    [
        ("ceil", 46, "low"),
        ("floor", 47, "very_low"),
        ("none", 46, "low"),
        ("half_up", 46, "very_low"),
    ],
)
def test_2194_rounding_is_a_setting(method, total, band):
    q = _2194_with(lambda d: d["scoring"]["rounding"].update(method=method))
    assert q.band_of(q.index_of(Fraction(total))[1]).key == band


def _answers_2194(**changes):
    answers = {f"cs{n}": "low" for n in range(4, 16)}
    # 1,200 workers → 8; 0.8 m² each → 10; an F2 among them → 5; CS4–CS15 at 0.
    answers |= {"cs1": 1200, "cs2": 0.8, "cs3": "f2"}
    return answers | changes


def test_2194_end_to_end_with_what_if():
    result = score(q2194(), _answers_2194())
    assert result.total == 23
    assert result.index == Fraction(23, 3)  # 7.67 %
    assert (result.banded_index, result.band.key, result.may_operate) == (8, "very_low", None)
    assert "rounding" in result.unconfirmed
    # ≥ 1 m² per worker removes 10 points (the most), fewer than 50 workers 7, no F2 5.
    assert [(w.key, w.best_score, w.index_drop) for w in result.what_if] == [
        ("cs2", 0, Fraction(10, 3)),
        ("cs1", 1, Fraction(7, 3)),
        ("cs3", 0, Fraction(5, 3)),
    ]
    assert result.best_change.best_answer.label_vi == "từ 1 m²/người trở lên"


def test_2194_placeholder_indicator_moves_the_band_and_is_marked_unconfirmed():
    result = score(q2194(), _answers_2194(cs4="high"))  # + 25 → 48 → 16 % → low
    assert (result.total, result.banded_index, result.band.key) == (48, 16, "low")
    assert result.best_change.key == "cs4"
    assert result.best_change.band == "very_low"
    assert "cs4" in result.unconfirmed
    assert "cs1" not in result.unconfirmed


def test_questionnaires_are_found_by_kind_of_establishment():
    assert [q.id for q in questionnaires_for("factory")] == ["hcmc-1203"]
    assert [q.id for q in questionnaires_for("production_business")] == ["bcdqg-2194"]
    assert questionnaires_for("household_business") == []


PASS_FAIL = {
    "id": "test-pass-fail",
    "version": 1,
    "decision": "test",
    "title_vi": "Bộ tiêu chí thử",
    "title_en": "Test criteria",
    "establishment_kinds": ["restaurant"],
    "kind": "pass_fail",
    "indicators": [
        {
            "key": "distancing",
            "label_vi": "Giãn cách",
            "label_en": "Distancing",
            "confirmed": True,
            "answer": {"type": "yes_no"},
        },
        {
            "key": "vaccinated_staff",
            "label_vi": "Nhân viên đã tiêm",
            "label_en": "Staff vaccinated",
            "confirmed": False,
            "answer": {"type": "yes_no"},
        },
    ],
}


def test_pass_fail_questionnaire():
    q = load_questionnaire(PASS_FAIL)
    passed = score(q, {"distancing": True, "vaccinated_staff": True})
    failed = score(q, {"distancing": True, "vaccinated_staff": False})
    assert (passed.passed, passed.failed) == (True, ())
    assert (failed.passed, failed.failed) == (False, ("vaccinated_staff",))
    assert failed.band is None and failed.index is None
    assert failed.unconfirmed == ("vaccinated_staff",)


def test_bad_answers_give_one_bilingual_error_per_indicator():
    answers = FACTORY | {"tp1": -5, "tp3": "sometimes", "tp4": True, "tp99": 1}
    del answers["tp10"]
    with pytest.raises(InputErrors) as caught:
        score(q1203(), answers)
    codes = {e.field: e.code for e in caught.value.errors}
    assert codes == {
        "tp99": "answer_unknown_indicator",
        "tp1": "answer_negative",
        "tp3": "answer_unknown_option",
        "tp4": "answer_not_a_number",
        "tp10": "answer_missing",
    }
    assert all(e.message_vi and e.message_en for e in caught.value.errors)


def test_unknown_questionnaire():
    with pytest.raises(InputErrors) as caught:
        score_by_id("hcmc-9999", {})
    assert caught.value.errors[0].code == "unknown_questionnaire"
