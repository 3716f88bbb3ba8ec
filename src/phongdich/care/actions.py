"""Writes of home care: enrolment, self-monitoring reports and their warnings, alerts, notes,
medicine packs, referral and discharge. Each validates everything first, then writes in one
transaction with its audit row and domain event (docs/architecture.md)."""

from __future__ import annotations

import dataclasses
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import can_see_ward
from phongdich.accounts.models import Role, User
from phongdich.care import notify, timing
from phongdich.care import reports as care_reports
from phongdich.care import warnings as care_warnings
from phongdich.care.eligibility import Candidate, Comorbidity, assess_home_care
from phongdich.care.errors import CareError
from phongdich.care.forms import COMORBIDITY, flag, parse_date
from phongdich.care.models import (
    Alert,
    Enrolment,
    EnrolmentStatus,
    Report,
    ReportSource,
    ReportStatus,
)
from phongdich.care.rulesets import RuleSet, select_rule_set
from phongdich.core import events
from phongdich.lib.errors import DomainError, FieldError, InputErrors
from phongdich.lib.timeutil import local_date
from phongdich.tracing.models import Case, CaseStatus

ERRORS = {
    "case_closed": ("Ca bệnh đã đóng.", "The case is closed.", 409),
    "already_enrolled": (
        "Ca bệnh này đã được đánh giá chăm sóc tại nhà.",
        "This case has already been assessed for home care.",
        409,
    ),
    "active_elsewhere": (
        "Người này đang được chăm sóc tại nhà trong một đợt khác.",
        "This person is already in home care for another episode.",
        409,
    ),
    "not_active": (
        "Người bệnh không còn được theo dõi tại nhà.",
        "The patient is no longer cared for at home.",
        409,
    ),
    "not_dischargeable": ("Chưa đủ điều kiện kết thúc cách ly.", "Not yet eligible.", 409),
    "not_remeasure": (
        "Lần đo này không cần đo lại.",
        "This reading does not need a second measurement.",
        409,
    ),
}


def error(code: str, detail: str = "") -> DomainError:
    return DomainError.from_table(ERRORS, code, detail)


def rule_set_for(enrolment_or_jurisdiction: Any, on: date) -> RuleSet:
    """The rule set in force on ``on``; for a measurement from before every rule set (an old
    record imported from another system), the one the patient was enrolled under."""
    jurisdiction = getattr(enrolment_or_jurisdiction, "jurisdiction", enrolment_or_jurisdiction)
    try:
        return select_rule_set(on, jurisdiction)
    except CareError as exc:
        enrolled_under = getattr(enrolment_or_jurisdiction, "rule_set_id", "")
        if enrolled_under:
            return select_rule_set(local_date(enrolment_or_jurisdiction.created_at), jurisdiction)
        raise DomainError(exc.code, exc.message_vi, exc.message_en, 409) from None


def _clinician(raw: Any, ward: Any, errors: list[FieldError]) -> User | None:
    if raw in (None, ""):
        return None
    user = User.objects.filter(pk=raw if str(raw).isdigit() else -1, is_active=True).first()
    if user is None or user.role != Role.CLINICIAN or not can_see_ward(user, ward):
        errors.append(
            FieldError(
                "clinician",
                "not_a_clinician",
                "Hãy chọn một bác sĩ phụ trách địa bàn của người bệnh.",
                "Choose a clinician who covers the patient's ward.",
            )
        )
        return None
    return user


