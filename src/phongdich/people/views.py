"""Public pages of people: prove a record is yours with a code sent to the phone on file."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from phongdich.core.ratelimit import RateLimited, check_rate
from phongdich.lib.errors import InputErrors
from phongdich.people.cookies import person_from_cookie, remember_person
from phongdich.people.forms import errors_by_field
from phongdich.people.proof import do_prove, do_request_code

SESSION_KEY = "people.proof"


def _limited(request, retry_after: int):
    response = render(request, "people/proof_request.html", {"limited": True}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def proof_request(request):
    """Step 1: the ID number. The answer is the same whether anyone has it or not."""
    context: dict = {"values": {}, "errors": {}}
    if request.method == "POST":
        try:
            check_rate(request, "proof_request", 10)
            challenge = do_request_code(request.POST.get("id_number", ""))
        except RateLimited as limited:
            return _limited(request, limited.retry_after)
        except InputErrors as error:
            context.update(values=request.POST, errors=errors_by_field(error.errors))
            return render(request, "people/proof_request.html", context, status=422)
        request.session[SESSION_KEY] = challenge.key
        return redirect("people:proof_code")
    return render(request, "people/proof_request.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def proof_code(request):
    """Step 2: the code. A right one gives this device the record (and merges its claim)."""
    key = request.session.get(SESSION_KEY)
    if not key:
        return redirect("people:proof_request")
    context: dict = {"errors": {}}
    if request.method == "POST":
        try:
            check_rate(request, "proof_code", 20)
            person = do_prove(key, request.POST.get("code", ""), holder=person_from_cookie(request))
        except RateLimited as limited:
            return _limited(request, limited.retry_after)
        except InputErrors as error:
            context["errors"] = errors_by_field(error.errors)
            return render(request, "people/proof_code.html", context, status=422)
        request.session.pop(SESSION_KEY, None)
        response = redirect("checkpoints:personal_qr")
        remember_person(response, person)
        return response
    return render(request, "people/proof_code.html", context)
