"""An officer's "pool all" while a scanner puts one of the tubes into a pool, or the lab receives
it: the tube stays where the other writer put it. Recorded in the new pool as well, it would be
in one tube physically and in another on paper, and a negative result for the paper pool would
clear it without a test (a false negative)."""

from __future__ import annotations

import pytest

from phongdich.accounts.models import AuditEvent
from phongdich.testing.models import Pool, Sample
from phongdich.testing.pooling import do_add_to_pool, do_create_pool, do_pool_samples, do_receive
from tests.interleave import interleave
from tests.testing.conftest import register

pytestmark = pytest.mark.django_db(transaction=True)


def _check_pools(session, pools: list[Pool], left_out: Sample) -> None:
    """The other four tubes of the session went into the officer's two pools, two a pool in
    collection order, and the audit names exactly those pools."""
    others = list(
        Sample.objects.filter(session=session)
        .exclude(pk=left_out.pk)
        .order_by("collected_at", "pk")
        .values_list("pk", flat=True)
    )
    members = [sorted(p.samples.values_list("pk", flat=True)) for p in pools]
    assert members == [sorted(others[:2]), sorted(others[2:])]
    [event] = AuditEvent.objects.filter(action="pool_samples")
    assert event.detail["pools"] == [p.code for p in pools]


def test_pool_all_leaves_a_tube_a_scanner_is_putting_into_another_pool(
    session, ward_officer, monkeypatch
):
    samples = register(session, ward_officer, 5)
    scanned = do_create_pool(session, size=5, actor=ward_officer)
    made: list[list[Pool]] = []
    errors, blocked = interleave(
        monkeypatch,
        "add_to_pool",
        lambda: do_add_to_pool(scanned, samples[0].tube_code, actor=ward_officer),
        lambda: made.append(do_pool_samples(session, size=2, actor=ward_officer)),
    )
    assert not errors, errors
    assert blocked, "pool all never waited for the tube's writer"
    samples[0].refresh_from_db()
    assert samples[0].pool_id == scanned.pk  # where the tube physically is
    [pools] = made
    _check_pools(session, pools, samples[0])


def test_pool_all_leaves_a_tube_the_lab_is_receiving(
    session, ward_officer, lab, lab_technician, monkeypatch
):
    samples = register(session, ward_officer, 5)
    made: list[list[Pool]] = []
    errors, blocked = interleave(
        monkeypatch,
        "receive",
        lambda: do_receive(samples[0], lab=lab, actor=lab_technician),
        lambda: made.append(do_pool_samples(session, size=2, actor=ward_officer)),
    )
    assert not errors, errors
    assert blocked, "pool all never waited for the tube's writer"
    samples[0].refresh_from_db()
    assert samples[0].received_at is not None and samples[0].pool_id is None
    [pools] = made
    _check_pools(session, pools, samples[0])
