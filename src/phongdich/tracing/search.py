"""Finding who was at the same venue at the same time, from check-in data.

The search works on *intervals*: a visit is [checked_in_at, checked_out_at or expected_out_at).
For a set of index intervals (the F0's visits inside the infectious window, or each F1's visits
after exposure), one SQL statement per chunk joins them with every visit at the same venue that
started at most ``max_visit_hours`` before the index interval and before its end — an index range
scan on (venue, checked_in_at) per index interval, with no date arithmetic in SQL, so the same
statement runs on SQLite and PostgreSQL. Only overlapping pairs come back; they are clipped and
summed per person, venue and local day in Python. Nothing proportional to the province is loaded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.utils import timezone

from phongdich.checkpoints.models import Venue, Visit
from phongdich.lib.timeutil import local_date

CHUNK = 500  # index intervals per statement (5 parameters each, under SQLite's limit)


@dataclass(frozen=True, slots=True)
class Interval:
    visit_id: int
    person_id: int
    venue_id: int
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Overlap:
    index: Interval
    visit_id: int
    person_id: int
    venue_id: int
    start: datetime
    end: datetime
    block: Block | None = None  # set while the index person is not yet attributed

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60


def _aware(value: datetime | str | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite without a declared type
        value = datetime.fromisoformat(value)
    if timezone.is_naive(value):  # SQLite stores UTC without an offset
        return value.replace(tzinfo=UTC)
    return value


def visit_end(
    checked_in_at: datetime,
    checked_out_at: datetime | None,
    expected_out_at: datetime,
    max_visit: timedelta,
) -> datetime:
    end = checked_out_at or expected_out_at
    return min(end, checked_in_at + max_visit)


def intervals_of(
    windows: dict[int, tuple[datetime, datetime]], max_visit: timedelta
) -> list[Interval]:
    """Visits of each person clipped to that person's window (one query for all of them)."""
    if not windows:
        return []
    lo = min(s for s, _ in windows.values()) - max_visit
    hi = max(e for _, e in windows.values())
    rows = Visit.objects.filter(
        person_id__in=list(windows), checked_in_at__gte=lo, checked_in_at__lt=hi
    ).values_list(
        "pk", "person_id", "venue_id", "checked_in_at", "checked_out_at", "expected_out_at"
    )
    out = []
    for pk, person_id, venue_id, start, checked_out, expected in rows:
        w_start, w_end = windows[person_id]
        end = visit_end(start, checked_out, expected, max_visit)
        s, e = max(start, w_start), min(end, w_end)
        if e > s:
            out.append(Interval(pk, person_id, venue_id, s, e))
    return out


def _sql(n: int) -> str:
    cast = connection.vendor == "postgresql"
    row = (
        "(%s::int, %s::bigint, %s::timestamptz, %s::timestamptz, %s::timestamptz)"
        if cast
        else "(%s, %s, %s, %s, %s)"
    )
    table = Visit._meta.db_table
    # Only the number of placeholder rows varies; every value is a bound parameter.
    return (
        f"WITH idx(ord, venue_id, lo, s, e) AS (VALUES {', '.join([row] * n)}) "  # noqa: S608
        f"SELECT idx.ord, v.id, v.person_id, v.checked_in_at, v.checked_out_at, v.expected_out_at "
        f"FROM idx JOIN {table} v ON v.venue_id = idx.venue_id "
        f"AND v.checked_in_at >= idx.lo AND v.checked_in_at < idx.e "
        f"WHERE (v.checked_out_at IS NULL AND v.expected_out_at > idx.s) OR v.checked_out_at > idx.s"
    )


@dataclass(frozen=True, slots=True)
class Block:
    """Index intervals at one venue that touch or overlap, searched as one interval.

    Dozens of F1s on one factory shift make one block instead of dozens of index intervals: each
    person on that shift is then found once, not once per F1 (the union of the overlaps, which is
    what the rule sums, is the same either way)."""

    venue_id: int
    start: datetime
    end: datetime
    parts: tuple[Interval, ...]


