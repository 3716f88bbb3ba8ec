"""A person with no ward yet belongs to the areas where tracing holds a record of them (a case
or a contact): staff there reach them (people.identity)."""

from __future__ import annotations

from typing import Any

from phongdich.accounts.jurisdiction import area_q
from phongdich.tracing.models import Case, Contact


def recorded_in_area(user: Any, person: Any, context: dict) -> bool:
    if person.ward_id is not None or getattr(user, "role", None) == "venue_staff":
        return False
    return (
        Contact.objects.filter(area_q(user, "ward"), person=person).exists()
        or Contact.objects.filter(area_q(user, "case__ward"), person=person).exists()
        or Case.objects.filter(area_q(user, "ward"), person=person).exists()
    )
