"""When a bulk SMS may go out: quiet hours and a per-number daily cap.

Decree 91/2020/NĐ-CP (fighting spam messages, e-mails and calls) allows advertising SMS only
between 07:00 and 22:00 and at most 3 of them per subscriber per day. Health messages are not
advertising, but people read an SMS at 23:00 from an unknown sender as spam, so these are the
defaults for bulk messages; an administrator can change them. A one-time code the person
has just asked for is exempt: do not run it through these checks. Source and wording:
docs/reference/sms.md.

Every function is pure: the caller passes the current time and the send times of the number
(from its own table), and stores nothing here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from phongdich.lib.timeutil import local_date, require_aware, to_local

__all__ = [
    "DECREE_91_DAILY_CAP",
    "DECREE_91_QUIET_HOURS",
    "QuietHours",
    "earliest_send_time",
    "is_quiet",
    "next_allowed_time",
    "sends_remaining_today",
]


@dataclass(frozen=True)
class QuietHours:
    """Sending is allowed from ``allowed_from`` (inclusive) to ``allowed_until`` (exclusive),
    local time in Asia/Ho_Chi_Minh. The window must not cross midnight."""

    allowed_from: time = time(7, 0)
    allowed_until: time = time(22, 0)

    def __post_init__(self) -> None:
        if not self.allowed_from < self.allowed_until:
            raise ValueError("allowed_from must be before allowed_until on the same day")


DECREE_91_QUIET_HOURS = QuietHours(time(7, 0), time(22, 0))
DECREE_91_DAILY_CAP = 3


def is_quiet(now: datetime, hours: QuietHours = DECREE_91_QUIET_HOURS) -> bool:
    """Whether ``now`` (aware) falls outside the sending window in Vietnam."""
    local = to_local(now).timetz().replace(tzinfo=None)
    return not (hours.allowed_from <= local < hours.allowed_until)


def next_allowed_time(now: datetime, hours: QuietHours = DECREE_91_QUIET_HOURS) -> datetime:
    """``now`` itself if sending is allowed, else the next opening of the window
    (a local datetime in Asia/Ho_Chi_Minh)."""
    local = to_local(now)
    if not is_quiet(local, hours):
        return local
    day = local.date()
    if local.timetz().replace(tzinfo=None) >= hours.allowed_until:
        day += timedelta(days=1)
    return datetime.combine(day, hours.allowed_from, tzinfo=local.tzinfo)


def sends_remaining_today(
    sent_at: Iterable[datetime], now: datetime, cap: int = DECREE_91_DAILY_CAP
) -> int:
    """How many more messages the number may get on ``now``'s day in Vietnam. The day is the
    local calendar day: 23:59 and 00:01 Vietnamese time are different days."""
    today = local_date(now)
    used = sum(1 for t in sent_at if local_date(require_aware(t)) == today)
    return max(cap - used, 0)


def earliest_send_time(
    sent_at: Iterable[datetime],
    now: datetime,
    *,
    hours: QuietHours = DECREE_91_QUIET_HOURS,
    cap: int = DECREE_91_DAILY_CAP,
) -> datetime:
    """When the next bulk message to this number may go: now, later today when the window
    opens, or tomorrow's opening when today's cap is used up. Times sent in the future (a
    clock moved back) count against their own day, not today's."""
    sent = list(sent_at)
    if cap <= 0:
        raise ValueError("cap must be at least 1")
    candidate = next_allowed_time(now, hours)
    while sends_remaining_today(sent, candidate, cap) == 0:
        next_day = datetime.combine(
            candidate.date() + timedelta(days=1), hours.allowed_from, tzinfo=candidate.tzinfo
        )
        candidate = next_allowed_time(next_day, hours)
    return candidate
