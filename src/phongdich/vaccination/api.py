"""Vaccination API: doses, adverse events, sessions, registrations, coverage, certificates,
the verifier and the public trust list."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import File, Router, Status, UploadedFile

from phongdich.accounts import audit
from phongdich.accounts.api_auth import STAFF_OR_CITIZEN
from phongdich.accounts.jurisdiction import require_role
from phongdich.core.openapi import answers
from phongdich.core.ratelimit import check_rate
from phongdich.lib.errors import InputErrors
from phongdich.lib.timeutil import local_date
from phongdich.people.identity import resolve
from phongdich.people.validation import validate_person
from phongdich.vaccination import (
    actions,
    adverse,
    certificates,
    coverage,
    doses,
    invitations,
    keys,
    queries,
)
from phongdich.vaccination.errors import error
from phongdich.vaccination.models import AdverseEvent, Certificate, Dose, Session
from phongdich.vaccination.queries import OFFICERS, VACCINATION_ROLES
from phongdich.vaccination.schemas import (
    AdverseEventIn,
    AdverseEventOut,
    AdverseEventPatch,
    CertificateIn,
    CertificateOut,
    DoseIn,
    DoseOut,
    InviteIn,
    ObservationIn,
    PopulationIn,
    RegistrationIn,
    RegistrationOut,
    SessionIn,
    SessionOut,
    VerifyIn,
    VerifyOut,
    VoidIn,
)

router = Router(tags=["vaccination"])
VERIFY_RATE_PER_MINUTE = 120


def _found(lookup, code: str):
    try:
        return lookup()
    except Http404:
        raise error(code) from None


def dose_out(dose: Dose) -> dict:
    return {
        "id": dose.pk,
        "person_id": dose.person_id,
        "session_id": dose.session_id,
        "product": dose.product,
        "manufacturer": dose.manufacturer,
        "lot": dose.lot,
        "dose_number": dose.dose_number,
        "given_on": dose.given_on,
        "site": dose.site,
        "country": dose.country,
        "vaccinator": dose.vaccinator_name,
        "source": dose.source,
        "source_detail": dose.source_detail,
        "screening_result": dose.screening.result if dose.screening_id else None,
        "observation_until": dose.observation_until,
        "observation_result": dose.observation_result,
        "voided": dose.voided_at is not None,
    }


@router.post("/doses", response={201: DoseOut, 200: DoseOut})
@answers(404, 409)
def record_dose(request, payload: DoseIn):
    """Record a dose: at a session (``session_id``, with the screening checklist) or given
    elsewhere (``source_detail`` says where). A repeated ``client_id`` returns the same dose."""
    user = request.user
    require_role(user, *VACCINATION_ROLES)
    person, clean = None, None
    if payload.person_id is not None:
        person = _found(lambda: queries.access_person(user, payload.person_id), "unknown_person")
    elif payload.person is not None:
        clean, errors = validate_person(payload.person.model_dump(), require_contact=False)
        if errors:
            raise InputErrors(errors)
    else:
        raise InputErrors.one(
            "person_id",
            "required",
            "Cần person_id hoặc thông tin người tiêm.",
            "person_id or person is required.",
        )
    session = None
    if payload.session_id is not None:
        session = _found(
            lambda: queries.access_session(user, payload.session_id), "unknown_session"
        )
    data = payload.dict(exclude={"person", "person_id", "session_id", "client_id"})
    data["screening"] = payload.screening.model_dump() if payload.screening else {}
    # One transaction: a dose refused (422) leaves no person created or changed behind.
    with transaction.atomic():
        if person is None:
            person = resolve(clean, actor=user, request=request).person
        dose, created = doses.do_record_dose(
            person, data, session=session, actor=user, request=request, client_id=payload.client_id
        )
    return Status(201 if created else 200, dose_out(dose))


@router.get("/doses", response=list[DoseOut])
@answers(404)
def list_doses(request, person_id: int):
    person = _found(lambda: queries.access_person(request.user, person_id), "unknown_person")
    rows = queries.person_doses(person)
    audit.record("view", request=request, obj=person, ward=person.ward, detail={"doses": len(rows)})
    return [dose_out(d) for d in rows]


@router.post("/doses/{dose_id}/observation", response=DoseOut)
@answers(409)
def finish_observation(request, dose_id: int, payload: ObservationIn):
    dose = _found(lambda: queries.access_dose(request.user, dose_id), "unknown_dose")
    require_role(request.user, *VACCINATION_ROLES)
    return dose_out(
        doses.do_finish_observation(
            dose, payload.result, note=payload.note, actor=request.user, request=request
        )
    )


@router.post("/doses/{dose_id}/void", response=DoseOut)
@answers(409)
def void_dose(request, dose_id: int, payload: VoidIn):
    require_role(request.user, *OFFICERS)
    dose = _found(lambda: queries.access_dose(request.user, dose_id), "unknown_dose")
    return dose_out(doses.do_void_dose(dose, payload.reason, actor=request.user, request=request))


def event_out(event: AdverseEvent) -> dict:
    return {
        "id": event.pk,
        "dose_id": event.dose_id,
        "person_id": event.person_id,
        "ward_code": event.ward_id,
        "onset_at": event.onset_at,
        "severity": event.severity,
        "symptoms": event.symptoms,
        "description": event.description,
        "outcome": event.outcome,
        "hospitalised": event.hospitalised,
        "during_observation": event.during_observation,
        "reported_at": event.reported_at,
    }


@router.post("/adverse-events", response={201: AdverseEventOut})
@answers(404)
def report_adverse_event(request, payload: AdverseEventIn):
    """Report an adverse event after immunisation on a dose."""
    dose = _found(lambda: queries.access_dose(request.user, payload.dose_id), "unknown_dose")
    event = adverse.do_report_adverse_event(
        dose, payload.dict(exclude={"dose_id"}), actor=request.user, request=request
    )
    return Status(201, event_out(event))


@router.get("/adverse-events", response=list[AdverseEventOut])
def list_adverse_events(
    request, severity: str = "", since: date | None = None, until: date | None = None
):
    events = list(
        queries.adverse_events_for(request.user, severity=severity, since=since, until=until)[:2000]
    )
    audit.record(
        "view",
        request=request,
        object_type="vaccination.adverseevent_list",
        detail={"count": len(events)},
    )
    return [event_out(e) for e in events]


@router.patch("/adverse-events/{event_id}", response=AdverseEventOut)
def update_adverse_event(request, event_id: int, payload: AdverseEventPatch):
    event = queries.access_adverse_event(request.user, event_id)
    return event_out(
        adverse.do_update_adverse_event(
            event,
            outcome=payload.outcome,
            hospitalised=payload.hospitalised,
            actor=request.user,
            request=request,
        )
    )


COUNTS = {
    "invited_count": Count("invitations", distinct=True),
    "doses_count": Count("doses", distinct=True),
}


def session_out(session: Session) -> dict:
    if not hasattr(session, "invited_count"):  # the list annotates them
        counted = Session.objects.filter(pk=session.pk).aggregate(**COUNTS)
        session.invited_count, session.doses_count = (
            counted["invited_count"],
            counted["doses_count"],
        )
    counts = {"invited": session.invited_count, "doses": session.doses_count}
    return {
        "id": session.pk,
        "ward_code": session.ward_id,
        "site_name": session.site_name,
        "address": session.address,
        "date": session.date,
        "product": session.product,
        "lot_numbers": session.lot_numbers,
        "slots": session.slots,
        "status": session.status,
        **counts,
    }


@router.post("/vaccination/sessions", response={201: SessionOut})
def create_session(request, payload: SessionIn):
    require_role(request.user, *OFFICERS)
    session = actions.do_create_session(payload.model_dump(), actor=request.user, request=request)
    return Status(201, session_out(session))


@router.get("/vaccination/sessions", response=list[SessionOut])
def list_sessions(request, since: date | None = None):
    sessions = queries.sessions_for(request.user).annotate(**COUNTS).order_by("-date", "pk")
    if since:
        sessions = sessions.filter(date__gte=since)
    return [session_out(s) for s in sessions[:500]]


@router.post("/vaccination/sessions/{session_id}/invitations")
@answers(409)
def invite(request, session_id: int, payload: InviteIn):
    """Invite registered people by priority group and age, up to the session's free slots."""
    require_role(request.user, *OFFICERS)
    session = _found(lambda: queries.access_session(request.user, session_id), "unknown_session")
    count = invitations.do_invite(
        session,
        priority_groups=payload.priority_groups,
        min_age=payload.min_age,
        max_age=payload.max_age,
        actor=request.user,
        request=request,
    )
    return {"invited_now": count, **session_out(session)}


