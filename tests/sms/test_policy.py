"""Quiet hours and the daily cap, around Vietnamese midnight and the window's edges."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from phongdich.lib.sms.policy import (
    QuietHours,
    earliest_send_time,
    is_quiet,
    next_allowed_time,
    sends_remaining_today,
)
from phongdich.lib.timeutil import VN_TZ, NaiveDatetimeError


def vn(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=VN_TZ)


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        (vn(2, 6, 59, 59), True),
        (vn(2, 7, 0), False),
        (vn(2, 12, 0), False),
        (vn(2, 21, 59, 59), False),
        (vn(2, 22, 0), True),
        (vn(2, 23, 59, 59), True),
        (vn(3, 0, 0), True),
        # 00:30 UTC is 07:30 in Vietnam, and 15:00 UTC is 22:00.
        (datetime(2026, 3, 2, 0, 30, tzinfo=UTC), False),
        (datetime(2026, 3, 2, 15, 0, tzinfo=UTC), True),
        (datetime(2026, 3, 1, 23, 59, tzinfo=UTC), True),  # 06:59 on 2 March in Vietnam
    ],
)
def test_quiet_hours_are_vietnamese_local_time(moment, quiet):
    assert is_quiet(moment) is quiet


def test_next_allowed_time():
    assert next_allowed_time(vn(2, 9, 15)) == vn(2, 9, 15)
    assert next_allowed_time(vn(2, 5, 0)) == vn(2, 7, 0)
    assert next_allowed_time(vn(2, 22, 0)) == vn(3, 7, 0)
    assert next_allowed_time(vn(2, 23, 59, 59)) == vn(3, 7, 0)
    # 16:30 UTC on 2 March is 23:30 in Vietnam: next window is 07:00 on the 3rd.
    assert next_allowed_time(datetime(2026, 3, 2, 16, 30, tzinfo=UTC)) == vn(3, 7, 0)
    # Month end.
    assert next_allowed_time(datetime(2026, 3, 31, 23, 0, tzinfo=VN_TZ)) == datetime(
        2026, 4, 1, 7, 0, tzinfo=VN_TZ
    )


def test_other_hours_can_be_set():
    hours = QuietHours(time(8, 0), time(17, 0))
    assert is_quiet(vn(2, 7, 30), hours)
    assert next_allowed_time(vn(2, 17, 0), hours) == vn(3, 8, 0)
    with pytest.raises(ValueError, match="before"):
        QuietHours(time(22, 0), time(7, 0))


def test_the_daily_cap_counts_the_vietnamese_day():
    # 23:50 and 23:59 on the 2nd in Vietnam, i.e. 16:50 and 16:59 UTC.
    late = [vn(2, 23, 50), datetime(2026, 3, 2, 16, 59, tzinfo=UTC)]
    assert sends_remaining_today(late, vn(2, 23, 59, 59)) == 1
    # One second later it is a new day in Vietnam (still the 2nd in UTC).
    assert sends_remaining_today(late, datetime(2026, 3, 2, 17, 0, tzinfo=UTC)) == 3
    assert sends_remaining_today([*late, vn(2, 8, 0), vn(2, 9, 0)], vn(2, 23, 59)) == 0
    with pytest.raises(NaiveDatetimeError):
        sends_remaining_today([datetime(2026, 3, 2, 8, 0)], vn(2, 9, 0))


def test_earliest_send_time():
    assert earliest_send_time([], vn(2, 10, 0)) == vn(2, 10, 0)
    assert earliest_send_time([], vn(2, 23, 0)) == vn(3, 7, 0)
    three_today = [vn(2, 7, 5), vn(2, 8, 0), vn(2, 9, 0)]
    assert earliest_send_time(three_today, vn(2, 10, 0)) == vn(3, 7, 0)
    assert earliest_send_time(three_today, vn(2, 10, 0), cap=4) == vn(2, 10, 0)
    # Already three queued for tomorrow too (scheduled ahead): the day after.
    tomorrow = [t + timedelta(days=1) for t in three_today]
    assert earliest_send_time(three_today + tomorrow, vn(2, 10, 0)) == vn(4, 7, 0)
    # Just after midnight in Vietnam the cap is fresh, but it is quiet until 07:00.
    assert earliest_send_time(three_today, vn(3, 0, 1)) == vn(3, 7, 0)
    with pytest.raises(ValueError, match="cap"):
        earliest_send_time([], vn(2, 10, 0), cap=0)
