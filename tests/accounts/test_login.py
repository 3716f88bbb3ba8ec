import pyotp
import pytest
from django.urls import reverse

from phongdich.accounts.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/staff/login/"


def _login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_login_succeeds_and_is_audited(client, ward_officer):
    response = _login(client, "ward", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("accounts:dashboard")
    assert client.get("/staff/").status_code == 200
    event = AuditEvent.objects.get(action="login")
    assert event.actor == ward_officer and event.ip == "127.0.0.1"


def test_wrong_password_is_refused_and_audited(client, ward_officer):
    response = _login(client, "ward", "nope")
    assert response.status_code == 200
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.content.decode()
    assert AuditEvent.objects.filter(action="login_failed", object_id="ward").count() == 1


def test_lockout_after_repeated_failures_even_with_right_password(client, ward_officer, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        _login(client, "ward", "nope")
    response = _login(client, "ward", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Đăng nhập sai quá nhiều lần" in response.content.decode()


def test_lockout_expires(client, ward_officer, settings, time_machine):
    settings.LOGIN_MAX_FAILURES = 2
    settings.LOGIN_LOCKOUT_MINUTES = 15
    time_machine.move_to("2026-11-27 08:00 +07:00", tick=False)
    _login(client, "ward", "x")
    _login(client, "ward", "x")
    assert _login(client, "ward", PASSWORD).status_code == 200
    time_machine.move_to("2026-11-27 08:16 +07:00", tick=False)
    assert _login(client, "ward", PASSWORD).status_code == 302


def test_totp_second_factor(client, province_officer, time_machine):
    time_machine.move_to("2026-11-27 08:00 +07:00", tick=False)
    _login(client, "province", PASSWORD)
    client.get(reverse("accounts:totp_setup"))
    province_officer.refresh_from_db()
    code = pyotp.TOTP(province_officer.totp_secret).now()
    response = client.post(reverse("accounts:totp_setup"), {"code": code})
    assert response.status_code == 302
    province_officer.refresh_from_db()
    assert province_officer.totp_enabled
    client.post(reverse("accounts:logout"))

    _login(client, "province", PASSWORD)
    # Password alone is not enough: every page sends the user to the code step.
    assert client.get("/staff/").url == reverse("accounts:totp_verify")
    bad = client.post(reverse("accounts:totp_verify"), {"code": "000000"})
    assert bad.status_code == 200
    # The next time step: the code of the set-up step is never accepted a second time.
    time_machine.move_to("2026-11-27 08:01 +07:00", tick=False)
    good = client.post(
        reverse("accounts:totp_verify"), {"code": pyotp.TOTP(province_officer.totp_secret).now()}
    )
    assert good.status_code == 302
    assert client.get("/staff/").status_code == 200


def test_dashboard_needs_login(client):
    response = client.get("/staff/")
    assert response.status_code == 302 and response.url.startswith("/staff/login/")


def test_admin_site_is_for_admins_only(client, province_officer, admin_user):
    client.force_login(province_officer)
    assert client.get("/admin/").status_code == 302  # sent to the admin login
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200


def test_next_parameter_cannot_redirect_offsite(client, ward_officer):
    response = client.post(
        LOGIN + "?next=https://evil.example/", {"username": "ward", "password": PASSWORD}
    )
    assert response.url == reverse("accounts:dashboard")
