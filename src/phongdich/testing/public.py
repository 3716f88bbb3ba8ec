"""Citizens' pages: look a result up (/ket-qua) and print its certificate. No login."""

from __future__ import annotations

import logging

from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from phongdich.accounts import audit
from phongdich.core.ratelimit import RateLimited
from phongdich.lib.errors import DomainError, InputErrors
from phongdich.testing import certificates
from phongdich.testing.errors import testing_error
from phongdich.testing.lookup import (
    NOT_FOUND_EN,
    NOT_FOUND_VI,
    CodeLocked,
    do_prove_result,
    do_send_result_code,
    lookup_result,
    public_view,
)
from phongdich.testing.models import Sample, SampleStatus

log = logging.getLogger(__name__)
CERTIFICATE_SALT = "testing.certificate"
CERTIFICATE_LINK_SECONDS = 3600


@never_cache
@require_http_methods(["GET", "POST"])
def results(request):
    context: dict = {"values": request.POST if request.method == "POST" else {}}
    status = 200
    step = request.POST.get("step") if request.method == "POST" else None
    if step in ("send", "prove"):
        return _prove_by_phone(request, context, step)
    if request.method == "POST":
        try:
            sample = lookup_result(
                request, request.POST.get("code"), request.POST.get("birth_year")
            )
        except InputErrors as error:
            context["errors"] = error.errors
            status = 422
        except RateLimited as limited:
            context["rate_limited"] = True
            # A locked code: whoever holds it and the year may prove it by the phone on file.
            context["offer_code"] = isinstance(limited, CodeLocked)
            response = render(request, "testing/lookup.html", context, status=429)
            response["Retry-After"] = str(limited.retry_after)
            return response
        else:
            if sample is None:
                context["not_found"] = (NOT_FOUND_VI, NOT_FOUND_EN)
            else:
                _show(request, context, sample)
    return render(request, "testing/lookup.html", context, status=status)


def _show(request, context: dict, sample: Sample) -> None:
    audit.record("public_lookup", request=request, obj=sample, ward=sample.session.ward_id)
    context["found"] = public_view(sample)
    context["certificate_token"] = signing.dumps(sample.pk, salt=CERTIFICATE_SALT)


def _prove_by_phone(request, context: dict, step: str):
    """Send a one-time code to the phone on file for this code and year, then check it."""
    values = request.POST
    try:
        if step == "send":
            context["challenge"] = do_send_result_code(
                request, values.get("code"), values.get("birth_year")
            )
        else:
            context["challenge"] = values.get("challenge", "")
            sample = do_prove_result(
                values.get("code"),
                values.get("birth_year"),
                context["challenge"],
                values.get("otp"),
            )
            context.pop("challenge")
            _show(request, context, sample)
    except InputErrors as error:
        context["errors"] = error.errors
        return render(request, "testing/lookup.html", context, status=422)
    except RateLimited as limited:
        context["rate_limited"] = True
        response = render(request, "testing/lookup.html", context, status=429)
        response["Retry-After"] = str(limited.retry_after)
        return response
    return render(request, "testing/lookup.html", context)


@never_cache
def certificate(request, token: str):
    """The certificate PDF, behind the short-lived link the lookup page gave."""
    try:
        pk = signing.loads(token, salt=CERTIFICATE_SALT, max_age=CERTIFICATE_LINK_SECONDS)
    except signing.BadSignature:
        raise Http404 from None
    sample = (
        Sample.objects.filter(pk=pk, status=SampleStatus.RESOLVED, released_at__isnull=False)
        .select_related("person", "session", "lab")
        .first()
    )
    if sample is None:
        raise Http404
    try:
        pdf = certificates.certificate_pdf(sample)
    except DomainError as error:
        if error.status >= 500:  # keys missing or unreadable: the administrator's problem
            log.error("Test certificate not issued: %s", error.code)
            error = testing_error("certificate_unavailable")
        return render(request, "testing/error.html", {"error": error}, status=error.status)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ket-qua-{sample.tube_code}.pdf"'
    return response
