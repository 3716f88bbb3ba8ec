"""Time helpers: store UTC, show and reason about days in Asia/Ho_Chi_Minh.

Every function takes and returns *aware* datetimes. A naive datetime is a bug waiting to
happen (is it UTC? server time? the officer's phone time?), so it is rejected loudly
instead of being guessed at.

Vietnam has had no daylight-saving time since 1975, so a local day is always 24 hours;
the code still goes through ``zoneinfo`` rather than a fixed ``+07:00`` so that it stays
correct if that ever changes and reads the same as code for any other zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

__all__ = [
    "VN_TZ",
    "NaiveDatetimeError",
    "format_vn",
    "format_vn_date",
    "local_date",
    "local_day_bounds",
    "local_now",
    "next_local_midnight",
    "parse_vn_date",
    "require_aware",
    "to_local",
]


class NaiveDatetimeError(ValueError):
    """Raised when a naive datetime reaches code that needs to know its time zone."""


def require_aware(dt: datetime) -> datetime:
    """Return ``dt`` unchanged, or raise :class:`NaiveDatetimeError` if it has no offset."""
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        raise NaiveDatetimeError(f"naive datetime not allowed: {dt.isoformat()}")
    return dt


def local_now() -> datetime:
    """The current time as an aware datetime in Asia/Ho_Chi_Minh."""
    return datetime.now(VN_TZ)


def to_local(dt: datetime) -> datetime:
    """Convert an aware datetime to Asia/Ho_Chi_Minh."""
    return require_aware(dt).astimezone(VN_TZ)


def local_date(dt: datetime) -> date:
    """The calendar date in Vietnam at the instant ``dt``.

    23:30 UTC on 1 March is already 2 March in Vietnam; "today's check-ins" must use this.
    """
    return to_local(dt).date()


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=VN_TZ)


def next_local_midnight(dt: datetime) -> datetime:
    """The first Vietnamese midnight strictly after ``dt``, in Asia/Ho_Chi_Minh."""
    return _local_midnight(local_date(dt) + timedelta(days=1))


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The half-open UTC interval ``[start, end)`` covering the Vietnamese calendar ``day``.

    Use it to filter UTC timestamps in the database by local day:
    ``start <= created_at < end``.
    """
    if isinstance(day, datetime):
        # datetime is a subclass of date; silently taking .date() of a UTC datetime
        # would pick the wrong day for half of Vietnam's mornings.
        raise TypeError("local_day_bounds() takes a date, not a datetime; use local_date()")
    start = _local_midnight(day).astimezone(UTC)
    end = _local_midnight(day + timedelta(days=1)).astimezone(UTC)
    return start, end


def format_vn(dt: datetime) -> str:
    """Format as Vietnamese officials write it, in local time: ``dd/mm/yyyy HH:MM``."""
    return to_local(dt).strftime("%d/%m/%Y %H:%M")


def format_vn_date(value: date | datetime) -> str:
    """Format a date (or the local date of an aware datetime) as ``dd/mm/yyyy``."""
    day = local_date(value) if isinstance(value, datetime) else value
    return day.strftime("%d/%m/%Y")


def parse_vn_date(text: str) -> date | None:
    """A date as people write it here, ``dd/mm/yyyy`` (also ``d/m/yyyy`` and ``dd-mm-yyyy``), or
    as a browser's date field sends it, ``yyyy-mm-dd``; None if it is neither or no such day."""
    raw = str(text or "").strip()
    if len(raw) > 10:
        return None
    parts = raw.replace("-", "/").replace(".", "/").split("/")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    if len(parts[0]) == 4:
        year, month, day = parts
    elif len(parts[2]) == 4:
        day, month, year = parts
    else:
        return None  # a two-digit year is ambiguous
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None
