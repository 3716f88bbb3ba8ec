"""Turning HTML form posts into the plain dicts the actions validate (one rule, one place)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import QueryDict

from phongdich.lib.timeutil import VN_TZ
from phongdich.vaccination.screening import QUESTIONS

SESSION_FIELDS = ("ward_code", "site_name", "address", "date", "product", "lot_numbers", "slots")
DOSE_FIELDS = (
    "product",
    "manufacturer",
    "lot",
    "dose_number",
    "given_on",
    "site",
    "country",
    "vaccinator_name",
    "source_detail",
    "ward_code",
    "override_reason",
)


def session_from_post(post: QueryDict) -> dict[str, Any]:
    return {name: post.get(name, "").strip() for name in SESSION_FIELDS}


def screening_from_post(post: QueryDict) -> dict[str, Any]:
    """Ticked boxes are "yes"; an unticked question is an explicit "no" on the paper form too."""
    chosen = set(post.getlist("screening"))
    return {
        "answers": {code: code in chosen for code in QUESTIONS},
        **{
            name: post.get(name, "").strip()
            for name in ("temperature", "pulse", "systolic", "diastolic")
        },
    }


def dose_from_post(post: QueryDict) -> dict[str, Any]:
    data: dict[str, Any] = {name: post.get(name, "").strip() for name in DOSE_FIELDS}
    data["screening"] = screening_from_post(post)
    return data


def local_datetime(raw: str) -> datetime | str:
    """A ``datetime-local`` input (no offset) is Vietnamese time; anything else is left for the
    action to refuse."""
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        return raw
    return moment.replace(tzinfo=VN_TZ) if moment.tzinfo is None else moment


def event_from_post(post: QueryDict) -> dict[str, Any]:
    return {
        "onset_at": local_datetime(post.get("onset_at", "")),
        "severity": post.get("severity", ""),
        "symptoms": post.getlist("symptoms"),
        "description": post.get("description", ""),
        "outcome": post.get("outcome", "ongoing"),
        "hospitalised": post.get("hospitalised") == "on",
    }
