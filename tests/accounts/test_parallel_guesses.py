"""The login lockouts hold against guesses sent in parallel: an attacker who fires many requests
at once gets no more password (or two-factor code) checks in a lockout window than one who sends
them one after another. Checking the count first and recording the failure after the check let
every one of N parallel guesses through."""

from __future__ import annotations

import threading
import time

import pyotp
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from phongdich.accounts import actions, views
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

LOGIN = "/staff/login/"
PARALLEL = 8
SLOW = 0.4  # seconds each check takes here: every request has begun before the first ends


def _fire(make_request) -> list[int]:
    """PARALLEL requests started together; their status codes."""
    start = threading.Barrier(PARALLEL, timeout=30)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run():
        try:
            start.wait()
            statuses.append(make_request().status_code)
        except BaseException as error:  # reported by the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(PARALLEL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return statuses


def _counting(monkeypatch, module, name: str) -> list[int]:
    """Replace ``module.name`` by the same function, slowed down, counting its calls."""
    real, calls = getattr(module, name), []

    def slow(*args, **kwargs):
        calls.append(1)
        time.sleep(SLOW)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, slow)
    return calls


def test_parallel_wrong_passwords_get_no_more_checks_than_the_limit(
    ward_officer, settings, monkeypatch
):
    settings.LOGIN_MAX_FAILURES = 3
    checks = _counting(monkeypatch, views, "authenticate")
    statuses = _fire(lambda: Client().post(LOGIN, {"username": "ward", "password": "wrong guess"}))
    assert statuses == [200] * PARALLEL  # refused, none of them an error
    assert len(checks) <= 3
    monkeypatch.undo()
    # Locked now, even with the right password.
    response = Client().post(LOGIN, {"username": "ward", "password": PASSWORD})
    assert (
        response.status_code == 200 and "Đăng nhập sai quá nhiều lần" in response.content.decode()
    )


def test_parallel_wrong_codes_get_no_more_checks_than_the_limit(
    province_officer, settings, monkeypatch, time_machine
):
    settings.TOTP_MAX_FAILURES = 3
    time_machine.move_to("2026-11-27 08:00 +07:00", tick=True)
    client = Client()
    client.post(LOGIN, {"username": "province", "password": PASSWORD})
    client.get(reverse("accounts:totp_setup"))
    province_officer.refresh_from_db()
    totp = pyotp.TOTP(province_officer.totp_secret)
    client.post(reverse("accounts:totp_setup"), {"code": totp.now()})
    client.post(reverse("accounts:logout"))
    client.post(LOGIN, {"username": "province", "password": PASSWORD})  # the password step
    cookies = client.cookies

    def guess():
        c = Client()
        c.cookies = cookies
        return c.post(reverse("accounts:totp_verify"), {"code": "000000"})

    checks = _counting(monkeypatch, actions, "verify_totp")
    statuses = _fire(guess)
    # Refused (200), sent back to the login (302), or, for a request whose session another
    # one ended meanwhile by that logout, Django's "session interrupted" (400): never an error.
    assert all(s in (200, 302, 400) for s in statuses), str(statuses)
    assert 302 in statuses  # the lockout was reached
    assert len(checks) <= 3
