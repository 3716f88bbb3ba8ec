"""Lab result import at scale, on SQLite and PostgreSQL: the real import code, timed.

How "a 50,000-row result file (10,000 pools of 5)" is read here: 50,000 samples pooled five to a
tube give the lab 10,000 pool results, and that file is the one that resolves 50,000 people.
Because a file of 50,000 *rows* is also what a large lab sends in a day, both are measured:

* **pools** — 10,000 pool rows (``--pools`` × ``--size``) for 50,000 pooled samples; each sample is
  infected with probability ``--prevalence`` (default 1 %, so ≈ 4.9 % of pools are positive).
  Negative pools resolve their members, positive pools create retest orders.
* **retests** — one row per retest order; the infected members come out positive, which opens
  their F0 cases (tracing's ``do_create_case``, contact search after the commit).
* **again** — the pool file imported a second time: nothing may change (checked).
* **rows** — one file of ``--rows`` (default 50,000) individual results for unpooled tubes of
  another session (≈ 1 % positive, each opening a case).

Each phase is ``preview`` (every row checked, nothing written) and ``commit`` (checked again and
written in one transaction). The set-up (people, sessions, samples, pools) is bulk-inserted and
not timed. Every SQL statement of a phase is counted, to show that none runs per row.

Each database runs in its own process on a fresh database: SQLite in a temporary directory,
PostgreSQL at ``--database-url`` (dropped and created again; loopback hosts only). Target: every
commit under 30 s. Examples::

    python benchmarks/lab_import.py                       # both databases
    python benchmarks/lab_import.py --database sqlite --pools 2000
    BENCH_SLOW=1 python benchmarks/lab_import.py --database postgres   # + slowest statements
"""

from __future__ import annotations

import argparse
import csv
import io
import ipaddress
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/pd_lab_bench"
DATA_DIR = Path(tempfile.gettempdir()) / "pd-lab-bench"
TARGET_SECONDS = 30.0
TARGET_SAMPLES = 50_000  # the file size the target is for
PROVINCE = 38  # Thanh Hóa
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Đức", "Ngọc", "Minh", "Thanh", "Hữu", "Quang", "Thu", "Xuân"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hùng", "Lan", "Long", "Mai", "Nam"]


# ------------------------------------------------------------------ the parent: one child per DB


def check_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    for info in socket.getaddrinfo(host, None):
        if not ipaddress.ip_address(info[4][0]).is_loopback:
            raise SystemExit(f"refusing a non-loopback database host: {host}")


