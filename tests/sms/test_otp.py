"""One-time codes: generation, hashing at rest, expiry, tries, resend limits."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from phongdich.lib import otp
from phongdich.lib.timeutil import VN_TZ, NaiveDatetimeError

KEY = b"server key for tests"
CONTEXT = "challenge-42"
T0 = datetime(2026, 3, 1, 16, 55, tzinfo=UTC)  # 23:55 in Vietnam


def _issue(now: datetime = T0) -> tuple[str, otp.OneTimeCode]:
    return otp.issue_code(KEY, CONTEXT, now)


def test_codes_are_six_digits_and_spread_over_all_digits():
    codes = [otp.generate_code() for _ in range(2000)]
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(set(codes)) > 1900  # 2000 draws from 10**6: repeats are rare
    first_digits = Counter(c[0] for c in codes)
    assert set(first_digits) == set("0123456789")  # leading zeros are kept


def test_only_a_keyed_hash_is_stored():
    code, state = _issue()
    assert code not in state.code_hash
    assert state.code_hash == otp.hash_code(code, KEY, CONTEXT)
    assert state.code_hash != otp.hash_code(code, b"other key", CONTEXT)
    assert state.code_hash != otp.hash_code(code, KEY, "challenge-43")
    assert state.expires_at - state.issued_at == timedelta(minutes=10)
    with pytest.raises(ValueError, match="key"):
        otp.hash_code(code, b"", CONTEXT)


def test_the_right_code_is_valid_once():
    code, state = _issue()
    first = otp.check_code(state, code, KEY, CONTEXT, T0 + timedelta(minutes=1))
    assert first.ok and first.code == "valid"
    again = otp.check_code(first.state, code, KEY, CONTEXT, T0 + timedelta(minutes=2))
    assert again.outcome is otp.CheckOutcome.ALREADY_USED
    assert again.message_vi and again.message_en


def test_typed_with_spaces_or_full_width_digits_it_still_matches():
    code, state = _issue()
    spaced = f"{code[:3]} {code[3:]}"
    full_width = "".join(chr(ord("０") + int(d)) for d in code)
    assert otp.check_code(state, spaced, KEY, CONTEXT, T0).ok
    assert otp.check_code(state, full_width, KEY, CONTEXT, T0).ok


def test_a_code_for_another_challenge_does_not_work():
    code, state = _issue()
    assert not otp.check_code(state, code, KEY, "challenge-43", T0).ok


def test_expiry_edges():
    code, state = _issue()
    just_before = state.expires_at - timedelta(microseconds=1)
    assert otp.check_code(state, code, KEY, CONTEXT, just_before).ok
    at_expiry = otp.check_code(state, code, KEY, CONTEXT, state.expires_at)
    assert at_expiry.outcome is otp.CheckOutcome.EXPIRED
    assert at_expiry.code == "otp_expired"
    # Expiry does not depend on the zone the clock is read in (00:05 in Vietnam, 17:05 UTC).
    vn_at_expiry = state.expires_at.astimezone(VN_TZ)
    assert (
        otp.check_code(state, code, KEY, CONTEXT, vn_at_expiry).outcome is otp.CheckOutcome.EXPIRED
    )


def test_five_wrong_tries_kill_the_code_even_for_the_right_one():
    code, state = _issue()
    wrong = "000000" if code != "000000" else "111111"
    lefts = []
    for _ in range(4):
        result = otp.check_code(state, wrong, KEY, CONTEXT, T0)
        assert result.outcome is otp.CheckOutcome.WRONG_CODE
        state = result.state
        lefts.append(result.attempts_left)
    assert lefts == [4, 3, 2, 1]
    fifth = otp.check_code(state, wrong, KEY, CONTEXT, T0)
    assert (fifth.outcome, fifth.attempts_left) == (otp.CheckOutcome.TOO_MANY_ATTEMPTS, 0)
    after = otp.check_code(fifth.state, code, KEY, CONTEXT, T0)
    assert after.outcome is otp.CheckOutcome.TOO_MANY_ATTEMPTS
    assert after.state.attempts == 5


def test_the_right_code_on_the_fifth_try_still_works():
    code, state = _issue()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        state = otp.check_code(state, wrong, KEY, CONTEXT, T0).state
    assert otp.check_code(state, code, KEY, CONTEXT, T0).ok


def test_garbage_counts_as_a_wrong_try():
    _code, state = _issue()
    result = otp.check_code(state, "12345x", KEY, CONTEXT, T0)
    assert result.outcome is otp.CheckOutcome.WRONG_CODE
    assert result.state.attempts == 1


def test_naive_times_are_refused():
    with pytest.raises(NaiveDatetimeError):
        otp.issue_code(KEY, CONTEXT, datetime(2026, 3, 1, 12, 0))


def test_resend_needs_a_minute_between_codes():
    assert otp.resend_decision([], T0).allowed
    sent = [T0]
    too_soon = otp.resend_decision(sent, T0 + timedelta(seconds=59))
    assert not too_soon.allowed
    assert too_soon.code == "otp_resend_too_soon"
    assert too_soon.retry_at == T0 + timedelta(seconds=60)
    assert otp.resend_decision(sent, T0 + timedelta(seconds=60)).allowed


def test_at_most_five_codes_an_hour():
    sent = [T0 + timedelta(minutes=5 * i) for i in range(5)]  # 0, 5, …, 20 minutes
    at_30 = otp.resend_decision(sent, T0 + timedelta(minutes=30))
    assert not at_30.allowed
    assert at_30.code == "otp_resend_limit"
    assert at_30.retry_at == T0 + timedelta(hours=1)  # when the first leaves the window
    assert at_30.message_vi and at_30.message_en
    assert otp.resend_decision(sent, T0 + timedelta(hours=1)).allowed
    # Order does not matter.
    assert otp.resend_decision(list(reversed(sent)), T0 + timedelta(minutes=30)) == at_30
