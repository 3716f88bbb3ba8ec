"""When reports are due (two a day, local time) and which rule set a province's patients get."""

from __future__ import annotations

from datetime import datetime

import pytest

from phongdich.care import timing
from phongdich.lib.timeutil import VN_TZ
from tests.care.conftest import ELIGIBLE, make_case

pytestmark = pytest.mark.django_db


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


@pytest.mark.parametrize(
    ("reported", "due"),
    [
        ("2026-12-05 07:30", "2026-12-05 18:00"),  # morning report: the afternoon one is next
        ("2026-12-05 11:59", "2026-12-05 18:00"),
        ("2026-12-05 12:00", "2026-12-06 10:00"),  # afternoon report: tomorrow morning
        ("2026-12-05 23:59", "2026-12-06 10:00"),
        ("2026-12-06 00:30", "2026-12-06 18:00"),  # after local midnight (17:30 UTC the day before)
    ],
)
def test_the_next_report_is_due_by_the_end_of_the_next_slot(reported, due):
    assert timing.next_due(local(reported)) == local(due)


def test_an_early_enrolment_is_due_the_same_morning_and_a_late_one_is_not():
    assert timing.first_due(local("2026-12-05 06:00")) == local("2026-12-05 10:00")
    assert timing.first_due(local("2026-12-05 09:50")) == local("2026-12-05 18:00")


def test_ho_chi_minh_city_patients_get_the_local_overlay(admin_user, clinician):
    from phongdich.care.actions import do_enrol
    from phongdich.lib.errors import InputErrors
    from phongdich.places.models import Ward

    hcmc_ward = Ward.objects.filter(province_id=79).order_by("code").first()
    case = make_case(admin_user, ward=hcmc_ward.code)
    national = make_case(admin_user, name="Lê Thị Hoa", phone="+84912000666")
    assert (
        do_enrol(
            national, {**ELIGIBLE, "spo2": "96.5", "clinician": str(clinician.pk)}, actor=admin_user
        ).status
        == "active"
    )  # > 96 % is enough nationally
    with pytest.raises(InputErrors) as caught:  # HCMC asks for at least 97 %
        do_enrol(case, {**ELIGIBLE, "spo2": "96.5"}, actor=admin_user)
    assert caught.value.errors[0].field == "referral_facility"
    enrolment = do_enrol(
        case, {**ELIGIBLE, "spo2": "96.5", "referral_facility": "BV"}, actor=admin_user
    )
    assert enrolment.jurisdiction == "VN-SG"
    assert enrolment.rule_set_id == "moh-604-2022+hcmc-home-care"
    assert [r["code"] for r in enrolment.assessment["reasons"]] == ["spo2_too_low"]
