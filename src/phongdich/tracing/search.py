"""Finding who was at the same venue at the same time, from check-in data.

The search works on *intervals*: a visit is [checked_in_at, checked_out_at or expected_out_at).
For a set of index intervals (the F0's visits inside the infectious window, or each F1's visits
after exposure), one SQL statement per chunk joins them with every visit at the same venue that
started at most ``max_visit_hours`` before the index interval and before its end — an index range
scan on (venue, checked_in_at) per index interval, with no date arithmetic in the join, so the
same statement runs on SQLite and PostgreSQL. Only overlapping pairs come back; they are clipped
and grouped per person, venue and local day in Python, in one pass over the rows. Nothing
proportional to the province is loaded.

Times are integer microseconds since the Unix epoch (UTC) throughout: a province-sized F2 search
handles millions of overlaps, and tuples of ints cost a fraction of datetimes and dataclasses.
PostgreSQL returns the epoch directly; on other databases it is computed from the datetime.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from phongdich.checkpoints.models import Venue, Visit

CHUNK = 500  # index blocks per statement (5 parameters each, under SQLite's limit)
FETCH = 5000  # rows per fetch: a chunk at a busy market can return many

US = 1_000_000
MINUTE_US = 60 * US
DAY_US = 86_400 * US
# Asia/Ho_Chi_Minh has been UTC+7 all year since 1975, with no daylight-saving time, so the local
# day of an instant is arithmetic (tests check it against lib.timeutil.local_date).
VN_OFFSET_US = 7 * 3600 * US
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)


def micros(value: datetime) -> int:
    return (value - EPOCH) // _ONE_US


def from_micros(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


def local_day(value: int) -> int:
    """Days since 1970-01-01 of the Vietnamese calendar day at instant ``value`` (µs)."""
    return (value + VN_OFFSET_US) // DAY_US


def day_date(day: int) -> date:
    return date(1970, 1, 1) + timedelta(days=day)


def epoch_sql(column: str) -> str:
    """SQL giving ``column`` (a timestamp) as integer µs since the epoch on PostgreSQL; elsewhere
    the column itself, which ``to_micros`` converts."""
    if connection.vendor == "postgresql":
        # Exact: EXTRACT returns numeric since PostgreSQL 14 (the oldest Django 5.2 supports).
        return f"(EXTRACT(EPOCH FROM {column}) * 1000000)::bigint"
    return column


def to_micros(value: datetime | str | int | None) -> int | None:
    """The value of an ``epoch_sql`` column as µs (SQLite returns text or naive UTC datetimes)."""
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return micros(value)


class Interval(NamedTuple):
    visit_id: int
    person_id: int
    venue_id: int
    start: int  # µs
    end: int


class Overlap(NamedTuple):
    """One overlap of a contact's visit with an index interval, clipped to the overlap. A large
    F2 search makes millions: this module builds them with ``_overlap`` (tuple.__new__, as cheap
    as a plain tuple); everyone else reads them by name."""

    start: int  # µs
    end: int
    visit_id: int  # the contact's visit
    index_visit_id: int
    index_person_id: int
    block: Block | None  # set while the index person is not yet attributed (``_attributed``)


_overlap = tuple.__new__


class Group(NamedTuple):
    """The overlaps of one contact at one venue on one local day: the unit the rule counts in."""

    venue_id: int
    day: int  # see local_day
    union: int  # µs covered by the overlaps, time shared by several of them counted once
    start: int  # the earliest start of the overlaps
    end: int  # the latest end
    items: list[Overlap]


def _fetch(sql: str, params: list) -> Iterator[tuple]:
    convert = connection.vendor != "postgresql"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH):
            if convert:
                rows = [(*r[:-2], to_micros(r[-2]), to_micros(r[-1])) for r in rows]
            yield from rows


def intervals_of(windows: dict[int, tuple[int, int]], max_visit: int) -> list[Interval]:
    """Visits of each person clipped to that person's window (µs; one query per 500 people)."""
    if not windows:
        return []
    lo = min(s for s, _ in windows.values()) - max_visit
    hi = max(e for _, e in windows.values())
    adapt = connection.ops.adapt_datetimefield_value
    people = list(windows)
    table = Visit._meta.db_table
    out = []
    for begin in range(0, len(people), CHUNK):
        some = people[begin : begin + CHUNK]
        sql = (
            f"SELECT id, person_id, venue_id, {epoch_sql('checked_in_at')}, "  # noqa: S608
            f"{epoch_sql('COALESCE(checked_out_at, expected_out_at)')} FROM {table} "
            f"WHERE person_id IN ({', '.join(['%s'] * len(some))}) "
            "AND checked_in_at >= %s AND checked_in_at < %s"
        )
        params = [*some, adapt(from_micros(lo)), adapt(from_micros(hi))]
        for pk, person_id, venue_id, start, end in _fetch(sql, params):
            w_start, w_end = windows[person_id]
            end = min(end, start + max_visit)
            s, e = max(start, w_start), min(end, w_end)
            if e > s:
                out.append(Interval(pk, person_id, venue_id, s, e))
    return out


