"""The robot-call loop: a case in Hạc Thành, its F1 added by the officer, the outbox delivered."""

from __future__ import annotations

import contextlib
from datetime import datetime, time, timedelta

import pytest

from phongdich.core import sms
from phongdich.core.events import deliver_pending
from phongdich.core.models import Rule
from phongdich.core.rules import reset_cache
from phongdich.lib.sms import ConsoleGateway
from phongdich.lib.timeutil import VN_TZ
from tests.conftest import HAC_THANH, QUANG_PHU

# Inside the call hours (08:00-17:00 local), after every plan a test makes (they are due at once).
MORNING = datetime.combine(datetime.now(VN_TZ).date() + timedelta(days=1), time(9, 0), tzinfo=VN_TZ)


@pytest.fixture(autouse=True)
def sms_outbox():
    gateway = ConsoleGateway("PhongDich")
    sms.use(gateway)
    yield gateway.outbox
    sms.use(None)


@pytest.fixture
def rules(db):
    """Set outreach rules for one test (the announcing SMS lead is 0 unless a test says)."""

    def set_rules(**values):
        for key, value in values.items():
            Rule.objects.update_or_create(key=f"outreach.{key}", defaults={"value": value})
        reset_cache()

    set_rules(announce_minutes=0)
    yield set_rules
    reset_cache()


def person_data(name: str, phone: str, ward: int = HAC_THANH) -> dict:
    return {
        "full_name": name,
        "birth_year": 1990,
        "gender": "female",
        "phone": phone,
        "nationality": "VN",
        "ward_code": ward,
        "address": "1 Lê Lợi",
    }


class Loop:
    """A case of Hạc Thành and the F1 its officer named; ``deliver`` runs the outbox."""

    def __init__(self, officer):
        from phongdich.people.models import Person
        from phongdich.tracing.actions import do_add_contact, do_create_case

        self.officer = officer
        case_person = Person.objects.create(
            full_name="Trần Văn Ca", name_folded="tran van ca", birth_year=1970, gender="male",
            phone="+84912000100", ward_id=HAC_THANH, token="tok-case",
        )  # fmt: skip
        self.case = do_create_case(
            person=case_person,
            confirmed_at=MORNING - timedelta(days=1, hours=2),
            sample_date=MORNING.date() - timedelta(days=2),
            actor=officer,
            trace=False,
        )
        self.contacts = {}
        for name, phone, ward in (
            ("Lê Thị Một", "0912000101", HAC_THANH),
            ("Phạm Văn Hai", "0912000102", HAC_THANH),
            ("Vũ Thị Ba", "0912000103", QUANG_PHU),
        ):
            contact, _ = do_add_contact(self.case, person_data(name, phone, ward), actor=officer)
            self.contacts[name] = contact

    def deliver(self) -> int:
        return deliver_pending()


@pytest.fixture
def loop(ward_officer, rules):
    return Loop(ward_officer)


@contextlib.asynccontextmanager
async def adapter_of(adapter):
    yield adapter
