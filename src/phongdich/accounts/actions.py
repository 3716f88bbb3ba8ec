"""State changes for accounts: creating staff, tokens, login bookkeeping, two-factor setup."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import pyotp
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.accounts.models import ApiToken, LoginFailure, Role, User
from phongdich.places.models import Province, Ward


class AccountError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


AREA_ROLES = {r.value for r in Role} - {Role.ADMIN.value}


def resolve_area(code: int | str | None) -> tuple[Province | None, Ward | None]:
    if code in (None, ""):
        return None, None
    try:
        number = int(str(code))
    except ValueError:
        raise AccountError("bad_area", f"Area code must be a number, got {code!r}") from None
    if number < 100:
        province = Province.objects.filter(code=number).first()
        if province is None:
            raise AccountError("unknown_area", f"No province with code {number}")
        return province, None
    ward = Ward.objects.select_related("province").filter(code=number).first()
    if ward is None:
        raise AccountError("unknown_area", f"No ward or commune with code {number}")
    return ward.province, ward


def do_create_staff(
    username: str,
    role: str,
    *,
    area: int | str | None = None,
    password: str | None = None,
    full_name: str = "",
    actor: Any = None,
    venue: Any = None,
) -> tuple[User, str]:
    """Create a staff account; returns the user and the password (generated when not given)."""
    if role not in {r.value for r in Role}:
        raise AccountError("bad_role", f"Unknown role {role!r}; one of {', '.join(Role.values)}")
    if User.objects.filter(username=username).exists():
        raise AccountError("username_taken", f"User {username!r} already exists")
    province, ward = resolve_area(area)
    if venue is not None and ward is None:
        ward = venue.ward
        province = ward.province
    if role in AREA_ROLES and province is None:
        raise AccountError("area_required", f"Role {role} needs --area (a province or ward code)")
    if role == Role.WARD_OFFICER and ward is None:
        raise AccountError("ward_required", "A ward officer needs a ward code as --area")
    if role == Role.VENUE_STAFF and venue is None:
        raise AccountError("venue_required", "Checkpoint staff need --venue CODE")
    password = password or secrets.token_urlsafe(9)
    user = User(
        username=username,
        role=role,
        province=province,
        ward=ward,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    if full_name:
        first, _, last = full_name.rpartition(" ")
        user.first_name, user.last_name = last, first
    # Hash before the transaction: on SQLite a write transaction holds the database lock from
    # its first statement, and a deliberately slow hash must not hold it.
    user.set_password(password)
    with transaction.atomic():
        user.save()
        if venue is not None:
            venue.staff.add(user)
        audit.record(
            "create", actor=actor, obj=user, ward=ward, province=province, detail={"role": role}
        )
    return user, password


def do_set_password(
    user: User, password: str, *, actor: Any = None, request: Any = None, reason: str = ""
) -> User:
    """Set a new password, reactivate the account and clear its lockout."""
    user.set_password(password)
    with transaction.atomic():
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        LoginFailure.objects.filter(username=user.username.lower()).delete()
        audit.record(
            "reset_password",
            actor=actor,
            request=request,
            obj=user,
            ward=user.ward,
            province=user.province_id,
            detail={"reason": reason} if reason else None,
        )
    return user


@transaction.atomic
def do_issue_token(user: User, *, actor: Any = None) -> str:
    raw = "pd_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=ApiToken.hash(raw), prefix=raw[:8])
    audit.record("issue_token", actor=actor, obj=user)
    return raw


def authenticate_token(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.hash(raw), revoked=False, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Write the last-use time at most once a minute: tokens are used on hot paths.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def is_locked_out(username: str) -> bool:
    since = timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    recent = LoginFailure.objects.filter(username=username.lower(), at__gte=since).count()
    return recent >= settings.LOGIN_MAX_FAILURES


def do_record_login_failure(username: str, request: Any) -> None:
    LoginFailure.objects.create(
        username=username.lower(), ip=audit.client_ip(request), at=timezone.now()
    )
    audit.record(
        "login_failed", request=request, object_type="accounts.user", object_id=username[:64]
    )


def do_record_login(user: User, request: Any) -> None:
    LoginFailure.objects.filter(username=user.username.lower()).delete()
    audit.record("login", actor=user, request=request, obj=user)


def do_start_totp(user: User) -> str:
    """Generate (but do not yet enable) a TOTP secret; enabled once a code is confirmed."""
    user.totp_secret = pyotp.random_base32()
    user.save(update_fields=["totp_secret"])
    return user.totp_secret


def verify_totp(user: User, code: str) -> bool:
    if not user.totp_secret:
        return False
    return pyotp.TOTP(user.totp_secret).verify(code.strip().replace(" ", ""), valid_window=1)


def do_enable_totp(user: User, code: str, request: Any = None) -> bool:
    if not verify_totp(user, code):
        return False
    user.totp_enabled = True
    user.save(update_fields=["totp_enabled"])
    audit.record("enable_2fa", actor=user, request=request, obj=user)
    return True