def _candidate(data: Any, case: Case, errors: list[FieldError]) -> tuple[Candidate | None, dict]:
    from phongdich.care.forms import number

    birth = parse_date(data.get("birth_date"), "birth_date", errors, required=False)
    if birth is None and not any(e.field == "birth_date" for e in errors):
        birth = date(case.person.birth_year, 7, 1)  # mid-year when only the year is known
    start = parse_date(data.get("isolation_start"), "isolation_start", errors, required=False)
    if start is None and not any(e.field == "isolation_start" for e in errors):
        start = local_date(case.isolated_at or case.confirmed_at)
    severity = str(data.get("severity") or "")
    if severity not in ("asymptomatic", "mild", "moderate", "severe", "critical"):
        errors.append(FieldError("severity", "required", "Chọn mức độ bệnh.", "Choose severity."))
    comorbidity = str(data.get("comorbidity") or "none")
    if comorbidity not in COMORBIDITY:
        errors.append(FieldError("comorbidity", "not_allowed", "Không hợp lệ.", "Not allowed."))
    rr = number(data.get("respiratory_rate"), "respiratory_rate", errors)
    spo2 = number(data.get("spo2"), "spo2", errors)
    today = local_date(timezone.now())
    if start and start > today:
        errors.append(
            FieldError(
                "isolation_start",
                "in_future",
                "Ngày bắt đầu cách ly ở tương lai.",
                "The isolation start is in the future.",
            )
        )
    if birth and birth > today:
        errors.append(
            FieldError("birth_date", "in_future", "Ngày sinh ở tương lai.", "Born in the future.")
        )
    if errors:
        return None, {}
    inputs = {
        "birth_date": birth.isoformat(),
        "isolation_start": start.isoformat(),
        "severity": severity,
        "respiratory_rate": rr,
        "spo2": spo2,
        "on_room_air": not flag(data, "on_oxygen"),
        "comorbidity": comorbidity,
        "can_self_care": flag(data, "can_self_care"),
        "reachable_by_phone": flag(data, "reachable_by_phone"),
        "fully_vaccinated": flag(data, "fully_vaccinated"),
    }
    candidate = Candidate(
        birth_date=birth,
        assessed_on=today,
        severity=severity,
        respiratory_rate=rr,
        spo2=spo2,
        on_room_air=inputs["on_room_air"],
        comorbidities=()
        if comorbidity == "none"
        else (Comorbidity("declared", comorbidity == "stable"),),
        can_self_care=inputs["can_self_care"],
        reachable_by_phone=inputs["reachable_by_phone"],
        fully_vaccinated=inputs["fully_vaccinated"],
    )
    return candidate, inputs


def do_enrol(case: Case, data: Any, *, actor: Any, request: Any = None) -> Enrolment:
    """Assess a case against the home-care rule set in force and enrol it, or record why not
    and where it was referred. Days count from the isolation start (the case's isolation date
    unless given); a re-infection (a new case of the same person) is a new episode."""
    if case.status != CaseStatus.OPEN:
        raise error("case_closed")
    if Enrolment.objects.filter(case=case).exists():
        raise error("already_enrolled")
    errors: list[FieldError] = []
    candidate, inputs = _candidate(data, case, errors)
    clinician = _clinician(data.get("clinician"), case.ward, errors)
    facility = str(data.get("referral_facility") or "").strip()[:200]
    reason = str(data.get("referral_reason") or "").strip()[:2000]
    if errors:
        raise InputErrors(errors)
    jurisdiction = timing.jurisdiction_of(case.ward.province_id)
    rule_set = rule_set_for(jurisdiction, candidate.assessed_on)
    decision = assess_home_care(candidate, rule_set)
    if decision.eligible and clinician is None:
        errors.append(
            FieldError("clinician", "required", "Hãy chọn bác sĩ phụ trách.", "Choose a clinician.")
        )
    if not decision.eligible and not facility:
        errors.append(
            FieldError(
                "referral_facility",
                "required",
                "Không đủ điều kiện chăm sóc tại nhà: hãy ghi nơi chuyển đến.",
                "Not eligible for home care: name the facility the patient is referred to.",
            )
        )
    if errors:
        raise InputErrors(errors)
    now = timezone.now()
    assessment = {
        "inputs": inputs,
        "eligible": decision.eligible,
        "reasons": [
            {"code": r.code, "message_vi": r.message_vi, "message_en": r.message_en}
            for r in decision.reasons
        ],
        "unconfirmed_used": list(decision.unconfirmed_used),
    }
    with transaction.atomic():
        episode = Enrolment.objects.filter(person_id=case.person_id).count() + 1
        try:
            with transaction.atomic():
                enrolment = Enrolment.objects.create(
                    case=case,
                    person_id=case.person_id,
                    ward_id=case.ward_id,
                    episode=episode,
                    status=EnrolmentStatus.ACTIVE
                    if decision.eligible
                    else EnrolmentStatus.NOT_ELIGIBLE,
                    birth_date=date.fromisoformat(inputs["birth_date"]),
                    isolation_start=date.fromisoformat(inputs["isolation_start"]),
                    rule_set_id=rule_set.id,
                    jurisdiction=jurisdiction,
                    assessment=assessment,
                    clinician=clinician,
                    token=secrets.token_urlsafe(32),
                    referral_facility=facility,
                    referral_reason=reason,
                    referred_at=None if decision.eligible else now,
                    next_report_due=timing.first_due(now) if decision.eligible else None,
                    created_by=actor if getattr(actor, "pk", None) else None,
                )
        except IntegrityError:
            code = "already_enrolled" if Enrolment.objects.filter(case=case).exists() else None
            raise error(code or "active_elsewhere") from None
        audit.record("care.enrol", actor=actor, request=request, obj=enrolment, ward=case.ward)
        events.emit(
            "care.enrolled",
            enrolment_id=enrolment.pk,
            case_id=case.pk,
            ward_id=case.ward_id,
            eligible=decision.eligible,
        )
    if decision.eligible:
        transaction.on_commit(lambda: send_link(enrolment))
    return enrolment


