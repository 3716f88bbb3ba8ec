"""Enrolment: eligibility by the rule set in force, referral when not eligible, a clinician of
the patient's ward, days from the isolation start, a new episode on re-infection, the SMS link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from phongdich.care.actions import do_enrol
from phongdich.care.models import Enrolment, Notification
from phongdich.core.models import OutboxEvent
from phongdich.lib.errors import DomainError, InputErrors
from phongdich.lib.timeutil import local_date
from phongdich.tracing.models import CaseStatus
from tests.care.conftest import ELIGIBLE, enrol, make_case, make_clinician, sent
from tests.conftest import QUANG_PHU

pytestmark = pytest.mark.django_db


def test_an_eligible_case_is_enrolled_with_its_clinician_and_gets_the_link_by_sms(
    enrolment, clinician, case
):
    assert enrolment.status == "active"
    assert enrolment.clinician == clinician
    assert enrolment.rule_set_id == "moh-604-2022"
    assert enrolment.isolation_start == local_date(case.isolated_at)
    assert enrolment.next_report_due is not None
    assert len(enrolment.token) >= 40
    [(to, text)] = sent()
    assert to == case.person.phone
    assert f"/tu-theo-doi/{enrolment.token}" in text
    assert case.person.full_name not in text
    assert Notification.objects.filter(key=f"link-{enrolment.pk}").count() == 1
    event = OutboxEvent.objects.get(topic="care.enrolled")
    assert event.payload == {
        "enrolment_id": enrolment.pk,
        "case_id": case.pk,
        "ward_id": case.ward_id,
        "eligible": True,
    }


def test_not_eligible_needs_a_referral_and_keeps_the_reasons(case, ward_officer, clinician):
    data = {**ELIGIBLE, "spo2": "95", "respiratory_rate": "22", "clinician": str(clinician.pk)}
    with pytest.raises(InputErrors) as caught:
        do_enrol(case, data, actor=ward_officer)
    assert [e.field for e in caught.value.errors] == ["referral_facility"]
    assert not Enrolment.objects.exists()

    enrolment = do_enrol(case, {**data, "referral_facility": "BV Đa khoa tỉnh"}, actor=ward_officer)
    assert enrolment.status == "not_eligible"
    codes = [r["code"] for r in enrolment.assessment["reasons"]]
    assert codes == ["respiratory_rate_too_high", "spo2_too_low"]
    assert enrolment.next_report_due is None


def test_bad_input_names_every_field_and_writes_nothing(case, ward_officer):
    with pytest.raises(InputErrors) as caught:
        do_enrol(
            case,
            {"severity": "x", "spo2": "abc", "birth_date": "31/12/1990", "clinician": "99999"},
            actor=ward_officer,
        )
    fields = {e.field for e in caught.value.errors}
    assert fields == {"severity", "spo2", "birth_date", "clinician"}
    assert not Enrolment.objects.exists()


def test_the_clinician_must_cover_the_patients_ward(case, ward_officer):
    elsewhere = make_clinician("doctor2", QUANG_PHU)
    with pytest.raises(InputErrors) as caught:
        enrol(case, elsewhere, ward_officer)
    assert caught.value.errors[0].code == "not_a_clinician"


def test_days_count_from_the_isolation_start_given(case, ward_officer, clinician):
    start = local_date(timezone.now()) - timedelta(days=4)
    enrolment = enrol(case, clinician, ward_officer, isolation_start=start.isoformat())
    assert enrolment.isolation_start == start


def test_a_case_is_assessed_once(enrolment, case, ward_officer, clinician):
    with pytest.raises(DomainError) as caught:
        enrol(case, clinician, ward_officer)
    assert caught.value.code == "already_enrolled"


def test_reinfection_is_a_new_episode(enrolment, case, ward_officer, clinician):
    from phongdich.care.models import EnrolmentStatus
    from phongdich.tracing.actions import do_create_case

    Enrolment.objects.filter(pk=enrolment.pk).update(status=EnrolmentStatus.DISCHARGED)
    case.status = CaseStatus.CLOSED
    case.save(update_fields=["status"])
    later = timezone.now()
    second_case = do_create_case(
        person=case.person,
        confirmed_at=later,
        sample_date=local_date(later),
        actor=ward_officer,
        trace=False,
    )
    second = enrol(second_case, clinician, ward_officer)
    assert second.episode == 2
    assert second.token != enrolment.token


def test_one_active_episode_per_person(enrolment, case, ward_officer, clinician):
    from phongdich.tracing.models import Case

    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    other_case = make_case(ward_officer, name="Khác", phone="+84912000111")
    Case.objects.filter(pk=other_case.pk).update(person=case.person)
    other_case.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        enrol(other_case, clinician, ward_officer)
    assert caught.value.code == "active_elsewhere"
