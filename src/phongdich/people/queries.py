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
