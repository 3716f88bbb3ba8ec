"""Who may be cared for at home, and when home isolation may end.

Both read their values from the rule set (``rulesets``); facts and sources in
docs/reference/care.md ("Eligibility", "Discharge"). Each answer lists every reason that
failed (not only the first), so that staff see the whole picture, and names the unconfirmed
settings it relied on, so that a decision resting on one can be checked by a doctor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from phongdich.care.reports import age_in_months
from phongdich.care.rulesets import RuleSet

SEVERITIES = ("asymptomatic", "mild", "moderate", "severe", "critical")


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    message_vi: str
    message_en: str


@dataclass(frozen=True, slots=True)
class Comorbidity:
    code: str
    stable: bool  # under stable treatment


@dataclass(frozen=True, slots=True)
class Candidate:
    birth_date: date
    assessed_on: date
    severity: str
    respiratory_rate: float | None
    spo2: float | None
    on_room_air: bool = True
    comorbidities: tuple[Comorbidity, ...] = ()
    can_self_care: bool = True
    reachable_by_phone: bool = True
    fully_vaccinated: bool | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    eligible: bool
    reasons: tuple[Reason, ...]
    rule_set_id: str
    # Rule-set keys marked unconfirmed that this decision depended on.
    unconfirmed_used: tuple[str, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)


def _clinical_reasons(c: Candidate, rules: dict, used: list[str]) -> list[Reason]:
    reasons = []
    if c.severity not in SEVERITIES:
        raise ValueError(f"unknown severity {c.severity!r}")
    used.append("eligibility.severities")
    if c.severity not in rules["severities"]:
        reasons.append(
            Reason(
                "not_mild",
                "Bệnh không ở mức không triệu chứng hoặc nhẹ.",
                "The illness is not asymptomatic or mild.",
            )
        )
    used.append("eligibility.respiratory_rate_below")
    if c.respiratory_rate is None or c.respiratory_rate >= rules["respiratory_rate_below"]:
        reasons.append(
            Reason(
                "respiratory_rate_too_high"
                if c.respiratory_rate is not None
                else "no_respiratory_rate",
                f"Nhịp thở phải dưới {rules['respiratory_rate_below']} lần/phút.",
                f"The respiratory rate must be below {rules['respiratory_rate_below']}/min.",
            )
        )
    reasons.extend(_spo2_reasons(c, rules, used))
    used.append("eligibility.room_air_required")
    if rules["room_air_required"] and not c.on_room_air:
        reasons.append(
            Reason(
                "not_on_room_air",
                "SpO2 phải đo khi thở khí trời, không thở oxy.",
                "SpO2 must be measured on room air, without oxygen.",
            )
        )
    return reasons


def _spo2_reasons(c: Candidate, rules: dict, used: list[str]) -> list[Reason]:
    above, at_least = rules["spo2_above"], rules["spo2_at_least"]
    if above is not None:
        used.append("eligibility.spo2_above")
        ok = c.spo2 is not None and c.spo2 > above
        text_vi, text_en = f"trên {above} %", f"above {above} %"
    else:
        used.append("eligibility.spo2_at_least")
        ok = c.spo2 is not None and c.spo2 >= at_least
        text_vi, text_en = f"từ {at_least} % trở lên", f"at least {at_least} %"
    if ok:
        return []
    return [
        Reason(
            "spo2_too_low" if c.spo2 is not None else "no_spo2",
            f"SpO2 khi thở khí trời phải {text_vi}.",
            f"SpO2 on room air must be {text_en}.",
        )
    ]


def _comorbidity_reasons(c: Candidate, rules: dict, used: list[str]) -> list[Reason]:
    reasons = []
    used.append("eligibility.comorbidities_must_be_stable")
    if rules["comorbidities_must_be_stable"] and any(not m.stable for m in c.comorbidities):
        reasons.append(
            Reason(
                "comorbidity_not_stable",
                "Có bệnh nền chưa được điều trị ổn định.",
                "A comorbidity is not under stable treatment.",
            )
        )
    limit = rules["comorbidities_max"]
    used.append("eligibility.comorbidities_max")
    if limit is not None and len(c.comorbidities) > limit:
        reasons.append(
            Reason(
                "too_many_comorbidities",
                f"Có quá {limit} bệnh nền.",
                f"More than {limit} comorbidities.",
            )
        )
    return reasons


def _age_reasons(c: Candidate, rules: dict, used: list[str]) -> list[Reason]:
    reasons = []
    months = age_in_months(c.birth_date, c.assessed_on)
    low, high = rules["age_min_months"], rules["age_max_years"]
    if low is not None:
        used.append("eligibility.age_min_months")
        if months < low:
            reasons.append(
                Reason(
                    "too_young",
                    f"Người bệnh dưới {low} tháng tuổi.",
                    f"The patient is younger than {low} months.",
                )
            )
    if high is not None:
        used.append("eligibility.age_max_years")
        used.append("eligibility.older_allowed_if_vaccinated")
        vaccinated_exception = rules["older_allowed_if_vaccinated"] and c.fully_vaccinated
        if months // 12 > high and not vaccinated_exception:
            if rules["older_allowed_if_vaccinated"]:
                reasons.append(
                    Reason(
                        "too_old_not_vaccinated",
                        f"Người bệnh trên {high} tuổi và chưa tiêm đủ liều vắc xin.",
                        f"The patient is older than {high} and not fully vaccinated.",
                    )
                )
            else:
                reasons.append(
                    Reason(
                        "too_old",
                        f"Người bệnh trên {high} tuổi.",
                        f"The patient is older than {high}.",
                    )
                )
    return reasons


def assess_home_care(candidate: Candidate, rule_set: RuleSet) -> Decision:
    """Whether ``candidate`` may be cared for at home under ``rule_set``, with every reason not."""
    rules = rule_set.eligibility
    used: list[str] = []
    reasons = _clinical_reasons(candidate, rules, used)
    reasons += _comorbidity_reasons(candidate, rules, used)
    reasons += _age_reasons(candidate, rules, used)
    used.append("eligibility.self_care_required")
    if rules["self_care_required"] and not candidate.can_self_care:
        reasons.append(
            Reason(
                "cannot_self_care",
                "Người bệnh không tự chăm sóc được và không có người chăm sóc.",
                "The patient cannot look after themselves and has no carer.",
            )
        )
    used.append("eligibility.phone_required")
    if rules["phone_required"] and not candidate.reachable_by_phone:
        reasons.append(
            Reason(
                "not_reachable_by_phone",
                "Không liên lạc được với nhân viên y tế qua điện thoại.",
                "The patient cannot reach the health worker by phone.",
            )
        )
    return Decision(
        eligible=not reasons,
        reasons=tuple(reasons),
        rule_set_id=rule_set.id,
        unconfirmed_used=tuple(k for k in used if rule_set.is_unconfirmed(k)),
    )


@dataclass(frozen=True, slots=True)
class DischargeDecision:
    eligible: bool
    days_since_start: int  # 0 on the isolation start date
    day_number: int  # 1 on the isolation start date ("ngày thứ 1")
    earliest: date | None  # earliest date the time condition is met, if it is not yet
    reasons: tuple[Reason, ...]
    rule_set_id: str
    unconfirmed_used: tuple[str, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)


def isolation_day(isolation_start: date, on: date) -> tuple[int, int]:
    """(days since the isolation start date, day number counting the start date as day 1)."""
    days = (on - isolation_start).days
    return days, days + 1


def assess_discharge(
    isolation_start: date,
    on: date,
    has_symptoms: bool,
    last_negative_test_on: date | None,
    rule_set: RuleSet,
) -> DischargeDecision:
    """Whether home isolation may end on ``on``. Days count from the isolation start date.

    A negative test counts only if taken on or after the minimum day. Every value comes from
    ``rule_set.discharge``; our sources do not confirm them (docs/reference/care.md).
    """
    rules = rule_set.discharge
    days, day_number = isolation_day(isolation_start, on)
    if days < 0:
        raise ValueError("the date is before the isolation start date")
    used = ["discharge.min_days", "discharge.release_without_test_after_days"]
    reasons: list[Reason] = []
    earliest = None
    if rules["symptom_free_required"] and has_symptoms:
        reasons.append(
            Reason("symptoms_present", "Vẫn còn triệu chứng.", "Symptoms are still present.")
        )
    used.append("discharge.symptom_free_required")
    no_test_after = rules["release_without_test_after_days"]
    if no_test_after is not None and days >= no_test_after:
        pass  # long enough: no test needed
    elif days < rules["min_days"]:
        earliest = isolation_start + timedelta(days=rules["min_days"])
        reasons.append(
            Reason(
                "too_early",
                f"Chưa đủ {rules['min_days']} ngày kể từ ngày bắt đầu cách ly.",
                f"Fewer than {rules['min_days']} days since isolation started.",
            )
        )
    elif rules["negative_test_required"]:
        used.append("discharge.negative_test_required")
        first_valid = isolation_start + timedelta(days=rules["min_days"])
        if last_negative_test_on is None or not first_valid <= last_negative_test_on <= on:
            reasons.append(
                Reason(
                    "negative_test_missing",
                    f"Cần kết quả xét nghiệm âm tính từ ngày {first_valid:%d/%m/%Y}.",
                    f"A negative test taken on or after {first_valid:%d/%m/%Y} is required.",
                )
            )
    return DischargeDecision(
        eligible=not reasons,
        days_since_start=days,
        day_number=day_number,
        earliest=earliest,
        reasons=tuple(reasons),
        rule_set_id=rule_set.id,
        unconfirmed_used=tuple(k for k in used if rule_set.is_unconfirmed(k)),
    )
