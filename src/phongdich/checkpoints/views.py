"""Public pages: check-in by QR (/c/<code>), personal QR, venue self-registration.

No JavaScript needed; every page is one small HTML document for cheap phones on slow 3G.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_POST

from phongdich.checkpoints import actions, venue_actions
from phongdich.checkpoints.declarations import CONDITIONS, EXPOSURES, SYMPTOMS
from phongdich.checkpoints.errors import CheckpointError
from phongdich.checkpoints.family import (
    MAX_MEMBERS,
    do_family_checkin,
    member_count,
    member_prefix,
    members_from_post,
)
from phongdich.checkpoints.forms import declaration_from_post, venue_from_post
from phongdich.checkpoints.models import CheckoutKind, Venue, VenueKind, Visit
from phongdich.checkpoints.queries import open_visit_of
from phongdich.core.ratelimit import RateLimited, check_rate
from phongdich.lib.errors import InputErrors
from phongdich.lib.qr import qr_png, qr_svg
from phongdich.people.cookies import person_from_cookie, remember_person
from phongdich.people.forms import errors_by_field, person_from_post
from phongdich.people.models import Person

MANAGE_SALT = "checkpoints.manage"

_known_person = person_from_cookie
_remember = remember_person


def _venue_or_error_page(request, code: str) -> Venue | HttpResponse:
    try:
        return actions.resolve_venue(code)
    except CheckpointError as error:
        return render(
            request, "checkpoints/venue_error.html", {"error": error}, status=error.status
        )


def _member_forms(post, count: int) -> list[dict]:
    """One fieldset per family member: its number, field prefix and the values posted."""
    return [
        {"n": n, "prefix": member_prefix(n), "values": values}
        for n, values in enumerate(members_from_post(post or {}, count), 1)
    ]


def _form_context(venue: Venue, person: Person | None, **extra) -> dict:
    lang = get_language() or "vi"
    count = extra.pop("members", 0)

    def items(table):
        return [
            (code, vi if lang.startswith("vi") else str(en)) for code, (en, vi) in table.items()
        ]

    return {
        "venue": venue,
        "person": person,
        "symptoms": items(SYMPTOMS),
        "exposures": items(EXPOSURES),
        "conditions": items(CONDITIONS),
        "client_id": uuid.uuid4(),
        **extra,
        "member_forms": _member_forms(extra.get("values"), count),
        "can_add_member": count < MAX_MEMBERS,
    }


@require_http_methods(["GET"])
def enter_code(request):
    """The field posters point to ("enter the checkpoint code on the site"): a typed code goes
    to that checkpoint's declaration; a wrong one is said beside the field."""
    raw = request.GET.get("code", "").strip()
    if not raw:
        return render(request, "checkpoints/enter_code.html")
    try:
        venue = actions.resolve_venue(raw, for_checkin=False)
    except CheckpointError as error:
        message = (
            error.message_en if (get_language() or "vi").startswith("en") else error.message_vi
        )
        context = {"code_value": raw, "code_error": message}
        return render(request, "checkpoints/enter_code.html", context, status=error.status)
    return redirect("checkpoints:checkin", code=venue.code)


