"""The F2 search as one SQL statement on PostgreSQL: the interval join runs where the data is.

``search.find`` ships every overlapping visit to Python, which clips it, groups it per person,
venue and local day, sums the union and attributes it; at a busy market that is millions of rows
for a few thousand F2. Here the database does all of it and returns one row per qualifying
(person, venue, local day) with what the trace writes: the union, its bounds, the overlap the
evidence names and the F1 each person is reached through. The rules are those of ``search``,
step for step, and a test runs both on the same data and compares every contact and evidence row
(``tests/tracing/test_search_pg.py``); SQLite keeps the Python path.

The blocks (index intervals at one venue that touch or overlap) and the crowd check are computed
before, as on every database; they arrive as arrays (one parameter each, whatever their number).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from phongdich.checkpoints.models import Venue, Visit
from phongdich.tracing import search
from phongdich.tracing.search import Block, Group, Overlap

# Memory for the statement's sorts and hashes (millions of overlaps at a busy market would
# otherwise spill to disk); set for this statement only.
WORK_MEM = "64MB"
# The planner cannot estimate the rows of the steps (unnest, then aggregates of aggregates) and
# guesses one or two: with nested loops allowed it rescans a step once per row of another
# (18,000 × 18,000 at a market). Without them every step is hashed or merged; the one nested
# loop wanted, an index range on visits per block, is a LATERAL that cannot be anything else.
SETTINGS = {"work_mem": WORK_MEM, "enable_nestloop": "off"}


def available() -> bool:
    return connection.vendor == "postgresql"


def _sql() -> str:
    visit, venue = Visit._meta.db_table, Venue._meta.db_table
    t_in = "(EXTRACT(EPOCH FROM v.checked_in_at) * 1000000)::bigint"
    t_end = "(EXTRACT(EPOCH FROM COALESCE(v.checked_out_at, v.expected_out_at)) * 1000000)::bigint"
    # Steps (names as in ``search``): raw = _sql's join; ov = _overlaps' clipping (part by part
    # for single-part blocks and the block's own people, else against the whole block, named
    # after its first part); grp/q = find's union per person, venue and local day and the venue
    # kind's minimum; att = _attributed; main/first = trace.evidence_rows; via = closest_via.
    return f"""
