"""The JSON API: doses, certificates, the verifier and trust list, sessions, registrations,
coverage, adverse events — and what outsiders get from each."""

from __future__ import annotations

import uuid

import pytest

from phongdich.accounts.models import AuditEvent
from phongdich.lib.dcc import TrustList
from phongdich.vaccination.models import Dose
from tests.conftest import HAC_THANH, PERSON
from tests.vaccination.conftest import HEALTHY_SCREENING, TODAY, elsewhere
from tests.vaccination.independent import tamper

pytestmark = pytest.mark.django_db


def dose_body(person_id, session_id=None, **extra):
    body = {
        "person_id": person_id,
        "dose_number": 1,
        "lot": "FK1234",
        "screening": HEALTHY_SCREENING,
    }
    if session_id:
        body["session_id"] = session_id
    return body | extra


def test_post_dose_at_a_session(api_client, vaccinator, citizen, session):
    api = api_client.as_user(vaccinator)
    client_id = str(uuid.uuid4())
    response = api.post("/api/v1/doses", dose_body(citizen.pk, session.pk, client_id=client_id))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["dose_number"], body["product"], body["screening_result"], body["voided"]) == (
        1,
        "EU/1/20/1528",
        "eligible",
        False,
    )
    again = api.post("/api/v1/doses", dose_body(citizen.pk, session.pk, client_id=client_id))
    assert again.status_code == 200 and again.json()["id"] == body["id"]