def recreate_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql

    check_loopback(url)
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def run_child(engine: str, args: argparse.Namespace) -> dict[str, Any]:
    env = {**os.environ, "PHONGDICH_DATA_DIR": str(DATA_DIR / engine), "PHONGDICH_FAST_HASHER": "1"}
    env.pop("DATABASE_URL", None)
    if engine == "postgres":
        recreate_postgres(args.database_url)
        env["DATABASE_URL"] = args.database_url
    else:
        shutil.rmtree(DATA_DIR / engine, ignore_errors=True)
    argv = [
        sys.executable,
        __file__,
        "--child",
        engine,
        "--pools",
        str(args.pools),
        "--size",
        str(args.size),
        "--prevalence",
        str(args.prevalence),
        "--rows",
        str(args.rows),
        "--seed",
        str(args.seed),
    ]
    done = subprocess.run(argv, env=env, check=True, capture_output=True, text=True)
    sys.stderr.write(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> bool:
    ok = True
    for engine, result in results.items():
        print(
            f"\n{engine}: {result['vendor']} — set-up {result['setup_s']:.1f} s "
            f"({result['samples']:,} samples, {result['pools']:,} pools)"
        )
        print(
            f"  {'phase':<9}{'rows':>8}{'preview s':>11}{'commit s':>10}{'rows/s':>10}"
            f"{'queries':>9}  what changed"
        )
        for phase in result["phases"]:
            s = phase["summary"]
            changed = (
                f"{s['pools_negative']} neg. pools, {s['pools_positive']} pos. pools, "
                f"{s['retests_ordered']} retests, {s['samples_resolved']} resolved, "
                f"{s['cases']} cases"
                if s["new"]
                else "nothing (all unchanged)"
            )
            rate = phase["rows"] / phase["commit_s"] if phase["commit_s"] else 0
            flag = "" if phase["commit_s"] < TARGET_SECONDS else "  ✗ over target"
            ok &= phase["commit_s"] < TARGET_SECONDS and phase["ok"]
            print(
                f"  {phase['name']:<9}{phase['rows']:>8,}{phase['preview_s']:>11.2f}"
                f"{phase['commit_s']:>10.2f}{rate:>10,.0f}{phase['queries']:>9}  "
                f"{changed}{flag}"
            )
    if not full_scale(args):
        # Over 30 s on smaller files is a failure still; within it proves nothing.
        print(
            f"\nTarget: each commit < {TARGET_SECONDS:.0f} s for files of {TARGET_SAMPLES:,} — "
            + ("not judged: this run's files are smaller" if ok else "NOT met, on smaller files")
        )
        return ok
    print(f"\nTarget: each commit < {TARGET_SECONDS:.0f} s — {'met' if ok else 'NOT met'}")
    return ok


def full_scale(args: argparse.Namespace) -> bool:
    """Whether the files are as large as the target's (50,000 samples in pools, 50,000 rows or
    none): a smaller run within 30 s says nothing about the target."""
    return args.pools * args.size >= TARGET_SAMPLES and (
        args.rows == 0 or args.rows >= TARGET_SAMPLES
    )


# ------------------------------------------------------------------ the child: one database


def setup_django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phongdich.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


class QueryCounter:
    """Counts statements, and keeps the slowest ones for ``--slow``."""

    def __init__(self) -> None:
        self.count = 0
        self.slowest: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.slowest.append((time.perf_counter() - start, sql[:160]))
            self.slowest = sorted(self.slowest, reverse=True)[:5]


def build_world(args: argparse.Namespace, rng: random.Random) -> dict[str, Any]:
    """People, two sessions, pooled and unpooled samples, received by the lab (bulk, untimed)."""
    from django.utils import timezone

    from phongdich.accounts.actions import do_create_staff
    from phongdich.lib.codes import new_code, new_token
    from phongdich.lib.text import fold
    from phongdich.people.models import Person
    from phongdich.places.models import Ward
    from phongdich.testing.actions import do_create_lab, do_create_session
    from phongdich.testing.models import Pool, PoolStatus, Sample

    tech, _ = do_create_staff("bench-lab", "lab_technician", area=PROVINCE, password="x" * 12)
    officer, _ = do_create_staff(
        "bench-officer", "province_officer", area=PROVINCE, password="x" * 12
    )
    lab = do_create_lab("CDC Thanh Hóa", PROVINCE, staff=[tech])
    wards = list(Ward.objects.filter(province_id=PROVINCE).values_list("code", flat=True))
    today = timezone.localdate().isoformat()
    pooled_session = do_create_session(
        {
            "site": "Sàng lọc toàn phường",
            "ward_code": wards[0],
            "date": today,
            "test_type": "rt_pcr",
            "target_kind": "households",
        },
        actor=officer,
    )
    single_session = do_create_session(
        {
            "site": "Bệnh viện tỉnh",
            "ward_code": wards[1],
            "date": today,
            "test_type": "rt_pcr",
            "target_kind": "walk_in",
        },
        actor=officer,
    )
    count = args.pools * args.size + args.rows
    people = []
    for n in range(count):
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        people.append(
            Person(
                full_name=name,
                name_folded=fold(name),
                birth_year=rng.randint(1940, 2020),
                gender=rng.choice(["male", "female"]),
                phone=f"+849{n:08d}",
                ward_id=rng.choice(wards),
                token=new_token(),
            )
        )
    Person.objects.bulk_create(people, batch_size=5000)
    person_ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    codes: set[str] = set()
    while len(codes) < count + args.pools:
        codes.add(new_code())
    code_list = list(codes)
    now = timezone.now()
    collected = now - timedelta(hours=20)
    received = now - timedelta(hours=14)
    pools = [
        Pool(
            session=pooled_session,
            code=code_list[i],
            max_size=args.size,
            status=PoolStatus.RECEIVED,
            closed_at=collected,
            lab=lab,
            received_at=received,
        )
        for i in range(args.pools)
    ]
    Pool.objects.bulk_create(pools, batch_size=5000)
    pool_ids = list(Pool.objects.order_by("pk").values_list("pk", "code"))
    tubes = code_list[args.pools :]
    samples = []
    for i in range(count):
        in_pool = i < args.pools * args.size
        samples.append(
            Sample(
                session=pooled_session if in_pool else single_session,
                person_id=person_ids[i],
                tube_code=tubes[i],
                collected_at=collected,
                pool_id=pool_ids[i // args.size][0] if in_pool else None,
                lab=lab,
                received_at=received,
            )
        )
    Sample.objects.bulk_create(samples, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:  # planner statistics, as a live database has them
        cursor.execute("ANALYZE")
    infected = {t for t in tubes if rng.random() < args.prevalence}
    members: dict[str, list[str]] = {}
    for i, tube in enumerate(tubes[: args.pools * args.size]):
        members.setdefault(pool_ids[i // args.size][1], []).append(tube)
    return {
        "tech": tech,
        "lab": lab,
        "pools": members,
        "single": tubes[args.pools * args.size :],
        "infected": infected,
        "samples": count,
    }


def csv_bytes(rows: list[tuple[str, str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Mã mẫu", "Kết quả", "Ct", "Thời gian"])
    from django.utils import timezone

    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")  # as analysers write it: local time
    writer.writerows([(code, result, ct, stamp) for code, result, ct in rows])
    return out.getvalue().encode("utf-8")


def timed_import(name: str, data: bytes, world: dict[str, Any]) -> dict[str, Any]:
    from django.db import connection

    from phongdich.testing.imports import do_import_results, preview_results

    counter = QueryCounter()
    start = time.perf_counter()
    preview = preview_results(data, f"{name}.csv", user=world["tech"])
    preview_s = time.perf_counter() - start
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        summary = do_import_results(data, f"{name}.csv", user=world["tech"], lab=world["lab"])
        commit_s = time.perf_counter() - start
    if os.environ.get("BENCH_SLOW"):
        for seconds, statement in counter.slowest:
            sys.stderr.write(f"{name}: {seconds:.2f} s {statement}\n")
    return {
        "name": name,
        "rows": len(preview.rows),
        "preview_s": preview_s,
        "commit_s": commit_s,
        "queries": counter.count,
        "summary": summary,
        "ok": preview.ok,
    }


def child(args: argparse.Namespace) -> None:
    setup_django()
    from django.db import connection

    from phongdich.testing.models import RetestOrder

    rng = random.Random(args.seed)
    start = time.perf_counter()
    world = build_world(args, rng)
    setup_s = time.perf_counter() - start
    infected = world["infected"]

    def result(tube: str) -> tuple[str, str, str]:
        sick = tube in infected
        return (
            tube,
            "Dương tính" if sick else "Âm tính",
            f"{rng.uniform(18, 32):.1f}" if sick else "",
        )

    pool_rows = [
        (code, "positive" if any(t in infected for t in tubes) else "negative", "")
        for code, tubes in world["pools"].items()
    ]
    pool_file = csv_bytes(pool_rows)
    phases = [timed_import("pools", pool_file, world)]
    retests = RetestOrder.objects.filter(done_at__isnull=True).values_list(
        "sample__tube_code", flat=True
    )
    phases.append(timed_import("retests", csv_bytes([result(t) for t in retests]), world))
    again = timed_import("again", pool_file, world)
    again["ok"] = again["ok"] and again["summary"]["new"] == 0
    phases.append(again)
    if world["single"]:
        phases.append(timed_import("rows", csv_bytes([result(t) for t in world["single"]]), world))
    print(
        json.dumps(
            {
                "vendor": f"{connection.vendor} {connection.Database.__name__}",
                "setup_s": setup_s,
                "samples": world["samples"],
                "pools": len(world["pools"]),
                "phases": phases,
            },
            default=str,
        )
    )


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG))
    p.add_argument("--pools", type=int, default=10_000)
    p.add_argument("--size", type=int, default=5)
    p.add_argument("--prevalence", type=float, default=0.01)
    p.add_argument(
        "--rows",
        type=int,
        default=50_000,
        help="individual results in the large single file (0 skips that phase)",
    )
    p.add_argument("--seed", type=int, default=2021)
    p.add_argument("--json", metavar="FILE", help="also write the figures to FILE as JSON")
    p.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.child:
        child(args)
        return 0
    engines = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    results = {engine: run_child(engine, args) for engine in engines}
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    return 0 if report(results, args) else 1


if __name__ == "__main__":
    sys.exit(main())
