"""A person with no ward yet belongs to the areas where they were sampled (people.identity)."""

from __future__ import annotations

from typing import Any

from phongdich.accounts.jurisdiction import area_q
from phongdich.testing.models import Sample


def sampled_in_area(user: Any, person: Any, context: dict) -> bool:
    if person.ward_id is not None or getattr(user, "role", None) == "venue_staff":
        return False
    return Sample.objects.filter(area_q(user, "session__ward"), person=person).exists()
