"""Testing in the JSON API: sessions, samples, pools, receipts, results (one or a file), the
lab's work list, turnaround, and the public result lookup. Jurisdiction as everywhere (404)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count
from django.http import Http404
from ninja import File, Query, Router, Status, UploadedFile

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import require_role
from phongdich.accounts.models import Role, User
from phongdich.core.collation import vi_order
from phongdich.core.openapi import answers
from phongdich.lib.errors import InputErrors
from phongdich.people.models import Person
from phongdich.testing import actions, certificates, imports, pooling, queries, results
from phongdich.testing.lookup import NOT_FOUND_EN, NOT_FOUND_VI, lookup_result, public_view
from phongdich.testing.models import Lab, Pool, Sample, SamplingSession, TestType
from phongdich.testing.queries import LAB_ROLES, OFFICERS, TESTING_ROLES
from phongdich.testing.schemas import (
    CodeIn,
    LabIn,
    LabOut,
    LabTurnaroundOut,
    LookupIn,
    LookupOut,
    PoolOut,
    PoolsIn,
    PreviewOut,
    ReceiptOut,
    ResultCertificateOut,
    ResultIn,
    SampleIn,
    SampleOut,
    SamplingSessionIn,
    SamplingSessionOut,
    SummaryOut,
    TechnicianIn,
    TubeIn,
    WorklistOut,
)

router = Router(tags=["testing"])


def session_out(session: SamplingSession, detail: bool = False) -> dict[str, Any]:
    out = {
        "id": session.pk,
        "site": session.site,
        "ward_code": session.ward_id,
        "date": session.date,
        "test_type": session.test_type,
        "team": session.team,
        "target_kind": session.target_kind,
        "target_case_id": session.target_case_id,
        "rat_device": session.rat_device,
        "status": session.status,
        "samples": getattr(session, "samples_count", None) or session.samples.count(),
        "pools": getattr(session, "pools_count", None) or session.pools.count(),
    }
    if detail:
        out["turnaround"] = queries.turnaround(session.samples.all())
        if session.test_type == TestType.RT_PCR:
            out["advice"] = queries.pool_advice(session)
    return out


def sample_out(s: Sample) -> dict[str, Any]:
    p = s.person
    return {
        "tube_code": s.tube_code,
        "session_id": s.session_id,
        "person": {
            "id": p.pk,
            "full_name": p.full_name,
            "birth_year": p.birth_year,
            "phone": p.phone,
        },
        "pool_code": s.pool.code if s.pool_id else None,
        "status": s.status,
        "result": s.result,
        "ct_value": s.ct_value,
        "collected_at": s.collected_at,
        "received_at": s.received_at,
        "result_at": s.result_at,
        "resolved_via": s.resolved_via,
        "released": s.released_at is not None,
        "case_id": s.case_id,
    }


def pool_out(pool: Pool) -> dict[str, Any]:
    members = list(
        Sample.objects.filter(pool=pool).order_by("pk").values_list("tube_code", flat=True)
    )
    return {
        "code": pool.code,
        "session_id": pool.session_id,
        "max_size": pool.max_size,
        "status": pool.status,
        "samples": members,
        "received_at": pool.received_at,
        "result": pool.result,
        "ct_value": pool.ct_value,
        "result_at": pool.result_at,
    }


def lab_out(lab: Lab) -> dict[str, Any]:
    return {
        "id": lab.pk,
        "name": lab.name,
        "province_code": lab.province_id,
        "technicians": sorted(u.username for u in lab.staff.all()),
    }


@router.get("/testing/labs", response=list[LabOut])
def list_labs(request):
    require_role(request.user, *TESTING_ROLES)
    labs = queries.labs_for(request.user).prefetch_related("staff").order_by(vi_order("name"))
    return [lab_out(lab) for lab in labs]


def _lab_manager(user: Any, province_code: int) -> None:
    """Administrators set labs up anywhere, a province officer in their own province."""
    require_role(user, Role.PROVINCE_OFFICER)
    if user.role != Role.ADMIN and user.province_id != province_code:
        raise Http404


@router.post("/testing/labs", response={201: LabOut})
@answers(404)
def create_lab(request, payload: LabIn):
    """Register a laboratory and its technicians (administrators, province officers)."""
    _lab_manager(request.user, payload.province_code)
    users = [_technician(name) for name in payload.technicians]
    with transaction.atomic():
        lab = actions.do_create_lab(
            payload.name, payload.province_code, actor=request.user, request=request
        )
        for user in users:
            actions.do_assign_technician(lab, user, actor=request.user, request=request)
    return Status(201, lab_out(lab))


@router.post("/testing/labs/{lab_id}/technicians", response=LabOut)
def assign_technician(request, lab_id: int, payload: TechnicianIn):
    """Add a lab technician to a laboratory, or take them off it (``remove``)."""
    lab = Lab.objects.filter(pk=lab_id).first()
    if lab is None:
        raise Http404
    _lab_manager(request.user, lab.province_id)
    actions.do_assign_technician(
        lab,
        _technician(payload.username),
        remove=payload.remove,
        actor=request.user,
        request=request,
    )
    return lab_out(lab)


def _technician(username: str) -> Any:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise InputErrors.one(
            "username", "unknown_user", "Không có tài khoản này.", "No account has this username."
        )
    return user


@router.get("/testing/sessions", response=list[SamplingSessionOut])
def list_sessions(request, ward_code: int | None = Query(None, ge=1, le=2**31 - 1)):
    sessions = queries.sessions_for(request.user).annotate(
        samples_count=Count("samples", distinct=True), pools_count=Count("pools", distinct=True)
    )
    if ward_code:
        sessions = sessions.filter(ward_id=ward_code)
    return [session_out(s) for s in sessions.order_by("-date", "-pk")[:500]]


@router.post("/testing/sessions", response={201: SamplingSessionOut})
def create_session(request, payload: SamplingSessionIn):
    """Open a sampling session (officers of the ward or province)."""
    require_role(request.user, *OFFICERS)
    data = payload.model_dump()
    session = actions.do_create_session(data, actor=request.user, request=request)
    return Status(201, session_out(session, detail=True))


@router.get("/testing/sessions/{session_id}", response=SamplingSessionOut)
def get_session(request, session_id: int):
    """A session with its Dorfman pool-size advice and turnaround figures."""
    return session_out(queries.access_session(request.user, session_id), detail=True)


@router.get("/testing/sessions/{session_id}/samples", response=list[SampleOut])
def session_samples(request, session_id: int):
    session = queries.access_session(request.user, session_id)
    samples = list(session.samples.select_related("person", "pool").order_by("collected_at", "pk"))
    audit.record(
        "view",
        request=request,
        object_type="testing.sample_list",
        object_id=session.pk,
        ward=session.ward,
        detail={"count": len(samples)},
    )
    return [sample_out(s) for s in samples]


@router.post("/testing/sessions/{session_id}/samples", response={201: SampleOut, 200: SampleOut})
@answers(409)
def register_sample(request, session_id: int, payload: SampleIn):
    """Register a person and give their sample a tube; the same person again returns 200."""
    require_role(request.user, *TESTING_ROLES)
    session = queries.access_session(request.user, session_id)
    person = None
    if payload.person_id is not None:
        person = Person.objects.filter(pk=payload.person_id).first()
        if person is None:  # the same answer as someone not on the list
            raise InputErrors.one(
                "person_id",
                "not_in_target",
                "Người này không có trong danh sách cần lấy mẫu.",
                "This person is not on the session's target list.",
            )
    sample, created = actions.do_register_sample(
        session,
        actor=request.user,
        request=request,
        person=person,
        qr=payload.qr,
        id_number=payload.id_number,
        person_data=payload.person.model_dump() if payload.person else None,
        tube_code=payload.tube_code,
        collected_at=payload.collected_at,
    )
    return Status(201 if created else 200, sample_out(sample))


@router.post("/testing/sessions/{session_id}/pools", response={201: list[PoolOut]})
@answers(409)
def create_pools(request, session_id: int, payload: PoolsIn):
    """Pool every unpooled sample (``auto``) or open one empty pool to fill by scanning."""
    require_role(request.user, *TESTING_ROLES)
    session = queries.access_session(request.user, session_id)
    if payload.auto:
        pools = pooling.do_pool_samples(
            session, size=payload.size, actor=request.user, request=request
        )
    else:
        pools = [
            pooling.do_create_pool(session, size=payload.size, actor=request.user, request=request)
        ]
    return Status(201, [pool_out(p) for p in pools])


@router.get("/testing/pools/{code}", response=PoolOut)
def get_pool(request, code: str):
    return pool_out(queries.access_pool(request.user, code))


@router.post("/testing/pools/{code}/samples", response=PoolOut)
@answers(409)
def add_to_pool(request, code: str, payload: TubeIn):
    require_role(request.user, *TESTING_ROLES)
    pool = queries.access_pool(request.user, code)
    pooling.do_add_to_pool(pool, payload.tube_code, actor=request.user, request=request)
    pool.refresh_from_db()
    return pool_out(pool)


@router.post("/testing/pools/{code}/close", response=PoolOut)
@answers(409)
def close_pool(request, code: str):
    require_role(request.user, *TESTING_ROLES)
    pool = queries.access_pool(request.user, code)
    return pool_out(pooling.do_close_pool(pool, actor=request.user, request=request))


@router.post("/testing/receipts", response=ReceiptOut)
@answers(404, 409)
def receive(request, payload: CodeIn):
    """The lab scanned a pool or an unpooled tube on arrival (idempotent)."""
    require_role(request.user, *LAB_ROLES)
    item = queries.access_code(request.user, payload.code)
    item, new = pooling.do_receive(
        item, lab=queries.lab_for(request.user, payload.lab), actor=request.user, request=request
    )
    is_pool = isinstance(item, Pool)
    return {
        "code": item.code if is_pool else item.tube_code,
        "kind": "pool" if is_pool else "sample",
        "received_at": item.received_at,
        "newly_received": new,
    }


@router.post("/testing/results", response=SummaryOut)
@answers(404, 409)
def record_result(request, payload: ResultIn):
    """One result for a pool or a tube. A negative pool resolves its members; a positive one
    orders their retests; a positive individual result opens the person's case."""
    require_role(request.user, *LAB_ROLES)
    return results.do_record_result(
        payload.code,
        payload.result,
        ct=payload.ct,
        time=payload.time,
        user=request.user,
        lab=queries.lab_for(request.user, payload.lab),
        request=request,
    )


