"""Testing fixtures: a lab in Thanh Hóa with its technician, an RT-PCR session in Hạc Thành and
a helper that registers people and pools them, as a sampling team would."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from phongdich.core.rules import reset_cache
from tests.conftest import HA_NOI, HAC_THANH, THANH_HOA, _staff


@pytest.fixture(autouse=True)
def _fresh_limits():
    """Rate-limit counters and rule overrides live in caches that outlast a test."""
    cache.clear()
    reset_cache()
    yield
    cache.clear()
    reset_cache()


@pytest.fixture
def lab_technician(db):
    return _staff("labtech", "lab_technician", THANH_HOA)


@pytest.fixture
def other_lab_technician(db):
    """A technician of a Hà Nội lab: sees nothing of Thanh Hóa."""
    return _staff("hanoitech", "lab_technician", HA_NOI)


@pytest.fixture
def lab(lab_technician):
    from phongdich.testing.actions import do_create_lab

    return do_create_lab("CDC Thanh Hóa", THANH_HOA, staff=[lab_technician])


@pytest.fixture
def other_lab(other_lab_technician):
    from phongdich.testing.actions import do_create_lab

    return do_create_lab("CDC Hà Nội", HA_NOI, staff=[other_lab_technician])


SESSION = {
    "site": "Nhà văn hóa khu phố 3",
    "ward_code": HAC_THANH,
    "test_type": "rt_pcr",
    "team": "Tổ 1",
    "target_kind": "walk_in",
}


@pytest.fixture
def session(ward_officer):
    from phongdich.testing.actions import do_create_session

    today = timezone.localdate()
    return do_create_session({**SESSION, "date": today.isoformat()}, actor=ward_officer)


def person_data(n: int, **extra) -> dict:
    return {
        "full_name": f"Lê Văn Thử {chr(65 + n % 26)}",
        "birth_year": 1940 + n % 80,
        "gender": "male",
        "phone": f"0912 {n:06d}",
        "ward_code": HAC_THANH,
        "address": f"{n} Lê Lợi",
        **extra,
    }


def register(session, actor, count: int, start: int = 0, when: datetime | None = None) -> list:
    from phongdich.testing.actions import do_register_sample

    collected = when or timezone.now() - timedelta(hours=3)
    return [
        do_register_sample(
            session, actor=actor, person_data=person_data(start + i), collected_at=collected
        )[0]
        for i in range(count)
    ]


def pooled(session, actor, people: int, size: int) -> tuple[list, list]:
    """Register ``people`` and pool them ``size`` at a time; returns (samples, pools)."""
    from phongdich.testing.pooling import do_pool_samples

    samples = register(session, actor, people)
    pools = do_pool_samples(session, size=size, actor=actor)
    for s in samples:
        s.refresh_from_db()
    return samples, pools


def csv_file(rows: list[list], headers=("code", "result", "ct", "time")) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
