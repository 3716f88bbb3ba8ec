"""The F2 search as one SQL statement on PostgreSQL: the data stays where it is.

A busy case's F2 search joins a few hundred index blocks with tens of thousands of visits, and
the Python path (``search._overlaps`` → ``search.find``) ships every overlapping pair to the
application to clip, group and sum. Here the database does all of it — clip each visit to the
block (or to each part of it, for the block's own people), attribute an overlap found against a
block to the part that shared most of it, group per (person, venue, local day), sum the union
of the overlaps (gaps and islands), keep the groups that reach the venue kind's minimum, and
pick each group's evidence pair and each person's closest F1 — and only one row per qualifying
group comes back. The rules are those of ``search`` exactly, ties included (tests run both
paths on the same scenarios; the benchmark compares this one with DuckDB).

Blocks and the crowd count stay in ``search`` (a few hundred index intervals): only the blocks
that are not exposure windows are passed in, as arrays (one statement, whatever their number).
"""

from __future__ import annotations

from django.db import connection

from phongdich.tracing import search

SQL = """
WITH blk AS (
    SELECT * FROM unnest(%(b_ord)s::int[], %(b_venue)s::bigint[], %(b_lo)s::timestamptz[],
                         %(b_start_t)s::timestamptz[], %(b_end_t)s::timestamptz[],
                         %(b_start)s::bigint[], %(b_end)s::bigint[], %(b_parts)s::int[])
           AS b(ord, venue_id, lo, bs_t, be_t, bs, be, nparts)
),
part AS (
    SELECT * FROM unnest(%(p_ord)s::int[], %(p_visit)s::bigint[], %(p_person)s::bigint[],
                         %(p_start)s::bigint[], %(p_end)s::bigint[])
           AS p(ord, pvid, pp, ps, pe)
),
vis AS (
    SELECT blk.ord, blk.venue_id, blk.bs, blk.be, blk.nparts, v.id AS cvid, v.person_id AS p,
           v.vs, LEAST(v.raw_end, v.vs + %(mv)s) AS ve
    FROM blk CROSS JOIN LATERAL (
        SELECT id, person_id, (EXTRACT(EPOCH FROM checked_in_at) * 1000000)::bigint AS vs,
               (EXTRACT(EPOCH FROM COALESCE(checked_out_at, expected_out_at)) * 1000000)::bigint
                   AS raw_end
        FROM {visits}
        WHERE venue_id = blk.venue_id AND checked_in_at >= blk.lo AND checked_in_at < blk.be_t
          AND ((checked_out_at IS NULL AND expected_out_at > blk.bs_t)
               OR checked_out_at > blk.bs_t)
          AND person_id <> %(f0)s
    ) v
),
own AS (SELECT DISTINCT ord, pp FROM part),
marked AS (
    SELECT vis.*, (vis.nparts = 1 OR own.pp IS NOT NULL) AS by_part
    FROM vis LEFT JOIN own ON own.ord = vis.ord AND own.pp = vis.p
),
ov_part AS (
    SELECT m.p, m.venue_id, m.cvid, part.pvid AS ivid, part.pp AS ip,
           GREATEST(m.vs, part.ps) AS s, LEAST(m.ve, part.pe) AS e
    FROM marked m JOIN part ON part.ord = m.ord
    WHERE m.by_part AND part.pp <> m.p AND LEAST(m.ve, part.pe) > GREATEST(m.vs, part.ps)
),
ov_block AS (
    SELECT m.ord, m.p, m.venue_id, m.cvid, GREATEST(m.vs, m.bs) AS s, LEAST(m.ve, m.be) AS e
    FROM marked m
    WHERE NOT m.by_part AND LEAST(m.ve, m.be) > GREATEST(m.vs, m.bs)
),
ov_attr AS (
    SELECT DISTINCT ON (o.ord, o.cvid) o.p, o.venue_id, o.cvid, part.pvid AS ivid,
           part.pp AS ip, o.s, o.e
    FROM ov_block o JOIN part ON part.ord = o.ord AND part.ps < o.e
    ORDER BY o.ord, o.cvid, LEAST(o.e, part.pe) - GREATEST(o.s, part.ps) DESC, part.ps, part.pvid
),
ov AS (
    SELECT *, (s + %(offset)s) / %(day)s AS day FROM (
        SELECT p, venue_id, cvid, ivid, ip, s, e FROM ov_part
        UNION ALL
        SELECT p, venue_id, cvid, ivid, ip, s, e FROM ov_attr
    ) x
),
prev AS (
    SELECT *, MAX(e) OVER (PARTITION BY p, venue_id, day ORDER BY s, e, ivid, cvid
                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
    FROM ov
),
island AS (
    SELECT *, SUM(CASE WHEN before IS NULL OR s > before THEN 1 ELSE 0 END) OVER (
        PARTITION BY p, venue_id, day ORDER BY s, e, ivid, cvid ROWS UNBOUNDED PRECEDING) AS n
    FROM prev
),
grp AS (
    SELECT p, venue_id, day, SUM(ie - is_) AS un, MIN(is_) AS gs, MAX(ie) AS ge FROM (
        SELECT p, venue_id, day, n, MIN(s) AS is_, MAX(e) AS ie FROM island GROUP BY 1, 2, 3, 4
    ) i GROUP BY 1, 2, 3
),
mins AS (
    SELECT * FROM unnest(%(kinds)s::text[], %(minutes)s::bigint[]) AS m(kind, minutes)
),
qual AS (
    SELECT grp.* FROM grp
    JOIN {venues} ven ON ven.id = grp.venue_id
    LEFT JOIN mins ON mins.kind = ven.kind
    WHERE grp.un >= COALESCE(mins.minutes, %(default_minutes)s) * 60000000
),
shared AS (
    SELECT ov.p, ov.venue_id, ov.day, ov.ip, SUM(ov.e - ov.s) AS sh
    FROM ov JOIN qual USING (p, venue_id, day)
    GROUP BY 1, 2, 3, 4
),
main AS (
    SELECT DISTINCT ON (p, venue_id, day) p, venue_id, day, ip
    FROM shared ORDER BY p, venue_id, day, sh DESC, ip
),
first_pair AS (
    SELECT DISTINCT ON (ov.p, ov.venue_id, ov.day) ov.p, ov.venue_id, ov.day, ov.ivid, ov.cvid,
           ov.ip
    FROM ov JOIN main USING (p, venue_id, day, ip)
    ORDER BY ov.p, ov.venue_id, ov.day, ov.s, ov.ivid, ov.cvid
),
via AS (
    SELECT DISTINCT ON (p) p, ip FROM (SELECT p, ip, SUM(sh) AS sh FROM shared GROUP BY 1, 2) t
    ORDER BY p, sh DESC, ip
)
SELECT q.p, q.venue_id, q.day, q.un, q.gs, q.ge, f.cvid, f.ivid, f.ip, via.ip
FROM qual q JOIN first_pair f USING (p, venue_id, day) JOIN via USING (p)
"""


