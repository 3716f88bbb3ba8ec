"""JSON API of home care: enrolment, reports entered by staff, the "needs action today" list,
acknowledging alerts, and FHIR R4 export and import of a patient's vital signs
(``care/fhir.py``; jurisdiction-scoped and audited)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from django.http import HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status

from phongdich.accounts import audit
from phongdich.care import actions, fhir, followup, queries
from phongdich.care.forms import report_values
from phongdich.care.models import Enrolment, Report, ReportSource
from phongdich.care.reports import VITAL_FIELDS
from phongdich.care.reports import Report as RuleReport
from phongdich.core.openapi import answers
from phongdich.lib.errors import InputErrors

router = Router(tags=["care"])


class EnrolmentIn(Schema):
    case_id: int
    severity: str
    respiratory_rate: float | None = None
    spo2: float | None = None
    birth_date: str | None = None
    isolation_start: str | None = None
    comorbidity: str = "none"
    on_oxygen: bool = False
    can_self_care: bool = True
    reachable_by_phone: bool = True
    fully_vaccinated: bool = False
    clinician: int | None = None
    referral_facility: str = ""
    referral_reason: str = ""


class ReportIn(Schema):
    client_id: str
    measured_at: datetime | None = None
    respiratory_rate: float | None = None
    pulse: float | None = None
    temperature_c: float | None = None
    spo2: float | None = None
    spo2_repeat: float | None = None
    systolic: float | None = None
    diastolic: float | None = None
    symptoms: list[str] = []


def enrolment_out(e: Enrolment) -> dict:
    return {
        "id": e.pk,
        "case_id": e.case_id,
        "status": e.status,
        "episode": e.episode,
        "isolation_start": e.isolation_start.isoformat(),
        "clinician_id": e.clinician_id,
        "rule_set": e.rule_set_id,
        "reasons": e.assessment.get("reasons", []),
        "next_report_due": e.next_report_due.isoformat() if e.next_report_due else None,
    }


@router.post("/care/enrolments", response={201: dict})
@answers(404, 409)
def create_enrolment(request, payload: EnrolmentIn):
    case = queries.access_case_to_enrol(request.user, payload.case_id)
    data = payload.model_dump()
    data = {k: ("" if v is None else v) for k, v in data.items()}
    enrolment = actions.do_enrol(case, data, actor=request.user, request=request)
    return Status(201, enrolment_out(enrolment))


@router.get("/care/needs-action", response=list[dict])
def needs_action(request, page: int = 1):
    """New warnings first, then missed reports, then due discharges (ids and codes only), by
    page of 50 (``?page=2``); an empty list after the last page."""
    listing = queries.needs_action(request.user, timezone.now(), page=min(max(page, 1), 100_000))
    return [
        {
            "kind": item.kind,
            "enrolment_id": item.enrolment.pk,
            "day_number": item.day_number,
            "alert_id": item.alert.pk if item.alert else None,
            "signs": [s["code"] for s in item.alert.report.signs] if item.alert else [],
        }
        for item in listing.items
    ]


@router.post("/care/enrolments/{enrolment_id}/reports", response={201: dict})
@answers(409)
def add_report(request, enrolment_id: int, payload: ReportIn):
    enrolment = queries.access_enrolment(request.user, enrolment_id)
    values = report_values(payload.model_dump())
    report, evaluation = actions.do_submit_report(
        enrolment,
        values,
        source=ReportSource.STAFF,
        client_id=payload.client_id,
        measured_at=payload.measured_at,
        actor=request.user,
        request=request,
    )
    return Status(201, {"id": report.pk, **evaluation.as_dict()})


@router.post("/care/alerts/{alert_id}/ack", response=dict)
def acknowledge(request, alert_id: int):
    alert = queries.access_alert(request.user, alert_id)
    alert = followup.do_acknowledge_alert(alert, actor=request.user, request=request)
    return {"id": alert.pk, "status": alert.status}


def subject_of(enrolment: Enrolment) -> str:
    """A pseudonymous FHIR subject: never a name, a phone or an ID number."""
    return f"Patient/homecare-{enrolment.pk}"


def _as_rule_report(report: Report) -> RuleReport:
    return RuleReport(
        measured_at=report.measured_at,
        form_version=report.form_version,
        symptoms=frozenset(report.symptoms),
        **{n: getattr(report, n) for n in VITAL_FIELDS},
    )


@router.get("/care/enrolments/{enrolment_id}/fhir")
def export_fhir(request, enrolment_id: int):
    """The patient's vital signs as a FHIR R4 ``collection`` Bundle (vital-signs profile)."""
    enrolment = queries.access_enrolment(request.user, enrolment_id)
    reports = [_as_rule_report(r) for r in enrolment.reports.order_by("measured_at", "pk")]
    bundle = fhir.export_bundle(reports, subject_of(enrolment))
    audit.record(
        "care.fhir_export",
        request=request,
        obj=enrolment,
        ward=enrolment.ward_id,
        detail={"reports": len(reports)},
    )
    return HttpResponse(json.dumps(bundle), content_type="application/fhir+json")


@router.post(
    "/care/enrolments/{enrolment_id}/fhir",
    response={200: dict},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"type": "object", "description": "FHIR R4 Bundle / Observation"}}
                for media in ("application/fhir+json", "application/json")
            },
        }
    },
)
@answers(409)
def import_fhir(request, enrolment_id: int):
    """Observations from a device or another system (a Bundle or one Observation) become
    reports of this patient, evaluated like any other; what cannot be used is listed."""
    enrolment = queries.access_enrolment(request.user, enrolment_id)
    try:
        data = json.loads(request.body)
    except ValueError:
        raise InputErrors.one(
            "body", "bad_json", "Nội dung không phải JSON hợp lệ.", "The body is not valid JSON."
        ) from None
    if not isinstance(data, dict):
        raise InputErrors.one(
            "body", "not_object", "Cần một tài nguyên FHIR.", "A FHIR resource is expected."
        )
    result = fhir.import_observations(data)
    subjects = {item.subject for item in result.reports}
    if len(subjects) > 1:
        raise InputErrors.one(
            "subject",
            "several_subjects",
            "Dữ liệu có nhiều người bệnh; hãy gửi từng người.",
            "The data hold several patients; send one patient at a time.",
        )
    imported = []
    for item in result.reports:
        report = item.report
        values = {n: getattr(report, n) for n in VITAL_FIELDS}
        values["symptoms"] = frozenset()
        key = f"{item.subject}|{report.measured_at.isoformat()}"
        saved, evaluation = actions.do_submit_report(
            enrolment,
            values,
            source=ReportSource.FHIR,
            client_id="fhir:" + hashlib.sha256(key.encode()).hexdigest()[:40],
            measured_at=report.measured_at,
            actor=request.user,
            request=request,
        )
        imported.append(
            {
                "id": saved.pk,
                "status": evaluation.status,
                "signs": [s.code for s in evaluation.signs],
            }
        )
    audit.record(
        "care.fhir_import",
        request=request,
        obj=enrolment,
        ward=enrolment.ward_id,
        detail={"imported": len(imported), "skipped": len(result.skipped)},
    )
    return {
        "imported": imported,
        "skipped": [
            {"id": s.resource_id, "code": s.code, "detail": s.detail} for s in result.skipped
        ],
    }
