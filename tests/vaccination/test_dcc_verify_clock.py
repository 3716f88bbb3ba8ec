"""``phongdich dcc-verify`` on conformance files whose VALIDATIONCLOCK has no offset: read as UTC,
and said so in the JSON ``notes`` and on standard error, in Vietnamese and English."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from phongdich.lib.dcc import note_message

BUNDLED = Path(__file__).resolve().parents[1] / "lib" / "dcc_data"
VA_RECOVERY = BUNDLED / "VA" / "2DCode" / "raw" / "3.json"


def run(*args: str) -> tuple[dict, str]:
    out, err = StringIO(), StringIO()
    call_command("dcc-verify", *args, stdout=out, stderr=err)
    return json.loads(out.getvalue()), err.getvalue()


def _with_clock(tmp_path: Path, clock: str) -> Path:
    raw = json.loads(VA_RECOVERY.read_text(encoding="utf-8"))
    raw["TESTCTX"]["VALIDATIONCLOCK"] = clock
    copy = tmp_path / "3.json"
    copy.write_text(json.dumps(raw), encoding="utf-8")
    return copy


def test_a_clock_without_offset_is_read_as_utc_and_the_output_says_so():
    output, errors = run(str(VA_RECOVERY))
    assert (output["valid"], output["reason"]) == (True, None)
    assert output["verified_at"] == "2021-07-06T14:22:42.092871+00:00"
    message_vi, message_en = note_message("clock_assumed_utc")
    assert output["notes"] == [
        {"code": "clock_assumed_utc", "message_vi": message_vi, "message_en": message_en}
    ]
    assert message_vi in errors and message_en in errors
    assert errors.index(message_vi) < errors.index(message_en)  # Vietnamese first


def test_a_clock_with_an_offset_has_no_note(tmp_path):
    # The same instant, written with an offset.
    output, errors = run(str(_with_clock(tmp_path, "2021-07-06T16:22:42.092871+02:00")))
    assert output["valid"] is True
    assert output["verified_at"] == "2021-07-06T16:22:42.092871+02:00"
    assert (output["notes"], errors) == ([], "")


def test_the_same_wall_time_in_a_local_zone_is_before_the_certificate(tmp_path):
    output, _ = run(str(_with_clock(tmp_path, "2021-07-06T14:22:42.092871+02:00")))
    assert (output["valid"], output["reason"]) == (False, "not_yet_valid")
    assert output["notes"] == []


def test_at_overrides_the_files_clock_and_still_needs_an_offset():
    output, errors = run(str(VA_RECOVERY), "--at", "2022-08-01T00:00:00+07:00")
    assert (output["valid"], output["reason"]) == (False, "expired")
    assert (output["notes"], errors) == ([], "")
    with pytest.raises(CommandError, match="time zone"):
        run(str(VA_RECOVERY), "--at", "2021-07-06T14:22:42")


def test_a_clock_that_is_not_a_time_is_refused(tmp_path):
    with pytest.raises(CommandError, match="VALIDATIONCLOCK: not an ISO 8601 time"):
        run(str(_with_clock(tmp_path, "6 July 2021")))
