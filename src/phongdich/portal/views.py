"""The portal's public pages beside the Wagtail ones: venue-code entry, language switch, search,
procedure results, citizen reports and their private status page."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from wagtail.models import Page

from phongdich.core.ratelimit import RateLimited, check_rate
from phongdich.lib.codes import InvalidCode, normalise_code
from phongdich.lib.errors import InputErrors
from phongdich.places.models import Ward
from phongdich.portal import blocks, reports, serving, tthc
from phongdich.portal.pages import WardHomePage
from phongdich.portal.sections import site_home

REPORTS_PER_HOUR = 5


def _site_sidebar():
    home = site_home()
    return home, blocks.sidebar(home, None)


def home(request):
    return serving.page(request, "")


@require_GET
def go_to_venue(request):
    """The home page's venue-code field (posters: "enter the venue code on the site")."""
    raw = request.GET.get("ma", "")
    try:
        return redirect("checkpoints:checkin", code=normalise_code(raw))
    except InvalidCode as error:
        message = error.message_vi if request.LANGUAGE_CODE == "vi" else error.message_en
        context = _site_sidebar()[1]
        return render(
            request,
            "portal/checkin_help.html",
            {**context, "code": raw, "error": message},
            status=400,
        )


def checkin_help(request):
    context = _site_sidebar()[1]
    return render(request, "portal/checkin_help.html", context)


@require_GET
def language(request, code: str):
    """Switch language with a link (no form, so cached pages carry no CSRF token)."""
    if code not in dict(settings.LANGUAGES):
        raise Http404
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}) or not target.startswith(
        "/"
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 86400, samesite="Lax")
    return response


@cache_control(max_age=86400, public=True)
def favicon(request):
    return HttpResponseRedirect(static("portal/favicon.svg"))


def search(request):
    # A NUL ends the full-text query early in SQLite ("unterminated string"): searched without it.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    results = []
    if query:
        results = list(Page.objects.live().public().specific().search(query)[:30])
    context = _site_sidebar()[1]
    return render(request, "portal/search.html", {**context, "query": query, "results": results})


def _small_number(text: str) -> bool:
    """Digits a database column can hold: ``isdigit`` alone lets through "²" and numbers of
    twenty digits, which gave a 500."""
    return text.isascii() and text.isdigit() and len(text) <= 9


def _ward_from(request, name: str = "phuong") -> Ward | None:
    value = request.GET.get(name) or request.POST.get(name)
    if value and _small_number(value):
        return Ward.objects.filter(code=int(value)).first()
    return None


def tthc_public(request):
    ward = _ward_from(request)
    rows = tthc.periods(ward.code if ward else None)
    selected = rows[0] if rows else None
    wanted = request.GET.get("ky", "")
    if _small_number(wanted):
        selected = next((r for r in rows if r.pk == int(wanted)), selected)
    context = _site_sidebar()[1]
    return render(
        request,
        "portal/tthc.html",
        {
            **context,
            "ward": ward,
            "periods": rows,
            "selected": selected,
            "bars": tthc.bars(selected) if selected else [],
            "wards": _section_wards(),
        },
    )


def _section_wards():
    return [p.ward for p in WardHomePage.objects.live().select_related("ward").order_by("title")]


def report_form(request):
    errors, values = {}, {}
    if request.method == "POST":
        values = request.POST
        try:
            check_rate(request, "portal-report", REPORTS_PER_HOUR, window=3600)
            report = reports.do_submit_report(
                ward=_ward_from(request),
                kind=request.POST.get("kind", ""),
                text=request.POST.get("text", ""),
                link=request.POST.get("link", ""),
                contact=request.POST.get("contact", ""),
                photo=request.FILES.get("photo"),
                stamp=request.POST.get("stamp", ""),
                honeypot=request.POST.get("website", ""),
            )
        except RateLimited:
            errors = {"form": [_("Too many reports from this connection. Please try again later.")]}
        except InputErrors as error:
            vi = request.LANGUAGE_CODE == "vi"
            for e in error.errors:
                errors.setdefault(e.field, []).append(e.message_vi if vi else e.message_en)
        else:
            return redirect("portal:report_status", token=report.token)
    context = _site_sidebar()[1]
    return render(
        request,
        "portal/report_form.html",
        {
            **context,
            "errors": errors,
            "values": values,
            "stamp": reports.form_stamp(),
            "kinds": reports.ReportKind.choices,
            "wards": _section_wards(),
            "answered": reports.published(),
        },
        status=400 if errors else 200,
    )


def report_status(request, token: str):
    report = get_object_or_404(reports.CitizenReport.objects.select_related("ward"), token=token)
    context = _site_sidebar()[1]
    response = render(request, "portal/report_status.html", {**context, "report": report})
    response["Referrer-Policy"] = "no-referrer"  # the link is the reporter's key
    response["Cache-Control"] = "private, no-store"
    return response


def report_list(request):
    return redirect(reverse("portal:report") + "#answered")
