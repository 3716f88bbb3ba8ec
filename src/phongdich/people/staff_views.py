"""Officers settle claims on their people: the same human (confirmed with the ID card in hand,
the claim's visits and records move to the person) or another one (the claim stays apart)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phongdich.accounts import audit
from phongdich.people.identity import do_confirm_claim, do_reject_claim
from phongdich.people.queries import access_claim, list_open_claims


@login_required
def claims(request):
    rows = list(list_open_claims(request.user)[:200])
    audit.record("view", request=request, object_type="people.claims", detail={"rows": len(rows)})
    response = render(request, "people/claims.html", {"claims": rows})
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def settle_claim(request, claim_id: int):
    claim = access_claim(request.user, claim_id)
    if request.POST.get("decision") == "confirm":
        if request.POST.get("id_card_seen") != "on":
            messages.error(request, _("Confirm only with the ID card in hand: tick the box."))
            return redirect("people:claims")
        do_confirm_claim(claim, actor=request.user, request=request, via="id_card")
        messages.success(request, _("Confirmed: the records were moved to the person."))
    else:
        do_reject_claim(claim, actor=request.user, request=request)
        messages.success(request, _("Kept apart: this is another person."))
    return redirect("people:claims")
