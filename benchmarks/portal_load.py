"""Ward portal pages under load, beside a hello-world Django view, in the same run.

Sets up a database of its own with the demo's portal content (the seed's article, the ward's
section), starts gunicorn with the project's WSGI application plus a hello-world view (the same
middleware stack), and drives each URL with the same asyncio HTTP/1.1 client from
``checkin_load.py`` — the load generator runs on the same machine and its CPU is reported. After
each run it checks that the visitor counter rose by exactly the number of 200 answers.

    .venv/bin/python benchmarks/portal_load.py [--seconds 10] [--clients 32] [--workers 3]
        [--database-url postgres://postgres@127.0.0.1:5432/pd_bench_portal]

Target: the home page and an article page at ≥ 1,000 requests/s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from checkin_load import RawConnection, TransportError, cpu_seconds, summarise  # noqa: E402

BROWSER = "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 Chrome/130 Mobile"


def setup_database(env: dict[str, str]) -> dict[str, str]:
    """Migrate and load the portal's demo content; returns the paths to drive and page ids."""
    code = (
        "import django, json; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from phongdich.portal.demo.portal import ensure_portal_demo\n"
        "from phongdich.portal.pages import ArticlePage, WardHomePage\n"
        "from phongdich.portal.sections import site_home\n"
        "ward_url = ensure_portal_demo(38)\n"
        "ward = WardHomePage.objects.get(ward_id=14797)\n"
        "article = ArticlePage.objects.descendant_of(ward).order_by('date').first()\n"
        "print(json.dumps({'home': ['/', site_home().pk], 'ward': [ward_url, ward.pk],"
        " 'article': [article.url, article.pk]}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def views_of(env: dict[str, str], page_id: int) -> int:
    code = (
        "import django; django.setup()\n"
        "from django.db.models import Sum\n"
        "from phongdich.portal.counters import PageViewDay\n"
        f"print(PageViewDay.objects.filter(page_id={page_id}).aggregate(n=Sum('views'))['n'] or 0)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip().splitlines()[-1])


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "portal_app:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
            "--chdir", str(ROOT / "benchmarks"), "--log-level", "warning",
        ],
        env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            asyncio.run(_probe(port))
            return server
        except (OSError, TransportError):
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the server did not start")


async def _probe(port: int) -> None:
    conn = RawConnection("127.0.0.1", port, 5)
    try:
        await conn.request("GET", "/bench-hello", b"", {"User-Agent": BROWSER})
    finally:
        await conn.close()


async def drive(port: int, path: str, clients: int, seconds: float) -> dict:
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds

    async def loop() -> None:
        nonlocal errors
        conn = RawConnection("127.0.0.1", port, 10)
        try:
            while time.monotonic() < stop:
                started = time.perf_counter()
                try:
                    status, _ = await conn.request("GET", path, b"", {"User-Agent": BROWSER})
                except TransportError:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - started)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            await conn.close()

    cpu0, wall0 = cpu_seconds(), time.monotonic()
    await asyncio.gather(*(loop() for _ in range(clients)))
    wall, cpu = time.monotonic() - wall0, cpu_seconds() - cpu0
    ok = statuses.get(200, 0)
    return {
        "path": path,
        "ok": ok,
        "statuses": statuses,
        "transport_errors": errors,
        "rps": ok / wall,
        "latency_ms": summarise(latencies),
        "generator_cpu_per_request_ms": 1000 * cpu / max(1, sum(statuses.values())),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8023)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--cache-seconds", type=int, default=10)
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()

    data = tempfile.mkdtemp(prefix="pd-portal-bench-")
    env = {
        **os.environ,
        "PHONGDICH_DATA_DIR": data,
        "PHONGDICH_PORTAL_CACHE_SECONDS": str(args.cache_seconds),
        "DJANGO_SETTINGS_MODULE": "phongdich.settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "benchmarks")]),
    }
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    print(f"Setting up {args.database_url or 'SQLite in ' + data} …", flush=True)
    pages = setup_database(env)
    server = start_server(env, args.port, args.workers)
    results = []
    try:
        targets = [("hello-world Django view", "/bench-hello", None)] + [
            (name, url, page_id) for name, (url, page_id) in pages.items()
        ]
        for name, path, page_id in targets:
            before = views_of(env, page_id) if page_id else 0
            result = asyncio.run(drive(args.port, path, args.clients, args.seconds))
            result["name"] = name
            if page_id:
                counted = views_of(env, page_id) - before
                result["counted"] = counted
                result["counter_exact"] = counted == result["ok"]
            results.append(result)
            lat = result["latency_ms"]
            exact = (
                ""
                if page_id is None
                else f"  counter +{result['counted']} for {result['ok']} views "
                f"({'exact' if result['counter_exact'] else 'MISMATCH'})"
            )
            print(
                f"{name:<24} {result['rps']:8.0f} req/s  p50 {lat['p50']:.1f} ms  "
                f"p99 {lat['p99']:.1f} ms  generator {result['generator_cpu_per_request_ms']:.2f} "
                f"ms CPU/req  statuses {result['statuses']}{exact}",
                flush=True,
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0 if all(r.get("counter_exact", True) for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