def _blocks_cte(n: int, *, own: bool = False) -> str:
    """A chunk of ``n`` blocks as the CTE ``idx(ord, venue_id, lo, s, e[, own])``: only the
    number of placeholder rows varies; every value is a bound parameter."""
    types = ["int", "bigint", "timestamptz", "timestamptz", "timestamptz"] + ["int"] * own
    cast = connection.vendor == "postgresql"
    row = "(" + ", ".join(f"%s::{t}" if cast else "%s" for t in types) + ")"
    columns = "ord, venue_id, lo, s, e" + ", own" * own
    return f"WITH idx({columns}) AS (VALUES {', '.join([row] * n)})"


def _block_visits() -> str:
    """The visits overlapping each block of ``idx``: an index range on (venue, check-in) from
    ``lo`` (the block's start less ``max_visit``; a visit that began at or before it has ended
    by the start once cut to ``max_visit``) to the block's end, no date arithmetic in the join,
    so the same text runs on SQLite and PostgreSQL."""
    return (
        f"FROM idx JOIN {Visit._meta.db_table} v ON v.venue_id = idx.venue_id "
        "AND v.checked_in_at > idx.lo AND v.checked_in_at < idx.e "
        "WHERE ((v.checked_out_at IS NULL AND v.expected_out_at > idx.s) OR v.checked_out_at > idx.s)"
    )


def _sql(n: int) -> str:
    return (
        f"{_blocks_cte(n)} SELECT idx.ord, v.id, v.person_id, {epoch_sql('v.checked_in_at')}, "
        f"{epoch_sql('COALESCE(v.checked_out_at, v.expected_out_at)')} {_block_visits()}"
    )


@dataclass(frozen=True, slots=True)
class Block:
    """Index intervals at one venue that touch or overlap, searched as one interval.

    Dozens of F1s on one factory shift make one block instead of dozens of index intervals: each
    person on that shift is then found once, not once per F1 (the union of the overlaps, which is
    what the rule sums, is the same either way)."""

    venue_id: int
    start: int
    end: int
    parts: tuple[Interval, ...]  # sorted by start
    people: frozenset[int]


def blocks_of(index: list[Interval]) -> list[Block]:
    by_venue: dict[int, list[Interval]] = defaultdict(list)
    for iv in index:
        by_venue[iv.venue_id].append(iv)
    blocks = []

    def block(venue_id: int, parts: list[Interval], end: int) -> Block:
        people = frozenset(p.person_id for p in parts)
        return Block(venue_id, parts[0].start, end, tuple(parts), people)

    for venue_id, items in by_venue.items():
        items.sort(key=lambda iv: (iv.start, iv.visit_id))
        parts = [items[0]]
        end = items[0].end
        for iv in items[1:]:
            if iv.start <= end:
                parts.append(iv)
                end = max(end, iv.end)
            else:
                blocks.append(block(venue_id, parts, end))
                parts, end = [iv], iv.end
        blocks.append(block(venue_id, parts, end))
    return blocks


class Window(NamedTuple):
    """A block at a crowded venue (see ``find_outside_crowds``): an exposure window, not an F2
    list."""

    venue_id: int
    start: int  # µs
    end: int
    present: int  # people there besides the block's own F1 and the case
    people: frozenset[int]  # the block's F1
    first_person_id: int  # the F1 who arrived first