def blocks_of(index: list[Interval]) -> list[Block]:
    by_venue: dict[int, list[Interval]] = defaultdict(list)
    for iv in index:
        by_venue[iv.venue_id].append(iv)
    blocks = []
    for venue_id, items in by_venue.items():
        items.sort(key=lambda iv: iv.start)
        parts = [items[0]]
        end = items[0].end
        for iv in items[1:]:
            if iv.start <= end:
                parts.append(iv)
                end = max(end, iv.end)
            else:
                blocks.append(Block(venue_id, parts[0].start, end, tuple(parts)))
                parts, end = [iv], iv.end
        blocks.append(Block(venue_id, parts[0].start, end, tuple(parts)))
    return blocks


def _clip(
    iv: Interval, visit_id: int, person_id: int, start: datetime, end: datetime
) -> Overlap | None:
    s, e = max(start, iv.start), min(end, iv.end)
    return Overlap(iv, visit_id, person_id, iv.venue_id, s, e) if e > s else None


def overlapping(index: list[Interval], max_visit: timedelta) -> Iterator[Overlap]:
    """Every other person's visit that overlaps an index interval, clipped to the overlap.

    Overlaps with a block of several index intervals carry the block's first part as their index
    (see ``attribute``); a visitor who is one of the block's own people is matched part by part,
    so nobody overlaps with themselves."""
    adapt = connection.ops.adapt_datetimefield_value
    blocks = blocks_of(index)
    for begin in range(0, len(blocks), CHUNK):
        chunk = blocks[begin : begin + CHUNK]
        params: list = []
        for n, b in enumerate(chunk):
            params += [n, b.venue_id, adapt(b.start - max_visit), adapt(b.start), adapt(b.end)]
        with connection.cursor() as cursor:
            cursor.execute(_sql(len(chunk)), params)
            rows = cursor.fetchall()
        for ord_, visit_id, person_id, start, checked_out, expected in rows:
            block = chunk[ord_]
            start = _aware(start)
            end = visit_end(start, _aware(checked_out), _aware(expected), max_visit)
            if len(block.parts) == 1 or any(p.person_id == person_id for p in block.parts):
                for part in block.parts:
                    if part.person_id != person_id:
                        found = _clip(part, visit_id, person_id, start, end)
                        if found is not None:
                            yield found
            else:
                s, e = max(start, block.start), min(end, block.end)
                if e > s:
                    yield Overlap(block.parts[0], visit_id, person_id, block.venue_id, s, e, block)


def attribute(items: list[Overlap]) -> list[Overlap]:
    """Name, for each overlap found against a block, the index person who shared most of it
    (done only for people who qualified). The minutes stay those of the whole block."""
    out = []
    for o in items:
        if o.block is None:
            out.append(o)
            continue
        best, best_seconds = o.block.parts[0], -1.0
        for part in o.block.parts:
            if part.start >= o.end:
                break  # parts are sorted by start
            seconds = (min(o.end, part.end) - max(o.start, part.start)).total_seconds()
            if seconds > best_seconds:
                best, best_seconds = part, seconds
        out.append(Overlap(best, o.visit_id, o.person_id, o.venue_id, o.start, o.end))
    return out


def qualifying(
    overlaps: Iterable[Overlap], exclude: set[int], min_minutes: dict[str, int]
) -> dict[int, list[Overlap]]:
    """Keep people whose overlap at one venue on one local day reaches the venue kind's minimum."""
    groups: dict[tuple[int, int, object], list[Overlap]] = defaultdict(list)
    for o in overlaps:
        if o.person_id not in exclude:
            groups[(o.person_id, o.venue_id, local_date(o.start))].append(o)
    kinds = dict(Venue.objects.filter(pk__in={k[1] for k in groups}).values_list("pk", "kind"))
    default = min_minutes.get("default", 15)
    found: dict[int, list[Overlap]] = defaultdict(list)
    for (person_id, venue_id, _day), items in groups.items():
        # Two overlaps of the same visit with two index visits must not be counted twice:
        # sum the union of the overlap intervals.
        if union_minutes(items) >= min_minutes.get(kinds.get(venue_id, ""), default):
            found[person_id].extend(items)
    return dict(found)


def union_minutes(items: list[Overlap]) -> float:
    """Minutes covered by the overlaps, counting time shared by several of them once."""
    total = 0.0
    current_start = current_end = None
    for o in sorted(items, key=lambda x: x.start):
        if current_end is None or o.start > current_end:
            if current_end is not None:
                total += (current_end - current_start).total_seconds()
            current_start, current_end = o.start, o.end
        else:
            current_end = max(current_end, o.end)
    if current_end is not None:
        total += (current_end - current_start).total_seconds()
    return total / 60
