"""The infectious window of a case (docs/reference/tracing.md)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from phongdich.core.rules import get_rule
from phongdich.lib.timeutil import local_day_bounds


def infectious_window(
    sample_date: date, onset_date: date | None, isolated_at: datetime
) -> tuple[datetime, datetime]:
    """From local midnight N days (default 2) before symptom onset — or before the positive sample
    when asymptomatic — until isolation."""
    days = get_rule("tracing.infectious_days_before")
    first_day = (onset_date or sample_date) - timedelta(days=days)
    return local_day_bounds(first_day)[0], isolated_at
