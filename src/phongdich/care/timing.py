"""When reports are due and which rule set applies where (docs/reference/care.md)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from phongdich.care import rules
from phongdich.lib.timeutil import VN_TZ, to_local

# Provinces with a local home-care overlay (ISO 3166-2): Ho Chi Minh City is province 79.
JURISDICTIONS = {79: "VN-SG"}


def jurisdiction_of(province_code: int | None) -> str:
    return JURISDICTIONS.get(province_code or 0, "VN")


def next_due(after: datetime) -> datetime:
    """The end of the first report slot (morning, afternoon) that ``after`` has not covered.

    A report before noon covers the morning; the next one is due by the afternoon hour. A
    report in the afternoon covers the day; the next is due the next morning."""
    morning, afternoon = rules.due_hours()
    local = to_local(after)
    day = local.date()
    if local.hour < 12:
        return datetime.combine(day, time(afternoon), tzinfo=VN_TZ)
    return datetime.combine(day + timedelta(days=1), time(morning), tzinfo=VN_TZ)


def first_due(enrolled_at: datetime) -> datetime:
    """The first report is due by the end of the slot after the one the enrolment falls in,
    at least two hours later (a patient enrolled at 09:50 is not late at 10:00)."""
    due = next_due(enrolled_at)
    morning = rules.due_hours()[0]
    local = to_local(enrolled_at)
    if local.hour < 12 and local.hour < morning - 2:
        due = datetime.combine(local.date(), time(morning), tzinfo=VN_TZ)
    return due


def slot_of(moment: datetime) -> tuple[date, int]:
    """(local day, 0 for morning / 1 for afternoon)."""
    local = to_local(moment)
    return local.date(), 0 if local.hour < 12 else 1


def last_due(now: datetime) -> datetime:
    """The due time of the latest report slot that has ended by ``now`` (this morning's or
    this afternoon's, or yesterday afternoon's before the morning hour): a patient whose report
    is still due past it has missed that slot, once per slot."""
    morning, afternoon = rules.due_hours()
    day = to_local(now).date()
    for candidate in (
        datetime.combine(day, time(afternoon), tzinfo=VN_TZ),
        datetime.combine(day, time(morning), tzinfo=VN_TZ),
    ):
        if candidate <= now:
            return candidate
    return datetime.combine(day - timedelta(days=1), time(afternoon), tzinfo=VN_TZ)