def self_report_url(enrolment: Enrolment) -> str:
    return settings.BASE_URL + reverse("care_public:report", args=[enrolment.token])


def send_link(enrolment: Enrolment) -> bool:
    """SMS the personal self-report link (once per enrolment)."""
    return notify.send(
        f"link-{enrolment.pk}",
        enrolment.person.phone,
        f"Tram y te: phieu tu theo doi suc khoe tai nha, ghi 2 lan/ngay: "
        f"{self_report_url(enrolment)}",
        kind="link",
        enrolment=enrolment,
    )


def _report_from(values: dict[str, Any], measured_at: datetime, form_version: str):
    try:
        return care_reports.Report(measured_at=measured_at, form_version=form_version, **values)
    except CareError as exc:
        name = exc.code.removeprefix("implausible_")
        raise InputErrors.one(
            name if name in care_reports.VITAL_FIELDS else "symptoms",
            exc.code,
            exc.message_vi,
            exc.message_en,
        ) from None


def current_form(enrolment: Enrolment, on: date) -> tuple[care_reports.Form, str]:
    rule_set = rule_set_for(enrolment, on)
    try:
        months = care_reports.age_in_months(enrolment.birth_date, on)
    except CareError as exc:
        raise InputErrors.one("measured_at", exc.code, exc.message_vi, exc.message_en) from None
    form = care_reports.form_for_age(months)
    return form, care_reports.form_version(rule_set, form)


def do_submit_report(
    enrolment: Enrolment,
    values: dict[str, Any],
    *,
    source: str,
    client_id: str,
    measured_at: datetime | None = None,
    repeat_of: int | None = None,
    actor: Any = None,
    request: Any = None,
) -> tuple[Report, care_warnings.Evaluation]:
    """Store one self-monitoring report and evaluate its warning signs at once.

    A low SpO2 alone asks for a second reading (``repeat_of`` then names the first report, which
    is completed, not duplicated); an alert is raised in the same transaction and its event
    reaches the clinician through the worker within seconds."""
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise error("not_active")
    now = timezone.now()
    measured_at = measured_at or now
    if measured_at > now + timedelta(minutes=5):
        raise InputErrors.one(
            "measured_at", "in_future", "Thời điểm đo ở tương lai.", "Measured in the future."
        )
    client_id = (client_id or secrets.token_hex(16))[:64]
    first = None
    if repeat_of is not None:
        first, values = _second_reading(enrolment, repeat_of, values)
        if first.spo2_repeat is not None:  # the second reading was already sent
            return first, _evaluate(enrolment, _as_rule_report(first))
        measured_at = first.measured_at
    _form, version = current_form(enrolment, local_date(measured_at))
    rule_report = _report_from(
        values, measured_at, first.form_version if first is not None else version
    )
    if not any(getattr(rule_report, n) is not None for n in care_reports.VITAL_FIELDS) and not (
        rule_report.symptoms
    ):
        raise InputErrors.one(
            "spo2", "empty_report", "Phiếu chưa có số đo nào.", "The report has no measurement."
        )
    evaluation = _evaluate(enrolment, rule_report)
    if source == ReportSource.FHIR and evaluation.status == ReportStatus.REMEASURE:
        # Nobody is on the page to take a second reading of a device's value: alert at once.
        advice_vi, advice_en = care_warnings.ADVICE[care_warnings.ALERT]
        evaluation = dataclasses.replace(
            evaluation,
            status=care_warnings.ALERT,
            advice_vi=advice_vi,
            advice_en=advice_en,
            remeasure_after_seconds=None,
        )
    with transaction.atomic():
        if first is not None:
            report = Report.objects.select_for_update().get(pk=first.pk)
            if report.status != ReportStatus.REMEASURE:  # a concurrent second reading won
                return report, _evaluate(enrolment, _as_rule_report(report))
            report.spo2_repeat = rule_report.spo2_repeat
            report.status, report.signs = evaluation.status, _signs(evaluation)
            report.save(update_fields=["spo2_repeat", "status", "signs"])
        else:
            try:
                with transaction.atomic():
                    report = Report.objects.create(
                        enrolment=enrolment,
                        measured_at=measured_at,
                        received_at=now,
                        form_version=rule_report.form_version,
                        source=source,
                        client_id=client_id,
                        symptoms=sorted(rule_report.symptoms),
                        status=evaluation.status,
                        signs=_signs(evaluation),
                        rule_set_id=evaluation.rule_set_id,
                        **{n: getattr(rule_report, n) for n in care_reports.VITAL_FIELDS},
                    )
            except IntegrityError:  # the same submission again: the first one stands
                report = Report.objects.get(enrolment=enrolment, client_id=client_id)
                return report, _evaluate(enrolment, _as_rule_report(report))
            _advance_due(enrolment, measured_at)
        if evaluation.status == ReportStatus.ALERT:
            raise_alert(report, now)
        if actor is not None:
            audit.record(
                "care.report", actor=actor, request=request, obj=report, ward=enrolment.ward_id
            )
    return report, evaluation


