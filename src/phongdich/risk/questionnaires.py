"""Workplace self-assessment questionnaires as data: the model, loading and its checks.

Questionnaires (``data/questionnaires/*.json``) are versioned, per kind of establishment, and
either *scored* (HCMC 1203/QĐ-BCĐ, national 2194/QĐ-BCĐQG) or *pass/fail* (later HCMC sets such
as 1303/QĐ-BCĐ). Facts, sources and what is unconfirmed: ``docs/reference/risk.md`` §3.

Scoring and what-if: :mod:`phongdich.risk.workplace`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cache
from typing import Any

from phongdich.risk.loading import DATA, check_schema, exact, fail, read_json

SCHEMA = "questionnaire.schema.json"


# --- questionnaire (data) --------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One possible answer: a choice option, or a numeric band [low, below)."""

    key: str  # option key, or "band_<n>" for a numeric band
    score: Fraction
    label_vi: str
    label_en: str
    low: Fraction | None = None
    below: Fraction | None = None
    confirmed: bool = True


@dataclass(frozen=True)
class Indicator:
    key: str
    label_vi: str
    label_en: str
    type: str  # "number", "choice", "yes_no"
    answers: tuple[Answer, ...]  # empty for yes_no
    confirmed: bool
    adjustable: bool

    @property
    def min_score(self) -> Fraction:
        return min((a.score for a in self.answers), default=Fraction(0))

    @property
    def max_score(self) -> Fraction:
        return max((a.score for a in self.answers), default=Fraction(0))

    def best_answer(self) -> Answer | None:
        """The lowest-scoring answer (the first one on a tie)."""
        return min(self.answers, key=lambda a: a.score) if self.answers else None


@dataclass(frozen=True)
class Band:
    key: str
    label_vi: str
    label_en: str
    up_to: Fraction
    inclusive: bool
    operation: str | None
    blocking_score: Fraction | None
    confirmed: bool

    def holds(self, index: Fraction) -> bool:
        return index <= self.up_to if self.inclusive else index < self.up_to


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: int
    decision: str
    title_vi: str
    title_en: str
    establishment_kinds: tuple[str, ...]
    kind: str  # "scored" or "pass_fail"
    indicators: tuple[Indicator, ...]
    divisor: Fraction | None = None
    rounding: str = "none"
    rounding_confirmed: bool = True
    bands: tuple[Band, ...] = ()

    def index_of(self, total: Fraction) -> tuple[Fraction, Fraction]:
        """(exact index in %, the value banded after the rounding setting)."""
        assert self.divisor is not None  # noqa: S101 — only scored questionnaires get here
        index = total * 100 / self.divisor
        if self.rounding == "half_up":
            return index, Fraction(math.floor(index + Fraction(1, 2)))
        if self.rounding == "ceil":
            return index, Fraction(math.ceil(index))
        if self.rounding == "floor":
            return index, Fraction(math.floor(index))
        return index, index

    def band_of(self, banded: Fraction) -> Band:
        for band in self.bands:
            if band.holds(banded):
                return band
        return self.bands[-1]  # load_questionnaire checks the last band covers the maximum


def load_questionnaire(document: Mapping[str, Any], source: str = "") -> Questionnaire:
    """Check a questionnaire (schema, then sense) and build it; raises RuleDataError."""
    source = source or str(document.get("id", ""))
    check_schema(document, SCHEMA, source)
    indicators = tuple(
        _indicator(doc, f"$.indicators[{i}]", source)
        for i, doc in enumerate(document["indicators"])
    )
    keys = [i.key for i in indicators]
    if len(set(keys)) != len(keys):
        raise fail(
            "rule_data_duplicate_key", "Khóa bị trùng.", "Duplicate key.", "$.indicators", source
        )
    common = {
        "id": document["id"],
        "version": document["version"],
        "decision": document["decision"],
        "title_vi": document["title_vi"],
        "title_en": document["title_en"],
        "establishment_kinds": tuple(document["establishment_kinds"]),
        "kind": document["kind"],
        "indicators": indicators,
    }
    if document["kind"] == "pass_fail":
        if any(i.type != "yes_no" for i in indicators):
            raise fail(
                "rule_data_answer_type",
                "Bộ tiêu chí đạt/không đạt chỉ có câu hỏi có/không.",
                "A pass/fail questionnaire has yes/no questions only.",
                "$.indicators",
                source,
            )
        return Questionnaire(**common)
    return Questionnaire(**common, **_scoring(document["scoring"], indicators, source))


def _indicator(doc: Mapping[str, Any], where: str, source: str) -> Indicator:
    spec = doc["answer"]
    answers: list[Answer] = []
    if spec["type"] == "choice":
        answers = [
            Answer(
                o["key"],
                exact(o["score"]),
                o["label_vi"],
                o["label_en"],
                confirmed=o.get("confirmed", True),
            )
            for o in spec["options"]
        ]
        if len({a.key for a in answers}) != len(answers):
            raise fail(
                "rule_data_duplicate_key",
                "Khóa phương án bị trùng.",
                "Duplicate option key.",
                f"{where}.answer.options",
                source,
            )
    elif spec["type"] == "number":
        answers = _number_bands(spec, where, source)
    if "max_score" in doc and answers and exact(doc["max_score"]) != max(a.score for a in answers):
        raise fail(
            "rule_data_max_score",
            "max_score khác điểm cao nhất của các phương án.",
            "max_score differs from the highest answer score.",
            f"{where}.max_score",
            source,
        )
    return Indicator(
        key=doc["key"],
        label_vi=doc["label_vi"],
        label_en=doc["label_en"],
        type=spec["type"],
        answers=tuple(answers),
        confirmed=doc["confirmed"],
        adjustable=doc.get("adjustable", True),
    )


