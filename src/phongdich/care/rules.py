"""Administrator-editable values of home care (core.rules). None is confirmed by an official
text (docs/reference/care.md, "Operational settings"): each is marked unconfirmed."""

from __future__ import annotations

from phongdich.core.rules import define, get_rule

UNCONFIRMED = "unconfirmed: a local operating choice, not from a Ministry text"

define(
    "care.escalate_after_minutes",
    15,
    "Minutes after which an unacknowledged home-care alert goes to the ward's on-call officer.",
    UNCONFIRMED,
    check=lambda v: 1 <= v <= 24 * 60,
)
define(
    "care.remeasure_timeout_minutes",
    5,
    "A low SpO2 reading with no second reading after this many minutes becomes an alert.",
    UNCONFIRMED + " (the form asks for the second reading after 30–60 s)",
    check=lambda v: 1 <= v <= 120,
)
define(
    "care.report_due_hours",
    {"morning": 10, "afternoon": 18},
    "Local hour by which the morning and the afternoon report are due (a reminder goes after).",
    UNCONFIRMED + " (the form asks for two reports a day, without times)",
    check=lambda v: 0 <= v.get("morning", 10) < v.get("afternoon", 18) <= 23,
)


def escalate_after_minutes() -> int:
    return int(get_rule("care.escalate_after_minutes"))


def remeasure_timeout_minutes() -> int:
    return int(get_rule("care.remeasure_timeout_minutes"))


def due_hours() -> tuple[int, int]:
    hours = get_rule("care.report_due_hours")
    return int(hours["morning"]), int(hours["afternoon"])
