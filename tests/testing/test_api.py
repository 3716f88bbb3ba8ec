"""Testing in the JSON API with tokens: the whole flow, and jurisdiction as everywhere."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from phongdich.accounts.models import AuditEvent
from phongdich.testing.models import Sample
from tests.conftest import HAC_THANH, PERSON, QUANG_PHU
from tests.testing.conftest import SESSION, csv_file, pooled, register

BASE = "/api/v1/testing"


def new_session(**extra) -> dict:
    return {**SESSION, "date": timezone.localdate().isoformat(), **extra}


def test_the_flow_through_the_api(api_client, client, ward_officer, lab_technician, lab, citizen):
    officer = api_client.as_user(ward_officer)
    created = officer.post(f"{BASE}/sessions", new_session())
    assert created.status_code == 201, created.json()
    session = created.json()
    assert session["advice"]["pool_size"] == 10 and session["samples"] == 0
    sid = session["id"]
    by_qr = officer.post(f"{BASE}/sessions/{sid}/samples", {"qr": f"PD1:{citizen.token}"})
    assert by_qr.status_code == 201 and by_qr.json()["person"]["id"] == citizen.pk
    again = officer.post(f"{BASE}/sessions/{sid}/samples", {"id_number": PERSON["id_number"]})
    assert again.status_code == 200 and again.json()["tube_code"] == by_qr.json()["tube_code"]
    typed = officer.post(
        f"{BASE}/sessions/{sid}/samples",
        {
            "person": {
                "full_name": "Phạm Thị Hoa",
                "birth_year": 1991,
                "gender": "female",
                "phone": "0912 111 222",
            }
        },
    )
    assert typed.status_code == 201
    pools = officer.post(f"{BASE}/sessions/{sid}/pools", {"auto": True, "size": 2})
    assert pools.status_code == 201
    [pool] = pools.json()
    assert sorted(pool["samples"]) == sorted([by_qr.json()["tube_code"], typed.json()["tube_code"]])

    lab_api = api_client.as_user(lab_technician)
    receipt = lab_api.post(f"{BASE}/receipts", {"code": pool["code"]})
    assert receipt.status_code == 200 and receipt.json()["newly_received"]
    upload = SimpleUploadedFile("may.csv", csv_file([[pool["code"], "positive", "22", ""]]))
    preview = client.post(f"{BASE}/results/import", {"file": upload}, headers=lab_api.headers)
    assert preview.status_code == 200 and preview.json()["ok"] and preview.json()["new"] == 1
    upload.seek(0)
    committed = client.post(
        f"{BASE}/results/import?commit=true", {"file": upload}, headers=lab_api.headers
    )
    assert committed.status_code == 200 and committed.json()["retests_ordered"] == 2
    work = lab_api.get(f"{BASE}/worklist").json()
    assert sorted(i["code"] for i in work["retest"]) == sorted(pool["samples"])
    for code in pool["samples"]:
        value = "positive" if code == typed.json()["tube_code"] else "negative"
        assert lab_api.post(f"{BASE}/results", {"code": code, "result": value}).status_code == 200
    positive = officer.get(f"{BASE}/samples/{typed.json()['tube_code']}").json()
    assert positive["result"] == "positive" and positive["case_id"] is not None
    assert positive["resolved_via"] == "retest" and positive["released"]
    figures = lab_api.get(f"{BASE}/turnaround").json()
    assert figures[0]["lab"] == lab.name and figures[0]["results"] == 2
    assert AuditEvent.objects.filter(action="record_results").count() == 3


def test_outsiders_see_nothing(
    api_client, session, ward_officer, outsider, other_ward_officer, other_lab_technician, other_lab
):
    samples, [pool] = pooled(session, ward_officer, 2, 2)
    code = samples[0].tube_code
    for user in (outsider, other_ward_officer, other_lab_technician):
        api = api_client.as_user(user)
        assert api.get(f"{BASE}/sessions/{session.pk}").status_code == 404
        assert api.get(f"{BASE}/sessions").json() == []
        assert api.get(f"{BASE}/sessions/{session.pk}/samples").status_code == 404
        assert api.post(f"{BASE}/sessions/{session.pk}/samples", {"qr": "PD1:x"}).status_code == 404
        assert api.get(f"{BASE}/samples/{code}").status_code == 404
        assert api.get(f"{BASE}/pools/{pool.code}").status_code == 404
        assert api.post(f"{BASE}/pools/{pool.code}/close").status_code == 404
    tech = api_client.as_user(other_lab_technician)
    miss = tech.post(f"{BASE}/receipts", {"code": pool.code})
    assert miss.status_code == 422 and miss.json()["errors"][0]["code"] == "unknown_code"
    miss = tech.post(f"{BASE}/results", {"code": pool.code, "result": "negative"})
    assert miss.status_code == 422 and miss.json()["errors"][0]["code"] == "unknown_code"
    created = api_client.as_user(outsider).post(f"{BASE}/sessions", new_session())
    assert created.status_code == 422
    assert created.json()["errors"][0]["code"] == "outside_area"
    assert Sample.objects.filter(pool__result="").count() == 2


def test_roles_are_checked(api_client, session, ward_officer, lab_technician, lab, db):
    [sample] = register(session, ward_officer, 1)
    assert api_client.get(f"{BASE}/sessions").status_code == 401
    lab_api = api_client.as_user(lab_technician)
    assert lab_api.post(f"{BASE}/sessions", new_session()).status_code == 403
    officer = api_client.as_user(ward_officer)
    assert officer.post(f"{BASE}/receipts", {"code": sample.tube_code}).status_code == 403
    assert (
        officer.post(
            f"{BASE}/results", {"code": sample.tube_code, "result": "negative"}
        ).status_code
        == 403
    )


def test_a_province_officer_sees_every_ward(api_client, province_officer, ward_officer):
    officer = api_client.as_user(province_officer)
    for ward in (HAC_THANH, QUANG_PHU):
        assert officer.post(f"{BASE}/sessions", new_session(ward_code=ward)).status_code == 201
    assert len(officer.get(f"{BASE}/sessions").json()) == 2
    assert len(api_client.as_user(ward_officer).get(f"{BASE}/sessions").json()) == 1


def test_a_technician_without_a_lab_is_told(api_client, session, ward_officer, lab_technician):
    [sample] = register(session, ward_officer, 1)
    response = api_client.as_user(lab_technician).post(
        f"{BASE}/receipts", {"code": sample.tube_code}
    )
    assert response.status_code == 409 and response.json()["errors"][0]["code"] == "no_lab"


def test_validation_errors_are_422_with_both_languages(api_client, session, ward_officer):
    officer = api_client.as_user(ward_officer)
    response = officer.post(f"{BASE}/sessions/{session.pk}/samples", {"tube_code": "XYZ"})
    assert response.status_code == 422
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert {"full_name", "birth_year", "gender", "tube_code"} <= set(errors)
    assert errors["tube_code"]["code"] == "wrong_length"
    assert all(e["message_vi"] and e["message_en"] for e in errors.values())
    response = officer.post(f"{BASE}/sessions/{session.pk}/pools", {"size": 50})
    assert response.status_code == 422 and response.json()["errors"][0]["code"] == "out_of_range"


@pytest.mark.parametrize(
    "path",
    [
        "/sessions",
        "/sessions/{id}",
        "/sessions/{id}/samples",
        "/pools/{code}",
        "/results/import",
        "/lookup",
    ],
)
def test_the_endpoints_are_in_the_openapi_schema(client, db, path):
    schema = client.get("/api/v1/openapi.json").json()
    wanted = path.replace("{id}", "{session_id}")
    assert f"/api/v1/testing{wanted}" in schema["paths"]
