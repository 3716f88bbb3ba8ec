"""Warning signs in a self-monitoring report: which fired, and what the person should do now.

Thresholds come from the rule set in force (``rulesets``); the facts and their sources are in
docs/reference/care.md ("Warning signs"). The one rule with a second step: a low SpO2 reading
on its own asks for a second reading after 30 s–1 min before alerting; with any other sign, or
when the second reading is low too, the alert is immediate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from phongdich.care.reports import Report, age_in_months, local_date, symptoms
from phongdich.care.rulesets import NATIONAL, RuleSet, select_rule_set

OK = "ok"
REMEASURE = "remeasure"
ALERT = "alert"

SPO2_SIGN = "spo2_low"


@dataclass(frozen=True, slots=True)
class Sign:
    code: str
    message_vi: str
    message_en: str
    value: float | None = None


@dataclass(frozen=True, slots=True)
class Evaluation:
    status: str  # ok | remeasure | alert
    signs: tuple[Sign, ...]
    advice_vi: str
    advice_en: str
    rule_set_id: str
    age_months: int
    # (shortest, longest) wait in seconds before the second SpO2 reading; only for "remeasure".
    remeasure_after_seconds: tuple[int, int] | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(sign.code for sign in self.signs)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "signs": [
                {"code": s.code, "message_vi": s.message_vi, "message_en": s.message_en}
                for s in self.signs
            ],
            "advice_vi": self.advice_vi,
            "advice_en": self.advice_en,
            "rule_set": self.rule_set_id,
            "remeasure_after_seconds": self.remeasure_after_seconds,
        }


def _fmt(value: float) -> str:
    return f"{value:g}"


def respiratory_rate_threshold(rule_set: RuleSet, age_months: int) -> float | None:
    for band in rule_set.warnings["respiratory_rate_at_least"]:
        upper = band["max_age_months"]
        if band["min_age_months"] <= age_months and (upper is None or age_months < upper):
            return band["value"]
    return None


def _vital_signs(report: Report, rule_set: RuleSet, age_months: int) -> list[Sign]:
    rules = rule_set.warnings
    signs: list[Sign] = []
    rr_limit = respiratory_rate_threshold(rule_set, age_months)
    rr = report.respiratory_rate
    if rr is not None and rr_limit is not None and rr >= rr_limit:
        signs.append(
            Sign(
                "respiratory_rate_high",
                f"Nhịp thở {_fmt(rr)} lần/phút (≥ {_fmt(rr_limit)} ở độ tuổi này).",
                f"Respiratory rate {_fmt(rr)}/min (≥ {_fmt(rr_limit)} at this age).",
                rr,
            )
        )
    pulse = report.pulse
    if pulse is not None and pulse > rules["pulse_above"]:
        signs.append(
            Sign(
                "pulse_high",
                f"Mạch nhanh {_fmt(pulse)} lần/phút (> {rules['pulse_above']}).",
                f"Fast pulse {_fmt(pulse)}/min (> {rules['pulse_above']}).",
                pulse,
            )
        )
    if pulse is not None and pulse < rules["pulse_below"]:
        signs.append(
            Sign(
                "pulse_low",
                f"Mạch chậm {_fmt(pulse)} lần/phút (< {rules['pulse_below']}).",
                f"Slow pulse {_fmt(pulse)}/min (< {rules['pulse_below']}).",
                pulse,
            )
        )
    signs.extend(_blood_pressure_signs(report, rules))
    fever = rules["fever_above_c"]
    temperature = report.temperature_c
    if (
        temperature is not None
        and age_months < rules["fever_max_age_months"]
        and temperature > fever
    ):
        signs.append(
            Sign(
                "fever_high_under_5",
                f"Trẻ dưới 5 tuổi sốt {_fmt(temperature)} °C (> {_fmt(fever)} °C).",
                f"Child under 5 with fever {_fmt(temperature)} °C (> {_fmt(fever)} °C).",
                temperature,
            )
        )
    return signs


def _blood_pressure_signs(report: Report, rules: dict[str, Any]) -> list[Sign]:
    signs = []
    if report.systolic is not None and report.systolic < rules["systolic_below"]:
        signs.append(
            Sign(
                "systolic_low",
                f"Huyết áp tối đa thấp {_fmt(report.systolic)} mmHg (< {rules['systolic_below']}).",
                f"Low systolic blood pressure {_fmt(report.systolic)} mmHg "
                f"(< {rules['systolic_below']}).",
                report.systolic,
            )
        )
    if report.diastolic is not None and report.diastolic < rules["diastolic_below"]:
        signs.append(
            Sign(
                "diastolic_low",
                f"Huyết áp tối thiểu thấp {_fmt(report.diastolic)} mmHg "
                f"(< {rules['diastolic_below']}).",
                f"Low diastolic blood pressure {_fmt(report.diastolic)} mmHg "
                f"(< {rules['diastolic_below']}).",
                report.diastolic,
            )
        )
    return signs


def warning_symptom_codes(rule_set: RuleSet) -> frozenset[str]:
    rules = rule_set.warnings
    groups = set(rules["warning_symptom_groups"])
    by_group = {code for code, s in symptoms().items() if s.group in groups}
    return frozenset(by_group | set(rules["warning_symptoms"]))


def _symptom_signs(report: Report, rule_set: RuleSet) -> list[Sign]:
    catalogue = symptoms()
    fired = sorted(report.symptoms & warning_symptom_codes(rule_set))
    return [
        Sign(f"symptom_{code}", catalogue[code].vi + ".", catalogue[code].en + ".")
        for code in fired
    ]


def _spo2_sign(report: Report, rule_set: RuleSet) -> tuple[Sign | None, bool]:
    """The SpO2 sign of the latest reading and whether a second low reading confirms it."""
    limit = rule_set.warnings["spo2_at_most"]
    latest = report.spo2_repeat if report.spo2_repeat is not None else report.spo2
    if latest is None or latest > limit:
        return None, False
    confirmed = report.spo2_repeat is not None and report.spo2 is not None and report.spo2 <= limit
    sign = Sign(
        SPO2_SIGN,
        f"SpO2 {_fmt(latest)} % (≤ {limit} %).",
        f"SpO2 {_fmt(latest)} % (≤ {limit} %).",
        latest,
    )
    return sign, confirmed


ADVICE = {
    OK: (
        "Chưa thấy dấu hiệu cảnh báo. Tiếp tục tự theo dõi và ghi phiếu 2 lần mỗi ngày; "
        "báo ngay cho nhân viên y tế nếu xuất hiện dấu hiệu cảnh báo.",
        "No warning sign. Keep monitoring yourself and fill in the form twice a day; "
        "report at once to your health worker if a warning sign appears.",
    ),
    REMEASURE: (
        "SpO2 lần đo này thấp. Ngồi nghỉ, giữ yên tay, đo lại sau {low} giây đến {high} giây "
        "rồi nhập kết quả lần đo thứ hai.",
        "This SpO2 reading is low. Sit and rest, keep your hand still, measure again after "
        "{low} to {high} seconds and enter the second reading.",
    ),
    ALERT: (
        "Có dấu hiệu cảnh báo. Báo ngay cho nhân viên y tế đang theo dõi bạn "
        "(trạm y tế hoặc tổ chăm sóc người mắc COVID-19 tại nhà).",
        "Warning sign. Report at once to the health worker who follows you "
        "(the commune health station or the home-care team).",
    ),
}


def evaluate(
    report: Report,
    birth_date: date,
    rule_set: RuleSet | None = None,
    jurisdiction: str = NATIONAL,
) -> Evaluation:
    """Evaluate one report for a patient born on ``birth_date``.

    Without ``rule_set`` the set in force on the report's local date is used.
    """
    day = local_date(report.measured_at)
    if rule_set is None:
        rule_set = select_rule_set(day, jurisdiction)
    age_months = age_in_months(birth_date, day)
    others = _vital_signs(report, rule_set, age_months) + _symptom_signs(report, rule_set)
    spo2_sign, confirmed = _spo2_sign(report, rule_set)
    signs = ([spo2_sign] if spo2_sign else []) + others
    wait = None
    if others or confirmed:
        status = ALERT
    elif spo2_sign:
        status = REMEASURE
        low, high = rule_set.warnings["spo2_remeasure_wait_seconds"]
        wait = (low, high)
    else:
        status = OK
    advice_vi, advice_en = ADVICE[status]
    if wait:
        advice_vi = advice_vi.format(low=wait[0], high=wait[1])
        advice_en = advice_en.format(low=wait[0], high=wait[1])
    return Evaluation(
        status=status,
        signs=tuple(signs),
        advice_vi=advice_vi,
        advice_en=advice_en,
        rule_set_id=rule_set.id,
        age_months=age_months,
        remeasure_after_seconds=wait,
    )
