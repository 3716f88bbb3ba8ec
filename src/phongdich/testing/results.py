"""Lab results, one at a time or 50,000 from an analyser file, through one path.

``check_rows`` validates every row with a handful of bulk queries (never one per row);
``do_record_results`` re-checks them inside one transaction, then
``deconvolution.apply_results`` writes them with a few set-based statements.

Repeating a result already recorded is "unchanged" and writes nothing, so importing the same
file twice changes nothing; a *different* result for a code that has one is an error (a
correction is a separate, deliberate act). Any error and nothing at all is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import area_q, require_role
from phongdich.lib.errors import FieldError, InputErrors
from phongdich.testing.deconvolution import apply_results, open_cases
from phongdich.testing.errors import testing_error
from phongdich.testing.models import (
    BatchSource,
    Lab,
    Pool,
    Result,
    ResultBatch,
    Sample,
    SamplingSession,
)
from phongdich.testing.queries import TESTING_ROLES
from phongdich.testing.validation import INVALID, parse_code, parse_ct, parse_result, parse_time

CHUNK = 5000  # codes per IN (...) query: well under SQLite's limit of 32,766 parameters

NEW, UNCHANGED, SKIPPED = "new", "unchanged", "skipped"


@dataclass
class RawRow:
    row: int | None
    code: Any
    result: Any
    ct: Any = None
    time: Any = None


@dataclass
class CheckedRow:
    row: int | None
    code: str
    raw: RawRow
    kind: str = ""  # "pool" or "sample"
    target_id: int | None = None
    result: str = ""
    ct: float | None = None
    at: datetime | None = None
    status: str = NEW
    errors: list[FieldError] = field(default_factory=list)

    def error(self, code: str, vi: str, en: str, name: str = "code") -> None:
        self.errors.append(FieldError(name, code, vi, en))


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _parse(rows: Iterable[RawRow], now: datetime) -> list[CheckedRow]:
    checked, seen = [], {}
    for raw in rows:
        row = CheckedRow(raw.row, "", raw)
        row.code, error = parse_code(raw.code)
        row.result, result_error = parse_result(raw.result)
        row.ct, ct_error = parse_ct(raw.ct)
        row.at, time_error = parse_time(raw.time, now)
        row.errors += [e for e in (error, result_error, ct_error, time_error) if e]
        if row.code and row.code in seen:
            where = seen[row.code]
            row.error(
                "duplicate_row",
                f"Mã này đã có ở dòng {where}.",
                f"This code is already in row {where}.",
            )
        elif row.code:
            seen[row.code] = raw.row
        checked.append(row)
    return checked


def _allowed_sessions(user: Any, session_ids: set[int]) -> set[int]:
    """The sessions among ``session_ids`` in the user's area: one query for the whole file
    instead of joining every row to its ward."""
    allowed = SamplingSession.objects.filter(area_q(user, "ward"), pk__in=list(session_ids))
    return set(allowed.values_list("pk", flat=True))


def _lookup_pools(user: Any, codes: list[str]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for chunk in _chunks(codes):
        for pk, code, result, session_id in Pool.objects.filter(code__in=chunk).values_list(
            "pk", "code", "result", "session_id"
        ):
            found[code] = {
                "pk": pk,
                "result": result,
                "session": session_id,
                "size": 0,
                "last_collected": None,
            }
    allowed = _allowed_sessions(user, {p["session"] for p in found.values()})
    pools = {code: p for code, p in found.items() if p["session"] in allowed}
    by_id = {p["pk"]: p for p in pools.values()}
    for chunk in _chunks(list(by_id)):
        for pool_id, size, last in (
            Sample.objects.filter(pool_id__in=chunk)
            .values_list("pool_id")
            .annotate(Count("pk"), Max("collected_at"))
            .order_by()
        ):
            by_id[pool_id]["size"], by_id[pool_id]["last_collected"] = size, last
    return pools


def _lookup_samples(user: Any, codes: list[str]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for chunk in _chunks(codes):
        for pk, code, result, pool_id, collected, session_id in Sample.objects.filter(
            tube_code__in=chunk
        ).values_list("pk", "tube_code", "result", "pool_id", "collected_at", "session_id"):
            found[code] = {
                "pk": pk,
                "result": result,
                "pool_id": pool_id,
                "collected_at": collected,
                "session": session_id,
            }
    allowed = _allowed_sessions(user, {s["session"] for s in found.values()})
    samples = {code: s for code, s in found.items() if s["session"] in allowed}
    pool_results: dict[int, str] = {}
    for chunk in _chunks(list({s["pool_id"] for s in samples.values() if s["pool_id"]})):
        pool_results |= dict(Pool.objects.filter(pk__in=chunk).values_list("pk", "result"))
    for sample in samples.values():
        sample["pool__result"] = pool_results.get(sample["pool_id"], "")
    return samples


def _lookup(user: Any, codes: list[str]) -> tuple[dict[str, dict], dict[str, dict]]:
    """Every pool and tube the file names, within the user's area, in a few queries."""
    require_role(user, *TESTING_ROLES)
    pools = _lookup_pools(user, codes)
    return pools, _lookup_samples(user, [c for c in codes if c not in pools])


def _same_or_conflict(row: CheckedRow, existing: str) -> None:
    if row.result == existing:
        row.status = UNCHANGED
    else:
        row.error(
            "already_resulted",
            f"Mã này đã có kết quả khác ({existing}).",
            f"This code already has a different result ({existing}).",
            "result",
        )


