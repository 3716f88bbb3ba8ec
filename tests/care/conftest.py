"""Home-care fixtures: a clinician of Hạc Thành, an open case, and an enrolled patient."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from phongdich.lib.codes import new_token
from phongdich.lib.text import fold
from phongdich.lib.timeutil import local_date
from phongdich.people.models import Person
from tests.conftest import HAC_THANH, PASSWORD

ELIGIBLE = {
    "severity": "mild",
    "respiratory_rate": "16",
    "spo2": "98",
    "comorbidity": "none",
    "can_self_care": "1",
    "reachable_by_phone": "1",
    "fully_vaccinated": "1",
}


def make_clinician(username: str, area: int, phone: str = "+84912000999"):
    from phongdich.accounts.actions import do_create_staff
    from phongdich.accounts.models import User

    user, _ = do_create_staff(username, "clinician", area=area, password=PASSWORD)
    User.objects.filter(pk=user.pk).update(phone=phone)
    user.refresh_from_db()
    return user


@pytest.fixture
def clinician(db):
    return make_clinician("doctor", HAC_THANH)


def make_case(
    officer,
    name: str = "Nguyễn Văn An",
    birth_year: int = 1985,
    ward=HAC_THANH,
    days_ago: int = 2,
    phone: str = "+84912345678",
):
    from phongdich.tracing.actions import do_create_case

    person = Person.objects.create(
        full_name=name,
        name_folded=fold(name),
        birth_year=birth_year,
        gender="male",
        phone=phone,
        ward_id=ward,
        token=new_token(),
    )
    confirmed = timezone.now() - timedelta(days=days_ago)
    return do_create_case(
        person=person,
        confirmed_at=confirmed,
        sample_date=local_date(confirmed),
        actor=officer,
        trace=False,
    )


def enrol(case, clinician, actor, **extra):
    from phongdich.care.actions import do_enrol

    return do_enrol(case, {**ELIGIBLE, "clinician": str(clinician.pk), **extra}, actor=actor)


@pytest.fixture
def case(ward_officer):
    return make_case(ward_officer)


@pytest.fixture
def enrolment(case, clinician, ward_officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return enrol(case, clinician, ward_officer)


def outbox():
    from phongdich.core.sms import gateway

    return gateway().outbox


def sent() -> list[tuple[str, str]]:
    """(number, text) of every SMS the console gateway took since the test began."""
    return [(m.to, m.text) for m in outbox()]


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    outbox().clear()


def adult_birth() -> date:
    return date(1985, 7, 1)