@router.post("/testing/results/import", response={200: PreviewOut | SummaryOut})
@answers(409)
def import_results(request, file: File[UploadedFile], commit: bool = False, lab: int | None = None):
    """Upload an analyser file (CSV/XLSX); without ``commit`` returns the row-by-row preview,
    with it records everything atomically (re-importing the same file changes nothing)."""
    require_role(request.user, *LAB_ROLES)
    data = file.read()
    if commit:
        return imports.do_import_results(
            data,
            file.name or "",
            user=request.user,
            lab=queries.lab_for(request.user, lab),
            request=request,
        )
    preview = imports.preview_results(data, file.name or "", user=request.user)
    return {
        "ok": preview.ok,
        "sha256": preview.sha256,
        "rows": len(preview.rows),
        "new": preview.new,
        "unchanged": preview.unchanged,
        "skipped": preview.skipped,
        "file_errors": [e.as_dict() for e in preview.file_errors],
        "row_list": [
            {
                "row": r.row,
                "code": r.code,
                "kind": r.kind,
                "result": r.result,
                "ct": r.ct,
                "time": r.at,
                "status": "error" if r.errors else r.status,
                "errors": [e.as_dict() for e in r.errors],
            }
            for r in preview.rows
        ],
    }


@router.get("/testing/samples/{code}", response=SampleOut)
def get_sample(request, code: str):
    """A tube's state and result, for staff (audited)."""
    sample = queries.access_sample(request.user, code)
    audit.record("view", request=request, obj=sample, ward=sample.session.ward_id)
    return sample_out(sample)


