"""Minute-level scenarios at several venues in Asia/Ho_Chi_Minh (times below are local)."""

import uuid
from datetime import date, datetime

import pytest

from phongdich.checkpoints.actions import auto_checkout_time
from phongdich.checkpoints.models import Visit
from phongdich.checkpoints.venue_actions import do_register_venue
from phongdich.lib.codes import new_token
from phongdich.lib.text import fold
from phongdich.lib.timeutil import VN_TZ
from phongdich.people.models import Person
from tests.conftest import HAC_THANH, QUANG_PHU, VENUE_DATA


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


class World:
    def __init__(self, officer, other_officer):
        self.officer = officer
        self.people: dict[str, Person] = {}
        self.venues = {}
        kinds = {
            "office": (HAC_THANH, 60),
            "restaurant": (HAC_THANH, 120),
            "market": (QUANG_PHU, 60),
            "residential": (HAC_THANH, 60),
        }
        for kind, (ward, stay) in kinds.items():
            actor = officer if ward == HAC_THANH else other_officer
            self.venues[kind] = do_register_venue(
                {
                    **VENUE_DATA,
                    "name": f"Venue {kind}",
                    "kind": kind,
                    "ward_code": ward,
                    "default_stay_minutes": stay,
                },
                actor=actor,
            )

    def person(self, name: str, ward: int = HAC_THANH) -> Person:
        if name not in self.people:
            n = len(self.people) + 1
            self.people[name] = Person.objects.create(
                full_name=name,
                name_folded=fold(name),
                birth_year=1980 + n,
                gender="female",
                phone=f"+8491200{n:04d}",
                ward_id=ward,
                token=new_token(),
            )
        return self.people[name]

    def visit(self, name: str, venue: str, start: str, end: str | None = None) -> Visit:
        place = self.venues[venue]
        began = local(start)
        return Visit.objects.create(
            client_id=uuid.uuid4(),
            venue=place,
            person=self.person(name),
            checked_in_at=began,
            received_at=began,
            checked_out_at=local(end) if end else None,
            expected_out_at=auto_checkout_time(began, place.default_stay),
            form_version="test",
            source="self",
        )


@pytest.fixture
def world(ward_officer, other_ward_officer):
    return World(ward_officer, other_ward_officer)


@pytest.fixture
def scenario(world):
    """F0 = "P0" (onset 20/11 → infectious from 18/11 00:00, confirmed 22/11 12:00)."""
    w = world
    w.visit("P0", "office", "2026-11-19 08:00", "2026-11-19 09:00")
    w.visit("P1", "office", "2026-11-19 08:30", "2026-11-19 08:50")  # 20 min → F1
    w.visit("P2", "office", "2026-11-19 08:50", "2026-11-19 09:20")  # 10 min → no
    w.visit("P3", "office", "2026-11-19 08:45", "2026-11-19 09:00")  # exactly 15 → F1
    w.visit("P4", "office", "2026-11-19 08:46", "2026-11-19 09:30")  # 14 min → no
    w.visit("P5", "office", "2026-11-19 08:10")  # no check-out: 60 min stay → F1
    w.visit("P6", "office", "2026-11-19 08:00", "2026-11-19 08:08")  # 8 + 8 = 16 min → F1
    w.visit("P6", "office", "2026-11-19 08:50", "2026-11-19 08:58")
    # Midnight: P0 stays past 23:00 without checking out; the visit ends at local midnight.
    w.visit("P0", "restaurant", "2026-11-19 23:00")
    w.visit("P7", "restaurant", "2026-11-19 23:40", "2026-11-20 00:30")  # 20 min before 00:00 → F1
    w.visit("P8", "restaurant", "2026-11-20 00:00", "2026-11-20 00:40")  # after P0 left → no
    # Before the infectious window.
    w.visit("P0", "market", "2026-11-17 09:00", "2026-11-17 10:00")
    w.visit("P9", "market", "2026-11-17 09:00", "2026-11-17 10:00")  # → no
    # A household: any overlap counts.
    w.visit("P0", "residential", "2026-11-21 18:00", "2026-11-21 18:05")
    w.visit("P12", "residential", "2026-11-21 18:00", "2026-11-21 18:05")  # 5 min → F1
    # F2 through P1 (exposed 19/11 08:30), at the market on 20/11.
    w.visit("P1", "market", "2026-11-20 10:00", "2026-11-20 11:00")
    w.visit("P10", "market", "2026-11-20 10:00", "2026-11-20 10:30")  # 30 min with P1 → F2
    w.visit("P3", "market", "2026-11-20 10:10", "2026-11-20 10:50")  # F1 also reached as F2
    w.visit("P11", "market", "2026-11-18 07:00", "2026-11-18 08:00")  # before P1's exposure
    w.visit("P1", "market", "2026-11-18 07:00", "2026-11-18 08:00")  #   (P11 → no)
    return w


def create_case(scenario, officer):
    """P0's case: onset 20/11, sample 21/11, confirmed 22/11 12:00 (traced by default)."""
    from phongdich.tracing.actions import do_create_case

    return do_create_case(
        person=scenario.person("P0"),
        confirmed_at=local("2026-11-22 12:00"),
        sample_date=date(2026, 11, 21),
        onset_date=date(2026, 11, 20),
        actor=officer,
    )


@pytest.fixture
def case(scenario, ward_officer):
    return create_case(scenario, ward_officer)
