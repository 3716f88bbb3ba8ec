"""Check-ins through a real server: ``phongdich serve`` (gunicorn, two sync worker processes,
the fast path in front of Django) driven over HTTP by the load benchmark itself, on a database
of its own (SQLite always; PostgreSQL too when the suite runs on it). Every answered check-in is
in the database exactly once, and every check-out closed one visit: concurrency across
processes loses and duplicates nothing."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _phongdich(env: dict, *args: str) -> str:
    done = subprocess.run(  # noqa: S603  (this interpreter, fixed arguments)
        [sys.executable, "-m", "phongdich", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,  # a guard against a hung child, not a speed check: migrate takes 1–2 min on a busy machine
        check=True,
    )
    return done.stdout.strip()


@contextmanager
def _database(kind: str, tmp_path: Path):
    """A database of the server's own (it cannot see the test's transaction): a SQLite file, or
    on a PostgreSQL run a fresh database on the same server, dropped afterwards."""
    if kind == "sqlite":
        yield None, lambda: sqlite3.connect(tmp_path / "phongdich.sqlite3")
        return
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("PostgreSQL runs of the suite only")
    import psycopg

    base, _, _name = url.rpartition("/")
    name = f"pd_served_{os.getpid()}_{int(time.time())}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}", lambda: psycopg.connect(f"{base}/{name}")
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def served(request, tmp_path):
    with _database(request.param, tmp_path) as (database_url, connect):
        yield from _serve(tmp_path, database_url, connect)


def _serve(tmp_path: Path, database_url: str | None, connect):
    env = {
        **os.environ,
        "PHONGDICH_DATA_DIR": str(tmp_path),
        "PHONGDICH_CHECKIN_RATE_PER_MINUTE": "1000000",
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    _phongdich(env, "migrate", "-v", "0")
    _phongdich(env, "adduser", "bench", "--role", "province_officer", "--area", "38",
               "--password", "bench-password-12345")  # fmt: skip
    token = _phongdich(env, "token", "bench").split()[-1]
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "phongdich",
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--threads",
            "1",
            "--no-worker",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(server.stderr.read().decode()) from None
                time.sleep(0.3)
        yield url, token, connect
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_served_checkins_are_all_recorded_once(served, tmp_path):
    url, token, connect = served
    summary = tmp_path / "summary.json"
    run = subprocess.run(  # noqa: S603
        [
            sys.executable,
            str(ROOT / "benchmarks" / "checkin_load.py"),
            "--url",
            url,
            "--token",
            token,
            "--venues",
            "5",
            "--clients",
            "8",
            "--requests",
            "600",
            "--seconds",
            "120",
            "--warmup",
            "0",
            "--json",
            str(summary),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(summary.read_text())
    outcomes = result["outcomes"]
    assert result["errors"] == 0 and result["requests"] == 600
    created = outcomes.get("new 201", 0) + outcomes.get("repeat 201", 0)
    closed = outcomes.get("checkout 200", 0)
    assert created > 400 and closed > 0 and outcomes.get("retry 200", 0) > 0
    db = connect()
    try:
        visits, open_visits, people = db.execute(
            "SELECT (SELECT count(*) FROM checkpoints_visit),"
            " (SELECT count(*) FROM checkpoints_visit WHERE checked_out_at IS NULL),"
            " (SELECT count(*) FROM people_person)"
        ).fetchone()
    finally:
        db.close()
    assert visits == created
    assert visits - open_visits == closed
    assert people == outcomes.get("new 201", 0)