def _split_sql(n: int) -> str:
    """``_sql`` that also tells crowded blocks apart, in one pass over the same index ranges:
    how many distinct people besides the case had a visit overlapping each block; a block with
    more than the threshold besides its own F1 comes back as one row (no visit, the count in the
    last column), the others as their overlapping visits. Two statements read those ranges twice
    (most of a large case's search: the look-back is ``tracing.max_visit_hours``, 24 h at a
    market)."""
    return (
        f"{_blocks_cte(n, own=True)}, hit AS (SELECT idx.ord AS ord, v.id AS vid, "  # noqa: S608
        f"v.person_id AS pid, {epoch_sql('v.checked_in_at')} AS t_in, "
        f"{epoch_sql('COALESCE(v.checked_out_at, v.expected_out_at)')} AS t_end "
        f"{_block_visits()} AND v.person_id <> %s), "
        "n AS (SELECT ord, COUNT(DISTINCT pid) AS n FROM hit GROUP BY ord) "
        "SELECT hit.ord, hit.vid, hit.pid, hit.t_in, hit.t_end FROM hit "
        "JOIN n ON n.ord = hit.ord JOIN idx ON idx.ord = n.ord WHERE n.n - idx.own <= %s "
        "UNION ALL SELECT n.ord, NULL, NULL, NULL, n.n - idx.own FROM n "
        "JOIN idx ON idx.ord = n.ord WHERE n.n - idx.own > %s"
    )


@dataclass(slots=True)
class Crowd:
    """The crowd rule for ``_overlaps``: blocks where more than ``threshold`` people besides the
    block's own F1 and ``case_person_id`` were present become exposure windows, collected in
    ``windows`` by the block's position."""

    case_person_id: int
    threshold: int
    windows: dict[int, Window] = field(default_factory=dict)


def _statement(chunk: list[Block], max_visit: int, crowd: Crowd | None) -> tuple[str, list]:
    adapt = connection.ops.adapt_datetimefield_value
    params: list = []
    for n, b in enumerate(chunk):
        params += [
            n,
            b.venue_id,
            adapt(from_micros(b.start - max_visit)),
            adapt(from_micros(b.start)),
            adapt(from_micros(b.end)),
        ]
        if crowd is not None:
            params.append(len(b.people))
    if crowd is None:
        return _sql(len(chunk)), params
    return _split_sql(len(chunk)), [*params, crowd.case_person_id, *[crowd.threshold] * 2]


def _overlaps(
    index: list[Interval],
    max_visit: int,
    exclude: set[int],
    blocks: list[Block] | None = None,
    crowd: Crowd | None = None,
) -> dict[tuple[int, int, int], list[Overlap]]:
    """Every other person's visit that overlaps an index interval, clipped to the overlap and
    grouped by (person, venue, local day).

    Overlaps with a block of several index intervals carry the block's first part as their index
    (see ``_attributed``); a visitor who is one of the block's own people is matched part by part,
    so nobody overlaps with themselves. With ``crowd``, crowded blocks are searched no further:
    they go to ``crowd.windows`` (docs/reference/tracing.md, "Exposure windows")."""
    groups: dict[tuple[int, int, int], list[Overlap]] = defaultdict(list)
    if blocks is None:
        blocks = blocks_of(index)
    for begin in range(0, len(blocks), CHUNK):
        chunk = blocks[begin : begin + CHUNK]
        sql, params = _statement(chunk, max_visit, crowd)
        for ord_, visit_id, person_id, start, end in _fetch(sql, params):
            if visit_id is None:  # a crowded block (only with ``crowd``); ``end``: how many
                b = chunk[ord_]
                window = Window(b.venue_id, b.start, b.end, end, b.people, b.parts[0].person_id)
                crowd.windows[begin + ord_] = window  # type: ignore[union-attr]
                continue
            if person_id in exclude:
                continue
            if end > start + max_visit:
                end = start + max_visit
            block = chunk[ord_]
            venue_id = block.venue_id
            if len(block.parts) == 1 or person_id in block.people:
                for part in block.parts:
                    if part.person_id != person_id:
                        s = start if start > part.start else part.start
                        e = end if end < part.end else part.end
                        if e > s:
                            day = (s + VN_OFFSET_US) // DAY_US
                            groups[(person_id, venue_id, day)].append(
                                _overlap(
                                    Overlap, (s, e, visit_id, part.visit_id, part.person_id, None)
                                )
                            )
            else:
                s = start if start > block.start else block.start
                e = end if end < block.end else block.end
                if e > s:
                    first = block.parts[0]
                    day = (s + VN_OFFSET_US) // DAY_US
                    groups[(person_id, venue_id, day)].append(
                        _overlap(Overlap, (s, e, visit_id, first.visit_id, first.person_id, block))
                    )
    return groups


