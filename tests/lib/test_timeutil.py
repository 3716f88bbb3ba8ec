from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import time_machine

from phongdich.lib.timeutil import (
    VN_TZ,
    NaiveDatetimeError,
    format_vn,
    format_vn_date,
    local_date,
    local_day_bounds,
    local_now,
    next_local_midnight,
    parse_vn_date,
    require_aware,
    to_local,
)

NAIVE = datetime(2025, 3, 1, 12, 0)


def test_zone_is_ho_chi_minh():
    assert str(VN_TZ) == "Asia/Ho_Chi_Minh"


@time_machine.travel(datetime(2025, 3, 1, 17, 30, tzinfo=UTC), tick=False)
def test_local_now_is_aware_and_local():
    now = local_now()
    assert now.tzinfo is VN_TZ
    assert now.utcoffset() == timedelta(hours=7)
    assert (now.year, now.month, now.day, now.hour, now.minute) == (2025, 3, 2, 0, 30)


@pytest.mark.parametrize(
    "function",
    [local_date, next_local_midnight, format_vn, format_vn_date, to_local, require_aware],
)
def test_it_rejects_naive_datetimes(function):
    with pytest.raises(NaiveDatetimeError):
        function(NAIVE)


def test_local_date_changes_at_vietnamese_midnight():
    assert local_date(datetime(2025, 3, 1, 16, 59, 59, tzinfo=UTC)) == date(2025, 3, 1)
    assert local_date(datetime(2025, 3, 1, 17, 0, tzinfo=UTC)) == date(2025, 3, 2)


def test_local_date_accepts_any_offset():
    paris = timezone(timedelta(hours=1))
    assert local_date(datetime(2025, 3, 1, 18, 0, tzinfo=paris)) == date(2025, 3, 2)


def test_next_local_midnight_just_before_and_at_midnight():
    before = datetime(2025, 3, 1, 16, 59, tzinfo=UTC)  # 23:59 on 1 March in Vietnam
    at = datetime(2025, 3, 1, 17, 0, tzinfo=UTC)  # 00:00 on 2 March in Vietnam
    assert next_local_midnight(before) == datetime(2025, 3, 1, 17, 0, tzinfo=UTC)
    assert next_local_midnight(at) == datetime(2025, 3, 2, 17, 0, tzinfo=UTC)
    assert next_local_midnight(at).tzinfo is VN_TZ


def test_next_local_midnight_across_year_end():
    new_years_eve = datetime(2025, 12, 31, 12, 0, tzinfo=UTC)  # 19:00 local
    assert next_local_midnight(new_years_eve) == datetime(2026, 1, 1, 0, 0, tzinfo=VN_TZ)


def test_local_day_bounds_are_half_open_utc():
    start, end = local_day_bounds(date(2025, 3, 2))
    assert start == datetime(2025, 3, 1, 17, 0, tzinfo=UTC)
    assert end == datetime(2025, 3, 2, 17, 0, tzinfo=UTC)
    assert start.tzinfo is UTC
    assert end.tzinfo is UTC


def test_local_day_bounds_refuses_a_datetime():
    with pytest.raises(TypeError):
        local_day_bounds(datetime(2025, 3, 2, tzinfo=UTC))


def test_format_vn_shows_local_wall_clock():
    assert format_vn(datetime(2025, 12, 31, 17, 5, tzinfo=UTC)) == "01/01/2026 00:05"
    assert format_vn(datetime(2025, 7, 4, 8, 9, tzinfo=VN_TZ)) == "04/07/2025 08:09"


def test_format_vn_date():
    assert format_vn_date(date(2025, 1, 9)) == "09/01/2025"
    assert format_vn_date(datetime(2025, 1, 8, 17, 0, tzinfo=UTC)) == "09/01/2025"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31/12/2026", date(2026, 12, 31)),
        ("1/2/2026", date(2026, 2, 1)),
        ("01-02-2026", date(2026, 2, 1)),
        (" 2026-02-01 ", date(2026, 2, 1)),
        ("29/02/2028", date(2028, 2, 29)),
        ("29/02/2026", None),  # no such day
        ("12/31/2026", None),  # month first is not how it is written here
        ("31/12/26", None),
        ("", None),
        ("٣١/١٢/٢٠٢٦", None),  # digits that int() reads but nobody types into this form
        ("31/12/2026/1", None),
        ("x" * 100, None),
    ],
)
def test_parse_vn_date(text, expected):
    assert parse_vn_date(text) == expected
