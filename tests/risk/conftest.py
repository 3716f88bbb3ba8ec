"""Helpers for the risk app's tests: people, cases and coverage built as rows (the tracing and
vaccination apps own those flows and test them; here they are inputs)."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta

import pytest
from django.core.cache import cache

from phongdich.lib.timeutil import VN_TZ
from tests.conftest import HAC_THANH, PASSWORD, QUANG_PHU, _staff  # noqa: F401

TODAY = date(2026, 3, 16)  # a Monday


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(at(TODAY, 12), tick=False)


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    from phongdich.core.rules import reset_cache

    reset_cache()
    yield
    cache.clear()


@pytest.fixture
def chairperson(db):
    return _staff("chair", "chairperson", HAC_THANH)


@pytest.fixture
def province_chair(db):
    return _staff("provchair", "chairperson", 38)


@pytest.fixture
def other_chair(db):
    return _staff("otherchair", "chairperson", QUANG_PHU)


def person(ward_code: int, birth_year: int = 1980):
    from phongdich.people.models import Person

    return Person.objects.create(
        full_name="Nguyễn Văn Test",
        name_folded="nguyen van test",
        birth_year=birth_year,
        gender="male",
        ward_id=ward_code,
        token=secrets.token_urlsafe(32),
    )


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=VN_TZ)


def case(ward_code: int, day: date, *, quarantined_since: date | None = None, hour: int = 10):
    """A case confirmed on ``day`` of a resident of ``ward_code``; with ``quarantined_since`` it
    came from a traced F1 whose quarantine started that day."""
    from phongdich.tracing.models import Case, Contact

    p = person(ward_code)
    confirmed = at(day, hour)
    via = None
    if quarantined_since is not None:
        index = Case.objects.create(
            person=person(ward_code),
            ward_id=ward_code,
            confirmed_at=confirmed - timedelta(days=20),
            sample_date=day - timedelta(days=20),
            source="test",
            window_start=confirmed - timedelta(days=23),
            window_end=confirmed - timedelta(days=19),
        )
        via = Contact.objects.create(
            case=index,
            person=p,
            level="F1",
            origin="manual",
            ward_id=ward_code,
            status="quarantined",
            quarantine_start=quarantined_since,
        )
    return Case.objects.create(
        person=p,
        ward_id=ward_code,
        confirmed_at=confirmed,
        sample_date=day,
        source="test",
        window_start=confirmed - timedelta(days=2),
        window_end=confirmed + timedelta(days=10),
        infected_via=via,
    )


def population(ward_code: int, total: int, adults: int, over50: int, over65: int):
    from phongdich.places.models import Ward
    from phongdich.vaccination.models import WardPopulation

    Ward.objects.filter(code=ward_code).update(population=total)
    WardPopulation.objects.update_or_create(
        ward_id=ward_code,
        defaults={"age_18_plus": adults, "age_50_plus": over50, "age_65_plus": over65},
    )


def vaccinated(ward_code: int, n: int, *, birth_year: int = 1980, full: bool = True):
    from phongdich.people.models import Person
    from phongdich.vaccination.models import PersonStatus

    people = Person.objects.bulk_create(
        Person(
            full_name="Trần Thị Test",
            name_folded="tran thi test",
            birth_year=birth_year,
            gender="female",
            ward_id=ward_code,
            token=secrets.token_urlsafe(32),
        )
        for _ in range(n)
    )
    PersonStatus.objects.bulk_create(
        PersonStatus(
            person=p,
            doses=2 if full else 1,
            first_dose_on=TODAY - timedelta(days=90),
            completed_on=TODAY - timedelta(days=60) if full else None,
        )
        for p in people
    )


def covered_ward(ward_code: int, total: int = 10_000):
    """A ward whose coverage meets both rule sets: 90 of 100 adults fully vaccinated, all 10 of
    the 65+ (born 1950), 10 of the 30 aged 50+."""
    population(ward_code, total, 100, 30, 10)
    vaccinated(ward_code, 80)
    vaccinated(ward_code, 10, birth_year=1950)


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded photos go to the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def restaurant(venue):
    """A registered restaurant in Hạc Thành, at the shared venue."""
    from phongdich.risk import business

    return business.do_register_business(
        {
            "tax_id": "0100047516",
            "name": "Quán Phở Hạc Thành",
            "kind": "restaurant",
            "ward_code": HAC_THANH,
            "contact_phone": venue.phone,
            "venue_codes": venue.code,
        }
    )
