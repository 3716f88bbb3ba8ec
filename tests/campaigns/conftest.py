"""People with phones in Hạc Thành and Quảng Phú, a console gateway that keeps what it sent,
and the chairperson who approves large campaigns."""

from __future__ import annotations

import secrets
from datetime import datetime

import pytest

from tests.conftest import HAC_THANH, QUANG_PHU, _staff
from tests.sms.conftest import kannel_binaries  # noqa: F401  (a fixture of the Kannel test)

__all__ = ["HAC_THANH", "QUANG_PHU", "make_person", "new_phone"]


def new_phone() -> str:
    return "+8498" + "".join(secrets.choice("0123456789") for _ in range(7))


def make_person(ward: int | None = HAC_THANH, *, phone: str | None = None, birth_year=1980, **kw):
    from phongdich.people.models import Person

    return Person.objects.create(
        full_name="Nguyễn Văn Thử",
        name_folded="nguyen van thu",
        birth_year=birth_year,
        gender="male",
        ward_id=ward,
        phone=new_phone() if phone is None else phone,
        token=secrets.token_urlsafe(32),
        **kw,
    )


@pytest.fixture
def chairperson(db):
    return _staff("chair", "chairperson", HAC_THANH)


@pytest.fixture
def console():
    """The console adapter (the demo's gateway) as the channel, its outbox read back."""
    from phongdich.core import sms
    from phongdich.lib.sms import ConsoleGateway

    gateway = ConsoleGateway("PhongDich", keep=100_000)
    sms.use(gateway)
    yield gateway
    sms.use(None)


@pytest.fixture
def daytime(time_machine):
    """10:00 in Vietnam: inside the sending hours."""
    from phongdich.lib.timeutil import VN_TZ

    time_machine.move_to(datetime(2026, 3, 10, 10, 0, tzinfo=VN_TZ), tick=True)


def segment_data(**kw) -> dict:
    return {"area": f"w{HAC_THANH}", **kw}


def campaign_data(**kw) -> dict:
    return {
        "title": "Tiêm chủng",
        "text": "Mời bà con đi tiêm mũi nhắc lại tại trạm y tế.",
        **segment_data(),
        **kw,
    }


@pytest.fixture(autouse=True)
def _fresh_rules():
    """A rule a test set must not outlive its rolled-back row (rules are cached 30 s)."""
    import phongdich.core.rules as rules

    rules._cache.clear()
    rules._loaded_at = 0.0
    yield
    rules._cache.clear()
    rules._loaded_at = 0.0
