"""Questionnaire data is checked when loaded, with errors that say what and where."""

from __future__ import annotations

import copy
import json

import pytest

from phongdich.risk.errors import RuleDataError
from phongdich.risk.loading import DATA, read_json
from phongdich.risk.questionnaires import load_questionnaire

from .test_workplace import PASS_FAIL


def _doc(name="hcmc-1203.json"):
    return copy.deepcopy(read_json(DATA / "questionnaires" / name))


def _error(doc):
    with pytest.raises(RuleDataError) as caught:
        load_questionnaire(doc, "questionnaires/test.json")
    return caught.value


def test_shipped_questionnaires_load_and_add_up():
    q1203 = load_questionnaire(_doc())
    q2194 = load_questionnaire(_doc("bcdqg-2194.json"))
    assert len(q1203.indicators) == 10
    assert all((i.min_score, i.max_score) == (1, 10) for i in q1203.indicators)
    assert [i.key for i in q2194.indicators] == [f"cs{n}" for n in range(1, 16)]
    assert sum(i.max_score for i in q2194.indicators) == 300
    confirmed = [i.key for i in q2194.indicators if i.confirmed]
    assert confirmed == ["cs1", "cs2", "cs3"]


def test_a_missing_label_is_reported_with_its_path():
    doc = _doc()
    del doc["indicators"][2]["label_vi"]
    error = _error(doc)
    assert error.code == "rule_data_invalid"
    assert error.where == "$.indicators[2]"
    assert "'label_vi' is a required property" in error.message_en
    assert error.message_vi.startswith("Dữ liệu không đúng lược đồ")
    assert error.as_dict()["source"] == "questionnaires/test.json"


def test_a_wrong_option_score_type_is_reported_inside_the_answer():
    doc = _doc()
    doc["indicators"][4]["answer"]["options"][1]["score"] = "five"
    error = _error(doc)
    assert error.code == "rule_data_invalid"
    assert error.where == "$.indicators[4].answer.options[1].score"


def test_not_json_at_all(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"id": "x",', encoding="utf-8")
    with pytest.raises(RuleDataError) as caught:
        read_json(path)
    assert caught.value.code == "rule_data_not_json"


def _set(doc, path, value):
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


@pytest.mark.parametrize(
    ("name", "path", "value", "code"),
    [
        ("bcdqg-2194.json", ["scoring", "max_total"], 299, "rule_data_max_total"),
        ("hcmc-1203.json", ["indicators", 0, "max_score"], 9, "rule_data_max_score"),
        (
            "hcmc-1203.json",
            ["indicators", 0, "answer", "bands", 1, "below"],
            50,
            "rule_data_bounds_order",
        ),
        (
            "hcmc-1203.json",
            ["indicators", 0, "answer", "bands", 4, "below"],
            9000,
            "rule_data_number_bands",
        ),
        ("hcmc-1203.json", ["indicators", 3, "key"], "tp1", "rule_data_duplicate_key"),
        (
            "hcmc-1203.json",
            ["indicators", 2, "answer", "options", 1, "key"],
            "every_entrance",
            "rule_data_duplicate_key",
        ),
        ("hcmc-1203.json", ["scoring", "bands", 4, "up_to"], 90, "rule_data_bands"),
        ("hcmc-1203.json", ["scoring", "bands", 1, "up_to"], 5, "rule_data_bands"),
        (
            "hcmc-1203.json",
            ["scoring", "bands", 3, "blocking_score"],
            7,
            "rule_data_blocking_score",
        ),
        ("hcmc-1203.json", ["kind"], "pass_fail", "rule_data_invalid"),
        ("hcmc-1203.json", ["scoring", "rounding", "method"], "bankers", "rule_data_invalid"),
    ],
)
def test_it_rejects_questionnaires_that_make_no_sense(name, path, value, code):
    error = _error(_set(_doc(name), path, value))
    assert error.code == code
    assert error.message_vi and error.message_en and error.message_vi != error.message_en


def test_pass_fail_needs_yes_no_questions_and_no_scoring():
    doc = copy.deepcopy(PASS_FAIL)
    doc["indicators"][0]["answer"] = {
        "type": "choice",
        "options": [
            {"key": "a", "label_vi": "A", "label_en": "A", "score": 0},
            {"key": "b", "label_vi": "B", "label_en": "B", "score": 1},
        ],
    }
    assert _error(doc).code == "rule_data_answer_type"
    doc = copy.deepcopy(PASS_FAIL) | {"scoring": _doc()["scoring"]}
    assert _error(doc).code == "rule_data_invalid"


def test_shipped_files_are_plain_utf8_json():
    for folder in ("levels", "questionnaires", "schemas"):
        for path in (DATA / folder).iterdir():
            json.loads(path.read_bytes().decode("utf-8"))
