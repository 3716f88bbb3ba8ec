"""The JSON API of home care: enrolment, staff reports, the needs-action list, FHIR R4 export
(validated with fhir.resources' R4B models) and import of HL7's official examples; outsiders
get 404 and every FHIR exchange is audited."""

from __future__ import annotations

import json

import pytest
from fhir.resources.R4B.bundle import Bundle

from phongdich.accounts.models import AuditEvent
from phongdich.care.models import Alert, Report
from tests.care.conftest import ELIGIBLE, make_clinician
from tests.care.test_fhir import example
from tests.conftest import QUANG_PHU

pytestmark = pytest.mark.django_db


def test_enrol_through_the_api(api_client, ward_officer, case, clinician):
    api = api_client.as_user(ward_officer)
    response = api.post(
        "/api/v1/care/enrolments",
        {
            **ELIGIBLE,
            "case_id": case.pk,
            "clinician": clinician.pk,
            "respiratory_rate": 16,
            "spo2": 98,
            "reachable_by_phone": True,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "active" and body["clinician_id"] == clinician.pk
    again = api.post("/api/v1/care/enrolments", {**ELIGIBLE, "case_id": case.pk})
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "already_enrolled"


def test_bad_enrolment_input_names_the_fields(api_client, ward_officer, case):
    response = api_client.as_user(ward_officer).post(
        "/api/v1/care/enrolments", {"case_id": case.pk, "severity": "mild", "spo2": "x"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "spo2"


def test_staff_report_and_the_needs_action_list(api_client, enrolment, clinician):
    api = api_client.as_user(clinician)
    response = api.post(
        f"/api/v1/care/enrolments/{enrolment.pk}/reports",
        {"client_id": "k1", "pulse": 130, "spo2": 97},
    )
    assert response.status_code == 201
    assert response.json()["status"] == "alert"
    items = api.get("/api/v1/care/needs-action").json()
    assert items[0]["kind"] == "alert" and items[0]["signs"] == ["pulse_high"]
    bad = api.post(
        f"/api/v1/care/enrolments/{enrolment.pk}/reports", {"client_id": "k2", "spo2": 400}
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "spo2"


def test_fhir_export_is_a_valid_r4_bundle_without_personal_data(api_client, enrolment, clinician):
    api = api_client.as_user(clinician)
    api.post(
        f"/api/v1/care/enrolments/{enrolment.pk}/reports",
        {"client_id": "a", "spo2": 97, "respiratory_rate": 18, "systolic": 120, "diastolic": 80},
    )
    response = api.get(f"/api/v1/care/enrolments/{enrolment.pk}/fhir")
    assert response["Content-Type"] == "application/fhir+json"
    bundle = json.loads(response.content)
    Bundle.model_validate(bundle)
    codes = [e["resource"]["code"]["coding"][0]["code"] for e in bundle["entry"]]
    assert codes == ["9279-1", "59408-5", "85354-9"]
    text = response.content.decode()
    assert enrolment.person.full_name not in text and enrolment.person.phone not in text
    assert AuditEvent.objects.filter(action="care.fhir_export").count() == 1


@pytest.mark.parametrize(
    ("name", "sign"), [("satO2", "spo2_low"), ("respiratory-rate", "respiratory_rate_high")]
)
def test_hl7_examples_import_as_reports_that_raise_warnings(
    api_client, enrolment, clinician, name, sign
):
    api = api_client.as_user(clinician)
    url = f"/api/v1/care/enrolments/{enrolment.pk}/fhir"
    response = api.post(url, example(name))
    assert response.status_code == 200, response.content
    [imported] = response.json()["imported"]
    assert imported["status"] == "alert" and sign in imported["signs"]
    assert Alert.objects.filter(report_id=imported["id"]).exists()
    assert api.post(url, example(name)).json()["imported"][0]["id"] == imported["id"]
    assert Report.objects.filter(source="fhir").count() == 1
    assert AuditEvent.objects.filter(action="care.fhir_import").count() == 2


def test_fhir_import_refuses_several_patients_and_bad_json(api_client, enrolment, clinician):
    api = api_client.as_user(clinician)
    url = f"/api/v1/care/enrolments/{enrolment.pk}/fhir"
    other = example("heart-rate")
    other["subject"] = {"reference": "Patient/someone-else"}
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": example("satO2")}, {"resource": other}],
    }
    response = api.post(url, bundle)
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "several_subjects"
    assert api.post(url, "not json").status_code == 422
    assert not Report.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_outsiders_get_404_on_fhir(api_client, enrolment, method):
    far = make_clinician("far", QUANG_PHU)
    api = api_client.as_user(far)
    url = f"/api/v1/care/enrolments/{enrolment.pk}/fhir"
    response = api.get(url) if method == "get" else api.post(url, example("satO2"))
    assert response.status_code == 404