@router.get("/testing/samples/{code}/certificate", response=ResultCertificateOut)
@answers(409, 503)
def sample_certificate(request, code: str):
    """The signed DCC test certificate (``HC1:…``) of a final result."""
    sample = queries.access_sample(request.user, code)
    hc1 = certificates.issue_hc1(sample)
    audit.record("issue_certificate", request=request, obj=sample, ward=sample.session.ward_id)
    return {"hc1": hc1}


@router.get("/testing/worklist", response=WorklistOut)
def worklist(request):
    lists = queries.work_list(request.user)
    items = {
        "receive": [
            _item(x, "closed_at" if isinstance(x, Pool) else "collected_at")
            for x in lists["receive"]
        ],
        "result": [_item(x, "received_at") for x in lists["result"]],
        "retest": [
            {
                "code": o.sample.tube_code,
                "kind": "retest",
                "session_id": o.sample.session_id,
                "since": o.ordered_at,
            }
            for o in lists["retest"]
        ],
    }
    return items


def _item(x: Pool | Sample, since: str) -> dict[str, Any]:
    is_pool = isinstance(x, Pool)
    return {
        "code": x.code if is_pool else x.tube_code,
        "kind": "pool" if is_pool else "sample",
        "session_id": x.session_id,
        "since": getattr(x, since),
    }


@router.get("/testing/turnaround", response=list[LabTurnaroundOut])
def turnaround(request, days: int = 30):
    """Median hours sample → lab → result per laboratory over the last ``days``."""
    require_role(request.user, *TESTING_ROLES)
    return [
        {"lab_id": t["lab"].pk, "lab": t["lab"].name, **{k: v for k, v in t.items() if k != "lab"}}
        for t in queries.turnaround_by_lab(request.user, days=max(1, min(days, 365)))
    ]


@router.post("/testing/lookup", auth=None, response={200: LookupOut, 404: dict})
@answers(404, 429)
def lookup(request, payload: LookupIn):
    """Public: a released result by tube code and year of birth; rate-limited. An unknown code,
    a wrong year and an unreleased result all give the same 404."""
    sample = lookup_result(request, payload.code, payload.birth_year)
    if sample is None:
        return Status(
            404,
            {
                "errors": [
                    {
                        "field": "",
                        "code": "not_found",
                        "message_vi": NOT_FOUND_VI,
                        "message_en": NOT_FOUND_EN,
                    }
                ]
            },
        )
    audit.record("public_lookup", request=request, obj=sample, ward=sample.session.ward_id)
    return public_view(sample)