@router.post(
    "/vaccination/registrations",
    response={201: RegistrationOut, 200: RegistrationOut},
    auth=STAFF_OR_CITIZEN,
)
@answers(403, 409, 429)
def register(request, payload: RegistrationIn):
    """Self-registration (anonymous) or registration by an officer. A citizen never learns
    anything about an existing registration: details naming a known person register a claim
    (people.identity), answered like a new person; the same details again answer 200 without a
    link."""
    user = request.user
    officer = user.is_authenticated
    if officer:
        require_role(user, *OFFICERS)
    else:
        check_rate(request, "vaccination_register", 20)
    registration, created = actions.do_register(
        payload.person.model_dump(),
        priority_group=payload.priority_group,
        date_of_birth=payload.date_of_birth,
        channel="officer" if officer else "self",
        actor=user if officer else None,
        request=request,
        prefix="person.",
    )
    body = {"created": created, "status_url": None, "id": None, "person_id": None}
    if created or officer:
        body["status_url"] = settings.BASE_URL + reverse(
            "vaccination_public:registration", args=[registration.token]
        )
    if officer:
        body["id"] = registration.pk
        body["person_id"] = registration.person_id
    return Status(201 if created else 200, body)


@router.get("/vaccination/coverage")
def get_coverage(request, on: date | None = None, ward_code: int | None = None):
    """Coverage per ward and age band (18+, 50+, 65+): one dose, fully vaccinated, booster."""
    require_role(request.user, *OFFICERS)
    items = coverage.coverage_for(request.user, on=on, ward_code=ward_code)
    return {
        "on": (on or local_date(timezone.now())).isoformat(),
        "wards": [item.as_dict() for item in items],
        "total": coverage.totals(items).as_dict()["bands"],
    }


