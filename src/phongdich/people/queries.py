"""Reading person records: only inside the caller's reach (people.identity.can_reach)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from phongdich.people.identity import can_reach
from phongdich.people.models import Person


def access_person(user: Any, person_id: Any, **context: Any) -> Person:
    """The person with this id if ``user`` may reach them; otherwise 404, as for no one."""
    try:
        pk = int(person_id)
    except (TypeError, ValueError):
        raise Http404 from None
    person = Person.objects.select_related("ward").filter(pk=pk).first()
    if person is None or not can_reach(user, person, **context):
        raise Http404
    return person


def list_open_claims(user: Any):
    """Open claims on the people of the caller's area (officers settle them)."""
    from phongdich.accounts.jurisdiction import area_q
    from phongdich.people.models import ClaimStatus

    if getattr(user, "role", None) not in ("admin", "province_officer", "ward_officer"):
        return Person.objects.none()
    return (
        Person.objects.filter(area_q(user, "claim_of__ward"), claim_status=ClaimStatus.OPEN)
        .select_related("claim_of", "claim_of__ward", "ward", "claim_by")
        .order_by("-created_at")
    )


def access_claim(user: Any, claim_id: Any) -> Person:
    try:
        pk = int(claim_id)
    except (TypeError, ValueError):
        raise Http404 from None
    claim = list_open_claims(user).filter(pk=pk).first()
    if claim is None:
        raise Http404
    return claim
