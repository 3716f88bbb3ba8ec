"""The officer's reads of one big case: the F1 list API (first page, with evidence), F1 + F2
pages, a page deep in the list, the exposure windows and the case page, timed through Django's
full request handling (``django.test.Client``), beside two baselines measured in the same run:
``/healthz`` through the same client (the floor of a request) and the raw SQL of the same first
page (contacts, evidence, visits, without the ORM, audit and JSON). The figures are printed
with their ratio to the baselines, so a shared machine's noise cancels out partly.

The case is synthetic and loaded with the ORM into a PostgreSQL database of its own (created
and migrated if missing; reused when it holds the same case): ``--f1`` F1 with two evidence
rows each and ``--f2`` F2 with one, spread over ``--wards`` wards, ``--windows`` exposure
windows. ``--explain`` prints the plans of the page, count and ward aggregate statements::

    .venv/bin/python benchmarks/tracing_pages.py --f1 2000 --f2 80000 --explain
    .venv/bin/python benchmarks/tracing_pages.py --drop
"""

from __future__ import annotations

import argparse
import math
import os
import random
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pd_trace14_bench"
DATA_DIR = Path(tempfile.gettempdir()) / "pd-tracing-pages-bench"
PROVINCE = 38  # Thanh Hóa
TARGET_P95_MS = 100.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)] if ordered else float("nan")


def loadavg() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


def admin_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres"))


def db_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def ensure_database(url: str) -> None:
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db_name(url)])
        if found.fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db_name(url))))
            log(f"created database {db_name(url)}")


def setup_django(url: str) -> None:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = url
    os.environ["PHONGDICH_DATA_DIR"] = str(DATA_DIR)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phongdich.settings")
    import django

    django.setup()


FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc"]
GIVEN = ["An", "Ánh", "Bảo", "Bình", "Châu", "Cường", "Dũng", "Đạt", "Hà", "Hải", "Lan", "Yến"]


def load_case(args: argparse.Namespace, user) -> int:
    """The synthetic case, or the one already loaded with the same sizes."""
    from phongdich.checkpoints.models import Venue, Visit
    from phongdich.lib.codes import new_token
    from phongdich.lib.text import fold
    from phongdich.people.models import Person
    from phongdich.places.models import Ward
    from phongdich.tracing.models import Case, Contact, Evidence, ExposureWindow

    notes = f"bench f1={args.f1} f2={args.f2} wards={args.wards} windows={args.windows}"
    found = Case.objects.filter(notes=notes).first()
    if found is not None:
        log(f"reusing case {found.pk} ({notes})")
        return found.pk
    started = time.perf_counter()
    rng = random.Random(5)
    wards = list(
        Ward.objects.filter(province_id=PROVINCE).order_by("code").values_list("code", flat=True)
    )[: args.wards]
    run = Person.objects.count()

    def person(i: int) -> Person:
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        return Person(
            full_name=name,
            name_folded=fold(name),
            birth_year=1940 + i % 70,
            gender="female" if i % 2 else "male",
            phone=f"+849{(run + i) % 100_000_000:08d}",
            ward_id=wards[i % len(wards)],
            token=new_token(),
        )

    f0 = Person.objects.create(**{k: v for k, v in vars(person(0)).items() if k[0] != "_"})
    venue = Venue.objects.filter(ward_id__in=wards).first()
    if venue is None:
        from phongdich.checkpoints.venue_actions import do_register_venue

        venue = do_register_venue(
            {
                "name": "Chợ thử",
                "kind": "market",
                "ward_code": wards[0],
                "address": "1 Đường thử",
                "phone": "0237 3742 289",
                "operator": "Ban quản lý chợ",
                "lat": 19.8067,
                "lon": 105.7852,
                "default_stay_minutes": 60,
            },
            actor=user,
        )
    day = datetime.now(UTC).replace(hour=1, minute=0, second=0, microsecond=0) - timedelta(days=2)
    visits = Visit.objects.bulk_create(
        Visit(
            client_id=uuid.uuid4(),
            venue=venue,
            person=f0,
            checked_in_at=day + timedelta(minutes=i),
            received_at=day + timedelta(minutes=i),
            checked_out_at=day + timedelta(minutes=i + 30),
            expected_out_at=day + timedelta(minutes=i + 60),
            form_version="bench",
            source="self",
        )
        for i in range(500)
    )
    case = Case.objects.create(
        person=f0,
        ward_id=wards[0],
        confirmed_at=day + timedelta(days=1),
        sample_date=(day + timedelta(days=1)).date(),
        source="test",
        notes=notes,
        window_start=day - timedelta(days=3),
        window_end=day + timedelta(days=1),
    )
    levels = ["F1"] * args.f1 + ["F2"] * args.f2
    for begin in range(0, len(levels), 5000):
        chunk = levels[begin : begin + 5000]
        people = Person.objects.bulk_create(person(begin + i + 1) for i in range(len(chunk)))
        contacts = Contact.objects.bulk_create(
            Contact(case=case, person=p, level=lv, origin="checkin", ward_id=p.ward_id)
            for p, lv in zip(people, chunk, strict=True)
        )
        Evidence.objects.bulk_create(
            Evidence(
                contact=c,
                venue_id=venue.pk,
                index_visit_id=visits[(c.pk * 7 + n) % 500].pk,
                contact_visit_id=visits[(c.pk * 11 + n) % 500].pk,
                index_person_id=f0.pk,
                overlap_start=day + timedelta(minutes=n),
                overlap_end=day + timedelta(minutes=n + 20),
                overlap_minutes=20,
                level=c.level,
            )
            for c in contacts
            for n in range(2 if c.level == "F1" else 1)
        )
    for i in range(args.windows):
        ExposureWindow.objects.create(
            case=case,
            venue_id=venue.pk,
            start=day + timedelta(minutes=10 * i),
            end=day + timedelta(minutes=10 * i + 30),
            present=300,
        )
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    log(f"loaded case {case.pk} ({notes}) in {time.perf_counter() - started:.0f} s")
    return case.pk


