"""A holder who lost their links gets them back: the ID number, then a one-time code sent to the
phone already on file (people.proof), then the links to their registration and certificates.

Asking answers the same whether or not anyone has that ID number (no SMS goes out when no one
does, and no code then matches), so the page reveals nothing about who is registered. The links
are shown on a page that is not cached and not kept in the session afterwards.
"""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from phongdich.accounts import audit
from phongdich.core.ratelimit import RateLimited, check_rate
from phongdich.lib.errors import InputErrors
from phongdich.people.forms import errors_by_field
from phongdich.people.models import Person
from phongdich.people.proof import do_check_code, do_request_code
from phongdich.vaccination.models import Certificate, Registration

SESSION_KEY = "vaccination.recover"
PURPOSE = "vaccination"


def _limited(request, template: str, retry_after: int):
    response = render(request, template, {"limited": True, "errors": {}}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def access_holder_links(person: Person) -> dict:
    """What the proven holder may open: the registration page and the valid certificates."""
    registration = Registration.objects.filter(person=person).first()
    certificates = list(
        Certificate.objects.filter(person=person, expires_at__gt=timezone.now())
        .select_related("dose")
        .order_by("-issued_at")
    )
    return {"registration": registration, "certificates": certificates}


@never_cache
@require_http_methods(["GET", "POST"])
def recover_request(request):
    """Step 1: the ID number."""
    template = "vaccination/public/recover_request.html"
    context: dict = {"values": {}, "errors": {}}
    if request.method == "POST":
        try:
            check_rate(request, "vaccination.recover_request", 10)
            challenge = do_request_code(request.POST.get("id_number", ""), purpose=PURPOSE)
        except RateLimited as limited:
            return _limited(request, template, limited.retry_after)
        except InputErrors as error:
            context.update(values=request.POST, errors=errors_by_field(error.errors))
            return render(request, template, context, status=422)
        request.session[SESSION_KEY] = challenge.key
        return redirect("vaccination_public:recover_code")
    return render(request, template, context)


@never_cache
@require_http_methods(["GET", "POST"])
def recover_code(request):
    """Step 2: the code; a right one shows the holder's links once."""
    template = "vaccination/public/recover_code.html"
    key = request.session.get(SESSION_KEY)
    if not key:
        return redirect("vaccination_public:recover")
    context: dict = {"errors": {}}
    if request.method == "POST":
        try:
            check_rate(request, "vaccination.recover_code", 20)
            person = do_check_code(key, request.POST.get("code", ""))
        except RateLimited as limited:
            return _limited(request, template, limited.retry_after)
        except InputErrors as error:
            context["errors"] = errors_by_field(error.errors)
            return render(request, template, context, status=422)
        request.session.pop(SESSION_KEY, None)
        links = access_holder_links(person)
        audit.record(
            "view", request=request, obj=person, ward=person.ward_id, detail={"via": "otp"}
        )
        response = render(request, "vaccination/public/recover_links.html", links)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
        return response
    return render(request, template, context)