def available() -> bool:
    return connection.vendor == "postgresql"


def find_f2(
    blocks: list[search.Block],
    max_visit: int,
    case_person_id: int,
    min_minutes: dict[str, int],
) -> tuple[dict[int, list[search.Group]], dict[int, int]]:
    """What ``search.find(..., attribute=True, blocks=blocks)`` finds, with each person's
    closest F1 (``trace.closest_via`` of the full overlaps). A group carries one overlap: the
    pair its evidence names, spanning the group (as ``trace.evidence_rows`` writes it)."""
    if not blocks:
        return {}, {}
    from phongdich.checkpoints.models import Venue, Visit

    adapt = connection.ops.adapt_datetimefield_value
    b: dict[str, list] = {
        k: [] for k in ("ord", "venue", "lo", "start_t", "end_t", "start", "end", "parts")
    }
    p: dict[str, list] = {k: [] for k in ("ord", "visit", "person", "start", "end")}
    for n, block in enumerate(blocks):
        b["ord"].append(n)
        b["venue"].append(block.venue_id)
        b["lo"].append(adapt(search.from_micros(block.start - max_visit)))
        b["start_t"].append(adapt(search.from_micros(block.start)))
        b["end_t"].append(adapt(search.from_micros(block.end)))
        b["start"].append(block.start)
        b["end"].append(block.end)
        b["parts"].append(len(block.parts))
        for part in block.parts:
            p["ord"].append(n)
            p["visit"].append(part.visit_id)
            p["person"].append(part.person_id)
            p["start"].append(part.start)
            p["end"].append(part.end)
    kinds = [k for k in min_minutes if k != "default"]
    params = {
        **{f"b_{k}": v for k, v in b.items()},
        **{f"p_{k}": v for k, v in p.items()},
        "mv": max_visit,
        "f0": case_person_id,
        "offset": search.VN_OFFSET_US,
        "day": search.DAY_US,
        "kinds": kinds,
        "minutes": [min_minutes[k] for k in kinds],
        "default_minutes": min_minutes.get("default", 15),
    }
    sql = SQL.format(visits=Visit._meta.db_table, venues=Venue._meta.db_table)
    found: dict[int, list[search.Group]] = {}
    via: dict[int, int] = {}
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:  # psycopg: array parameters
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(search.FETCH):
            for person, venue, day, union, start, end, cvid, ivid, ip, via_ip in rows:
                item = search.Overlap(start, end, cvid, ivid, ip, None)
                group = search.Group(venue, day, union, start, end, [item])
                found.setdefault(person, []).append(group)
                via[person] = via_ip
    return found, via
