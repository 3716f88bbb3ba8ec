"""Turning HTML form posts that name a person into the plain dicts the actions validate."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

PERSON_FIELDS = (
    "full_name",
    "birth_year",
    "gender",
    "phone",
    "id_number",
    "nationality",
    "ward_code",
    "address",
)


def person_from_post(post: QueryDict) -> dict[str, Any]:
    return {name: post.get(name, "").strip() for name in PERSON_FIELDS}


def errors_by_field(errors: list) -> dict[str, list]:
    """Map 'person.phone' / 'declaration.commitment' / 'phone' to the bare field name."""
    out: dict[str, list] = {}
    for e in errors:
        out.setdefault(e.field.rsplit(".", 1)[-1], []).append(e)
    return out
