"""State changes for accounts: creating staff, tokens, login bookkeeping, two-factor setup."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.accounts.login_guard import (  # noqa: F401  (the accounts actions, one place)
    do_begin_login,
    do_begin_totp,
    do_end_attempt,
    do_record_login,
    do_record_login_failure,
    do_record_totp_failure,
    verify_totp,
)
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
    # A few wards of Hà Nội have codes below 100 (00070 Hoàn Kiếm): a code written with five
    # digits is always a ward's; a shorter one is a province's when a province has it.
    if number < 100 and len(str(code).strip()) < 5:
        province = Province.objects.filter(code=number).first()
        if province is not None:
            return province, None
        if not Ward.objects.filter(code=number).exists():
            raise AccountError("unknown_area", f"No province with code {number}")
    ward = Ward.objects.select_related("province").filter(code=number).first()
    if ward is None:
        raise AccountError("unknown_area", f"No ward or commune with code {number}")
    return ward.province, ward


def check_password_rules(password: str, user: User) -> None:
    """Django's password validators (AUTH_PASSWORD_VALIDATORS) for every password set."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise AccountError("weak_password", " ".join(error.messages)) from None


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
    password = password or secrets.token_urlsafe(12)
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
    check_password_rules(password, user)
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
    check_password_rules(password, user)
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
def do_issue_token(user: User, *, actor: Any = None, days: int | None = None) -> str:
    """A new token, valid for ``days`` (API_TOKEN_DAYS when not given; 0 never expires)."""
    days = settings.API_TOKEN_DAYS if days is None else days
    raw = "pd_" + secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(days=days) if days else None
    ApiToken.objects.create(
        user=user, digest=ApiToken.hash(raw), prefix=raw[:8], expires_at=expires
    )
    audit.record("issue_token", actor=actor, obj=user, detail={"prefix": raw[:8]})
    return raw


@transaction.atomic
def do_revoke_tokens(user: User, *, prefix: str = "", actor: Any = None) -> int:
    """Revoke the user's tokens (only the one starting with ``prefix`` when given)."""
    tokens = ApiToken.objects.filter(user=user, revoked=False)
    if prefix:
        tokens = tokens.filter(prefix=prefix[:8])
    count = tokens.update(revoked=True)
    if count:
        audit.record("revoke_token", actor=actor, obj=user, detail={"count": count})
    return count


def authenticate_token(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.hash(raw), revoked=False, user__is_active=True)
        .first()
    )
    now = timezone.now()
    if token is None or (token.expires_at is not None and token.expires_at <= now):
        return None
    # Write the last-use time at most once a minute: tokens are used on hot paths.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def do_start_totp(user: User) -> str:
    """Generate (but do not yet enable) a TOTP secret; enabled once a code is confirmed."""
    user.totp_secret = pyotp.random_base32()
    user.save(update_fields=["totp_secret"])
    return user.totp_secret


def do_enable_totp(user: User, code: str, request: Any = None) -> bool:
    if not verify_totp(user, code):
        return False
    user.totp_enabled = True
    user.save(update_fields=["totp_enabled"])
    audit.record("enable_2fa", actor=user, request=request, obj=user)
    return True