WITH b AS (
    SELECT * FROM unnest(%(b_ord)s::int[], %(b_venue)s::int[], %(b_lo)s::timestamptz[],
                         %(b_sts)s::timestamptz[], %(b_hi)s::timestamptz[], %(b_s)s::bigint[],
                         %(b_e)s::bigint[], %(b_multi)s::bool[])
        AS b(ord, venue_id, lo, sts, hi, s, e, multi)
),
p AS MATERIALIZED (
    SELECT * FROM unnest(%(p_ord)s::int[], %(p_pos)s::int[], %(p_ivid)s::bigint[],
                         %(p_ip)s::bigint[], %(p_s)s::bigint[], %(p_e)s::bigint[])
        AS p(ord, pos, ivid, ip, s, e)
),
member AS MATERIALIZED (SELECT DISTINCT ord, ip FROM p),
raw AS MATERIALIZED (
    SELECT b.ord, b.venue_id, b.multi, b.s AS bs, b.e AS be, v.cvid, v.pid, v.vs,
           LEAST(v.ve, v.vs + %(mv)s) AS ve, (m.ord IS NOT NULL) AS own
    FROM b CROSS JOIN LATERAL (
        SELECT v.id AS cvid, v.person_id AS pid, {t_in} AS vs, {t_end} AS ve
        FROM {visit} v
        WHERE v.venue_id = b.venue_id AND v.checked_in_at >= b.lo AND v.checked_in_at < b.hi
          AND ((v.checked_out_at IS NULL AND v.expected_out_at > b.sts)
               OR v.checked_out_at > b.sts)
          AND v.person_id <> %(f0)s
        OFFSET 0
    ) v
    LEFT JOIN member m ON m.ord = b.ord AND m.ip = v.pid
),
ov AS MATERIALIZED (
    SELECT r.pid, r.venue_id, r.cvid, p.ivid, p.ip, GREATEST(r.vs, p.s) AS os,
           LEAST(r.ve, p.e) AS oe, NULL::int AS blk
    FROM raw r JOIN p ON p.ord = r.ord AND p.ip <> r.pid
    WHERE (NOT r.multi OR r.own) AND GREATEST(r.vs, p.s) < LEAST(r.ve, p.e)
    UNION ALL
    SELECT r.pid, r.venue_id, r.cvid, f.ivid, f.ip, GREATEST(r.vs, r.bs), LEAST(r.ve, r.be), r.ord
    FROM raw r JOIN p f ON f.ord = r.ord AND f.pos = 0
    WHERE r.multi AND NOT r.own AND GREATEST(r.vs, r.bs) < LEAST(r.ve, r.be)
),
d AS MATERIALIZED (
    SELECT *, (os + {search.VN_OFFSET_US}) / {search.DAY_US} AS day FROM ov
),
isl AS (
    SELECT pid, venue_id, day, os, oe, SUM(CASE WHEN prev IS NULL OR os > prev THEN 1 ELSE 0 END)
        OVER (PARTITION BY pid, venue_id, day ORDER BY os, oe, ivid, cvid
              ROWS UNBOUNDED PRECEDING) AS island
    FROM (SELECT *, MAX(oe) OVER (PARTITION BY pid, venue_id, day ORDER BY os, oe, ivid, cvid
                                  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev
          FROM d) x
),
grp AS (
    SELECT pid, venue_id, day, SUM(ie - is_) AS total, MIN(is_) AS gs, MAX(ie) AS ge
    FROM (SELECT pid, venue_id, day, MIN(os) AS is_, MAX(oe) AS ie FROM isl
          GROUP BY pid, venue_id, day, island) y
    GROUP BY pid, venue_id, day
),
q AS MATERIALIZED (
    SELECT grp.* FROM grp JOIN {venue} ve ON ve.id = grp.venue_id
    LEFT JOIN unnest(%(kinds)s::text[], %(kind_us)s::bigint[]) AS k(kind, min_us)
        ON k.kind = ve.kind
    WHERE grp.total >= COALESCE(k.min_us, %(default_us)s)
),
qd AS MATERIALIZED (SELECT d.* FROM d JOIN q USING (pid, venue_id, day)),
att AS MATERIALIZED (
    SELECT pid, venue_id, day, cvid, ivid, ip, os, oe FROM qd WHERE blk IS NULL
    UNION ALL (
        SELECT DISTINCT ON (o.blk, o.cvid) o.pid, o.venue_id, o.day, o.cvid, p.ivid, p.ip,
               o.os, o.oe
        FROM qd o JOIN p ON p.ord = o.blk AND p.s < o.oe
        WHERE o.blk IS NOT NULL
        ORDER BY o.blk, o.cvid, LEAST(o.oe, p.e) - GREATEST(o.os, p.s) DESC, p.pos
    )
),
shared AS MATERIALIZED (
    SELECT pid, venue_id, day, ip, SUM(oe - os) AS sh FROM att GROUP BY pid, venue_id, day, ip
),
main AS (
    SELECT DISTINCT ON (pid, venue_id, day) pid, venue_id, day, ip FROM shared
    ORDER BY pid, venue_id, day, sh DESC, ip
),
first AS (
    SELECT DISTINCT ON (a.pid, a.venue_id, a.day) a.pid, a.venue_id, a.day, a.os, a.oe, a.cvid,
           a.ivid, a.ip
    FROM att a JOIN main USING (pid, venue_id, day, ip)
    ORDER BY a.pid, a.venue_id, a.day, a.os, a.ivid, a.cvid
),
via AS (
    SELECT DISTINCT ON (pid) pid, ip FROM (
        SELECT pid, ip, SUM(sh) AS sh FROM shared GROUP BY pid, ip) z
    ORDER BY pid, sh DESC, ip
)
SELECT q.pid, q.venue_id, q.day, q.total, q.gs, q.ge, f.os, f.oe, f.cvid, f.ivid, f.ip, via.ip
FROM q JOIN first f USING (pid, venue_id, day) JOIN via USING (pid)
ORDER BY q.pid, q.venue_id, q.day
"""  # noqa: S608 (table names only; every value is a bound parameter)


def _params(
    blocks: list[Block], max_visit: int, case_person_id: int, min_minutes: dict[str, int]
) -> dict[str, Any]:
    b: dict[str, list] = {k: [] for k in ("ord", "venue", "lo", "sts", "hi", "s", "e", "multi")}
    p: dict[str, list] = {k: [] for k in ("ord", "pos", "ivid", "ip", "s", "e")}
    dt = search.from_micros
    for n, block in enumerate(blocks):
        for key, value in (
            ("ord", n),
            ("venue", block.venue_id),
            ("lo", dt(block.start - max_visit)),
            ("sts", dt(block.start)),
            ("hi", dt(block.end)),
            ("s", block.start),
            ("e", block.end),
            ("multi", len(block.parts) > 1),
        ):
            b[key].append(value)
        for pos, part in enumerate(block.parts):
            for key, value in (
                ("ord", n),
                ("pos", pos),
                ("ivid", part.visit_id),
                ("ip", part.person_id),
                ("s", part.start),
                ("e", part.end),
            ):
                p[key].append(value)
    kinds = {k: v for k, v in min_minutes.items() if k != "default"}
    return {
        **{f"b_{k}": v for k, v in b.items()},
        **{f"p_{k}": v for k, v in p.items()},
        "mv": max_visit,
        "f0": case_person_id,
        "kinds": list(kinds),
        "kind_us": [m * search.MINUTE_US for m in kinds.values()],
        "default_us": min_minutes.get("default", 15) * search.MINUTE_US,
    }


@contextmanager
def _cursor() -> Iterator[Any]:
    """A psycopg cursor on Django's connection with ``SETTINGS`` for this statement (in a
    transaction of its own when none is open, so that they end with it)."""
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        if connection.in_atomic_block:
            _configure(cursor)
            yield cursor
            return
        with raw.transaction():
            _configure(cursor)
            yield cursor


def _configure(cursor: Any) -> None:
    for name, value in SETTINGS.items():
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


def find_f2(
    blocks: list[Block], max_visit: int, case_person_id: int, min_minutes: dict[str, int]
) -> tuple[dict[int, list[Group]], dict[int, int]]:
    """``search.find(…, attribute=True, blocks=blocks)`` and each found person's closest index
    person (``trace.closest_via``), computed in the database. Each group carries the one overlap
    its evidence row names (the earliest with the index person who shared most of it)."""
    found: dict[int, list[Group]] = {}
    via: dict[int, int] = {}
    if not blocks:
        return found, via
    with _cursor() as cursor:
        cursor.execute(_sql(), _params(blocks, max_visit, case_person_id, min_minutes))
        while rows := cursor.fetchmany(search.FETCH):
            for pid, venue_id, day, total, gs, ge, os, oe, cvid, ivid, ip, via_ip in rows:
                item = tuple.__new__(Overlap, (os, oe, cvid, ivid, ip, None))
                group = Group(venue_id, day, int(total), gs, ge, [item])
                found.setdefault(pid, []).append(group)
                via[pid] = via_ip
    return found, via
