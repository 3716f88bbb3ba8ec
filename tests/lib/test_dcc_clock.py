"""A validation time read from text: offsets kept, no offset read as UTC and said so.

The conformance file ``dcc_data/VA/2DCode/raw/3.json`` has the clock ``2021-07-06T14:22:42.092871``
with no offset and expects the certificate to be in its validity window; its ``iat`` is 0.09 s
earlier in UTC, so only the UTC reading meets the expectation."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from phongdich.lib.dcc import (
    TrustList,
    ValidationClock,
    load_certificate,
    note_message,
    parse_validation_clock,
    verify_hc1,
)

VA_RECOVERY = Path(__file__).resolve().parent / "dcc_data" / "VA" / "2DCode" / "raw" / "3.json"


def _va_file() -> tuple[str, TrustList, str]:
    raw = json.loads(VA_RECOVERY.read_text(encoding="utf-8"))
    trust = TrustList([load_certificate(base64.b64decode(raw["TESTCTX"]["CERTIFICATE"]))])
    return raw["PREFIX"], trust, raw["TESTCTX"]["VALIDATIONCLOCK"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-06-08T20:17:27Z", datetime(2021, 6, 8, 20, 17, 27, tzinfo=UTC)),
        (
            "2021-05-03T20:00:00+02:00",
            datetime(2021, 5, 3, 20, tzinfo=timezone(timedelta(hours=2))),
        ),
        (
            "2021-06-15T12:00:00+0200",
            datetime(2021, 6, 15, 12, tzinfo=timezone(timedelta(hours=2))),
        ),
        # BG writes seven fraction digits, CH nine; datetime keeps six.
        ("2021-06-08T20:17:27.9906293Z", datetime(2021, 6, 8, 20, 17, 27, 990629, tzinfo=UTC)),
    ],
)
def test_it_keeps_a_written_offset_without_a_note(text, expected):
    clock = parse_validation_clock(text)
    assert clock.moment == expected
    assert clock.moment.utcoffset() == expected.utcoffset()
    assert clock.notes == ()
    assert not clock.assumed_utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-07-06T14:22:42.092871", datetime(2021, 7, 6, 14, 22, 42, 92871, tzinfo=UTC)),
        ("2021-10-01T00:15:17", datetime(2021, 10, 1, 0, 15, 17, tzinfo=UTC)),
        (" 2021-05-30T13:38:49 ", datetime(2021, 5, 30, 13, 38, 49, tzinfo=UTC)),
    ],
)
def test_it_reads_a_time_without_offset_as_utc_and_notes_it(text, expected):
    clock = parse_validation_clock(text)
    assert clock.moment == expected
    assert clock.moment.utcoffset() == timedelta(0)
    assert clock.notes == ("clock_assumed_utc",)
    assert clock.assumed_utc


@pytest.mark.parametrize("text", ["", "yesterday", "2021-13-01T00:00:00", "2021-07-06 14h22"])
def test_it_refuses_text_that_is_not_iso_8601(text):
    with pytest.raises(ValueError, match=r"isoformat|must be in"):
        parse_validation_clock(text)


def test_the_note_has_vietnamese_and_english_text():
    message_vi, message_en = note_message("clock_assumed_utc")
    assert "múi giờ" in message_vi and "UTC" in message_vi
    assert "time-zone offset" in message_en and "UTC" in message_en
    assert note_message("no_such_note") == ("no_such_note", "no_such_note")


def test_the_verification_result_carries_the_clocks_notes():
    prefix, trust, text = _va_file()
    clock = parse_validation_clock(text)
    result = verify_hc1(prefix, trust, clock)
    assert result.valid, result.reason
    assert result.notes == ("clock_assumed_utc",)
    assert verify_hc1(prefix, trust, clock.moment).notes == ()
    assert verify_hc1(prefix, trust, ValidationClock(clock.moment)).notes == ()


def test_only_the_utc_reading_meets_the_files_expectation():
    prefix, trust, text = _va_file()
    as_utc = verify_hc1(prefix, trust, parse_validation_clock(text))
    assert as_utc.stages["expiry"] is True
    assert as_utc.issued_at is not None
    assert timedelta(0) < parse_validation_clock(text).moment - as_utc.issued_at < timedelta(1)
    # The same wall time in Vatican City's summer zone, or in Vietnam, is before iat.
    for hours in (2, 7):
        local = datetime.fromisoformat(text).replace(tzinfo=timezone(timedelta(hours=hours)))
        result = verify_hc1(prefix, trust, local)
        assert (result.stages["expiry"], result.reason) == (False, "not_yet_valid")


def test_a_naive_datetime_is_still_refused_by_the_verifier():
    prefix, trust, text = _va_file()
    with pytest.raises(ValueError, match="timezone-aware"):
        verify_hc1(prefix, trust, datetime.fromisoformat(text))
    with pytest.raises(ValueError, match="timezone-aware"):
        verify_hc1(prefix, trust, ValidationClock(datetime.fromisoformat(text)))
