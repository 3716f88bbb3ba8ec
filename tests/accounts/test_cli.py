import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from phongdich.accounts.actions import authenticate_token
from phongdich.accounts.models import User

pytestmark = pytest.mark.django_db


def test_adduser_with_ward_area_prints_generated_password(capsys):
    call_command("adduser", "lan", "--role", "ward_officer", "--area", "14797")
    out = capsys.readouterr().out
    user = User.objects.get(username="lan")
    assert (user.role, user.ward_id, user.province_id) == ("ward_officer", 14797, 38)
    password = out.split("password: ")[1].strip()
    assert user.check_password(password)


def test_adduser_rejects_unknown_role_and_area():
    with pytest.raises(CommandError):
        call_command("adduser", "x", "--role", "wizard", "--area", "38")
    with pytest.raises(CommandError, match="No province"):
        call_command("adduser", "x", "--role", "province_officer", "--area", "77")
    assert not User.objects.filter(username="x").exists()


def test_token_prints_a_working_bearer_token(capsys, province_officer):
    call_command("token", "province")
    raw = capsys.readouterr().out.strip()
    assert authenticate_token(raw) == province_officer
    assert authenticate_token(raw + "x") is None


def test_token_for_unknown_user_fails():
    with pytest.raises(CommandError, match="No active user"):
        call_command("token", "ghost")


def test_bearer_token_authenticates_the_api(client, province_officer, capsys):
    call_command("token", "province")
    raw = capsys.readouterr().out.strip()
    from phongdich.api import api

    assert api is not None
    response = client.get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200


def test_console_script_reaches_django_commands(tmp_path):
    env = {**os.environ, "PHONGDICH_DATA_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-m", "phongdich", "help"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    for name in ("serve", "demo", "adduser", "token", "migrate", "shell", "worker"):
        assert name in out


def test_serve_closes_connections_before_forking_workers(monkeypatch):
    """Workers forked by gunicorn must not inherit the parent's database connection (inside a
    test transaction Django keeps the connection open, so the order of calls is what is checked)."""
    from phongdich.core.management.commands import serve

    calls = []
    # Recorded, not run: collectstatic would write a manifest into the shared data folder.
    monkeypatch.setattr(serve, "call_command", lambda name, **kw: calls.append(name))
    monkeypatch.setattr(serve.connections, "close_all", lambda: calls.append("close_all"))
    monkeypatch.setattr(serve, "run_gunicorn", lambda *args: calls.append("gunicorn"))
    call_command("serve", "--no-worker", "--port", "8999")
    assert calls == ["migrate", "collectstatic", "close_all", "gunicorn"]


def test_a_staff_name_reads_family_name_first(db):
    from phongdich.accounts.actions import do_create_staff

    user, _ = do_create_staff(
        "thao", "vaccinator", area=14797, password="x" * 16, full_name="Phan Thị Thảo"
    )
    assert user.get_full_name() == "Phan Thị Thảo"


def test_ward_codes_below_100_are_wards():
    """Phường Hoàn Kiếm is ward 00070 (no province has 70); Phường Ba Đình is 00004, while 4 is
    the province of Cao Bằng: its five digits name the ward."""
    call_command("adduser", "hk", "--role", "ward_officer", "--area", "70")
    assert User.objects.get(username="hk").ward_id == 70
    call_command("adduser", "bd", "--role", "ward_officer", "--area", "00004")
    assert User.objects.get(username="bd").ward_id == 4
    call_command("adduser", "cb", "--role", "province_officer", "--area", "4")
    cb = User.objects.get(username="cb")
    assert (cb.province_id, cb.ward_id) == (4, None)
    from phongdich.places.queries import get_area

    assert get_area(70).name == "Phường Hoàn Kiếm"
