"""Home care in a real Chromium at phone size: the patient reports SpO2 94 % (twice, as the
re-measure rule asks) and the clinician's console shows the alert; a patient without JavaScript
reports too; a video call connects two browsers with fake camera and microphone over loopback
and media flow both ways."""

from __future__ import annotations

import pytest

from tests.care.conftest import enrol, make_case, make_clinician
from tests.conftest import HAC_THANH
from tests.e2e.conftest import PHONE, expect, log_in, snap

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_spo2_94_reaches_the_clinicians_console(new_context, ward_officer):
    from phongdich.care.models import Alert

    clinician = make_clinician("doctor", HAC_THANH)
    enrolment = enrol(make_case(ward_officer), clinician, ward_officer)

    doctor = new_context(**PHONE).new_page()
    log_in(doctor, "doctor")
    doctor.goto("/staff/care/")
    expect(doctor.locator("tr[data-kind=alert]")).to_have_count(0)

    patient = new_context(**PHONE).new_page()
    patient.goto(f"/tu-theo-doi/{enrolment.token}")
    patient.fill("#f-respiratory_rate", "18")
    patient.fill("#f-pulse", "88")
    patient.fill("#f-temperature_c", "37,2")
    patient.fill("#f-spo2", "94")
    patient.locator("#report-send").click()
    expect(patient.locator("#result")).to_have_attribute("data-status", "remeasure")
    patient.fill("#f-spo2_repeat", "94")
    patient.locator("#remeasure-send").click()
    expect(patient.locator("#result")).to_have_attribute("data-status", "alert")
    expect(patient.locator("#what-now a[href^='tel:']").first).to_be_visible()
    snap(patient, "care-patient-alert")

    doctor.reload()
    row = doctor.locator("tr[data-kind=alert]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Nguyễn Văn An")
    expect(row).to_contain_text("SpO2 94")
    snap(doctor, "care-console")
    assert Alert.objects.filter(enrolment=enrolment, status="open").count() == 1


def test_a_patient_without_javascript_reports(new_context, ward_officer):
    from phongdich.care.models import Report

    clinician = make_clinician("doctor", HAC_THANH)
    enrolment = enrol(make_case(ward_officer), clinician, ward_officer)
    page = new_context(java_script_enabled=False, **PHONE).new_page()
    page.goto(f"/tu-theo-doi/{enrolment.token}")
    page.fill("#f-spo2", "98")
    page.fill("#f-pulse", "76")
    page.check("input[value=cough]")
    page.locator("#report-send").click()
    expect(page.locator("#result")).to_have_attribute("data-status", "ok")
    report = Report.objects.get(enrolment=enrolment)
    assert report.spo2 == 98 and report.symptoms == ["cough"]


MEDIA_FLAGS = (
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
)
RECEIVING = """async () => {
  if (!window.phongdichCall) return false;
  const stats = await window.phongdichCall.pc.getStats();
  let audio = 0, video = 0, frames = 0;
  stats.forEach((r) => {
    if (r.type !== "inbound-rtp") return;
    if (r.kind === "audio") audio = r.bytesReceived;
    if (r.kind === "video") { video = r.bytesReceived; frames = r.framesDecoded || 0; }
  });
  return audio > 0 && video > 0 && frames > 0;
}"""
STATE = "window.phongdichCall && [window.phongdichCall.pc.connectionState, window.phongdichCall.pc.signalingState]"


def test_a_video_call_carries_media_both_ways(launch, new_context, ward_officer):
    from phongdich.care.models import Enrolment, Signal

    clinician = make_clinician("doctor", HAC_THANH)
    enrolment = enrol(make_case(ward_officer), clinician, ward_officer)
    Enrolment.objects.filter(pk=enrolment.pk).update(call_ready=True)
    media = launch(*MEDIA_FLAGS)

    doctor = new_context(on=media).new_page()
    log_in(doctor, "doctor")
    doctor.goto(f"/staff/care/{enrolment.pk}/call")
    doctor.locator("#start-call").click()
    expect(doctor.locator("#call-state")).to_be_visible()

    patient = new_context(on=media, **PHONE).new_page()
    patient.goto(f"/tu-theo-doi/{enrolment.token}/goi")
    expect(patient.locator("#call-state")).to_be_visible()

    for page in (doctor, patient):
        wait_until_receiving(page)
    assert doctor.evaluate("window.phongdichCall.pc.connectionState") == "connected"
    kinds = set(Signal.objects.values_list("sender", "kind"))
    assert {("clinician", "offer"), ("patient", "answer")} <= kinds
    snap(patient, "care-call-patient")

    doctor.locator("#hangup").click()
    expect(patient.locator("#call-state")).to_have_text("—")


def wait_until_receiving(page, attempts: int = 60) -> None:
    """Poll the peer connection's statistics (``evaluate`` awaits the promise, unlike
    ``wait_for_function``, which would take the promise itself for a true value)."""
    for _ in range(attempts):
        if page.evaluate(RECEIVING):
            return
        page.wait_for_timeout(500)
    raise AssertionError("no audio and video received: " + str(page.evaluate(STATE)))


def test_a_ward_officer_puts_a_nurse_on_call_at_phone_size(new_context, ward_officer):
    """The roster fits 360 px, in Vietnamese, and a shift added there is the one escalation
    uses."""
    from django.utils import timezone

    from phongdich.care import roster
    from phongdich.care.models import OnCallShift

    nurse = make_clinician("nurse", HAC_THANH, phone="+84912000555")
    page = new_context(**PHONE).new_page()
    log_in(page, "ward")
    page.goto("/staff/care/")
    page.locator("a[href='/staff/care/on-call/']").first.click()
    expect(page.locator("h1")).to_contain_text("Lịch trực")
    expect(page.locator("#on-call-now")).to_have_attribute("data-level", "ward")
    today = timezone.localdate(timezone.now()).isoformat()
    page.select_option("#s-officer", str(nurse.pk))
    page.fill("#s-date", today)
    page.fill("#s-start", "00:00")
    page.fill("#s-end", "23:59")
    page.locator("#shift-save").click()
    expect(page.locator("#shifts li[data-shift]")).to_have_count(1)
    expect(page.locator("#on-call-now")).to_have_attribute("data-level", "on_call")
    expect(page.locator("#on-call-now")).to_contain_text("+84912000555")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width
    snap(page, "care-roster")
    assert OnCallShift.objects.filter(officer=nurse).count() == 1
    assert roster.escalation_recipients(HAC_THANH, timezone.now())[1] == [nurse]
