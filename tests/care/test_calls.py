"""Teleconsultation signalling: only the two parties of the call exchange messages, bad input
is refused without writing, a hang-up ends the call, and the ICE servers come from settings."""

from __future__ import annotations

import json

import pytest

from phongdich.care.models import Call, Enrolment, Signal
from tests.care.conftest import make_clinician
from tests.conftest import PASSWORD, QUANG_PHU

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(client, enrolment, clinician):
    Enrolment.objects.filter(pk=enrolment.pk).update(call_ready=True)
    client.login(username="doctor", password=PASSWORD)
    client.post(f"/staff/care/{enrolment.pk}/call")
    client.logout()
    return Call.objects.get(enrolment=enrolment)


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_offer_and_answer_reach_the_other_side_only(client, call, enrolment):
    staff_url = f"/staff/care/calls/{call.pk}/signal"
    patient_url = f"/tu-theo-doi/{enrolment.token}/goi/{call.pk}/signal"
    client.login(username="doctor", password=PASSWORD)
    assert post(client, staff_url, {"kind": "offer", "payload": {"sdp": "v=0"}}).status_code == 200
    assert client.get(staff_url).json()["signals"] == []  # own messages are not echoed
    client.logout()
    got = client.get(patient_url).json()["signals"]
    assert [(s["kind"], s["payload"]) for s in got] == [("offer", {"sdp": "v=0"})]
    post(client, patient_url, {"kind": "answer", "payload": {"sdp": "v=1"}})
    client.login(username="doctor", password=PASSWORD)
    assert client.get(f"{staff_url}?after=0").json()["signals"][0]["kind"] == "answer"


def test_bad_signals_are_refused_without_writing(client, call, enrolment):
    url = f"/tu-theo-doi/{enrolment.token}/goi/{call.pk}/signal"
    assert post(client, url, {"kind": "evil"}).status_code == 422
    response = client.post(url, data="{", content_type="application/json")
    assert response.status_code == 422
    assert post(client, url, {"kind": "offer", "payload": "x" * 30000}).status_code == 413
    assert not Signal.objects.exists()


def test_a_hangup_ends_the_call(client, call, enrolment):
    url = f"/tu-theo-doi/{enrolment.token}/goi/{call.pk}/signal"
    post(client, url, {"kind": "hangup"})
    call.refresh_from_db()
    assert call.ended_at is not None
    assert post(client, url, {"kind": "candidate"}).status_code == 409
    assert client.get(url).json()["ended"] is True


def test_strangers_cannot_listen(client, call, enrolment, ward_officer):
    from tests.care.conftest import enrol, make_case

    other = enrol(
        make_case(ward_officer, name="Khác", phone="+84912000444"),
        call.enrolment.clinician,
        ward_officer,
    )
    assert client.get(f"/tu-theo-doi/{other.token}/goi/{call.pk}/signal").status_code == 404
    make_clinician("far", QUANG_PHU)
    client.login(username="far", password=PASSWORD)
    assert client.get(f"/staff/care/calls/{call.pk}/signal").status_code == 404


def test_the_pages_offer_the_phone_and_the_configured_ice_servers(
    client, call, enrolment, settings
):
    settings.STUN_URLS = ["stun:stun.example.vn:3478"]
    settings.TURN_URLS = ["turn:turn.example.vn:3478"]
    settings.TURN_USERNAME, settings.TURN_CREDENTIAL = "u", "p"
    page = client.get(f"/tu-theo-doi/{enrolment.token}/goi").content.decode()
    config = json.loads(page.split('id="call-config" type="application/json">')[1].split("<")[0])
    assert config["iceServers"] == [
        {"urls": ["stun:stun.example.vn:3478"]},
        {"urls": ["turn:turn.example.vn:3478"], "username": "u", "credential": "p"},
    ]
    assert 'href="tel:' in page
    Enrolment.objects.filter(pk=enrolment.pk).update(call_ready=False)
    page = client.get(f"/tu-theo-doi/{enrolment.token}/goi").content.decode()
    assert "call-config" not in page and 'id="waiting"' in page