def _check_pool(row: CheckedRow, pool: dict) -> None:
    row.kind, row.target_id = "pool", pool["pk"]
    if pool["result"]:
        _same_or_conflict(row, pool["result"])
    elif not pool["size"]:
        row.error("empty_pool", "Mẫu gộp này không có mẫu nào.", "This pool holds no samples.")
    elif row.at and row.at < pool["last_collected"]:
        row.error(
            "before_collection",
            "Thời gian kết quả trước lúc lấy mẫu.",
            "The result time is before the samples were collected.",
            "time",
        )


def _check_sample(row: CheckedRow, sample: dict, positive_pools: set[int]) -> None:
    row.kind, row.target_id = "sample", sample["pk"]
    if sample["result"]:
        _same_or_conflict(row, sample["result"])
    elif (
        sample["pool_id"]
        and sample["pool__result"] != Result.POSITIVE
        and sample["pool_id"] not in positive_pools
    ):
        row.error(
            "sample_in_pool",
            "Mẫu này nằm trong mẫu gộp chưa dương tính: nhập kết quả của mẫu gộp.",
            "This tube is in a pool that is not positive: enter the pool's result.",
        )
    elif row.at and row.at < sample["collected_at"]:
        row.error(
            "before_collection",
            "Thời gian kết quả trước lúc lấy mẫu.",
            "The result time is before the sample was collected.",
            "time",
        )


def check_rows(
    rows: Iterable[RawRow], *, user: Any, now: datetime | None = None
) -> list[CheckedRow]:
    """Validate result rows against the database and each other; nothing is written."""
    now = now or timezone.now()
    checked = _parse(rows, now)
    pools, samples = _lookup(user, [r.code for r in checked if r.code])
    positive_pools = set()
    for row in checked:
        if row.code in pools and not row.errors:
            _check_pool(row, pools[row.code])
            if not row.errors and row.result == Result.POSITIVE:
                positive_pools.add(row.target_id)
    for row in checked:
        if row.kind or row.errors or not row.code:
            continue
        if row.code in samples:
            _check_sample(row, samples[row.code], positive_pools)
        else:
            row.error(
                "unknown_code",
                "Không có ống mẫu hay mẫu gộp với mã này.",
                "No tube or pool has this code.",
            )
    for row in checked:
        if row.result == INVALID and not row.errors:
            row.status = SKIPPED  # to be re-run: an invalid run is no result
    return checked


def row_errors(checked: list[CheckedRow]) -> list[FieldError]:
    """All errors, each naming its row (the header is row 1)."""
    out = []
    for row in checked:
        for e in row.errors:
            if row.row is None:
                out.append(e)
            else:
                out.append(
                    FieldError(
                        f"row {row.row}: {e.field}",
                        e.code,
                        f"Dòng {row.row}: {e.message_vi}",
                        f"Row {row.row}: {e.message_en}",
                    )
                )
    return out


def do_record_results(
    rows: Iterable[RawRow],
    *,
    user: Any,
    lab: Lab | None,
    source: str = BatchSource.FILE,
    file_name: str = "",
    sha256: str = "",
    request: Any = None,
) -> dict[str, Any]:
    """Check and record results atomically; returns a summary of what changed.

    Raises ``InputErrors`` (every row's problems, nothing written) or ``results_changed`` when
    another import recorded one of these results meanwhile."""
    rows = list(rows)
    try:
        with transaction.atomic():
            now = timezone.now()
            checked = check_rows(rows, user=user, now=now)
            errors = row_errors(checked)
            if errors:
                raise InputErrors(errors)
            summary = _summary(checked)
            new = [r for r in checked if r.status == NEW]
            if new:
                batch = ResultBatch.objects.create(
                    source=source,
                    file_name=file_name[:200],
                    sha256=sha256,
                    lab=lab,
                    created_by=user if getattr(user, "pk", None) else None,
                    created_at=now,
                )
                summary |= apply_results(batch, new, lab.pk if lab else None, now)
                summary["cases"] = open_cases(batch, user, request)
                batch.summary = summary | {"batch": batch.pk}
                batch.save(update_fields=["summary"])
                summary["batch"] = batch.pk
                audit.record(
                    "record_results", actor=user, request=request, obj=batch, detail=summary
                )
    except IntegrityError:
        raise testing_error("results_changed") from None
    return summary


def _summary(checked: list[CheckedRow]) -> dict[str, Any]:
    return {
        "rows": len(checked),
        "new": sum(r.status == NEW for r in checked),
        "unchanged": sum(r.status == UNCHANGED for r in checked),
        "skipped": sum(r.status == SKIPPED for r in checked),
        "batch": None,
        "pools_negative": 0,
        "pools_positive": 0,
        "retests_ordered": 0,
        "samples_resolved": 0,
        "positives": 0,
        "cases": 0,
    }


def do_record_result(
    code: str,
    result: str,
    *,
    user: Any,
    lab: Lab | None,
    ct: Any = None,
    time: Any = None,
    request: Any = None,
) -> dict[str, Any]:
    """One result typed at the lab bench: the same checks and writes as a file of one row."""
    value, _error = parse_result(result)
    if value == INVALID:
        raise InputErrors.one(
            "result",
            "invalid_run",
            "Lần chạy không hợp lệ không phải là kết quả: hãy chạy lại mẫu.",
            "An invalid run is not a result: run the sample again.",
        )
    return do_record_results(
        [RawRow(None, code, result, ct, time)],
        user=user,
        lab=lab,
        source=BatchSource.ENTRY,
        request=request,
    )
