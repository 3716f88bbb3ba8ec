"""Setting labs up: the ``labs`` command, the API, and what a fresh install tells whom."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from phongdich.accounts.models import AuditEvent
from phongdich.testing.models import Lab
from tests.conftest import PASSWORD, THANH_HOA, _staff

BASE = "/api/v1/testing/labs"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("labs", *args, stdout=out)
    return out.getvalue()


def test_the_command_creates_a_lab_and_assigns_technicians(lab_technician):
    out = run("add", "CDC Thanh Hóa", "--province", str(THANH_HOA), "--technician", "labtech")
    lab = Lab.objects.get()
    assert f"#{lab.pk}" in out and list(lab.staff.all()) == [lab_technician]
    second = _staff("labtech2", "lab_technician", THANH_HOA)
    run("assign", str(lab.pk), "labtech2")
    assert set(lab.staff.all()) == {lab_technician, second}
    assert "không đổi" in run("assign", "CDC Thanh Hóa", "labtech2")
    run("assign", str(lab.pk), "labtech2", "--remove")
    assert list(lab.staff.all()) == [lab_technician]
    listed = run("list")
    assert "CDC Thanh Hóa" in listed and "labtech" in listed and "labtech2" not in listed
    assert AuditEvent.objects.filter(action__in=["assign", "unassign"]).count() == 3


def test_the_command_refuses_what_it_cannot_do(ward_officer):
    with pytest.raises(CommandError, match="kỹ thuật viên"):
        run("add", "CDC", "--province", str(THANH_HOA), "--technician", "ward")
    assert not Lab.objects.exists()  # nothing half-made
    with pytest.raises(CommandError, match="No account"):
        run("add", "CDC", "--province", str(THANH_HOA), "--technician", "nobody")
    with pytest.raises(CommandError, match="province"):
        run("add", "CDC", "--province", "999")
    with pytest.raises(CommandError, match="labs list"):
        run("assign", "42", "ward")


def test_the_api_creates_labs_in_the_callers_province(
    api_client, province_officer, ward_officer, outsider, lab_technician
):
    body = {"name": "CDC Thanh Hóa", "province_code": THANH_HOA, "technicians": ["labtech"]}
    assert api_client.as_user(ward_officer).post(BASE, body).status_code == 403
    assert api_client.as_user(outsider).post(BASE, body).status_code == 404
    bad = api_client.as_user(province_officer).post(BASE, {**body, "technicians": ["ward"]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "username"
    assert not Lab.objects.exists()
    created = api_client.as_user(province_officer).post(BASE, body)
    assert created.status_code == 201, created.json()
    assert created.json()["technicians"] == ["labtech"]
    lab_id = created.json()["id"]
    second = _staff("labtech2", "lab_technician", THANH_HOA)
    url = f"{BASE}/{lab_id}/technicians"
    assert api_client.as_user(outsider).post(url, {"username": "labtech2"}).status_code == 404
    added = api_client.as_user(province_officer).post(url, {"username": "labtech2"})
    assert added.status_code == 200 and added.json()["technicians"] == ["labtech", "labtech2"]
    assert second.labs.get().pk == lab_id
    mine = api_client.as_user(lab_technician).get(BASE).json()
    assert [lab["name"] for lab in mine] == ["CDC Thanh Hóa"]


def test_an_admin_sees_what_a_fresh_install_lacks(client, admin_user, lab_technician):
    client.login(username="admin", password=PASSWORD)
    page = client.get("/staff/").content.decode()
    assert 'id="setup-missing"' in page
    assert "phongdich labs add" in page and "phongdich certkeys init" in page
    assert "labtech" in page
    client.logout()
    client.login(username="labtech", password=PASSWORD)
    own = client.get("/staff/").content.decode()
    assert 'id="setup-missing"' not in own and "tile alert" in own  # told to ask, not what to run

    from phongdich.testing.actions import do_create_lab
    from phongdich.vaccination.keys import do_init_keys

    do_create_lab("CDC Thanh Hóa", THANH_HOA, staff=[lab_technician])
    do_init_keys()
    client.logout()
    client.login(username="admin", password=PASSWORD)
    assert 'id="setup-missing"' not in client.get("/staff/").content.decode()


def test_serve_reports_missing_setup_and_a_taken_port(db):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CommandError, match=r"đang được chương trình khác dùng.*--port"):
            call_command("serve", "--port", str(port), "--no-worker")
        with pytest.raises(CommandError, match="already in use"):
            call_command("demo", "--port", str(port))


def test_the_citizen_is_not_told_to_run_commands(client, session, ward_officer, lab):
    from django.core import signing

    from phongdich.testing.public import CERTIFICATE_SALT
    from phongdich.testing.results import do_record_result
    from tests.testing.conftest import register

    [sample] = register(session, ward_officer, 1)
    do_record_result(sample.tube_code, "negative", user=lab.staff.get(), lab=lab)
    token = signing.dumps(sample.pk, salt=CERTIFICATE_SALT)
    response = client.get(f"/ket-qua/chung-nhan/{token}")
    assert response.status_code == 503
    text = response.content.decode()
    assert 'id="error-certificate_unavailable"' in text
    assert "certkeys" not in text and "khóa ký" not in text
