from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.http import Http404
from ninja import File, Router, Status, UploadedFile

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import require_role
from phongdich.accounts.models import Role
from phongdich.lib.errors import InputErrors
from phongdich.people.queries import access_person
from phongdich.tracing import actions, exposure, imports, paging, queries
from phongdich.tracing.models import Case, Contact, ExposureWindow, Level
from phongdich.tracing.schemas import (
    CaseIn,
    CaseOut,
    ClusterOut,
    ContactAdd,
    ContactOut,
    ContactPage,
    ContactPatch,
    ExposureWindowOut,
    ExposureWindowPage,
)

router = Router(tags=["tracing"])
OFFICERS = (Role.PROVINCE_OFFICER, Role.WARD_OFFICER)


def case_out(case: Case) -> dict:
    counts = Contact.objects.filter(case=case).aggregate(
        f1=Count("pk", filter=Q(level=Level.F1)), f2=Count("pk", filter=Q(level=Level.F2))
    )
    return {
        "id": case.pk,
        "person_id": case.person_id,
        "ward_code": case.ward_id,
        "status": case.status,
        "confirmed_at": case.confirmed_at,
        "sample_date": case.sample_date,
        "onset_date": case.onset_date,
        "window_start": case.window_start,
        "window_end": case.window_end,
        "window_override_reason": case.window_override_reason,
        "f2_pending": case.f2_pending,
        "exposure_windows": ExposureWindow.objects.filter(case=case).count(),
        **counts,
    }


@router.post("/cases", response={201: CaseOut})
def create_case(request, payload: CaseIn):
    """Register a confirmed case (F0); its F1 are computed at once from check-ins, and its F2
    too unless it has many F1: then ``f2_pending`` is true until the background search ends."""
    require_role(request.user, *OFFICERS)
    person = None
    if payload.person_id is not None:
        try:
            person = access_person(request.user, payload.person_id)
        except Http404:  # outside the caller's area answers as no one: nothing is disclosed
            raise InputErrors.one(
                "person_id",
                "unknown_person",
                "Không có người với mã này.",
                "person_id is not a known person.",
            ) from None
    elif payload.person is None:
        raise InputErrors.one(
            "person",
            "required",
            "Cần person_id hoặc thông tin người bệnh.",
            "person_id or person is required.",
        )
    case = actions.do_create_case(
        person=person,
        person_data=payload.person.model_dump() if payload.person else None,
        confirmed_at=payload.confirmed_at,
        sample_date=payload.sample_date,
        onset_date=payload.onset_date,
        source=payload.source,
        notes=payload.notes,
        ward_code=payload.ward_code,
        actor=request.user,
        request=request,
    )
    return Status(201, case_out(case))


@router.get("/cases/{case_id}", response=CaseOut)
def get_case(request, case_id: int):
    case = queries.access_case(request.user, case_id)
    audit.record("view", request=request, obj=case, ward=case.ward)
    return case_out(case)


CONTACT_FIELDS = {
    "id": "pk",
    "level": "level",
    "status": "status",
    "origin": "origin",
    "relation": "relation",
    "via_contact_id": "via_id",
    "quarantine_start": "quarantine_start",
    "quarantine_end": "quarantine_end",
    "test_result": "test_result",
}
PERSON_FIELDS = {"id": "id", "full_name": "full_name", "birth_year": "birth_year", "phone": "phone"}


def contact_out(contact: Contact, evidence: list[dict]) -> dict:
    person = {k: getattr(contact.person, f) for k, f in PERSON_FIELDS.items()}
    return {
        **{k: getattr(contact, f) for k, f in CONTACT_FIELDS.items()},
        "person": {**person, "ward_code": contact.person.ward_id},
        "evidence": evidence,
    }


# A page's contacts are read as dicts with their person (no model instances).
CONTACT_VALUES = (
    *CONTACT_FIELDS.values(),
    *(f"person__{f}" for f in PERSON_FIELDS.values()),
    "person__ward_id",
)


def row_out(row: dict, evidence: list[dict]) -> dict:
    return {
        **{k: row[f] for k, f in CONTACT_FIELDS.items()},
        "person": {
            **{k: row[f"person__{f}"] for k, f in PERSON_FIELDS.items()},
            "ward_code": row["person__ward_id"],
        },
        "evidence": evidence,
    }


def _next(request, cursor: str | None, **params) -> str | None:
    return None if cursor is None else f"{request.path}?{urlencode({**params, 'cursor': cursor})}"


@router.get("/cases/{case_id}/contacts", response=ContactPage)
def case_contacts(
    request, case_id: int, depth: int = 2, limit: int = paging.DEFAULT_LIMIT, cursor: str = ""
):
    """F1 (depth=1) or F1 and F2 (depth=2) with their evidence, within the caller's area, a
    page at a time (``limit`` up to 1000, ``cursor`` from ``next_cursor``), in the order
    level, then id: the order an index on (case, level, id) serves, so a page of a case with
    80,000 contacts is read without sorting them all."""
    case = queries.access_case(request.user, case_id)
    contacts = queries.contacts_for(request.user, case).select_related(None)
    if depth < 2:
        contacts = contacts.filter(level=Level.F1)
    total, page, after = paging.page_of(
        contacts,
        ("level", "pk"),
        limit,
        cursor,
        paging.contact_after,
        paging.contact_cursor,
        values=CONTACT_VALUES,
    )
    evidence = queries.evidence_out([c["pk"] for c in page])
    audit.record(
        "view",
        request=request,
        object_type="tracing.contact_list",
        object_id=case.pk,
        ward=case.ward,
        detail={"count": len(page), "total": total},
    )
    return {
        "items": [row_out(c, evidence.get(c["pk"], [])) for c in page],
        "total": total,
        "next_cursor": after,
        "next": _next(request, after, depth=depth, limit=limit),
    }