def explain(case_id: int, user) -> None:
    from django.db import connection
    from django.db.models import Count

    from phongdich.tracing import paging, queries
    from phongdich.tracing.models import Case, Contact

    case = Case.objects.get(pk=case_id)
    visible = queries.contacts_for(user, case)
    f2 = Contact.objects.filter(case=case, level="F2").order_by("pk").values_list("pk", flat=True)
    middle = f2[f2.count() // 2]
    statements = {
        "F1 first page (level, id)": visible.filter(level="F1").order_by("level", "pk")[:101],
        "F1 + F2 page after a cursor half-way through the F2": visible.filter(
            paging.contact_after(f"F2.{middle}")
        ).order_by("level", "pk")[:101],
        "count (depth=2)": visible.values("pk"),
    }
    for name, qs in statements.items():
        query, params = qs.query.sql_with_params()
        if name.startswith("count"):
            query = f"SELECT count(*) FROM ({query}) q"  # noqa: S608 (the ORM's own SQL)
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + query, params)
            print(f"--- {name}\n" + "\n".join(r[0] for r in cur.fetchall()))
    with connection.cursor() as cur:
        ward_sql, params = (
            Contact.objects.filter(case=case)
            .order_by()
            .values("ward_id")
            .annotate(n=Count("pk"))
            .values_list("ward_id", "n")
            .query.sql_with_params()
        )
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + ward_sql, params)
        print("--- wards aggregate (case page)\n" + "\n".join(r[0] for r in cur.fetchall()))