def _number_bands(spec: Mapping[str, Any], where: str, source: str) -> list[Answer]:
    bands = spec["bands"]
    if any("below" not in b for b in bands[:-1]) or "below" in bands[-1]:
        raise fail(
            "rule_data_number_bands",
            "Mọi khoảng trừ khoảng cuối phải có 'below'; khoảng cuối thì không.",
            "Every band but the last needs 'below'; the last has none.",
            f"{where}.answer.bands",
            source,
        )
    belows = [exact(b["below"]) for b in bands[:-1]]
    if belows != sorted(set(belows)):
        raise fail(
            "rule_data_bounds_order",
            "Các giá trị 'below' phải tăng dần.",
            "The 'below' values must increase strictly.",
            f"{where}.answer.bands",
            source,
        )
    unit_vi, unit_en = spec["unit_vi"], spec["unit_en"]
    answers = []
    low: Fraction | None = None
    for n, band in enumerate(bands):
        below = exact(band["below"]) if "below" in band else None
        vi, en = _range_labels(low, below, unit_vi, unit_en)
        answers.append(
            Answer(
                f"band_{n + 1}",
                exact(band["score"]),
                vi,
                en,
                low,
                below,
                band.get("confirmed", True),
            )
        )
        low = below
    return answers


def _num(value: Fraction, vietnamese: bool) -> str:
    """A number as people write it: 1,000.5 in English, 1.000,5 in Vietnamese."""
    whole, rest = divmod(value, 1)
    text = f"{int(whole):,}"
    if rest:
        decimals = str(Decimal(rest.numerator) / Decimal(rest.denominator))
        text += "." + decimals.split(".")[1]
    if vietnamese:
        text = text.translate(str.maketrans(",.", ".,"))
    return text


def _range_labels(
    low: Fraction | None, below: Fraction | None, unit_vi: str, unit_en: str
) -> tuple[str, str]:
    if low is None and below is not None:
        return f"dưới {_num(below, True)} {unit_vi}", f"under {_num(below, False)} {unit_en}"
    if below is None and low is not None:
        return (
            f"từ {_num(low, True)} {unit_vi} trở lên",
            f"{_num(low, False)} {unit_en} or more",
        )
    assert low is not None and below is not None  # noqa: S101 — a band has at least one end
    return (
        f"từ {_num(low, True)} đến dưới {_num(below, True)} {unit_vi}",
        f"{_num(low, False)} to under {_num(below, False)} {unit_en}",
    )


def _scoring(doc: Mapping[str, Any], indicators: tuple[Indicator, ...], source: str) -> dict:
    max_total = exact(doc["max_total"])
    total_of_maxima = sum((i.max_score for i in indicators), Fraction(0))
    if total_of_maxima != max_total:
        raise fail(
            "rule_data_max_total",
            f"Tổng điểm tối đa của các chỉ số ({_num(total_of_maxima, True)}) khác max_total.",
            f"The indicators' maxima add up to {_num(total_of_maxima, False)}, not max_total.",
            "$.scoring.max_total",
            source,
        )
    bands = tuple(
        Band(
            b["key"],
            b["label_vi"],
            b["label_en"],
            exact(b["up_to"]),
            b["inclusive"],
            b["operation"],
            exact(b["blocking_score"]) if "blocking_score" in b else None,
            b["confirmed"],
        )
        for b in doc["bands"]
    )
    limits = [b.up_to for b in bands]
    top = max_total * 100 / exact(doc["divisor"])
    if limits != sorted(set(limits)) or not bands[-1].holds(top):
        raise fail(
            "rule_data_bands",
            "Các khoảng phải tăng dần và khoảng cuối phải chứa chỉ số cao nhất.",
            "Bands must increase and the last must hold the highest possible index.",
            "$.scoring.bands",
            source,
        )
    for i, band in enumerate(bands):
        if (band.operation == "operate_if_no_high_indicator") != (band.blocking_score is not None):
            raise fail(
                "rule_data_blocking_score",
                "blocking_score đi cùng operate_if_no_high_indicator.",
                "blocking_score goes with operate_if_no_high_indicator, and only with it.",
                f"$.scoring.bands[{i}]",
                source,
            )
    return {
        "divisor": exact(doc["divisor"]),
        "rounding": doc["rounding"]["method"],
        "rounding_confirmed": doc["rounding"]["confirmed"],
        "bands": bands,
    }


@cache
def default_questionnaires() -> dict[tuple[str, int], Questionnaire]:
    """The questionnaires shipped in ``data/questionnaires/`` by (id, version), read once."""
    found = {}
    for path in sorted((DATA / "questionnaires").iterdir(), key=lambda p: p.name):
        if path.name.endswith(".json"):
            q = load_questionnaire(read_json(path), f"questionnaires/{path.name}")
            found[(q.id, q.version)] = q
    return found


def questionnaires_for(establishment_kind: str) -> list[Questionnaire]:
    """The newest version of each shipped questionnaire that applies to a kind of place."""
    newest: dict[str, Questionnaire] = {}
    for q in default_questionnaires().values():
        if establishment_kind in q.establishment_kinds and q.version >= newest.get(q.id, q).version:
            newest[q.id] = q
    return sorted(newest.values(), key=lambda q: q.id)
