"""CPU time per check-in, in process: the default mix through the WSGI application.

Wall-clock load tests (``checkin_load.py``) swing with whatever else the machine runs; the CPU
time one request costs the server process moves much less. This script calls the WSGI
application directly (the anonymous fast path included, as gunicorn would), on a new SQLite
database, and prints the CPU milliseconds per request of each kind. Run it on two versions of
the code in turns to compare them (the baseline measured in the same run is the other version):

    PYTHONPATH=src .venv/bin/python benchmarks/checkin_cpu.py --requests 3000
    PYTHONPATH=OTHER/src .venv/bin/python benchmarks/checkin_cpu.py --requests 3000
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid


def _environ(method: str, path: str, body: bytes) -> dict:
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def _call(app, path: str, payload: dict) -> tuple[int, dict]:
    body = json.dumps(payload).encode()
    status: list[str] = []
    chunks = app(_environ("POST", path, body), lambda s, h, e=None: status.append(s))
    content = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return int(status[0].split()[0]), json.loads(content or b"{}")


def _person(rng: random.Random, n: int) -> dict:
    return {
        "full_name": "Nguyễn Văn An",
        "birth_year": 1950 + n % 50,
        "gender": "male",
        "phone": f"091{rng.randrange(10**7):07d}",
        "id_number": f"038{rng.randrange(10**9):09d}",
        "nationality": "VN",
        "ward_code": 14797,
        "address": "1 Lê Lợi",
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--requests", type=int, default=3000)
    p.add_argument("--venues", type=int, default=20)
    p.add_argument("--seed", type=int, default=38)
    args = p.parse_args(argv)

    os.environ["PHONGDICH_DATA_DIR"] = tempfile.mkdtemp(prefix="pd-cpu-")
    os.environ["PHONGDICH_CHECKIN_RATE_PER_MINUTE"] = "100000000"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phongdich.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from phongdich.accounts.actions import do_create_staff
    from phongdich.wsgi import application as app

    try:
        from phongdich.checkpoints.venue_actions import do_register_venue
    except ImportError:  # versions before venue_actions
        from phongdich.checkpoints.actions import do_register_venue

    officer = do_create_staff("bench", "ward_officer", area=14797)[0]
    venues = [
        do_register_venue(
            {
                "name": f"Điểm {i}",
                "kind": "office",
                "address": "1 Lê Lợi",
                "ward_code": 14797,
                "phone": "0237 3742 289",
            },
            actor=officer,
        ).code
        for i in range(args.venues)
    ]
    rng = random.Random(args.seed)
    tokens: list[str] = []
    open_visits: list[str] = []
    cpu: dict[str, list[float]] = {"new": [], "repeat": [], "checkout": [], "retry": []}
    last: dict | None = None
    for n in range(args.requests):
        roll = rng.random()
        venue = rng.choice(venues)
        if roll < 0.2 and tokens:
            kind = "repeat"
            payload = {
                "venue": venue,
                "client_id": str(uuid.uuid4()),
                "person_token": rng.choice(tokens),
                "declaration": {"symptoms": [], "commitment": True},
            }
        elif roll < 0.25 and last is not None:
            kind, payload = "retry", last
        elif roll < 0.45 and open_visits:
            kind = "checkout"
            payload = {"client_id": open_visits.pop(rng.randrange(len(open_visits)))}
        else:
            kind = "new"
            payload = {
                "venue": venue,
                "client_id": str(uuid.uuid4()),
                "person": _person(rng, n),
                "declaration": {"symptoms": [], "commitment": True},
            }
        path = "/api/v1/checkouts" if kind == "checkout" else "/api/v1/checkins"
        started = time.process_time()
        status, out = _call(app, path, payload)
        cpu[kind].append((time.process_time() - started) * 1000)
        if status >= 400 and not (kind == "repeat" and status == 409):
            print(f"{kind}: HTTP {status} {out}", file=sys.stderr)
        if kind in ("new", "repeat") and status in (200, 201):
            if kind == "new":
                tokens.append(out["person_token"])
                last = payload
            open_visits.append(out["client_id"])
    total = [v for values in cpu.values() for v in values]
    print(f"requests {len(total)}; CPU ms per request, mean / median:")
    for kind, values in [*cpu.items(), ("all", total)]:
        if values:
            print(
                f"  {kind:9} {len(values):6}  {statistics.fmean(values):6.3f} / "
                f"{statistics.median(values):6.3f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
