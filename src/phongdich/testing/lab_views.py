"""Lab pages: the work list, receiving by scan, one result at a time, analyser file imports,
turnaround figures; and officers' list of positive results."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import require_role
from phongdich.core.collation import vi_order
from phongdich.core.listing import make_listing
from phongdich.lib.errors import DomainError, InputErrors
from phongdich.lib.text import fold
from phongdich.testing import certificates, imports, pooling, queries, results
from phongdich.testing.models import ResultUpload
from phongdich.testing.queries import LAB_ROLES, TESTING_ROLES
from phongdich.testing.views import _vi

PREVIEW_ROWS = 300


def _lab(request):
    """The lab the page works for (``?lab=`` or the form's ``lab``), or None for officers."""
    raw = request.POST.get("lab") or request.GET.get("lab") or ""
    return queries.lab_for(request.user, int(raw) if raw.isdigit() else None)


def _error_messages(request, error) -> None:
    if isinstance(error, InputErrors):
        for e in error.errors:
            messages.error(request, e.message_vi if _vi(request) else e.message_en)
    else:
        messages.error(request, error.message_vi if _vi(request) else error.message_en)


@login_required
def lab(request):
    require_role(request.user, *LAB_ROLES)
    try:
        current = _lab(request)
    except (InputErrors, DomainError) as error:
        _error_messages(request, error)
        current = None
    lists = queries.work_list(request.user)
    audit.record(
        "view",
        request=request,
        object_type="testing.worklist",
        object_id="",
        detail={k: len(v) for k, v in lists.items()},
    )
    return render(
        request,
        "testing/lab.html",
        {
            "lists": lists,
            "lab": current,
            "labs": queries.labs_for(request.user),
            "turnaround": queries.turnaround_by_lab(request.user),
        },
    )


def _back_to_lab(request):
    lab_id = request.POST.get("lab", "")
    response = redirect("testing:lab")
    if lab_id.isdigit():
        response["Location"] += f"?lab={lab_id}"
    return response


@login_required
@require_POST
def receive(request):
    require_role(request.user, *LAB_ROLES)
    try:
        item = queries.access_code(request.user, request.POST.get("code", ""))
        item, new = pooling.do_receive(item, lab=_lab(request), actor=request.user, request=request)
    except (InputErrors, DomainError) as error:
        _error_messages(request, error)
    else:
        messages.success(
            request,
            (_("Received %(code)s.") if new else _("%(code)s was already received."))
            % {"code": item.scan_code},
        )
    return _back_to_lab(request)


@login_required
@require_POST
def enter_result(request):
    require_role(request.user, *LAB_ROLES)
    post = request.POST
    try:
        summary = results.do_record_result(
            post.get("code", ""),
            post.get("result", ""),
            ct=post.get("ct"),
            user=request.user,
            lab=_lab(request),
            request=request,
        )
    except (InputErrors, DomainError) as error:
        _error_messages(request, error)
    else:
        messages.success(request, _result_message(summary))
    return _back_to_lab(request)


def _result_message(summary: dict) -> str:
    if not summary["new"]:
        return _("Nothing changed: these results were already recorded.")
    return _(
        "%(new)s results recorded: %(negative)s negative pools, %(positive)s positive pools "
        "(%(retests)s retests ordered), %(resolved)s samples resolved, %(cases)s new cases."
    ) % {
        "new": summary["new"],
        "negative": summary["pools_negative"],
        "positive": summary["pools_positive"],
        "retests": summary["retests_ordered"],
        "resolved": summary["samples_resolved"],
        "cases": summary["cases"],
    }


@login_required
def import_results(request):
    """Upload an analyser file, see every row checked, then commit the same file in one go."""
    require_role(request.user, *LAB_ROLES)
    context = {"labs": queries.labs_for(request.user), "lab_id": request.POST.get("lab", "")}
    if request.method != "POST":
        return render(request, "testing/import.html", context)
    if request.POST.get("upload"):
        return _commit(request, context)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a CSV or XLSX file."))
        return render(request, "testing/import.html", context, status=422)
    data = upload.read()
    preview = imports.preview_results(data, upload.name or "", user=request.user)
    context |= {
        "preview": preview,
        "file_name": upload.name,
        "shown": [r for r in preview.rows if r.errors][:PREVIEW_ROWS]
        or preview.rows[:PREVIEW_ROWS],
    }
    if preview.ok:
        context["upload"] = ResultUpload.objects.create(
            file_name=(upload.name or "")[:200],
            sha256=preview.sha256,
            data=data,
            uploaded_by=request.user,
            uploaded_at=timezone.now(),
        )
    return render(request, "testing/import.html", context, status=200 if preview.ok else 422)


def _commit(request, context):
    stored = ResultUpload.objects.filter(
        pk=request.POST.get("upload"), uploaded_by=request.user
    ).first()
    if stored is None:
        raise Http404
    data = bytes(stored.data)
    if hashlib.sha256(data).hexdigest() != stored.sha256:
        raise Http404
    try:
        summary = imports.do_import_results(
            data, stored.file_name, user=request.user, lab=_lab(request), request=request
        )
    except (InputErrors, DomainError) as error:
        context["commit_errors"] = error.errors if isinstance(error, InputErrors) else [error]
        return render(request, "testing/import.html", context, status=422)
    stored.delete()
    messages.success(request, _result_message(summary))
    return _back_to_lab(request)


@login_required
def positives(request):
    raw = request.GET.get("days", "")
    days = min(int(raw), 90) if raw.isdigit() else 7
    listing = make_listing(
        request,
        queries.positives_for(request.user, days=days),
        sorts={"newest": ("-result_at", "-pk"), "name": (vi_order("person__full_name"), "pk")},
        search=lambda q: Q(person__name_folded__contains=fold(q)) | Q(tube_code=q.upper()),
    )
    listing.values["days"] = str(days)
    audit.record(
        "view",
        request=request,
        object_type="testing.positives",
        object_id="",
        detail={"count": len(listing.rows), "page": listing.page.number},
    )
    return render(
        request,
        "testing/positives.html",
        {
            "samples": listing.rows,
            "listing": listing,
            "days": days,
            "keep": [("days", days)],
            "sorts": [("newest", _("Newest first")), ("name", _("Name"))],
        },
    )


@login_required
def certificate(request, code: str):
    """The certificate PDF of one result, printed by staff for someone (audited)."""
    require_role(request.user, *TESTING_ROLES)
    sample = queries.access_sample(request.user, code)
    try:
        pdf = certificates.certificate_pdf(sample)
    except DomainError as error:
        return render(request, "testing/error.html", {"error": error}, status=error.status)
    audit.record("print_certificate", request=request, obj=sample, ward=sample.session.ward_id)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ket-qua-{sample.tube_code}.pdf"'
    return response
