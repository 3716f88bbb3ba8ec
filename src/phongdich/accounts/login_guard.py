"""Login lockout and the TOTP second factor.

A failed password counts against the pair (username, client address) and against the address
alone; every attempt is counted before it is checked, so parallel guesses get no more checks than
sequential ones. A name is locked only for the address that failed it, so nobody can lock every officer out
by trying their names; an address that fails many names is locked for all of them. Wrong TOTP
codes count against the account (the password was right), and a time step once accepted is never
accepted again, so an overheard code cannot be replayed.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pyotp
from django.conf import settings
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.accounts.models import LoginFailure, User

FIRST_FACTOR = "password"
TOTP = "totp"


def _since():
    return timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def do_begin_login(username: str, request: Any = None) -> LoginFailure | None:
    """Count this password attempt, then decide whether it may be checked; None when too many
    recent attempts failed for this name from this address, or for any name from it.

    The attempt is written before the count is read, so attempts sent in parallel each see
    those that began before them, and no more than the limit reach a password check in a
    lockout window (reading first and writing the failure after the check let all of N parallel
    guesses through). The row is the failure unless the password is right (``do_end_attempt``);
    an attempt refused as locked counts too, so an address that keeps trying stays locked."""
    ip = audit.client_ip(request)
    name = username.lower()
    attempt = LoginFailure.objects.create(
        username=name, ip=ip, at=timezone.now(), stage=FIRST_FACTOR
    )
    recent = LoginFailure.objects.filter(at__gte=_since(), stage=FIRST_FACTOR, ip=ip)
    if recent.filter(username=name).count() > settings.LOGIN_MAX_FAILURES:
        return None
    if recent.count() > settings.LOGIN_MAX_FAILURES_PER_ADDRESS:
        return None
    return attempt


def do_end_attempt(attempt: LoginFailure) -> None:
    """The password (or code) of a counted attempt was right: it is not a failure."""
    LoginFailure.objects.filter(pk=attempt.pk).delete()


def do_record_login_failure(username: str, request: Any) -> None:
    """Audit a wrong password (its attempt, counted by ``do_begin_login``, stays as the failure)."""
    audit.record(
        "login_failed", request=request, object_type="accounts.user", object_id=username[:64]
    )


def do_record_login(user: User, request: Any) -> None:
    """The login is complete (both factors when the account has two): clear and audit."""
    LoginFailure.objects.filter(username=user.username.lower()).delete()
    audit.record("login", actor=user, request=request, obj=user)


def do_begin_totp(user: User, request: Any) -> LoginFailure | None:
    """Count this code attempt against the account, then decide whether it may be checked;
    None when too many recent codes were wrong (written first, as ``do_begin_login``)."""
    name = user.username.lower()
    attempt = LoginFailure.objects.create(
        username=name, ip=audit.client_ip(request), at=timezone.now(), stage=TOTP
    )
    recent = LoginFailure.objects.filter(username=name, stage=TOTP, at__gte=_since())
    if recent.count() > settings.TOTP_MAX_FAILURES:
        return None
    return attempt


def do_record_totp_failure(user: User, request: Any) -> None:
    """Audit a wrong code (its attempt, counted by ``do_begin_totp``, stays as the failure)."""
    audit.record("otp_failed", request=request, obj=user)


def _matching_step(secret: str, code: str) -> int | None:
    code = code.strip().replace(" ", "")
    if not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time())
    for drift in (0, -1, 1):  # one step either side, for clocks a little off
        at = now + drift * totp.interval
        if pyotp.utils.strings_equal(totp.at(at), code):
            return at // totp.interval
    return None


def verify_totp(user: User, code: str) -> bool:
    """A right code whose time step is later than the last one accepted for this account; the
    step is claimed in one conditional update, so two requests with the same code cannot both pass."""
    if not user.totp_secret:
        return False
    step = _matching_step(user.totp_secret, code)
    if step is None:
        return False
    from django.db.models import Q

    claimed = (
        User.objects.filter(pk=user.pk)
        .filter(Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step))
        .update(totp_last_step=step)
    )
    if claimed:
        user.totp_last_step = step
    return bool(claimed)
