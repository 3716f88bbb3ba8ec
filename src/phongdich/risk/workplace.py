"""Workplace infection risk self-assessment: score a questionnaire, explain it, suggest changes.

The questionnaires are data (:mod:`phongdich.risk.questionnaires`, ``data/questionnaires/``);
facts and sources: ``docs/reference/risk.md`` §3. Users asked to be shown which indicator
drives the score (HCMC survey, Nov 2021), so a score comes with:

* ``drivers``: the indicators above their lowest possible score, most excess first;
* ``what_if``: for every adjustable indicator that could score lower, its best answer and the
  index and band the questionnaire would then give, the biggest drop first (``best_change``).

Answers: a number for a numeric indicator, an option key for a choice, ``True``/``False`` for
a yes/no criterion. Bad answers raise :class:`phongdich.lib.errors.InputErrors`, one
bilingual field error per indicator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from phongdich.lib.errors import FieldError, InputErrors
from phongdich.risk.questionnaires import (
    Answer,
    Band,
    Indicator,
    Questionnaire,
    default_questionnaires,
    load_questionnaire,
    questionnaires_for,
)

# What each band means for the establishment (1203/QĐ-BCĐ; docs/reference/risk.md §3.1).
OPERATIONS: dict[str, tuple[bool | None, str, str]] = {
    "operate": (True, "Được hoạt động.", "May operate."),
    "operate_with_checks": (
        True,
        "Được hoạt động, phải kiểm tra định kỳ để khắc phục chỉ số thành phần cao nhất.",
        "May operate, with periodic checks to fix the highest component.",
    ),
    "operate_if_no_high_indicator": (
        True,
        "Có thể hoạt động nếu không có chỉ số thành phần nào từ {score} điểm trở lên.",
        "May operate only if no component scores {score} or more.",
    ),
    "mitigate_first": (
        False,
        "Phải có giải pháp giảm rủi ro mới được hoạt động.",
        "Must reduce the risk before operating.",
    ),
    "may_not_operate": (False, "Không được hoạt động.", "May not operate."),
}


# The answer that meets a yes/no criterion (what a pass/fail what-if suggests).
MET = Answer("yes", Fraction(1), "Có (đáp ứng)", "Yes (met)")


@dataclass(frozen=True)
class IndicatorScore:
    key: str
    score: Fraction
    min_score: Fraction
    max_score: Fraction
    answer: Answer | None  # None for a yes/no criterion
    confirmed: bool

    @property
    def excess(self) -> Fraction:
        return self.score - self.min_score


@dataclass(frozen=True)
class WhatIf:
    """The best answer one indicator could have, and the outcome if only it changed."""

    key: str
    current_score: Fraction
    best_score: Fraction
    best_answer: Answer
    index: Fraction | None  # None for a pass/fail criterion
    band: str  # the band, or "pass"/"fail" for a pass/fail questionnaire
    index_drop: Fraction
    may_operate: bool | None


@dataclass(frozen=True)
class ScoreResult:
    questionnaire_id: str
    questionnaire_version: int
    kind: str
    scores: tuple[IndicatorScore, ...]  # questionnaire order
    drivers: tuple[IndicatorScore, ...] = ()
    total: Fraction | None = None
    index: Fraction | None = None  # exact, in %
    banded_index: Fraction | None = None  # after the rounding setting
    band: Band | None = None
    may_operate: bool | None = None
    blocking: tuple[str, ...] = ()  # indicators that stop a conditional band from operating
    what_if: tuple[WhatIf, ...] = ()
    passed: bool | None = None  # pass/fail questionnaires
    failed: tuple[str, ...] = ()
    unconfirmed: tuple[str, ...] = ()

    @property
    def best_change(self) -> WhatIf | None:
        return self.what_if[0] if self.what_if else None

    @property
    def operation_messages(self) -> tuple[str, str] | None:
        if self.band is None or self.band.operation is None:
            return None
        _, vi, en = OPERATIONS[self.band.operation]
        score = self.band.blocking_score
        shown = "" if score is None else f"{int(score) if score.denominator == 1 else score}"
        return vi.format(score=shown), en.format(score=shown)


def _parse_answer(indicator: Indicator, raw: Any) -> tuple[Fraction, Answer | None]:
    """(score, chosen answer) or raise ValueError with (code, vi, en)."""
    if indicator.type == "yes_no":
        if not isinstance(raw, bool):
            raise ValueError("answer_not_yes_no", "Hãy trả lời có hoặc không.", "Answer yes or no.")
        return Fraction(1 if raw else 0), None
    if indicator.type == "choice":
        for answer in indicator.answers:
            if answer.key == raw:
                return answer.score, answer
        raise ValueError(
            "answer_unknown_option",
            "Phương án trả lời không có trong danh sách.",
            "The answer is not one of the options.",
        )
    if isinstance(raw, bool):
        raise ValueError("answer_not_a_number", "Hãy nhập một số.", "Enter a number.")
    try:
        text = str(raw).strip()
        number = Decimal(text) if len(text) <= 30 else Decimal("NaN")
        # Infinity, NaN and huge exponents are refused before an exact fraction is built
        # (10**999999999 would take the server's memory).
        if not number.is_finite() or number.adjusted() > 12:
            raise ValueError
        value = Fraction(number)
    except (InvalidOperation, ValueError):
        raise ValueError("answer_not_a_number", "Hãy nhập một số.", "Enter a number.") from None
    if value < 0:
        raise ValueError("answer_negative", "Số không được âm.", "The number may not be negative.")
    for answer in indicator.answers:
        if answer.below is None or value < answer.below:
            return answer.score, answer
    raise AssertionError("the last numeric band is open-ended")  # checked when loaded


def _read_answers(q: Questionnaire, answers: Mapping[str, Any]) -> tuple[IndicatorScore, ...]:
    errors, scores = [], []
    known = {i.key for i in q.indicators}
    for key in answers:
        if key not in known:
            errors.append(
                FieldError(
                    key,
                    "answer_unknown_indicator",
                    "Không có chỉ số này trong bộ câu hỏi.",
                    "The questionnaire has no such indicator.",
                )
            )
    for indicator in q.indicators:
        if answers.get(indicator.key) is None:
            errors.append(
                FieldError(
                    indicator.key,
                    "answer_missing",
                    "Chưa trả lời chỉ số này.",
                    "This indicator has no answer.",
                )
            )
            continue
        try:
            value, answer = _parse_answer(indicator, answers[indicator.key])
        except ValueError as exc:
            errors.append(FieldError(indicator.key, *exc.args))
            continue
        confirmed = indicator.confirmed and (answer is None or answer.confirmed)
        scores.append(
            IndicatorScore(
                indicator.key, value, indicator.min_score, indicator.max_score, answer, confirmed
            )
        )
    if errors:
        raise InputErrors(errors)
    return tuple(scores)


def _operation(q: Questionnaire, band: Band, scores: dict[str, Fraction]) -> tuple:
    if band.operation is None:
        return None, ()
    if band.operation == "operate_if_no_high_indicator":
        assert band.blocking_score is not None  # noqa: S101 — checked when loaded
        blocking = tuple(k for k, s in scores.items() if s >= band.blocking_score)
        return not blocking, blocking
    return OPERATIONS[band.operation][0], ()


def score(q: Questionnaire, answers: Mapping[str, Any]) -> ScoreResult:
    """Score one self-assessment against questionnaire ``q``."""
    scores = _read_answers(q, answers)
    unconfirmed = [s.key for s in scores if not s.confirmed]
    if q.kind == "pass_fail":
        failed = tuple(s.key for s in scores if s.score == 0)
        # What drives the result is each unmet criterion; meeting one passes only when it is
        # the last one unmet, which the what-if says (docs/reference/risk.md §3.4).
        outcome = "pass" if len(failed) == 1 else "fail"
        what_if = tuple(
            WhatIf(key, Fraction(0), Fraction(1), MET, None, outcome, Fraction(0), len(failed) == 1)
            for key in failed
        )
        return ScoreResult(
            q.id,
            q.version,
            q.kind,
            scores,
            drivers=tuple(s for s in scores if s.score == 0),
            what_if=what_if,
            passed=not failed,
            failed=failed,
            unconfirmed=tuple(unconfirmed),
        )

    by_key = {s.key: s.score for s in scores}
    total = sum(by_key.values(), Fraction(0))
    index, banded = q.index_of(total)
    band = q.band_of(banded)
    may_operate, blocking = _operation(q, band, by_key)
    if not q.rounding_confirmed and banded != index:
        unconfirmed.append("rounding")
    if not band.confirmed:
        unconfirmed.append(f"band.{band.key}")
    drivers = tuple(
        sorted((s for s in scores if s.excess > 0), key=lambda s: s.excess, reverse=True)
    )
    return ScoreResult(
        q.id,
        q.version,
        q.kind,
        scores,
        drivers,
        total,
        index,
        banded,
        band,
        may_operate,
        blocking,
        _what_if(q, scores, total),
        unconfirmed=tuple(unconfirmed),
    )


def _what_if(q: Questionnaire, scores: tuple[IndicatorScore, ...], total: Fraction) -> tuple:
    index, _ = q.index_of(total)
    options = []
    indicators = {i.key: i for i in q.indicators}
    for current in scores:
        indicator = indicators[current.key]
        best = indicator.best_answer()
        if not indicator.adjustable or best is None or best.score >= current.score:
            continue
        new_total = total - current.score + best.score
        new_index, new_banded = q.index_of(new_total)
        new_band = q.band_of(new_banded)
        new_scores = {s.key: s.score for s in scores} | {current.key: best.score}
        may_operate, _ = _operation(q, new_band, new_scores)
        options.append(
            WhatIf(
                current.key,
                current.score,
                best.score,
                best,
                new_index,
                new_band.key,
                index - new_index,
                may_operate,
            )
        )
    # Biggest drop first; on a tie, the questionnaire's order (sorted() is stable).
    return tuple(sorted(options, key=lambda w: w.index_drop, reverse=True))


def score_by_id(questionnaire_id: str, answers: Mapping[str, Any], version: int | None = None):
    """Score against a shipped questionnaire (its newest version unless one is named)."""
    shipped = default_questionnaires()
    versions = [v for (qid, v) in shipped if qid == questionnaire_id]
    if not versions or (version is not None and version not in versions):
        raise InputErrors.one(
            "questionnaire",
            "unknown_questionnaire",
            "Không có bộ câu hỏi này.",
            "No such questionnaire.",
        )
    return score(shipped[(questionnaire_id, version or max(versions))], answers)


__all__ = [
    "OPERATIONS",
    "IndicatorScore",
    "Questionnaire",
    "ScoreResult",
    "WhatIf",
    "default_questionnaires",
    "load_questionnaire",
    "questionnaires_for",
    "score",
    "score_by_id",
]