@router.post("/vaccination/population")
def set_population(request, payload: PopulationIn):
    require_role(request.user, *OFFICERS)
    errors: list = []
    ward = actions.ward_in_area(payload.ward_code, request.user, errors)
    if ward is None:
        raise InputErrors(errors)
    row = coverage.do_set_population(
        ward,
        age_18_plus=payload.age_18_plus,
        age_50_plus=payload.age_50_plus,
        age_65_plus=payload.age_65_plus,
        source=payload.source,
        actor=request.user,
        request=request,
    )
    return {
        "ward_code": row.ward_id,
        "age_18_plus": row.age_18_plus,
        "age_50_plus": row.age_50_plus,
        "age_65_plus": row.age_65_plus,
    }


@router.post("/vaccination/population/import")
def import_population(request, file: File[UploadedFile], commit: bool = False):
    """CSV/XLSX with ward_code, age_18_plus, age_50_plus, age_65_plus; preview unless commit."""
    require_role(request.user, *OFFICERS)
    data = file.read()
    if commit:
        return {
            "ok": True,
            "imported": coverage.do_import_population(
                data, file.name or "", actor=request.user, request=request
            ),
        }
    rows, file_errors = coverage.preview_population(data, file.name or "", request.user)
    return {
        "ok": not file_errors and all(not r.errors for r in rows),
        "file_errors": [e.as_dict() for e in file_errors],
        "rows": [
            {"row": r.row, "data": r.data, "errors": [e.as_dict() for e in r.errors]} for r in rows
        ],
    }


def certificate_out(certificate: Certificate) -> dict:
    base = settings.BASE_URL
    token = certificate.token
    return {
        "id": certificate.pk,
        "uvci": certificate.uvci,
        "hc1": certificate.hc1,
        "kid": certificate.kid,
        "issued_at": certificate.issued_at,
        "expires_at": certificate.expires_at,
        "page_url": base + reverse("vaccination_public:certificate", args=[token]),
        "pdf_url": base + reverse("vaccination_public:certificate_pdf", args=[token]),
        "qr_url": base + reverse("vaccination_public:certificate_qr", args=[token]),
    }


@router.post("/certificates", response={201: CertificateOut, 200: CertificateOut})
@answers(404, 409, 503)
def issue_certificate(request, payload: CertificateIn):
    """Issue the vaccination certificate (HC1) of a person's latest dose: 201 when signed now,
    200 when an unexpired certificate saying the same already exists (unless ``reissue``)."""
    require_role(request.user, *OFFICERS)
    person = _found(
        lambda: queries.access_person(request.user, payload.person_id, *OFFICERS), "unknown_person"
    )
    certificate, created = certificates.do_issue_certificate(
        person, actor=request.user, request=request, reissue=payload.reissue
    )
    return Status(201 if created else 200, certificate_out(certificate))


@router.post("/certificates/verify", response=VerifyOut, auth=STAFF_OR_CITIZEN)
@answers(429)
def verify(request, payload: VerifyIn):
    """Verify any HC1 certificate against this server's trust list: ``valid``, the ``reason``
    (bad_prefix, base45, decompress, cbor, unknown_kid, signature, key_usage, expired,
    not_yet_valid, schema …), every stage, and the decoded content."""
    if not request.user.is_authenticated:
        check_rate(request, "dcc_verify", VERIFY_RATE_PER_MINUTE)
    return certificates.result_dict(certificates.verify_text(payload.hc1[:8000]))


@router.get("/trust-list", auth=None)
def trust_list(request):
    """The public trust list: every trusted document signer certificate by kid (base64 DER)."""
    return HttpResponse(keys.trust_list_json(), content_type="application/json")