def test_post_dose_given_elsewhere_for_a_new_person(api_client, ward_officer):
    api = api_client.as_user(ward_officer)
    response = api.post(
        "/api/v1/doses",
        {
            "person": PERSON,
            "product": "EU/1/21/1529",
            "dose_number": 1,
            "given_on": "2025-08-01",
            "source_detail": "Bệnh viện Bạch Mai",
            "ward_code": HAC_THANH,
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["source"] == "elsewhere"
    assert Dose.objects.get().person.full_name == "Nguyễn Thị Lan"


def test_dose_errors_are_field_errors_and_domain_codes(api_client, vaccinator, citizen, session):
    api = api_client.as_user(vaccinator)
    bad = api.post("/api/v1/doses", dose_body(citizen.pk, session.pk, dose_number=2))
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["code"] == "dose_number_gap"
    assert bad.json()["errors"][0]["message_vi"]
    fever = api.post(
        "/api/v1/doses", dose_body(citizen.pk, session.pk, screening={"temperature": 39})
    )
    assert fever.status_code == 409 and fever.json()["errors"][0]["code"] == "not_eligible"
    missing = api.post("/api/v1/doses", {"dose_number": 1})
    assert missing.status_code == 422


def test_outsiders_cannot_record_or_read_doses(
    api_client, outsider, other_vaccinator, venue_staff, citizen, session
):
    for user in (outsider, other_vaccinator):
        api = api_client.as_user(user)
        response = api.post("/api/v1/doses", dose_body(citizen.pk, session.pk))
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "unknown_person"
        assert api.get(f"/api/v1/doses?person_id={citizen.pk}").status_code == 404
    staff = api_client.as_user(venue_staff)
    assert staff.post("/api/v1/doses", dose_body(citizen.pk, session.pk)).status_code == 403
    assert api_client.post("/api/v1/doses", dose_body(citizen.pk)).status_code == 401
    assert not Dose.objects.exists()


def test_list_observe_and_void(api_client, ward_officer, vaccinator, citizen, session):
    dose_id = (
        api_client.as_user(vaccinator)
        .post("/api/v1/doses", dose_body(citizen.pk, session.pk))
        .json()["id"]
    )
    api = api_client.as_user(ward_officer)
    listed = api.get(f"/api/v1/doses?person_id={citizen.pk}").json()
    assert [d["id"] for d in listed] == [dose_id]
    observed = api_client.as_user(vaccinator).post(
        f"/api/v1/doses/{dose_id}/observation", {"result": "ok"}
    )
    assert observed.json()["observation_result"] == "ok"
    assert (
        api_client.as_user(vaccinator)
        .post(f"/api/v1/doses/{dose_id}/void", {"reason": "x"})
        .status_code
        == 403
    )
    voided = api.post(f"/api/v1/doses/{dose_id}/void", {"reason": "Nhập nhầm"})
    assert voided.json()["voided"] is True


def test_post_certificates_returns_hc1_and_links(
    api_client, ward_officer, vaccinated, signing_keys, client
):
    api = api_client.as_user(ward_officer)
    response = api.post("/api/v1/certificates", {"person_id": vaccinated.pk})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["hc1"].startswith("HC1:") and body["uvci"].startswith("URN:UVCI:01:VN:")
    assert body["pdf_url"].endswith(".pdf") and "/chung-nhan/" in body["page_url"]
    again = api.post("/api/v1/certificates", {"person_id": vaccinated.pk})
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    path = body["pdf_url"].split("://", 1)[1].split("/", 1)[1]
    pdf = client.get("/" + path)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_certificate_errors(api_client, ward_officer, vaccinator, outsider, citizen, vaccinated):
    api = api_client.as_user(ward_officer)
    no_keys = api.post("/api/v1/certificates", {"person_id": vaccinated.pk})
    assert no_keys.status_code == 503
    assert no_keys.json()["errors"][0]["code"] == "no_signing_keys"
    assert (
        api_client.as_user(vaccinator)
        .post("/api/v1/certificates", {"person_id": vaccinated.pk})
        .status_code
        == 403
    )
    assert (
        api_client.as_user(outsider)
        .post("/api/v1/certificates", {"person_id": vaccinated.pk})
        .status_code
        == 404
    )


def test_verify_endpoint_is_public(api_client, ward_officer, vaccinated, signing_keys):
    hc1 = (
        api_client.as_user(ward_officer)
        .post("/api/v1/certificates", {"person_id": vaccinated.pk})
        .json()["hc1"]
    )
    ok = api_client.post("/api/v1/certificates/verify", {"hc1": hc1}).json()
    assert ok["valid"] and ok["reason"] is None and ok["payload"]["nam"]["fnt"] == "NGUYEN"
    assert set(ok["stages"]) == {
        "unprefix",
        "base45",
        "decompress",
        "cbor",
        "signature",
        "kid",
        "key_usage",
        "expiry",
        "schema",
    }

    def edit(claims):
        claims[-260][1]["v"][0]["dn"] = 3

    forged = api_client.post("/api/v1/certificates/verify", {"hc1": tamper(hc1, edit)}).json()
    assert (forged["valid"], forged["reason"], forged["payload"]) == (False, "signature", None)
    assert forged["unverified_payload"]["v"][0]["dn"] == 3
    assert forged["message_vi"] and forged["message_en"]
    prefix = api_client.post("/api/v1/certificates/verify", {"hc1": "hello"}).json()
    assert prefix["reason"] == "bad_prefix" and prefix["stages"]["base45"] is None


def test_trust_list_is_public_json(api_client, signing_keys):
    response = api_client.get("/api/v1/trust-list")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert len(TrustList.from_json(response.content)) == 1


def test_sessions_invitations_and_registrations(api_client, ward_officer, vaccinator, outsider):
    api = api_client.as_user(ward_officer)
    created = api.post(
        "/api/v1/vaccination/sessions",
        {
            "site_name": "Trường THCS Trần Phú",
            "date": TODAY.isoformat(),
            "ward_code": HAC_THANH,
            "product": "EU/1/20/1528",
            "lot_numbers": ["A1"],
            "slots": 5,
        },
    )
    assert created.status_code == 201, created.json()
    session_id = created.json()["id"]
    registered = api.post(
        "/api/v1/vaccination/registrations", {"person": PERSON, "priority_group": "chronic"}
    )
    assert registered.status_code == 201 and registered.json()["id"]
    invited = api.post(
        f"/api/v1/vaccination/sessions/{session_id}/invitations", {"priority_groups": ["chronic"]}
    )
    assert invited.json()["invited_now"] == 1 and invited.json()["invited"] == 1
    listed = api_client.as_user(vaccinator).get("/api/v1/vaccination/sessions").json()
    assert [s["id"] for s in listed] == [session_id]
    assert (
        api_client.as_user(vaccinator)
        .post("/api/v1/vaccination/sessions", created.json() | {"date": "2026-03-03"})
        .status_code
        == 403
    )
    out = api_client.as_user(outsider)
    assert out.get("/api/v1/vaccination/sessions").json() == []
    assert out.post(f"/api/v1/vaccination/sessions/{session_id}/invitations", {}).status_code == 404
    bad = api.post(
        "/api/v1/vaccination/sessions",
        {"site_name": "x", "date": "2026-13-01", "product": "x", "slots": 1},
    )
    assert bad.status_code == 422


def test_anonymous_registration_reveals_nothing_about_existing_records(api_client):
    first = api_client.post("/api/v1/vaccination/registrations", {"person": PERSON})
    assert first.status_code == 201 and "/dang-ky-tiem/" in first.json()["status_url"]
    again = api_client.post(
        "/api/v1/vaccination/registrations", {"person": {**PERSON, "phone": "0912 000 111"}}
    )
    # The same answer a new person gets: a claim's own registration (people.identity), never
    # the existing record's status link, and the existing person is left as it was.
    assert again.status_code == 201 and set(again.json()) == set(first.json())
    assert again.json()["status_url"] != first.json()["status_url"]
    from phongdich.vaccination.models import Registration

    def registered(answer):
        return Registration.objects.get(token=answer.json()["status_url"].rsplit("/", 1)[1])

    owner = registered(first).person
    assert owner.phone == "+84912345678" and owner.claim_of_id is None
    assert registered(again).person.claim_of_id == owner.pk
    bad = api_client.post(
        "/api/v1/vaccination/registrations", {"person": {**PERSON, "ward_code": None}}
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "person.ward_code"


def test_coverage_and_population(api_client, ward_officer, vaccinator, outsider, vaccinated):
    api = api_client.as_user(ward_officer)
    assert (
        api.post(
            "/api/v1/vaccination/population",
            {"ward_code": HAC_THANH, "age_18_plus": 100, "age_50_plus": 40, "age_65_plus": 10},
        ).status_code
        == 200
    )
    body = api.get("/api/v1/vaccination/coverage").json()
    [ward] = body["wards"]
    assert ward["bands"]["18+"]["fully"] == 1 and ward["bands"]["18+"]["fully_rate"] == 0.01
    assert body["total"]["18+"]["one_dose"] == 1
    assert api_client.as_user(vaccinator).get("/api/v1/vaccination/coverage").status_code == 403
    assert (
        api_client.as_user(outsider)
        .post(
            "/api/v1/vaccination/population",
            {"ward_code": HAC_THANH, "age_18_plus": 1, "age_50_plus": 1, "age_65_plus": 1},
        )
        .status_code
        == 422
    )


def test_population_import_endpoint(client, ward_officer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from phongdich.accounts.actions import do_issue_token

    token = do_issue_token(ward_officer)
    upload = SimpleUploadedFile("p.csv", f"ward_code,18+,50+,65+\n{HAC_THANH},9,5,2\n".encode())
    response = client.post(
        "/api/v1/vaccination/population/import?commit=true",
        {"file": upload},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.json() == {"ok": True, "imported": 1}


def test_adverse_events_api(api_client, ward_officer, other_ward_officer, vaccinated):
    dose = vaccinated.doses.get(dose_number=2)
    api = api_client.as_user(ward_officer)
    created = api.post(
        "/api/v1/adverse-events",
        {
            "dose_id": dose.pk,
            "onset_at": "2025-10-01T21:00:00+07:00",
            "severity": "moderate",
            "symptoms": ["fever", "myalgia"],
        },
    )
    assert created.status_code == 201, created.json()
    event_id = created.json()["id"]
    assert [e["id"] for e in api.get("/api/v1/adverse-events").json()] == [event_id]
    patched = api.patch(f"/api/v1/adverse-events/{event_id}", {"outcome": "recovered"})
    assert patched.json()["outcome"] == "recovered"
    other = api_client.as_user(other_ward_officer)
    assert other.get("/api/v1/adverse-events").json() == []
    assert (
        other.post(
            "/api/v1/adverse-events",
            {
                "dose_id": dose.pk,
                "onset_at": "2025-10-01T21:00:00+07:00",
                "severity": "mild",
                "symptoms": ["fever"],
            },
        ).status_code
        == 404
    )
    assert other.patch(f"/api/v1/adverse-events/{event_id}", {"outcome": "died"}).status_code == 404
    assert AuditEvent.objects.filter(action="update_aefi").count() == 1


def test_a_dose_for_a_person_elsewhere_is_visible_to_that_ward(
    api_client, other_ward_officer, citizen, ward_officer
):
    elsewhere(citizen, ward_officer, 1, TODAY)
    assert (
        api_client.as_user(other_ward_officer)
        .get(f"/api/v1/doses?person_id={citizen.pk}")
        .status_code
        == 404
    )


def test_the_session_list_counts_in_one_query(
    api_client, ward_officer, django_assert_max_num_queries
):
    from tests.vaccination.conftest import make_session

    for _ in range(3):
        make_session(ward_officer)
    api = api_client.as_user(ward_officer)
    with django_assert_max_num_queries(6):  # token, user, sessions with their counts, audit …
        body = api.get("/api/v1/vaccination/sessions").json()
    assert [s["invited"] for s in body] == [0, 0, 0]


def test_outsiders_cannot_touch_a_dose(api_client, outsider, other_vaccinator, vaccinated):
    dose = vaccinated.doses.get(dose_number=2)
    for user in (outsider, other_vaccinator):
        api = api_client.as_user(user)
        observed = api.post(f"/api/v1/doses/{dose.pk}/observation", {"result": "ok"})
        assert (
            observed.status_code == 404 and observed.json()["errors"][0]["code"] == "unknown_dose"
        )
        assert api.post(f"/api/v1/doses/{dose.pk}/void", {"reason": "x"}).status_code in {403, 404}
        assert api.get("/api/v1/vaccination/coverage").status_code in {200, 403}
    coverage = api_client.as_user(outsider).get("/api/v1/vaccination/coverage").json()
    assert all(ward["bands"]["18+"]["one_dose"] == 0 for ward in coverage["wards"])
    dose.refresh_from_db()
    assert dose.voided_at is None
