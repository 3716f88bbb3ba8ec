"""The demo's laboratory, signing keys and one sampling session, so every testing flow works on
the first run: the technician has a lab to work for, a pool waits for its result, a tube waits
to be received, and a released negative result can be looked up and printed as a signed
certificate.

Everything goes through the real actions (session, registration, pooling, receipt, result),
as a ward team and the lab would do it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from phongdich.accounts.models import User
from phongdich.lib.timeutil import local_date
from phongdich.people.models import Person
from phongdich.portal.demo import geography as geo
from phongdich.portal.demo.seeded import stream
from phongdich.testing.actions import (
    do_assign_technician,
    do_create_lab,
    do_create_session,
    do_register_sample,
)
from phongdich.testing.models import Lab, Sample, SamplingSession
from phongdich.testing.pooling import do_pool_samples, do_receive
from phongdich.testing.results import do_record_result
from phongdich.vaccination.keys import do_init_keys

LAB_NAME = "CDC Thanh Hóa — Khoa Xét nghiệm"
SITE = "Nhà văn hóa khu phố 5, Phường Hạc Thành"
SAMPLED = 11  # two pools of five and one tube tested on its own
POOL_SIZE = 5


@dataclass
class TestingSummary:
    lab: str = ""
    session_id: int | None = None
    lookup_code: str = ""  # a released negative result a citizen can look up
    lookup_birth_year: int | None = None
    waiting_pool: str = ""  # received, waiting for the technician's result
    waiting_code: str = ""  # a tube in that pool: its result shows once the pool's is in
    waiting_birth_year: int | None = None
    to_receive: str = ""  # an unpooled tube still on its way to the lab


def ensure_lab_and_keys(technician: User | None) -> Lab:
    """The demo laboratory with the demo technician in it, and certificate signing keys.
    Both are idempotent: a second run changes nothing."""
    lab = Lab.objects.filter(name=LAB_NAME).first() or do_create_lab(LAB_NAME, geo.PROVINCE)
    if technician is not None:
        do_assign_technician(lab, technician)
    do_init_keys()
    return lab


def load_testing_demo(seed: int, now: datetime, lab: Lab) -> TestingSummary:
    """One walk-in RT-PCR session of today in Phường Hạc Thành (only when none exists)."""
    summary = TestingSummary(lab=lab.name)
    officer = User.objects.filter(username="demo_phuong").first()
    technician = lab.staff.order_by("pk").first()
    if SamplingSession.objects.exists() or officer is None or technician is None:
        return _describe(summary)
    adults = list(
        Person.objects.filter(
            ward_id=geo.HAC_THANH, birth_year__lte=local_date(now).year - 18
        ).order_by("token")
    )
    if len(adults) < SAMPLED:
        return summary
    chosen = stream(seed, "testing").sample(adults, SAMPLED)
    session = do_create_session(
        {
            "site": SITE,
            "ward_code": geo.HAC_THANH,
            "date": local_date(now).isoformat(),
            "test_type": "rt_pcr",
            "team": "Tổ lấy mẫu số 2",
            "target_kind": "walk_in",
        },
        actor=officer,
    )
    for n, person in enumerate(chosen):
        collected = now - timedelta(hours=3, minutes=2 * (SAMPLED - n))
        # As the team scans each resident's personal QR at the site.
        do_register_sample(session, actor=officer, qr=f"PD1:{person.token}", collected_at=collected)
    done, waiting = do_pool_samples(session, size=POOL_SIZE, actor=officer)[:2]
    do_receive(done, lab=lab, actor=technician)
    do_record_result(done.code, "negative", user=technician, lab=lab)
    do_receive(waiting, lab=lab, actor=technician)
    return _describe(summary)


def _describe(summary: TestingSummary) -> TestingSummary:
    session = SamplingSession.objects.filter(site=SITE).order_by("pk").first()
    if session is None:
        return summary
    summary.session_id = session.pk
    released = (
        Sample.objects.filter(session=session, released_at__isnull=False)
        .select_related("person")
        .order_by("pk")
        .first()
    )
    if released is not None:
        summary.lookup_code = released.tube_code
        summary.lookup_birth_year = released.person.birth_year
    waiting = session.pools.filter(received_at__isnull=False, result="").order_by("pk").first()
    if waiting is not None:
        member = waiting.samples.select_related("person").order_by("pk").first()
        summary.waiting_pool = waiting.code
        summary.waiting_code = member.tube_code if member else ""
        summary.waiting_birth_year = member.person.birth_year if member else None
    tube = Sample.objects.filter(session=session, pool__isnull=True, received_at__isnull=True)
    first = tube.order_by("pk").first()
    summary.to_receive = first.tube_code if first else ""
    return summary
