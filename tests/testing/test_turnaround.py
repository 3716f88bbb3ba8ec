"""Turnaround (sample → lab → result, medians, per session and per lab) and Vietnamese days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine

from phongdich.testing.models import Sample
from phongdich.testing.pooling import do_pool_samples, do_receive
from phongdich.testing.queries import turnaround, turnaround_by_lab
from phongdich.testing.results import do_record_result
from phongdich.tracing.models import Case
from tests.testing.conftest import register

T0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 08:00 in Viet Nam


def test_turnaround_medians_per_session_and_per_lab(
    session, ward_officer, lab_technician, lab, other_lab
):
    with time_machine.travel(T0, tick=False):
        register(session, ward_officer, 4, when=T0)
        pools = do_pool_samples(session, size=2, actor=ward_officer)
    with time_machine.travel(T0 + timedelta(hours=6), tick=False):
        do_receive(pools[0], lab=lab, actor=lab_technician)
    with time_machine.travel(T0 + timedelta(hours=10), tick=False):
        do_receive(pools[1], lab=lab, actor=lab_technician)
    with time_machine.travel(T0 + timedelta(hours=12), tick=False):
        do_record_result(pools[0].code, "negative", user=lab_technician, lab=lab)
        do_record_result(pools[1].code, "negative", user=lab_technician, lab=lab)
        figures = turnaround(Sample.objects.filter(session=session))
        by_lab = {f["lab"].name: f for f in turnaround_by_lab(lab_technician)}
    assert figures == {"results": 4, "to_lab": 8.0, "in_lab": 4.0, "total": 12.0}
    assert by_lab == {lab.name: {"lab": lab, **figures}}  # a technician sees their own lab
    assert turnaround(Sample.objects.none()) == {
        "results": 0,
        "to_lab": None,
        "in_lab": None,
        "total": None,
    }


def test_the_case_takes_the_vietnamese_sample_date(session, ward_officer, lab_technician, lab):
    """Collected at 00:30 on 21/11 in Viet Nam (17:30 UTC on 20/11): the sample date is 21/11."""
    collected = datetime(2026, 11, 20, 17, 30, tzinfo=UTC)
    with time_machine.travel(collected, tick=False):
        [sample] = register(session, ward_officer, 1, when=collected)
    with time_machine.travel(collected + timedelta(hours=8), tick=False):
        do_record_result(sample.tube_code, "positive", user=lab_technician, lab=lab)
    assert Case.objects.get().sample_date == date(2026, 11, 21)
