"""Tracing pages for officers: cases, contacts with evidence, work list, clusters, chains."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import require_role
from phongdich.core.collation import vi_order
from phongdich.core.listing import choice_filter, day_filter, int_filter, make_listing, parse_date
from phongdich.lib.errors import DomainError, InputErrors
from phongdich.lib.timeutil import VN_TZ, format_vn, local_date
from phongdich.people.forms import errors_by_field, person_from_post
from phongdich.places.queries import ward_from_text, ward_label
from phongdich.tracing import actions, exposure, imports, lists, queries
from phongdich.tracing.api import OFFICERS
from phongdich.tracing.models import CaseSource, CaseStatus, ContactStatus

WINDOWS_PER_PAGE = 50


def _parse_date(raw: str | None, default: date | None = None) -> date | None:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return default


CASE_SORTS = {
    "open": ("status", "-confirmed_at", "-pk"),
    "newest": ("-confirmed_at", "-pk"),
    "oldest": ("confirmed_at", "pk"),
    "name": (vi_order("person__full_name"), "pk"),
    "ward": (vi_order("ward__name"), "-confirmed_at"),
}


def _case_listing(request):
    cases = queries.cases_for(request.user).select_related("person", "ward")
    return make_listing(
        request,
        cases,
        sorts=CASE_SORTS,
        filters={
            "status": choice_filter("status", CaseStatus.choices),
            "ward": int_filter("ward_id"),
            "since": day_filter("confirmed_at__gte"),
            "until": day_filter("confirmed_at__lt", end=True),
        },
        search=lambda q: lists.person_search("person__", q) | lists.case_number(q),
    )


def _case_list_context(request, **extra):
    listing = _case_listing(request)
    return {
        "listing": listing,
        "cases": listing.rows,
        "can_create": request.user.role in {*OFFICERS, "admin"},
        "sources": CaseSource.choices,
        "statuses": CaseStatus.choices,
        "wards": lists.wards_of(queries.cases_for(request.user)),
        "sorts": [
            ("open", _("Open first")),
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("name", _("Name")),
            ("ward", _("Ward")),
        ],
        "values": {},
        "errors": {},
        "ward_value": ward_label(request.user.ward_id) if request.user.ward_id else "",
        **extra,
    }


@login_required
def case_list(request):
    return render(request, "tracing/case_list.html", _case_list_context(request))


def _person_data(request) -> dict:
    """The person fields, the ward given by name or by code (the picker sends both)."""
    data = person_from_post(request.POST)
    data["ward_code"] = ward_from_text(data.get("ward_code", ""), request.user.province_id)
    return data


@login_required
@require_POST
def case_create(request):
    require_role(request.user, *OFFICERS)
    post = request.POST
    confirmed = _parse_date(post.get("confirmed_date"))
    try:
        case = actions.do_create_case(
            person_data=_person_data(request),
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
        context = _case_list_context(
            request,
            values=post,
            errors=errors_by_field(errs),
            ward_value=ward_label(
                ward_from_text(post.get("ward_code", ""), request.user.province_id)
            ),
        )
        return render(request, "tracing/case_list.html", context, status=422)
    return redirect("tracing:case", case_id=case.pk)


# The default, F1 first then in the order found, is the one the (case, level, id) index serves:
# a page of a case with 80,000 contacts reads 50 rows. Sorting by name (or status, ward) sorts
# every contact of the case with the Vietnamese collation first (0.3 s at 80,000 on PostgreSQL).
CONTACT_SORTS = {
    "level": ("level", "pk"),
    "name": (vi_order("person__full_name"), "pk"),
    "status": ("status", "level", vi_order("person__full_name")),
    "ward": (vi_order("ward__name"), "level", vi_order("person__full_name")),
    "newest": ("-created_at", "-pk"),
}


def _contact_listing(request, case, seen: int, hidden: int):
    return make_listing(
        request,
        queries.contacts_for(request.user, case),
        sorts=CONTACT_SORTS,
        filters={
            "level": choice_filter("level", ["F1", "F2"]),
            "status": choice_filter("status", ContactStatus.choices),
            "ward": int_filter("ward_id"),
        },
        search=lambda q: lists.person_search("person__", q),
        hidden=hidden,
        total=seen,
    )


@login_required
def case_detail(request, case_id: int):
    case = queries.access_case(request.user, case_id)
    wards, seen, hidden = queries.contact_wards(request.user, case)
    listing = _contact_listing(request, case, seen, hidden)
    contacts = listing.rows
    evidence = queries.evidence_by_contact([c.pk for c in contacts])
    for contact in contacts:
        contact.evidence_list = evidence.get(contact.pk, [])
    # A case at many crowded venues has hundreds of windows: a page of them at a time, with
    # their own page number so the contacts' filters and page stay as they are.
    wpage = request.GET.get("wpage", "")
    number = max(1, int(wpage)) if wpage.isascii() and wpage.isdigit() else 1
    windows_page = Paginator(
        queries.windows_of(case).order_by("start", "venue_id", "pk"), WINDOWS_PER_PAGE
    ).get_page(number)  # past the last page: the last
    windows = list(windows_page.object_list)
    visible = {c.pk for c in contacts}
    for window in windows:
        window.via_visible = window.via_id in visible
    audit.record(
        "view",
        request=request,
        obj=case,
        ward=case.ward,
        detail={
            "contacts": len(contacts),
            "page": listing.page.number,
            "exposure_windows": len(windows),
            "exposure_windows_page": windows_page.number,
        },
    )
    return render(
        request,
        "tracing/case_detail.html",
        {
            "case": case,
            "listing": listing,
            "contacts": contacts,
            "windows": windows,
            "windows_page": windows_page,
            "statuses": ContactStatus.choices,
            "wards": wards,
            "levels": ["F1", "F2"],
            "sorts": [
                ("level", _("F1 first")),
                ("name", _("Name")),
                ("status", _("Status")),
                ("ward", _("Ward")),
                ("newest", _("Newest first")),
            ],
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
    error_text = ""
    try:
        contact = actions.do_update_contact(
            contact,
            request.POST.get("status", ""),
            actor=request.user,
            request=request,
            quarantine_start=_parse_date(request.POST.get("quarantine_start")),
            test_result=request.POST.get("test_result", ""),
        )
    except InputErrors as error:
        error_text = error.errors[0].message_vi
    except DomainError as error:
        error_text = error.message_vi
    worklist = request.POST.get("next") == "worklist"
    if request.headers.get("HX-Request"):
        # Only this row changes, in place, with what happened said inside it.
        contact = queries.access_contact(request.user, contact_id)
        contact.evidence_list = queries.evidence_by_contact([contact.pk]).get(contact.pk, [])
        return render(
            request,
            "tracing/_work_row.html" if worklist else "tracing/_contact_row.html",
            {
                "c": contact,
                "statuses": ContactStatus.choices,
                "can_edit": request.user.role in {*OFFICERS, "admin"},
                "saved": not error_text,
                "row_error": error_text,
                "task": request.POST.get("task", ""),
            },
        )
    if error_text:
        messages.error(request, error_text)
    else:
        messages.success(
            request,
            _("Saved: %(name)s — %(status)s")
            % {"name": contact.person.full_name, "status": contact.get_status_display()},
        )
    if worklist:
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
            _person_data(request),
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
        context["preview"] = imports.preview_import(data, upload.name, case.ward.province_id)
    return render(request, "tracing/import.html", context)


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


def _case_rows(contacts, case):
    yield from lists.rows_with_evidence(contacts)
    for window in queries.windows_for(case):
        yield _window_row(window)


@login_required
def case_export(request, case_id: int, fmt: str):
    case = queries.access_case(request.user, case_id)
    contacts = queries.contacts_for(request.user, case).order_by(*CONTACT_SORTS["level"])
    return lists.export(
        request,
        _case_rows(contacts, case),
        lists.CONTACT_HEADERS,
        f"tiep-xuc-ca-{case.pk}",
        fmt,
        "tracing.contact_list",
        case.pk,
        case.ward,
        count=contacts.count(),
    )


TASK_LABELS = {
    "call": gettext_lazy("To call (newly identified)"),
    "test": gettext_lazy("Due a test"),
    "release": gettext_lazy("Due for release"),
}


@login_required
def worklist(request):
    day = _parse_date(request.GET.get("date"), local_date(timezone.now()))
    sets = queries.work_querysets(request.user, day)
    task = request.GET.get("task", "")
    if task not in sets:
        task = next((k for k, qs in sets.items() if qs.exists()), "call")
    listing = make_listing(
        request,
        sets[task],
        sorts={
            "due": queries.WORK_ORDER[task],
            "name": (vi_order("person__full_name"), "pk"),
            "ward": (vi_order("ward__name"), "pk"),
        },
        filters={"level": choice_filter("level", ["F1", "F2"]), "ward": int_filter("ward_id")},
        search=lambda q: lists.person_search("person__", q),
    )
    listing.values |= {"task": task, "date": day.isoformat()}
    counts = {k: qs.count() for k, qs in sets.items()}
    audit.record(
        "view",
        request=request,
        object_type="tracing.worklist",
        object_id=str(day),
        detail=counts | {"task": task, "page": listing.page.number},
    )
    return render(
        request,
        "tracing/worklist.html",
        {
            "listing": listing,
            "contacts": listing.rows,
            "task": task,
            "tasks": [(k, TASK_LABELS[k], counts[k]) for k in queries.WORK_TASKS],
            "day": day,
            "statuses": ContactStatus.choices,
            "wards": lists.wards_of(queries.contacts_for(request.user)),
            "keep": [("task", task), ("date", day.isoformat())],
            "levels": ["F1", "F2"],
            "work_sorts": [
                ("due", _("Most urgent first")),
                ("name", _("Name")),
                ("ward", _("Ward")),
            ],
            "can_edit": True,
        },
    )


@login_required
def worklist_export(request, fmt: str):
    day = _parse_date(request.GET.get("date"), local_date(timezone.now()))
    sets = queries.work_querysets(request.user, day)
    labels = {"call": "Cần gọi", "test": "Cần xét nghiệm", "release": "Hết cách ly"}

    def rows():
        for key, qs in sets.items():
            for contact in qs.iterator(chunk_size=1000):
                yield [labels[key], *lists.contact_row(contact, [])]

    return lists.export(
        request,
        rows(),
        ["Việc", *lists.CONTACT_HEADERS],
        f"viec-can-lam-{day}",
        fmt,
        "tracing.worklist",
        str(day),
        count=sum(qs.count() for qs in sets.values()),
    )


@login_required
def clusters(request):
    since = _parse_date(request.GET.get("since"), local_date(timezone.now()) - timedelta(days=14))
    found = queries.clusters(request.user, since)
    return render(request, "tracing/clusters.html", {"clusters": found, "since": since})


@login_required
def chains(request):
    require_role(request.user, *queries.TRACING_ROLES)
    ward = ward_from_text(request.GET.get("ward", ""), request.user.province_id)
    since, until = (
        parse_date(request.GET.get("since")),
        parse_date(request.GET.get("until")),
    )
    return render(
        request,
        "tracing/chains.html",
        {
            "ward": ward,
            "ward_value": ward_label(ward) if ward else "",
            "since": request.GET.get("since", ""),
            "until": request.GET.get("until", ""),
            "show_f2": request.GET.get("f2") == "1",
            "chain_cases": queries.chain_list(
                request.user, int(ward) if ward.isdigit() else None, since, until
            ),
        },
    )