@require_http_methods(["GET", "POST"])
def checkin(request, code: str):
    venue = _venue_or_error_page(request, code)
    if isinstance(venue, HttpResponse):
        return venue
    person = _known_person(request)
    if request.method == "GET":
        inside = open_visit_of(person.pk, venue) if person else None
        if inside is not None:
            return render(request, "checkpoints/inside.html", {"venue": venue, "visit": inside})
        return render(request, "checkpoints/checkin.html", _form_context(venue, person))
    count = member_count(request.POST.get("members"))
    if request.POST.get("action") == "add_member":  # no JavaScript: the form comes back longer
        context = _form_context(
            venue,
            person,
            values=request.POST,
            members=min(count + 1, MAX_MEMBERS),
            client_id=request.POST.get("client_id"),
        )
        return render(request, "checkpoints/checkin.html", context)
    try:
        check_rate(request, "checkin", settings.CHECKIN_RATE_PER_MINUTE)
        result, _family = do_family_checkin(
            venue_code=venue.code,
            client_id=request.POST.get("client_id"),
            person=None if person else person_from_post(request.POST),
            person_token=person.token if person else None,
            declaration=declaration_from_post(request.POST),
            members=members_from_post(request.POST, count),
            request=request,
        )
    except InputErrors as error:
        context = _form_context(
            venue,
            person,
            errors=errors_by_field(error.errors),
            values=request.POST,
            members=count,
            client_id=request.POST.get("client_id"),
        )
        return render(request, "checkpoints/checkin.html", context, status=422)
    except (CheckpointError, RateLimited) as error:
        if isinstance(error, RateLimited):
            error = CheckpointError(
                "rate_limited",
                "Quá nhiều yêu cầu, hãy thử lại sau.",
                "Too many requests; try again shortly.",
                429,
            )
        return render(
            request, "checkpoints/venue_error.html", {"error": error}, status=error.status
        )
    response = redirect(
        "checkpoints:checkin_done", code=venue.code, client_id=result.visit.client_id
    )
    _remember(response, result.person)
    return response


def checkin_done(request, code: str, client_id: uuid.UUID):
    person = _known_person(request)
    visit = Visit.objects.select_related("venue", "person").filter(client_id=client_id).first()
    # Only the device that checked in (it holds the person cookie) sees this page.
    if visit is None or person is None or visit.person_id != person.pk:
        raise Http404
    return render(request, "checkpoints/done.html", {"visit": visit, "venue": visit.venue})


@require_POST
def checkout(request, code: str):
    person = _known_person(request)
    venue = _venue_or_error_page(request, code)
    if isinstance(venue, HttpResponse):
        return venue
    visit = open_visit_of(person.pk, venue) if person else None
    if visit is None:
        return redirect("checkpoints:checkin", code=venue.code)
    visit = actions.do_checkout(visit, kind=CheckoutKind.SELF, request=request)
    return render(request, "checkpoints/checked_out.html", {"visit": visit, "venue": venue})


def personal_qr(request):
    person = _known_person(request)
    if person is None:  # a first visit, not an error: say how the code comes to be
        return render(request, "checkpoints/no_person.html")
    return render(
        request,
        "checkpoints/personal_qr.html",
        {"person": person, "payload": personal_qr_payload(person)},
    )


def personal_qr_image(request, fmt: str):
    person = _known_person(request)
    if person is None:
        raise Http404
    payload = personal_qr_payload(person)
    if fmt == "svg":
        return HttpResponse(qr_svg(payload, scale=6), content_type="image/svg+xml")
    response = HttpResponse(qr_png(payload, scale=10), content_type="image/png")
    response["Content-Disposition"] = 'attachment; filename="ma-ca-nhan-phongdich.png"'
    return response


def personal_qr_payload(person: Person) -> str:
    """Only an opaque random token: a lost printout reveals nothing about its holder."""
    return f"PD1:{person.token}"


@require_http_methods(["GET", "POST"])
def register(request):
    context = {"kinds": VenueKind.choices, "values": {}, "errors": {}}
    if request.method == "POST":
        try:
            check_rate(request, "register", 10)
            venue = venue_actions.do_register_venue(venue_from_post(request.POST), request=request)
        except InputErrors as error:
            context.update(values=request.POST, errors=errors_by_field(error.errors))
            return render(request, "checkpoints/register.html", context, status=422)
        except RateLimited:
            return HttpResponse(status=429)
        token = signing.dumps(venue.pk, salt=MANAGE_SALT)
        return redirect("checkpoints:manage", token=token)
    return render(request, "checkpoints/register.html", context)


def manage(request, token: str):
    """The registrant's private page: status, and the poster once the ward has approved."""
    try:
        pk = signing.loads(token, salt=MANAGE_SALT)
    except signing.BadSignature:
        raise Http404 from None
    venue = Venue.objects.select_related("ward").filter(pk=pk).first()
    if venue is None:
        raise Http404
    return render(request, "checkpoints/manage.html", {"venue": venue, "token": token})
