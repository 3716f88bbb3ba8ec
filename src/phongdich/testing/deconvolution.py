"""Automatic deconvolution: recording new results with set-based statements, whatever their number.

* every new result becomes a ``LabResult`` row (one ``bulk_create``);
* pools take their result from those rows (one ``UPDATE … = (SELECT …)``);
* members of negative pools resolve negative (one ``UPDATE``);
* members of positive pools get individual retest orders (one ``UPDATE``, one ``bulk_create``);
* individual results (retests and unpooled tubes) resolve their samples (one ``UPDATE``);
* each positive individual result opens the person's F0 case (``cases.py``).

Every statement selects its rows through the batch (``… WHERE id IN (SELECT … FROM labresult
WHERE batch_id = …)``), so none carries thousands of parameters. The caller (``results.py``)
has checked every row and holds the transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import BigIntegerField, Case, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from phongdich.core import events
from phongdich.core.rules import get_rule
from phongdich.testing.models import (
    LabResult,
    Pool,
    PoolStatus,
    ResolvedVia,
    Result,
    ResultBatch,
    RetestOrder,
    Sample,
    SampleStatus,
)

if TYPE_CHECKING:
    from phongdich.testing.results import CheckedRow

CHUNK = 2000


def _lab(lab_id: int | None) -> dict[str, Any]:
    """Set the lab where none is recorded yet (it was received elsewhere otherwise)."""
    if lab_id is None:
        return {}
    return {"lab_id": Coalesce("lab_id", Value(lab_id), output_field=BigIntegerField())}


def apply_results(
    batch: ResultBatch, new: list[CheckedRow], lab_id: int | None, now: datetime
) -> dict[str, Any]:
    """Write the checked new results of ``batch`` and everything they imply (the Dorfman second
    stage: clear negative pools, order retests for positive ones); returns what changed."""
    LabResult.objects.bulk_create(
        [
            LabResult(
                batch=batch,
                pool_id=r.target_id if r.kind == "pool" else None,
                sample_id=r.target_id if r.kind == "sample" else None,
                result=r.result,
                ct_value=r.ct,
                result_at=r.at,
                row=r.row,
            )
            for r in new
        ],
        batch_size=CHUNK,
    )
    released = {"released_at": now} if get_rule("testing.release_automatically") else {}
    in_batch = LabResult.objects.filter(batch=batch)
    pool_rows = in_batch.filter(pool__isnull=False)
    own = in_batch.filter(pool_id=OuterRef("pk"))
    Pool.objects.filter(pk__in=pool_rows.values("pool_id")).update(
        result=Subquery(own.values("result")[:1]),
        ct_value=Subquery(own.values("ct_value")[:1]),
        result_at=Subquery(own.values("result_at")[:1]),
        status=PoolStatus.RESULTED,
        closed_at=Coalesce("closed_at", Value(now)),
        **_lab(lab_id),
        # A pool never scanned in arrived at the latest when its result came out.
        received_at=Coalesce("received_at", Subquery(own.values("result_at")[:1])),
    )
    pool_of = Pool.objects.filter(pk=OuterRef("pool_id"))
    arrived = {
        "received_at": Coalesce("received_at", Subquery(pool_of.values("received_at")[:1])),
        "lab_id": Coalesce("lab_id", Subquery(pool_of.values("lab_id")[:1])),
    }
    negative = pool_rows.filter(result=Result.NEGATIVE).values("pool_id")
    cleared = Sample.objects.filter(pool_id__in=negative).update(
        result=Result.NEGATIVE,
        result_at=Subquery(pool_of.values("result_at")[:1]),
        status=SampleStatus.RESOLVED,
        resolved_via=ResolvedVia.POOL,
        **arrived,
        **released,
    )
    positive = pool_rows.filter(result=Result.POSITIVE).values("pool_id")
    Sample.objects.filter(pool_id__in=positive).update(status=SampleStatus.RETEST, **arrived)
    members = list(Sample.objects.filter(pool_id__in=positive).values_list("pk", "pool_id"))
    RetestOrder.objects.bulk_create(
        [RetestOrder(sample_id=s, pool_id=p, lab_id=lab_id, ordered_at=now) for s, p in members],
        batch_size=CHUNK,
        ignore_conflicts=True,
    )
    sample_rows = in_batch.filter(sample__isnull=False)
    mine = in_batch.filter(sample_id=OuterRef("pk"))
    individual = Sample.objects.filter(pk__in=sample_rows.values("sample_id")).update(
        result=Subquery(mine.values("result")[:1]),
        ct_value=Subquery(mine.values("ct_value")[:1]),
        result_at=Subquery(mine.values("result_at")[:1]),
        status=SampleStatus.RESOLVED,
        resolved_via=Case(
            When(pool__isnull=True, then=Value(ResolvedVia.INDIVIDUAL)),
            default=Value(ResolvedVia.RETEST),
        ),
        received_at=Coalesce("received_at", Subquery(mine.values("result_at")[:1])),
        **_lab(lab_id),
        **released,
    )
    RetestOrder.objects.filter(
        sample_id__in=sample_rows.values("sample_id"), done_at__isnull=True
    ).update(done_at=now)
    if released:
        out = Sample.objects.filter(released_at=now).filter(
            Q(pool_id__in=negative) | Q(pk__in=sample_rows.values("sample_id"))
        )
        events.emit_many("result.released", "sample_ids", list(out.values_list("pk", flat=True)))
    return {
        "pools_negative": sum(r.kind == "pool" and r.result == Result.NEGATIVE for r in new),
        "pools_positive": sum(r.kind == "pool" and r.result == Result.POSITIVE for r in new),
        "retests_ordered": len(members),
        "samples_resolved": cleared + individual,
        "positives": sum(r.kind == "sample" and r.result == Result.POSITIVE for r in new),
    }


def open_cases(batch: ResultBatch, user: Any, request: Any) -> int:
    """Open the F0 case of every person whose individual result in ``batch`` is positive."""
    from phongdich.testing.cases import do_open_cases

    positive = LabResult.objects.filter(
        batch=batch, sample__isnull=False, result=Result.POSITIVE
    ).values("sample_id")
    samples = list(Sample.objects.filter(pk__in=positive).select_related("person", "session"))
    return do_open_cases(samples, actor=user, request=request) if samples else 0