def raw_first_page(case_id: int) -> None:
    """The same rows as the F1 list's first page, in three plain statements."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.id, c.level, c.status, p.full_name, p.phone, p.birth_year, p.ward_id"
            " FROM tracing_contact c JOIN people_person p ON p.id = c.person_id"
            " WHERE c.case_id = %s AND c.level = 'F1' ORDER BY c.level, c.id LIMIT 101",
            [case_id],
        )
        ids = [r[0] for r in cur.fetchall()]
        cur.execute(
            "SELECT e.contact_id, v.code, v.name, e.index_visit_id, e.contact_visit_id,"
            " e.overlap_start, e.overlap_end FROM tracing_evidence e"
            " JOIN checkpoints_venue v ON v.id = e.venue_id WHERE e.contact_id = ANY(%s)"
            " ORDER BY e.overlap_start, e.id",
            [ids],
        )
        visits = {v for r in cur.fetchall() for v in (r[3], r[4])}
        cur.execute(
            "SELECT id, checked_in_at, checked_out_at, expected_out_at FROM checkpoints_visit"
            " WHERE id = ANY(%s)",
            [list(visits)],
        )
        cur.fetchall()


def timed(fn, repeat: int) -> list[float]:
    fn()  # warm
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--f1", type=int, default=2000)
    parser.add_argument("--f2", type=int, default=80000)
    parser.add_argument("--wards", type=int, default=40)
    parser.add_argument("--windows", type=int, default=250)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--drop", action="store_true")
    args = parser.parse_args()
    if urlsplit(args.database_url).hostname not in {"127.0.0.1", "localhost", "::1"}:
        parser.error("a local PostgreSQL only")
    if args.drop:
        with psycopg.connect(admin_url(args.database_url), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(db_name(args.database_url))
                )
            )
        log(f"dropped {db_name(args.database_url)}")
        return 0
    log(f"load average {loadavg()}")
    ensure_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from phongdich.accounts.actions import do_create_staff

    user = get_user_model().objects.filter(username="bench-officer").first()
    if user is None:
        user, _ = do_create_staff("bench-officer", "province_officer", area=PROVINCE)
    case_id = load_case(args, user)
    if args.explain:
        explain(case_id, user)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)

    def get(path: str):
        def run() -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return run

    base = f"/api/v1/cases/{case_id}"
    deep = client.get(f"{base}/contacts?depth=2&limit=1000").json()
    for _ in range(20):  # twenty pages in: the keyset cursor, not an offset
        if deep["next"] is None:
            break
        deep = client.get(deep["next"]).json()
    kinds = {
        "baseline: /healthz": get("/healthz"),
        "baseline: raw SQL of the F1 first page": lambda: raw_first_page(case_id),
        "F1 list, first page (depth=1, limit=100)": get(f"{base}/contacts?depth=1"),
        "F1 + F2, first page (depth=2, limit=100)": get(f"{base}/contacts?depth=2"),
        "F1 + F2, 100 after 20,000 (cursor)": get(
            (deep["next"] or f"{base}/contacts?limit=1000").replace("limit=1000", "limit=100")
        ),
        "F1 list, limit=1000": get(f"{base}/contacts?depth=1&limit=1000"),
        "exposure windows, first page": get(f"{base}/exposure-windows"),
        "case API": get(base),
        "case page (HTML, 50 contacts)": get(f"/staff/tracing/{case_id}/"),
    }
    results = {}
    for name, fn in kinds.items():
        results[name] = timed(fn, args.repeat)
        log(f"{name}: p50 {pct(results[name], 50):.1f} / p95 {pct(results[name], 95):.1f} ms")
    floor = pct(results["baseline: /healthz"], 50)
    raw = pct(results["baseline: raw SQL of the F1 first page"], 50)
    print(f"\ncase {case_id}: {args.f1:,} F1, {args.f2:,} F2; load average {loadavg()}")
    print("| request | p50 ms | p95 ms | p50 ÷ /healthz | p50 ÷ raw SQL |")
    print("| --- | --- | --- | --- | --- |")
    for name, values in results.items():
        p50, p95 = pct(values, 50), pct(values, 95)
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {p50 / floor:.1f}× | {p50 / raw:.1f}× |")
    f1 = pct(results["F1 list, first page (depth=1, limit=100)"], 95)
    verdict = "ok" if f1 <= TARGET_P95_MS else "MISSED"
    print(f"\nF1 list with evidence p95 {f1:.1f} ms (target ≤ {TARGET_P95_MS:.0f} ms: {verdict})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