def find(
    index: list[Interval],
    max_visit: int,
    exclude: set[int],
    min_minutes: dict[str, int],
    *,
    attribute: bool = False,
    blocks: list[Block] | None = None,
) -> dict[int, list[Group]]:
    """People whose overlap with the index intervals at one venue on one local day reaches the
    venue kind's minimum, with those (person, venue, day) groups. With ``attribute``, overlaps
    found against a block name the index person who shared most of them (see ``_attributed``).
    ``blocks`` limits the search to some of the index intervals' blocks."""
    return _qualify(_overlaps(index, max_visit, exclude, blocks), min_minutes, attribute)


def find_outside_crowds(
    blocks: list[Block],
    max_visit: int,
    case_person_id: int,
    min_minutes: dict[str, int],
    threshold: int,
) -> tuple[dict[int, list[Group]], list[Window]]:
    """The F2 search (``find`` with ``attribute``) of the blocks that are not crowded, and the
    crowded ones as exposure windows: blocks where more than ``threshold`` people besides the
    block's F1 (every one of them has a visit there) and the case were present
    (docs/reference/tracing.md, "Exposure windows")."""
    crowd = Crowd(case_person_id, threshold)
    groups = _overlaps([], max_visit, {case_person_id}, blocks, crowd)
    windows = [crowd.windows[n] for n in sorted(crowd.windows)]  # in the blocks' order
    return _qualify(groups, min_minutes, attribute=True), windows


def _qualify(
    groups: dict[tuple[int, int, int], list[Overlap]],
    min_minutes: dict[str, int],
    attribute: bool,
) -> dict[int, list[Group]]:
    kinds = dict(Venue.objects.filter(pk__in={k[1] for k in groups}).values_list("pk", "kind"))
    default = min_minutes.get("default", 15)
    found: dict[int, list[Group]] = defaultdict(list)
    for (person_id, venue_id, day), items in groups.items():
        # Two overlaps of the same visit with two index visits must not be counted twice:
        # sum the union of the overlap intervals.
        if len(items) == 1:
            start, end = items[0][0], items[0][1]
            union = end - start
        else:
            union, start, end = _union(items)
        if union >= min_minutes.get(kinds.get(venue_id, ""), default) * MINUTE_US:
            if attribute:
                items = [o if o[5] is None else _attributed(o, o[5]) for o in items]
            found[person_id].append(Group(venue_id, day, union, start, end, items))
    return dict(found)


def _attributed(o: Overlap, block: Block) -> Overlap:
    """Name, for an overlap found against a block, the index person who shared most of it (done
    only for people who qualified). The times stay those of the whole block."""
    start, end, visit_id = o[0], o[1], o[2]
    best, best_shared = block.parts[0], -US
    for part in block.parts:
        if part.start >= end:
            break  # parts are sorted by start
        shared = min(end, part.end) - max(start, part.start)
        if shared > best_shared:
            best, best_shared = part, shared
    return _overlap(Overlap, (start, end, visit_id, best.visit_id, best.person_id, None))


def _union(items: list[Overlap]) -> tuple[int, int, int]:
    """The union of the overlaps (µs), the first start and the last end."""
    ordered = sorted(items, key=itemgetter(0))
    total = 0
    first, current_end = ordered[0][0], ordered[0][1]
    current_start, last = first, current_end
    for o in ordered:
        start, end = o[0], o[1]
        if start > current_end:
            total += current_end - current_start
            current_start, current_end = start, end
        elif end > current_end:
            current_end = end
        if end > last:
            last = end
    return total + current_end - current_start, first, last
