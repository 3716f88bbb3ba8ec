"""Pools and their arrival at the lab: making pools, filling them by scan, closing them, and
receiving pools or unpooled tubes.

Pool size is bounded twice: by the pool's own size and by ``testing.max_pool_size``; the pool row
is locked while a tube is added, so concurrent scanners can never overfill it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.core.rules import get_rule
from phongdich.lib.errors import InputErrors
from phongdich.testing.actions import new_unique_code, parse_tube_code, user_or_none
from phongdich.testing.errors import testing_error
from phongdich.testing.models import (
    Lab,
    Pool,
    PoolStatus,
    Sample,
    SampleStatus,
    SamplingSession,
    TestType,
)


def _max_pool_size(size: int | None) -> int:
    limit = get_rule("testing.max_pool_size")
    size = limit if size is None else size
    if not 2 <= size <= limit:
        raise InputErrors.one(
            "size",
            "out_of_range",
            f"Số mẫu trong một mẫu gộp phải từ 2 đến {limit}.",
            f"size must be between 2 and {limit} (testing.max_pool_size).",
        )
    return size


def _check_poolable(session: SamplingSession) -> None:
    if session.test_type != TestType.RT_PCR:
        raise testing_error("not_poolable")


@transaction.atomic
def do_create_pool(
    session: SamplingSession, *, size: int | None = None, actor: Any, request: Any = None
) -> Pool:
    """An empty pool of at most ``size`` samples (default and ceiling: testing.max_pool_size)."""
    _check_poolable(session)
    pool = Pool.objects.create(
        session=session,
        code=new_unique_code(),
        max_size=_max_pool_size(size),
        created_by=user_or_none(actor),
    )
    audit.record("create", actor=actor, request=request, obj=pool, ward=session.ward)
    return pool


@transaction.atomic
def do_add_to_pool(pool: Pool, tube_code: str, *, actor: Any, request: Any = None) -> Sample:
    """Put a scanned tube into an open pool. The pool row is locked, so two scanners filling
    the same pool can never pass its size; a full pool closes itself."""
    code = parse_tube_code(tube_code)
    if code is None:
        raise InputErrors.one("tube_code", "required", "Cần mã ống.", "tube_code is required.")
    pool = Pool.objects.select_for_update().get(pk=pool.pk)
    if pool.status != PoolStatus.OPEN:
        raise testing_error("pool_not_open")
    sample = Sample.objects.select_for_update().filter(tube_code=code).first()
    if sample is None:
        raise InputErrors.one(
            "tube_code", "unknown_code", "Không có mẫu với mã này.", "No sample has this code."
        )
    if sample.session_id != pool.session_id:
        raise testing_error("other_session")
    if sample.pool_id == pool.pk:
        return sample
    if sample.pool_id is not None:
        raise testing_error("already_pooled")
    if sample.status != SampleStatus.COLLECTED or sample.received_at is not None:
        raise testing_error("not_poolable")
    members = Sample.objects.filter(pool=pool).count()
    if members >= pool.max_size:
        raise testing_error("pool_full")
    Sample.objects.filter(pk=sample.pk).update(pool=pool)
    sample.pool = pool
    if members + 1 == pool.max_size:
        Pool.objects.filter(pk=pool.pk).update(status=PoolStatus.CLOSED, closed_at=timezone.now())
    audit.record(
        "add_to_pool",
        actor=actor,
        request=request,
        obj=sample,
        ward=pool.session.ward,
        detail={"pool": pool.code},
    )
    return sample


@transaction.atomic
def do_close_pool(pool: Pool, *, actor: Any, request: Any = None) -> Pool:
    """Seal a pool that is not full (an empty one cannot be sent); closing twice is harmless."""
    pool = Pool.objects.select_for_update().get(pk=pool.pk)
    if pool.status != PoolStatus.OPEN:
        return pool
    if not Sample.objects.filter(pool=pool).exists():
        raise testing_error("empty_pool")
    pool.status, pool.closed_at = PoolStatus.CLOSED, timezone.now()
    pool.save(update_fields=["status", "closed_at"])
    audit.record("close", actor=actor, request=request, obj=pool, ward=pool.session.ward)
    return pool


@transaction.atomic
def do_pool_samples(
    session: SamplingSession, *, size: int | None = None, actor: Any, request: Any = None
) -> list[Pool]:
    """Pool every unpooled sample of the session in collection order, ``size`` at a time. A
    single sample left over stays unpooled and is tested on its own.

    The session lock only keeps two "pool all" apart; a scanner adding one tube to a pool, the
    lab receiving it or a result for it lock the tube alone. So the waiting tubes are locked
    too: a tube another transaction is changing is waited for and then checked again (on
    PostgreSQL a locking read re-checks its conditions on the row it waited for), and the move
    repeats the conditions, so a tube already in another pool is never recorded in a new one
    (a false negative once that pool is cleared)."""
    _check_poolable(session)
    size = _max_pool_size(size)
    SamplingSession.objects.select_for_update().filter(pk=session.pk).first()
    unpooled = Sample.objects.filter(
        session=session,
        pool__isnull=True,
        status=SampleStatus.COLLECTED,
        received_at__isnull=True,
    )
    waiting = list(
        unpooled.select_for_update().order_by("collected_at", "pk").values_list("pk", flat=True)
    )
    pools = []
    now = timezone.now()
    for start in range(0, len(waiting), size):
        members = waiting[start : start + size]
        if len(members) < 2:
            break
        pool = Pool.objects.create(
            session=session,
            code=new_unique_code(),
            max_size=size,
            status=PoolStatus.CLOSED,
            closed_at=now,
            created_by=user_or_none(actor),
        )
        # The tubes are locked, so all of them move; if one did not, the pool holds the others
        # and an empty pool is not kept (nor reported).
        if not unpooled.filter(pk__in=members).update(pool=pool):
            pool.delete()
            continue
        pools.append(pool)
    audit.record(
        "pool_samples",
        actor=actor,
        request=request,
        obj=session,
        ward=session.ward,
        detail={"pools": [p.code for p in pools], "size": size},
    )
    return pools


@transaction.atomic
def do_receive(
    item: Pool | Sample, *, lab: Lab | None, actor: Any, request: Any = None
) -> tuple[Pool | Sample, bool]:
    """The lab scanned a pool (and so all its tubes) or an unpooled tube on arrival; returns
    (item, newly received). Scanning it again changes nothing."""
    now = timezone.now()
    locked = type(item).objects.select_for_update().get(pk=item.pk)
    if isinstance(locked, Sample) and locked.pool_id is not None:
        raise testing_error("sample_in_pool")
    if locked.received_at is not None:
        return locked, False
    lab_id = lab.pk if lab else None
    if isinstance(locked, Pool):
        if not Sample.objects.filter(pool=locked).exists():
            raise testing_error("empty_pool")
        Pool.objects.filter(pk=locked.pk).update(
            received_at=now,
            lab_id=lab_id,
            status=PoolStatus.RECEIVED,
            closed_at=locked.closed_at or now,
        )
        Sample.objects.filter(pool=locked, received_at__isnull=True).update(
            received_at=now, lab_id=lab_id
        )
    else:
        Sample.objects.filter(pk=locked.pk).update(received_at=now, lab_id=lab_id)
    locked.refresh_from_db()
    audit.record(
        "receive",
        actor=actor,
        request=request,
        obj=locked,
        ward=item.session.ward,
        detail={"lab": lab_id},
    )
    return locked, True