def _second_reading(
    enrolment: Enrolment, first_id: int, values: dict[str, Any]
) -> tuple[Report, dict[str, Any]]:
    """The first report completed with the second SpO2 reading (the re-measure rule)."""
    first = Report.objects.filter(pk=first_id, enrolment=enrolment).first()
    if first is not None and first.spo2_repeat is not None:
        return first, values
    if first is None or first.status != ReportStatus.REMEASURE:
        raise error("not_remeasure")
    if values.get("spo2_repeat") is None:
        raise InputErrors.one(
            "spo2_repeat", "required", "Nhập SpO2 lần đo thứ hai.", "Enter the second SpO2."
        )
    merged = {name: getattr(first, name) for name in care_reports.VITAL_FIELDS}
    merged["spo2_repeat"] = values["spo2_repeat"]
    merged["symptoms"] = frozenset(first.symptoms)
    return first, merged


def _advance_due(enrolment: Enrolment, measured_at: datetime) -> None:
    due = timing.next_due(measured_at)
    Enrolment.objects.filter(pk=enrolment.pk).update(
        last_report_at=measured_at, next_report_due=due
    )
    # Only move forward: a late-arriving older report must not pull the due time back.
    Enrolment.objects.filter(pk=enrolment.pk, next_report_due__lt=due).update(next_report_due=due)


def raise_alert(report: Report, now: datetime) -> Alert:
    alert, created = Alert.objects.get_or_create(
        report=report, defaults={"enrolment_id": report.enrolment_id, "raised_at": now}
    )
    if created:
        events.emit(
            "care.alert_raised",
            alert_id=alert.pk,
            enrolment_id=report.enrolment_id,
            ward_id=report.enrolment.ward_id,
        )
    return alert


def _signs(evaluation: care_warnings.Evaluation) -> list[dict[str, Any]]:
    return [
        {"code": s.code, "message_vi": s.message_vi, "message_en": s.message_en, "value": s.value}
        for s in evaluation.signs
    ]


def _as_rule_report(report: Report) -> care_reports.Report:
    return care_reports.Report(
        measured_at=report.measured_at,
        form_version=report.form_version,
        symptoms=frozenset(report.symptoms),
        **{n: getattr(report, n) for n in care_reports.VITAL_FIELDS},
    )


def _evaluate(enrolment: Enrolment, report: care_reports.Report) -> care_warnings.Evaluation:
    rule_set = rule_set_for(enrolment, local_date(report.measured_at))
    try:
        return care_warnings.evaluate(report, enrolment.birth_date, rule_set)
    except CareError as exc:  # measured before the birth date
        raise InputErrors.one("measured_at", exc.code, exc.message_vi, exc.message_en) from None
