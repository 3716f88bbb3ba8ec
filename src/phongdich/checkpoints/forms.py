"""Turning HTML form posts into the plain dicts the actions validate (one rule, one place)."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict


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
