"""Public pages: the certificate verifier (/xac-thuc), self-registration (/dang-ky-tiem), the
holder's registration status and certificate (reached only through their unguessable links).

Every page works without JavaScript; the verifier adds camera scanning when it is available.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from phongdich.accounts import audit
from phongdich.core.collation import vi_order
from phongdich.core.ratelimit import RateLimited, check_rate
from phongdich.lib.dcc import STAGES, qr_png, qr_svg
from phongdich.lib.errors import InputErrors
from phongdich.lib.timeutil import local_date
from phongdich.people.forms import errors_by_field, person_from_post
from phongdich.places.models import Province, Ward
from phongdich.vaccination import actions, certificates, queries
from phongdich.vaccination.models import (
    Certificate,
    Dose,
    InvitationStatus,
    PriorityGroup,
    SessionStatus,
)
from phongdich.vaccination.pdf import render_certificate_pdf

VERIFY_RATE_PER_MINUTE = 120
REGISTER_RATE_PER_MINUTE = 20
MAX_HC1_LENGTH = 8000


def _private(response: HttpResponse) -> HttpResponse:
    """Personal pages: not cached by shared caches, not indexed, no referrer leaking the link."""
    response["Cache-Control"] = "private, max-age=0"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _message(result) -> str:
    if result.reason is None:
        return ""
    english = not (get_language() or "vi").startswith("vi")
    return result.message_en if english else result.message_vi


@require_http_methods(["GET", "POST"])
def verify(request):
    """Paste (or scan) an ``HC1:`` text; see valid or invalid, the reason and the fields."""
    context: dict = {"text": "", "stage_names": STAGES}
    if request.method == "POST":
        text = request.POST.get("hc1", "")[:MAX_HC1_LENGTH]
        try:
            check_rate(request, "dcc_verify", VERIFY_RATE_PER_MINUTE)
        except RateLimited:
            context["rate_limited"] = True
            return render(request, "vaccination/public/verify.html", context, status=429)
        result = certificates.verify_text(text)
        context.update(
            {
                "text": text,
                "result": result,
                "message": _message(result),
                "stages": [(stage, result.stages[stage]) for stage in STAGES],
                "lines": certificates.describe(result.payload),
                "unverified_lines": certificates.describe(
                    result.unverified_payload if result.payload is None else None
                ),
            }
        )
    return render(request, "vaccination/public/verify.html", context)


@require_http_methods(["GET", "POST"])
def register(request):
    """Self-registration: choose the province (a plain GET, no JavaScript), then the form."""
    raw = str(request.GET.get("province") or request.POST.get("province") or "")
    province = Province.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    context = {
        "provinces": Province.objects.order_by(vi_order("name")) if province is None else None,
        "province": province,
        "groups": PriorityGroup.choices,
        "values": {},
        "errors": {},
        "wards": Ward.objects.filter(province=province).order_by(vi_order("name"))
        if province
        else [],
    }
    if request.method == "GET" or province is None:
        return render(request, "vaccination/public/register.html", context)
    try:
        check_rate(request, "vaccination_register", REGISTER_RATE_PER_MINUTE)
        registration, created = actions.do_register(
            person_from_post(request.POST),
            priority_group=request.POST.get("priority_group", ""),
            date_of_birth=request.POST.get("date_of_birth") or None,
            request=request,
        )
    except InputErrors as exc:
        context.update(values=request.POST, errors=errors_by_field(exc.errors))
        return render(request, "vaccination/public/register.html", context, status=422)
    except RateLimited:
        context["rate_limited"] = True
        return render(request, "vaccination/public/register.html", context, status=429)
    if not created:
        # Nothing about an existing record is shown to whoever typed these details.
        return render(request, "vaccination/public/register_known.html", {})
    return redirect("vaccination_public:registration", token=registration.token)


def registration_status(request, token: str):
    registration = queries.registration_by_token(token)
    person = registration.person
    today = local_date(timezone.now())
    invitations = (
        registration.invitations.select_related("session")
        .filter(
            status=InvitationStatus.INVITED,
            session__date__gte=today,
            session__status__in=[SessionStatus.PLANNED, SessionStatus.OPEN],
        )
        .order_by("session__date")
    )
    doses = Dose.objects.filter(person=person, voided_at__isnull=True).order_by("dose_number")
    latest = (
        Certificate.objects.filter(person=person, expires_at__gt=timezone.now())
        .order_by("-issued_at")
        .first()
    )
    audit.record(
        "view",
        request=request,
        obj=registration,
        ward=registration.ward,
        detail={"via": "holder_link"},
    )
    return _private(
        render(
            request,
            "vaccination/public/registration.html",
            {
                "registration": registration,
                "person": person,
                "invitations": invitations,
                "doses": doses,
                "certificate": latest,
            },
        )
    )


def _holder_certificate(request, token: str, what: str) -> Certificate:
    certificate = queries.certificate_by_token(token)
    audit.record(
        "view",
        request=request,
        obj=certificate,
        ward=certificate.ward,
        detail={"via": "holder_link", "what": what},
    )
    return certificate


def certificate_page(request, token: str):
    certificate = _holder_certificate(request, token, "page")
    return _private(
        render(
            request,
            "vaccination/public/certificate.html",
            {
                "certificate": certificate,
                "entry": certificate.payload["v"][0],
                "lines": certificates.describe(certificate.payload),
                "qr": qr_svg(certificate.hc1, scale=4).decode("utf-8").split("?>", 1)[-1],
                "expired": certificate.expires_at <= timezone.now(),
            },
        )
    )


def certificate_pdf(request, token: str):
    certificate = _holder_certificate(request, token, "pdf")
    doses = list(
        Dose.objects.filter(
            person_id=certificate.person_id,
            voided_at__isnull=True,
            dose_number__lte=certificate.dose.dose_number,
        ).order_by("dose_number")
    )
    response = HttpResponse(
        render_certificate_pdf(certificate, doses), content_type="application/pdf"
    )
    response["Content-Disposition"] = 'inline; filename="chung-nhan-tiem-chung.pdf"'
    return _private(response)


def certificate_qr(request, token: str):
    certificate = _holder_certificate(request, token, "qr")
    response = HttpResponse(qr_png(certificate.hc1, scale=6), content_type="image/png")
    response["Content-Disposition"] = 'inline; filename="chung-nhan-qr.png"'
    return _private(response)
