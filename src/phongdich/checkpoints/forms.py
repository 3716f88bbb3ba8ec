"""Turning HTML form posts into the plain dicts the actions validate (one rule, one place)."""

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


def declaration_from_post(post: QueryDict) -> dict[str, Any]:
    return {
        "symptoms": post.getlist("symptoms"),
        "exposures": post.getlist("exposures"),
        "conditions": post.getlist("conditions"),
        "travel": post.get("travel", ""),
        "commitment": post.get("commitment") == "on",
    }


def venue_from_post(post: QueryDict) -> dict[str, Any]:
    names = (
        "name",
        "kind",
        "address",
        "ward_code",
        "phone",
        "operator",
        "lat",
        "lon",
        "default_stay_minutes",
    )
    return {name: post.get(name, "").strip() for name in names}


def errors_by_field(errors: list) -> dict[str, list]:
    """Map 'person.phone' / 'declaration.commitment' / 'phone' to the bare field name."""
    out: dict[str, list] = {}
    for e in errors:
        out.setdefault(e.field.rsplit(".", 1)[-1], []).append(e)
    return out
