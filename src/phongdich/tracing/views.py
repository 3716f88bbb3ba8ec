"""Tracing pages for officers: cases, contacts with evidence, work list, clusters, chains."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import require_role
from phongdich.lib.errors import DomainError, InputErrors
from phongdich.lib.exports import write_csv, write_xlsx
from phongdich.lib.timeutil import VN_TZ, format_vn, local_date
from phongdich.people.forms import errors_by_field, person_from_post
from phongdich.tracing import actions, exposure, imports, queries
from phongdich.tracing.api import OFFICERS
from phongdich.tracing.models import CaseSource, ContactStatus


def _parse_date(raw: str | None, default: date | None = None) -> date | None:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return default


@login_required
def case_list(request):
    cases = (
        queries.cases_for(request.user)
        .select_related("person", "ward")
        .order_by("status", "-confirmed_at")[:500]
    )
    return render(
        request,
        "tracing/case_list.html",
        {
            "cases": cases,
            "can_create": request.user.role in {*OFFICERS, "admin"},
            "sources": CaseSource.choices,
            "values": {},
            "errors": {},
        },
    )


@login_required
@require_POST
def case_create(request):
    require_role(request.user, *OFFICERS)
    post = request.POST
    confirmed = _parse_date(post.get("confirmed_date"))
    try:
        case = actions.do_create_case(
            person_data=person_from_post(post),
            confirmed_at=datetime.combine(confirmed, time(12), tzinfo=VN_TZ)
            if confirmed
            else timezone.now(),
            sample_date=_parse_date(post.get("sample_date"), local_date(timezone.now())),
            onset_date=_parse_date(post.get("onset_date")),
            source=post.get("source", "test"),
            notes=post.get("notes", ""),
            actor=request.user,
            request=request,
        )
    except (InputErrors, DomainError) as error:
        errs = error.errors if isinstance(error, InputErrors) else []
        if isinstance(error, DomainError):
            messages.error(request, error.message_vi)
        cases = queries.cases_for(request.user).select_related("person", "ward")[:500]
        return render(
            request,
            "tracing/case_list.html",
            {
                "cases": cases,
                "can_create": True,
                "sources": CaseSource.choices,
                "values": post,
                "errors": errors_by_field(errs),
            },
            status=422,
        )
    return redirect("tracing:case", case_id=case.pk)


@login_required
def case_detail(request, case_id: int):
    case = queries.access_case(request.user, case_id)
    contacts = list(queries.contacts_for(request.user, case).order_by("level", "person__full_name"))
    evidence = queries.evidence_by_contact([c.pk for c in contacts])
    for contact in contacts:
        contact.evidence_list = evidence.get(contact.pk, [])
    windows = queries.windows_for(case)
    visible = {c.pk for c in contacts}
    for window in windows:
        window.via_visible = window.via_id in visible
    audit.record(
        "view",
        request=request,
        obj=case,
        ward=case.ward,
        detail={"contacts": len(contacts), "exposure_windows": len(windows)},
    )
    return render(
        request,
        "tracing/case_detail.html",
        {
            "case": case,
            "contacts": contacts,
            "windows": windows,
            "statuses": ContactStatus.choices,
            "can_edit": request.user.role in {*OFFICERS, "admin"},
            "values": {},
            "errors": {},
        },
    )


@login_required
@require_POST
def case_retrace(request, case_id: int):
    require_role(request.user, *OFFICERS)
    case = queries.access_case(request.user, case_id)
    result = actions.do_retrace(case)
    if result is None:
        messages.success(request, _("The search runs in the background: reload in a few minutes."))
    else:
        messages.success(
            request, _("Search done: %(f1)s F1, %(f2)s F2.") % {"f1": result.f1, "f2": result.f2}
        )
    return redirect("tracing:case", case_id=case.pk)


@login_required
@require_POST
def window_materialise(request, window_id: int):
    """An officer asks for the people of an exposure window as F2 (listed in the background)."""
    require_role(request.user, *OFFICERS)
    window = queries.access_window(request.user, window_id)
    if exposure.do_materialise_window(window, actor=request.user, request=request):
        messages.success(
            request, _("The people of this window are being listed: reload in a few minutes.")
        )
    else:
        messages.info(request, _("This window's people were already asked for."))
    return redirect("tracing:case", case_id=window.case_id)


@login_required
@require_POST
def contact_status(request, contact_id: int):
    contact = queries.access_contact(request.user, contact_id)
    try:
        actions.do_update_contact(
            contact,
            request.POST.get("status", ""),
            actor=request.user,
            request=request,
            quarantine_start=_parse_date(request.POST.get("quarantine_start")),
            test_result=request.POST.get("test_result", ""),
        )
    except InputErrors as error:
        messages.error(request, error.errors[0].message_vi)
    except DomainError as error:
        messages.error(request, error.message_vi)
    if request.POST.get("next") == "worklist":
        return redirect("tracing:worklist")
    return redirect("tracing:case", case_id=contact.case_id)


@login_required
@require_POST
def contact_add(request, case_id: int):
    require_role(request.user, *OFFICERS)
    case = queries.access_case(request.user, case_id)
    try:
        actions.do_add_contact(
            case,
            person_from_post(request.POST),
            relation=request.POST.get("relation", ""),
            actor=request.user,
            request=request,
        )
    except InputErrors as error:
        for e in error.errors:
            messages.error(request, f"{e.field}: {e.message_vi}")
    return redirect("tracing:case", case_id=case.pk)


@login_required
def contact_import(request, case_id: int):
    """Upload a list, see every row checked, then commit it in one go."""
    require_role(request.user, *OFFICERS)
    case = queries.access_case(request.user, case_id)
    context = {"case": case}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a CSV or XLSX file."))
            return render(request, "tracing/import.html", context, status=422)
        data = upload.read()
        if request.POST.get("commit"):
            try:
                created, existing = imports.do_import_contacts(
                    case, data, upload.name, actor=request.user, request=request
                )
            except InputErrors as error:
                context["commit_errors"] = error.errors
                return render(request, "tracing/import.html", context, status=422)
            messages.success(
                request,
                _("%(created)s contacts added, %(existing)s already listed.")
                % {"created": created, "existing": existing},
            )
            return redirect("tracing:case", case_id=case.pk)
        context["preview"] = imports.preview_import(data, upload.name)
    return render(request, "tracing/import.html", context)


def _export(request, rows, headers, name, fmt, object_type, object_id, ward=None):
    audit.record(
        "export",
        request=request,
        object_type=object_type,
        object_id=object_id,
        ward=ward,
        detail={"format": fmt, "rows": len(rows)},
    )
    if fmt == "xlsx":
        response = HttpResponse(
            write_xlsx(rows, headers),
            content_type=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
    else:
        response = HttpResponse(write_csv(rows, headers), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _contact_row(c, evidence):
    where = "; ".join(
        f"{e.venue.name} {format_vn(e.overlap_start)} ({e.overlap_minutes}')" for e in evidence
    )
    return [
        c.level,
        c.person.full_name,
        c.person.birth_year,
        c.person.phone,
        c.person.address,
        c.ward.name,
        c.get_status_display(),
        c.relation,
        where,
        c.quarantine_start or "",
        c.quarantine_end or "",
    ]


CONTACT_HEADERS = [
    "F",
    "Họ và tên",
    "Năm sinh",
    "Số điện thoại",
    "Địa chỉ",
    "Phường/xã",
    "Trạng thái",
    "Quan hệ",
    "Nơi tiếp xúc",
    "Bắt đầu cách ly",
    "Kết thúc cách ly",
]


def _window_row(w):
    """An exposure window in the contact export: one row, the crowd in place of a person."""
    where = f"{w.venue.name} {format_vn(w.start)} – {format_vn(w.end)}"
    return [
        "Khung phơi nhiễm",
        f"{w.present} người có mặt",
        "",
        "",
        w.venue.address,
        "",
        w.get_materialise_status_display() if w.materialise_status else "Chưa lập danh sách",
        "",
        where,
        "",
        "",
    ]


@login_required
def case_export(request, case_id: int, fmt: str):
    case = queries.access_case(request.user, case_id)
    contacts = list(queries.contacts_for(request.user, case).order_by("level", "person__full_name"))
    evidence = queries.evidence_by_contact([c.pk for c in contacts])
    rows = [_contact_row(c, evidence.get(c.pk, [])) for c in contacts]
    rows += [_window_row(w) for w in queries.windows_for(case)]
    return _export(
        request,
        rows,
        CONTACT_HEADERS,
        f"tiep-xuc-ca-{case.pk}",
        fmt,
        "tracing.contact_list",
        case.pk,
        case.ward,
    )


@login_required
def worklist(request):
    day = _parse_date(request.GET.get("date"), local_date(timezone.now()))
    lists = queries.work_list(request.user, day)
    audit.record(
        "view",
        request=request,
        object_type="tracing.worklist",
        object_id=str(day),
        detail={k: len(v) for k, v in lists.items()},
    )
    return render(request, "tracing/worklist.html", {"lists": lists, "day": day})


@login_required
def worklist_export(request, fmt: str):
    day = _parse_date(request.GET.get("date"), local_date(timezone.now()))
    lists = queries.work_list(request.user, day)
    labels = {"call": "Cần gọi", "test": "Cần xét nghiệm", "release": "Hết cách ly"}
    rows = [[labels[k], *_contact_row(c, [])] for k, items in lists.items() for c in items]
    return _export(
        request,
        rows,
        ["Việc", *CONTACT_HEADERS],
        f"viec-can-lam-{day}",
        fmt,
        "tracing.worklist",
        str(day),
    )


@login_required
def clusters(request):
    since = _parse_date(request.GET.get("since"), local_date(timezone.now()) - timedelta(days=14))
    found = queries.clusters(request.user, since)
    return render(request, "tracing/clusters.html", {"clusters": found, "since": since})


@login_required
def chains(request):
    require_role(request.user, *queries.TRACING_ROLES)
    return render(
        request,
        "tracing/chains.html",
        {
            "ward": request.GET.get("ward", ""),
            "since": request.GET.get("since", ""),
            "until": request.GET.get("until", ""),
            "show_f2": request.GET.get("f2") == "1",
        },
    )
