"""Login lockout and the TOTP second factor.

A failed password counts against the pair (username, client address) and against the address
alone. A name is locked only for the address that failed it, so nobody can lock every officer out
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


def is_locked_out(username: str, request: Any = None) -> bool:
    """Too many recent failures for this name from this address, or for any name from it."""
    ip = audit.client_ip(request)
    recent = LoginFailure.objects.filter(at__gte=_since(), stage=FIRST_FACTOR, ip=ip)
    if recent.filter(username=username.lower()).count() >= settings.LOGIN_MAX_FAILURES:
        return True
    return recent.count() >= settings.LOGIN_MAX_FAILURES_PER_ADDRESS


def do_record_login_failure(username: str, request: Any) -> None:
    LoginFailure.objects.create(
        username=username.lower(),
        ip=audit.client_ip(request),
        at=timezone.now(),
        stage=FIRST_FACTOR,
    )
    audit.record(
        "login_failed", request=request, object_type="accounts.user", object_id=username[:64]
    )


def do_record_login(user: User, request: Any) -> None:
    """The login is complete (both factors when the account has two): clear and audit."""
    LoginFailure.objects.filter(username=user.username.lower()).delete()
    audit.record("login", actor=user, request=request, obj=user)


def totp_locked(user: User) -> bool:
    recent = LoginFailure.objects.filter(
        username=user.username.lower(), stage=TOTP, at__gte=_since()
    )
    return recent.count() >= settings.TOTP_MAX_FAILURES


def do_record_totp_failure(user: User, request: Any) -> None:
    LoginFailure.objects.create(
        username=user.username.lower(), ip=audit.client_ip(request), at=timezone.now(), stage=TOTP
    )
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
