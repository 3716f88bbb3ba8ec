"""Hardening of the staff login (issue 12): the admin login is the staff login, the lockout
cannot lock an officer out from another address, the TOTP step locks and never accepts a code
twice, the login is audited only after both factors, passwords follow the validators, API tokens
expire and are revoked, idle sessions end."""

import pyotp
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from phongdich.accounts.actions import (
    AccountError,
    authenticate_token,
    do_create_staff,
    do_issue_token,
    do_set_password,
)
from phongdich.accounts.models import AuditEvent, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/staff/login/"


def _login(client, username, password, ip="127.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_admin_login_is_the_staff_login(client, admin_user):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN) and "next=%2Fadmin%2F" in response.url
    # A password posted to the admin's own form logs nobody in (and so cannot skip the lockout).
    client.post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    # Wrong passwords through the staff login lock the admin out of /admin/ as well.
    for _ in range(5):
        _login(client, "admin", "nope")
    assert _login(client, "admin", PASSWORD).status_code == 200
    assert client.get("/admin/").status_code == 302
    assert AuditEvent.objects.filter(action="login_failed", object_id="admin").count() == 5


def test_a_name_is_locked_only_for_the_address_that_failed_it(client, ward_officer, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        _login(client, "ward", "nope", ip="203.0.113.9")
    assert _login(client, "ward", PASSWORD, ip="203.0.113.9").status_code == 200
    # The officer at the ward station is not locked out by a stranger who tried their name.
    assert _login(client, "ward", PASSWORD, ip="198.51.100.7").status_code == 302


def test_an_address_failing_many_names_is_locked_for_every_name(client, ward_officer, settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 4
    for name in ("a", "b", "c", "d"):
        _login(client, name, "nope", ip="203.0.113.9")
    assert _login(client, "ward", PASSWORD, ip="203.0.113.9").status_code == 200
    assert "_auth_user_id" not in client.session


def _enable_totp(client, user):
    _login(client, user.username, PASSWORD)
    client.get(reverse("accounts:totp_setup"))
    user.refresh_from_db()
    totp = pyotp.TOTP(user.totp_secret)
    client.post(reverse("accounts:totp_setup"), {"code": totp.now()})
    client.post(reverse("accounts:logout"))
    return totp


def test_login_is_audited_only_after_the_second_factor(client, province_officer, time_machine):
    time_machine.move_to("2026-11-27 08:00 +07:00", tick=False)
    totp = _enable_totp(client, province_officer)
    AuditEvent.objects.filter(action="login").delete()
    _login(client, "province", PASSWORD)
    assert not AuditEvent.objects.filter(action="login").exists()
    time_machine.move_to("2026-11-27 08:01 +07:00", tick=False)
    assert client.post(reverse("accounts:totp_verify"), {"code": totp.now()}).status_code == 302
    assert AuditEvent.objects.filter(action="login", actor=province_officer).count() == 1


def test_a_totp_code_is_never_accepted_twice(client, province_officer, time_machine):
    time_machine.move_to("2026-11-27 08:00 +07:00", tick=False)
    totp = _enable_totp(client, province_officer)  # used the code of 08:00
    _login(client, "province", PASSWORD)
    response = client.post(reverse("accounts:totp_verify"), {"code": totp.now()})
    assert response.status_code == 200  # the same time step again: refused
    assert client.get("/staff/").status_code == 302
    time_machine.move_to("2026-11-27 08:01 +07:00", tick=False)
    assert client.post(reverse("accounts:totp_verify"), {"code": totp.now()}).status_code == 302


def test_wrong_totp_codes_lock_the_account(client, province_officer, settings, time_machine):
    settings.TOTP_MAX_FAILURES = 3
    time_machine.move_to("2026-11-27 08:00 +07:00", tick=False)
    totp = _enable_totp(client, province_officer)
    AuditEvent.objects.filter(action="login").delete()
    _login(client, "province", PASSWORD)
    for _ in range(3):
        client.post(reverse("accounts:totp_verify"), {"code": "000000"})
    time_machine.move_to("2026-11-27 08:01 +07:00", tick=False)
    response = client.post(reverse("accounts:totp_verify"), {"code": totp.now()})
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action="login", actor=province_officer).exists()


def test_password_validators_apply_to_adduser_and_every_password_set(ward_officer):
    with pytest.raises(CommandError):
        call_command(
            "adduser", "lan", "--role", "ward_officer", "--area", "14797", "--password", "123"
        )
    assert not User.objects.filter(username="lan").exists()
    with pytest.raises(AccountError) as error:
        do_create_staff("lan", "ward_officer", area=14797, password="password")
    assert error.value.code == "weak_password"
    with pytest.raises(AccountError):
        do_set_password(ward_officer, "12345678")
    ward_officer.refresh_from_db()
    assert ward_officer.check_password(PASSWORD)


def test_api_tokens_expire_and_are_revoked(province_officer, time_machine, capsys):
    time_machine.move_to("2026-11-27 08:00 +07:00", tick=False)
    raw = do_issue_token(province_officer, days=30)
    assert authenticate_token(raw) == province_officer
    time_machine.move_to("2026-12-27 08:01 +07:00", tick=False)
    assert authenticate_token(raw) is None
    call_command("token", "province")
    fresh = capsys.readouterr().out.strip()
    assert authenticate_token(fresh) == province_officer
    call_command("token", "province", "--revoke", "--prefix", fresh[:8])
    assert authenticate_token(fresh) is None


def test_tokens_are_revoked_from_the_admin(client, admin_user, province_officer):
    raw = do_issue_token(province_officer)
    _login(client, "admin", PASSWORD)
    token = province_officer.api_tokens.get()
    response = client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    assert authenticate_token(raw) is None


def test_an_idle_session_ends(client, ward_officer, settings, time_machine):
    settings.SESSION_IDLE_MINUTES = 30
    time_machine.move_to("2026-11-27 08:00 +07:00", tick=False)
    _login(client, "ward", PASSWORD)
    time_machine.move_to("2026-11-27 08:25 +07:00", tick=False)
    assert client.get("/staff/").status_code == 200
    time_machine.move_to("2026-11-27 08:50 +07:00", tick=False)
    assert client.get("/staff/").status_code == 200  # 25 minutes since the last request
    time_machine.move_to("2026-11-27 09:21 +07:00", tick=False)
    assert client.get("/staff/").status_code == 302
