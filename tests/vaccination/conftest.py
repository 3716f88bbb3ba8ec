"""Vaccination fixtures: vaccinators at both wards, signing keys, a session, people with doses."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from phongdich.lib.timeutil import VN_TZ
from tests.conftest import HAC_THANH, PASSWORD, PERSON, QUANG_PHU

TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
COMIRNATY = "EU/1/20/1528"
HEALTHY_SCREENING = {
    "answers": {},
    "temperature": "36.8",
    "pulse": 78,
    "systolic": 120,
    "diastolic": 80,
}
MINH = {
    "full_name": "Trần Văn Minh",
    "birth_year": 1950,
    "gender": "male",
    "phone": "0987 654 321",
    "nationality": "VN",
    "ward_code": HAC_THANH,
}


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def _fresh_rules():
    from phongdich.core.rules import reset_cache
    from phongdich.vaccination import keys

    reset_cache()
    keys.reset_cache()
    yield
    reset_cache()
    keys.reset_cache()


def staff(username: str, role: str, area: int | None):
    from phongdich.accounts.actions import do_create_staff

    return do_create_staff(username, role, area=area, password=PASSWORD)[0]


@pytest.fixture
def vaccinator(db):
    return staff("vaccinator", "vaccinator", HAC_THANH)


@pytest.fixture
def other_vaccinator(db):
    return staff("othervaccinator", "vaccinator", QUANG_PHU)


@pytest.fixture
def clinician(db):
    return staff("clinician", "clinician", HAC_THANH)


@pytest.fixture
def signing_keys(db):
    from phongdich.vaccination.keys import do_init_keys

    return do_init_keys()[0]


def make_session(
    officer, *, day=TODAY, ward=HAC_THANH, slots=50, product=COMIRNATY, lots=("FK1234", "FK5678")
):
    from phongdich.vaccination.actions import do_create_session

    return do_create_session(
        {
            "ward_code": ward,
            "site_name": "Trạm Y tế phường Hạc Thành",
            "address": "25 Trần Phú",
            "date": day.isoformat(),
            "product": product,
            "lot_numbers": list(lots),
            "slots": slots,
        },
        actor=officer,
    )


@pytest.fixture
def session(ward_officer):
    return make_session(ward_officer)


@pytest.fixture
def other_session(other_ward_officer):
    return make_session(other_ward_officer, ward=QUANG_PHU)


def elsewhere(person, actor, number: int, day: date, product: str = COMIRNATY, **extra):
    from phongdich.vaccination.doses import do_record_dose

    return do_record_dose(
        person,
        {
            "product": product,
            "dose_number": number,
            "given_on": day.isoformat(),
            "lot": "EL1",
            "source_detail": "Bệnh viện Đa khoa tỉnh",
            **extra,
        },
        actor=actor,
    )[0]


def at_session(person, session, actor, number: int, **extra):
    from phongdich.vaccination.doses import do_record_dose

    return do_record_dose(
        person,
        {"dose_number": number, "lot": "FK1234", "screening": HEALTHY_SCREENING, **extra},
        session=session,
        actor=actor,
    )[0]


@pytest.fixture
def vaccinated(citizen, ward_officer):
    """The citizen with two Comirnaty doses (1 Sep and 1 Oct 2025)."""
    elsewhere(citizen, ward_officer, 1, date(2025, 9, 1))
    elsewhere(citizen, ward_officer, 2, date(2025, 10, 1))
    return citizen


__all__ = ["COMIRNATY", "HEALTHY_SCREENING", "MINH", "NOW", "PERSON", "TODAY"]