def window_out(window: ExposureWindow) -> dict:
    return {
        "id": window.pk,
        "venue": window.venue.code,
        "venue_name": window.venue.name,
        "start": window.start,
        "end": window.end,
        "present": window.present,
        "f1_count": window.f1_count,
        "via_contact_id": window.via_id,
        "materialise_status": window.materialise_status,
        "materialised": window.materialised,
    }


@router.get("/cases/{case_id}/exposure-windows", response=ExposureWindowPage)
def case_windows(request, case_id: int, limit: int = paging.DEFAULT_LIMIT, cursor: str = ""):
    """Crowded venues while an F1 was there (more than ``tracing.crowd_threshold`` people
    present): recorded as windows, not F2 lists. Paged like the contacts, by start time."""
    case = queries.access_case(request.user, case_id)
    total, page, after = paging.page_of(
        queries.windows_of(case),
        ("start", "pk"),
        limit,
        cursor,
        paging.window_after,
        paging.window_cursor,
    )
    audit.record(
        "view",
        request=request,
        object_type="tracing.exposure_windows",
        object_id=case.pk,
        ward=case.ward,
        detail={"count": len(page), "total": total},
    )
    return {
        "items": [window_out(w) for w in page],
        "total": total,
        "next_cursor": after,
        "next": _next(request, after, limit=limit),
    }


@router.post("/exposure-windows/{window_id}/materialise", response={202: ExposureWindowOut})
def materialise_window(request, window_id: int):
    """List the window's people as F2 (origin "window"), in the background, page by page;
    asking again does not queue it twice."""
    require_role(request.user, *OFFICERS)
    window = queries.access_window(request.user, window_id)
    exposure.do_materialise_window(window, actor=request.user, request=request)
    return Status(202, window_out(window))


@router.post("/cases/{case_id}/contacts", response={201: ContactOut, 200: ContactOut})
def add_contact(request, case_id: int, payload: ContactAdd):
    require_role(request.user, *OFFICERS)
    case = queries.access_case(request.user, case_id)
    contact, created = actions.do_add_contact(
        case,
        payload.person.model_dump(),
        relation=payload.relation,
        level=payload.level if payload.level in Level.values else Level.F1,
        actor=request.user,
        request=request,
    )
    return Status(201 if created else 200, contact_out(contact, []))


@router.post("/cases/{case_id}/contacts/import")
def import_contacts(request, case_id: int, file: File[UploadedFile], commit: bool = False):
    """Upload a CSV/XLSX list; without ``commit`` returns the row-by-row preview."""
    require_role(request.user, *OFFICERS)
    case = queries.access_case(request.user, case_id)
    data = file.read()
    if not commit:
        preview = imports.preview_import(data, file.name or "", case.ward.province_id)
        return {
            "ok": preview.ok,
            "file_errors": [e.as_dict() for e in preview.file_errors],
            "rows": [
                {"row": r.row, "data": r.data, "errors": [e.as_dict() for e in r.errors]}
                for r in preview.rows
            ],
        }
    created, existing = imports.do_import_contacts(
        case, data, file.name or "", actor=request.user, request=request
    )
    return {"ok": True, "created": created, "already_listed": existing}


@router.patch("/contacts/{contact_id}", response=ContactOut)
def patch_contact(request, contact_id: int, payload: ContactPatch):
    """Move a contact: identified → notified → quarantined → tested → released, or became_case."""
    require_role(request.user, *OFFICERS, Role.CALL_OPERATOR, Role.CLINICIAN)
    contact = queries.access_contact(request.user, contact_id)
    contact = actions.do_update_contact(
        contact,
        payload.status,
        actor=request.user,
        request=request,
        quarantine_start=payload.quarantine_start,
        test_result=payload.test_result,
    )
    return contact_out(Contact.objects.select_related("person").get(pk=contact.pk), [])


@router.get("/clusters", response=list[ClusterOut])
def list_clusters(request, since: date, until: date | None = None):
    found = queries.clusters(request.user, since, until)
    return [
        {
            "venue": c["venue"].code,
            "venue_name": c["venue"].name,
            "ward_code": c["venue"].ward_id,
            "case_ids": [x.pk for x in c["cases"]],
            "first_visit": c["first"],
            "last_visit": c["last"],
            "exposed_contacts": c["exposed"],
        }
        for c in found
    ]


@router.get("/chains")
def chains(
    request,
    ward_code: int | None = None,
    since: date | None = None,
    until: date | None = None,
    depth: int = 2,
):
    """The transmission-chain graph (nodes and edges) shown on the chain view; ``depth=1`` leaves
    out the F2."""
    graph = queries.chain_graph(request.user, ward_code, since, until, depth)
    audit.record(
        "view",
        request=request,
        object_type="tracing.chain",
        object_id="",
        detail={"nodes": len(graph["nodes"])},
    )
    return graph
