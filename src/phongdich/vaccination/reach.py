"""A person with no ward yet belongs to the areas that keep their vaccination record
(people.identity)."""

from __future__ import annotations

from typing import Any

from phongdich.accounts.jurisdiction import area_q
from phongdich.vaccination.models import Dose, Registration


def vaccinated_in_area(user: Any, person: Any, context: dict) -> bool:
    if person.ward_id is not None or getattr(user, "role", None) == "venue_staff":
        return False
    return (
        Dose.objects.filter(area_q(user, "ward"), person=person).exists()
        or Registration.objects.filter(area_q(user, "ward"), person=person).exists()
    )
