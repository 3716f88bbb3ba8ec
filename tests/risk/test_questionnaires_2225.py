"""Decision 2225/QĐ-BCĐQG as pass/fail data (docs/reference/risk.md §3.3), what drives a pass/fail
result, 1203's golden figures (CRLN = sum / 100, bands, "no component ≥ 7" for medium) and an
administrator's changes to a questionnaire."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from phongdich.core.models import Rule
from phongdich.core.rules import reset_cache, validate
from phongdich.lib.errors import InputErrors
from phongdich.risk.rules import current_questionnaires_for, questionnaires_with
from phongdich.risk.workplace import default_questionnaires, questionnaires_for, score, score_by_id


def trade():
    return default_questionnaires()[("bcdqg-2225-trade", 1)]


def food():
    return default_questionnaires()[("bcdqg-2225-food", 1)]


@pytest.mark.parametrize(
    ("kind", "ids"),
    [
        ("market", ["bcdqg-2225-trade"]),
        ("supermarket", ["bcdqg-2225-trade"]),
        ("mall", ["bcdqg-2225-trade"]),
        ("restaurant", ["bcdqg-2225-food"]),
        ("factory", ["hcmc-1203"]),
    ],
)
def test_2225_applies_to_markets_supermarkets_malls_and_restaurants(kind, ids):
    assert [q.id for q in questionnaires_for(kind)] == ids


def test_2225_is_pass_fail_and_every_criterion_is_marked_unconfirmed():
    for q in (trade(), food()):
        assert q.kind == "pass_fail" and q.decision == "2225/QĐ-BCĐQG"
        assert q.bands == () and q.divisor is None
        assert {i.type for i in q.indicators} == {"yes_no"}
        assert not any(i.confirmed for i in q.indicators)
    # The two kinds differ where the places differ: crowd limits for shops, tables for food.
    assert "crowd_limit" in {i.key for i in trade().indicators}
    assert "table_spacing" in {i.key for i in food().indicators}
    assert "table_spacing" not in {i.key for i in trade().indicators}


def _all(q, met=True):
    return {i.key: met for i in q.indicators}


def test_2225_pass_and_the_one_unmet_criterion_that_would_pass_it():
    q = food()
    passed = score(q, _all(q))
    assert (passed.passed, passed.failed, passed.drivers, passed.what_if) == (True, (), (), ())
    one = score(q, _all(q) | {"ventilation": False})
    assert (one.passed, one.failed) == (False, ("ventilation",))
    assert [d.key for d in one.drivers] == ["ventilation"]
    (change,) = one.what_if
    assert (change.key, change.band, change.may_operate) == ("ventilation", "pass", True)
    assert change.best_answer.label_en == "Yes (met)"
    assert len(one.unconfirmed) == len(q.indicators)


def test_2225_several_unmet_criteria_none_passes_alone():
    q = trade()
    result = score(q, _all(q) | {"masks": False, "crowd_limit": False})
    # Questionnaire order, each "fail" on its own: both must be met.
    assert result.failed == ("masks", "crowd_limit")
    assert [(w.key, w.band, w.may_operate) for w in result.what_if] == [
        ("masks", "fail", False),
        ("crowd_limit", "fail", False),
    ]


def test_2225_an_unanswered_criterion_is_named_not_taken_as_no():
    q = trade()
    answers = _all(q)
    del answers["bins"]
    with pytest.raises(InputErrors) as caught:
        score(q, answers | {"posters": "yes"})
    fields = {(e.field, e.code) for e in caught.value.errors}
    assert fields == {("bins", "answer_missing"), ("posters", "answer_not_yes_no")}


# --- 1203 golden figures (version 2, the newest): each answer's score from the bands in
# docs/reference/risk.md §3.1.

BEST = {
    "tp1": 50,  # < 100 → 1
    "tp2": 20,  # ≥ 16 m² → 1
    "tp3": "every_entrance",  # 1
    "tp4": 100,  # 1
    "tp5": 100,  # every worker checked → 1
    "tp6": "no_canteen",  # 1
    "tp7": 0,  # 1
    "tp8": 1,  # one area → 1
    "tp9": "daily",  # 1
    "tp10": "none",  # 1
}


@pytest.mark.parametrize(
    ("changes", "total", "band", "may_operate", "blocking"),
    [
        ({}, 10, "very_low", True, ()),
        # 500–< 1,000 workers → 5; 2.5–4 m² → 8; sum 10 − 2 + 5 + 8 = 21 → low.
        ({"tp1": 999, "tp2": "2.5"}, 21, "low", True, ()),
        # Exactly 30: 5 (500 workers) + 6 (4–9 m²) + 5 + 4 (80–<100 %) + 5 (4 areas), five at 1,
        # → medium, and no component ≥ 7, so it may operate.
        (
            {"tp1": 500, "tp2": 4, "tp3": "some_entrances", "tp4": 80, "tp8": 4},
            30,
            "medium",
            True,
            (),
        ),
        # One point under: 5 + 6 + 5 + 5 (4 areas) + 3 (15 % on buses), five at 1 = 29.
        (
            {"tp1": 500, "tp2": 4, "tp3": "some_entrances", "tp8": 4, "tp7": 15},
            29,
            "low",
            True,
            (),
        ),
        (
            {
                "tp1": 500,
                "tp2": 4,
                "tp3": "some_entrances",
                "tp4": 80,
                "tp8": 4,
                "tp6": "one_metre",
            },
            34,
            "medium",
            True,
            (),
        ),
        (
            {
                "tp1": 500,
                "tp2": 4,
                "tp3": "some_entrances",
                "tp4": 80,
                "tp8": 4,
                "tp6": "one_metre",
                "tp9": "sometimes",
            },
            38,
            "medium",
            True,
            (),
        ),
        # The same with one component at exactly 7 (1,000 workers): medium, may not operate.
        (
            {
                "tp1": 1000,
                "tp2": 4,
                "tp3": "some_entrances",
                "tp4": 80,
                "tp8": 4,
                "tp6": "one_metre",
                "tp9": "sometimes",
            },
            40,
            "medium",
            False,
            ("tp1",),
        ),
        # Two components at 7 or more: both named.
        ({"tp1": 1000, "tp2": "3", "tp4": 79, "tp6": "crowded"}, 38, "medium", False, None),
        ({"tp1": 5000, "tp2": "1", "tp3": "none", "tp4": 0, "tp5": 0}, 55, "high", False, ()),
    ],
)
def test_1203_golden_index_is_the_sum_over_100(changes, total, band, may_operate, blocking):
    result = score_by_id("hcmc-1203", BEST | changes)
    assert result.total == total
    assert result.index == total  # CRLN = sum / 100, shown in per cent
    assert result.band.key == band
    assert result.may_operate is may_operate
    if blocking is not None:
        assert result.blocking == blocking
    else:
        assert set(result.blocking) == {"tp1", "tp2", "tp4", "tp6"}


@pytest.mark.parametrize(("areas", "points"), [(1, 1), (2, 3), (3, 3), (4, 5), (9, 7), (10, 10)])
def test_1203_v2_more_pick_up_areas_score_higher(areas, points):
    result = score_by_id("hcmc-1203", BEST | {"tp8": areas})
    assert result.total == 9 + points


def test_1203_version_1_still_reads_answers_stored_with_it():
    v1 = default_questionnaires()[("hcmc-1203", 1)]
    answers = BEST | {"tp5": "every_entry", "tp8": "yes"}
    assert score(v1, answers).total == 10
    with pytest.raises(InputErrors):
        score_by_id("hcmc-1203", answers)  # the newest version counts areas


def test_1203_every_component_has_answers_from_1_to_10():
    (q,) = questionnaires_for("factory")
    assert [i.key for i in q.indicators] == [f"tp{n}" for n in range(1, 11)]
    assert all((i.min_score, i.max_score) == (1, 10) for i in q.indicators)
    assert [i.key for i in q.indicators if i.confirmed] == ["tp1", "tp2"]


def test_2194_structure_15_indicators_300_points_five_bands():
    q = default_questionnaires()[("bcdqg-2194", 1)]
    assert len(q.indicators) == 15 and q.divisor == 300
    assert sum(i.max_score for i in q.indicators) == 300
    assert [b.key for b in q.bands] == ["very_low", "low", "medium", "high", "very_high"]


# --- an administrator's changes


def test_an_administrators_change_is_checked_and_gives_a_new_version():
    indicators = [
        {"key": "masks", "label_vi": "Khẩu trang", "label_en": "Masks", "confirmed": True,
         "answer": {"type": "yes_no"}},
    ]  # fmt: skip
    found = questionnaires_with({"bcdqg-2225-food": {"version": 2, "indicators": indicators}})
    assert ("bcdqg-2225-food", 1) in found  # stored answers keep their version
    assert [i.key for i in found[("bcdqg-2225-food", 2)].indicators] == ["masks"]
    validate("risk.questionnaire_overrides", {"bcdqg-2225-food": {"indicators": indicators}})
    for bad in (
        {"bcdqg-2225-food": {"indicators": []}},
        {"bcdqg-2225-food": {"kind": "scored"}},  # scored without scoring
        {"hcmc-1203": {"indicators": indicators}},  # maxima no longer add up to 100
        {"bcdqg-2225-food": "nope"},
    ):
        with pytest.raises(ValidationError):
            validate("risk.questionnaire_overrides", bad)


@pytest.mark.django_db
def test_the_newest_changed_version_is_the_one_businesses_answer():
    indicators = [
        {"key": "masks", "label_vi": "Khẩu trang", "label_en": "Masks", "confirmed": True,
         "answer": {"type": "yes_no"}},
    ]  # fmt: skip
    Rule.objects.create(
        key="risk.questionnaire_overrides",
        value={"bcdqg-2225-food": {"version": 2, "indicators": indicators}},
    )
    reset_cache()
    try:
        (q,) = current_questionnaires_for("restaurant")
        assert (q.id, q.version) == ("bcdqg-2225-food", 2)
    finally:
        # The rules are cached per process: later tests must not see this rolled-back change.
        Rule.objects.filter(key="risk.questionnaire_overrides").delete()
        reset_cache()
