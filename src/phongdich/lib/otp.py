"""One-time codes sent by SMS: issue, check, and limit resends. Pure functions over a small
state the caller stores; nothing here touches a database or a clock of its own.

* A code is 6 digits from ``secrets`` (10⁶ possibilities).
* Only an HMAC-SHA256 of it is stored, keyed with a server secret and bound to a *context*
  (e.g. the challenge id): a leaked table gives neither the codes nor a way to test guesses
  offline, and a code for one challenge does not open another.
* It lives 10 minutes; 5 wrong tries make it invalid, which keeps a guesser at 5 in 10⁶
  per code; a right code is used up.
* Resends are spaced and capped per window, so nobody can flood a number with codes.

Defaults are settings marked unconfirmed in docs/reference/sms.md.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from phongdich.lib.timeutil import require_aware

__all__ = [
    "CODE_DIGITS",
    "CODE_LIFETIME",
    "MAX_ATTEMPTS",
    "CheckOutcome",
    "CheckResult",
    "OneTimeCode",
    "ResendDecision",
    "check_code",
    "generate_code",
    "hash_code",
    "issue_code",
    "resend_decision",
]

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
MAX_ATTEMPTS = 5
RESEND_INTERVAL = timedelta(seconds=60)
RESEND_WINDOW = timedelta(hours=1)
RESENDS_PER_WINDOW = 5


def generate_code(digits: int = CODE_DIGITS) -> str:
    """A uniformly random code, leading zeros kept: ``"042917"``."""
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def hash_code(code: str, key: bytes, context: str) -> str:
    """HMAC-SHA256 of the code, bound to ``context``; hex. ``key`` is a server secret."""
    if not key:
        raise ValueError("a one-time code needs a non-empty server key")
    message = context.encode() + b"\x00" + code.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class OneTimeCode:
    """What is stored for one code. ``attempts`` counts wrong tries."""

    code_hash: str
    issued_at: datetime
    expires_at: datetime
    attempts: int = 0
    used: bool = False


def issue_code(
    key: bytes, context: str, now: datetime, lifetime: timedelta = CODE_LIFETIME
) -> tuple[str, OneTimeCode]:
    """A new code: the plain code to send by SMS (never store it) and the state to store."""
    require_aware(now)
    code = generate_code()
    state = OneTimeCode(hash_code(code, key, context), now, now + lifetime)
    return code, state


class CheckOutcome(StrEnum):
    VALID = "valid"
    WRONG_CODE = "otp_wrong_code"
    EXPIRED = "otp_expired"
    TOO_MANY_ATTEMPTS = "otp_too_many_attempts"
    ALREADY_USED = "otp_already_used"


_MESSAGES: dict[CheckOutcome, tuple[str, str]] = {
    CheckOutcome.VALID: ("Mã xác nhận đúng.", "The code is correct."),
    CheckOutcome.WRONG_CODE: ("Mã xác nhận không đúng.", "The code is wrong."),
    CheckOutcome.EXPIRED: (
        "Mã xác nhận đã hết hạn, hãy yêu cầu mã mới.",
        "The code has expired; ask for a new one.",
    ),
    CheckOutcome.TOO_MANY_ATTEMPTS: (
        "Nhập sai quá nhiều lần, hãy yêu cầu mã mới.",
        "Too many wrong tries; ask for a new code.",
    ),
    CheckOutcome.ALREADY_USED: (
        "Mã xác nhận đã được dùng, hãy yêu cầu mã mới.",
        "The code has already been used; ask for a new one.",
    ),
}


@dataclass(frozen=True, slots=True)
class CheckResult:
    outcome: CheckOutcome
    state: OneTimeCode  # store this back, whatever the outcome
    attempts_left: int

    @property
    def ok(self) -> bool:
        return self.outcome is CheckOutcome.VALID

    @property
    def code(self) -> str:
        return self.outcome.value

    @property
    def message_vi(self) -> str:
        return _MESSAGES[self.outcome][0]

    @property
    def message_en(self) -> str:
        return _MESSAGES[self.outcome][1]


def _normalise(submitted: str) -> str:
    # Phones offer full-width digits in some keyboards; people type spaces ("123 456").
    return "".join(unicodedata.normalize("NFKC", submitted).split())


def check_code(
    state: OneTimeCode,
    submitted: str,
    key: bytes,
    context: str,
    now: datetime,
    max_attempts: int = MAX_ATTEMPTS,
) -> CheckResult:
    """Check a submitted code. The code is dead at ``expires_at`` exactly, after
    ``max_attempts`` wrong tries, and once it has been used."""
    require_aware(now)
    left = max(max_attempts - state.attempts, 0)
    if state.used:
        return CheckResult(CheckOutcome.ALREADY_USED, state, left)
    if left == 0:
        return CheckResult(CheckOutcome.TOO_MANY_ATTEMPTS, state, 0)
    if now >= state.expires_at:
        return CheckResult(CheckOutcome.EXPIRED, state, left)
    # Compare hashes of equal length in constant time; a malformed entry is just wrong.
    if hmac.compare_digest(hash_code(_normalise(submitted), key, context), state.code_hash):
        return CheckResult(CheckOutcome.VALID, replace(state, used=True), left)
    wrong = replace(state, attempts=state.attempts + 1)
    left -= 1
    outcome = CheckOutcome.WRONG_CODE if left else CheckOutcome.TOO_MANY_ATTEMPTS
    return CheckResult(outcome, wrong, left)


@dataclass(frozen=True, slots=True)
class ResendDecision:
    allowed: bool
    retry_at: datetime | None = None  # when the next code may be sent, if not now
    code: str = ""
    message_vi: str = ""
    message_en: str = ""


def resend_decision(
    sent_at: Iterable[datetime],
    now: datetime,
    *,
    interval: timedelta = RESEND_INTERVAL,
    window: timedelta = RESEND_WINDOW,
    per_window: int = RESENDS_PER_WINDOW,
) -> ResendDecision:
    """May another code go to this number now? ``sent_at`` are the times codes were sent
    to it (any order). At least ``interval`` between two codes and at most ``per_window``
    codes in any ``window``."""
    require_aware(now)
    recent = sorted(t for t in (require_aware(t) for t in sent_at) if t > now - window)
    if len(recent) >= per_window:
        # The window frees a slot when its oldest send leaves it.
        retry_at = recent[-per_window] + window
        return ResendDecision(
            False,
            retry_at,
            "otp_resend_limit",
            "Đã gửi quá nhiều mã cho số này, hãy thử lại sau.",
            "Too many codes were sent to this number; try again later.",
        )
    if recent and now < recent[-1] + interval:
        return ResendDecision(
            False,
            recent[-1] + interval,
            "otp_resend_too_soon",
            "Vui lòng đợi một chút trước khi yêu cầu mã mới.",
            "Please wait a little before asking for a new code.",
        )
    return ResendDecision(True)
