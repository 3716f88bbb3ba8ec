"""Check-in load test: many citizens checking in at many checkpoints at once.

Drives a RUNNING PhòngDịch server over HTTP; it starts nothing itself and only talks to loopback
addresses (127.0.0.0/8, ::1). N concurrent clients (``--clients``), each on its own keep-alive
connection, post ``POST /api/v1/checkins`` for ``--seconds`` (or until ``--requests`` measured
requests are done, whichever comes first) with a realistic mix:

* most requests are new people declaring in full (``person`` + ``declaration``),
* ``--repeat-share`` are people who came before and send their ``person_token``,
* ``--retry-share`` re-send an earlier check-in with the same ``client_id`` (expect 200, no new row),
* ``--checkout-share`` are check-outs (``POST /api/v1/checkouts`` with the visit's ``client_id``).

The requests are anonymous, like a citizen's phone: the public endpoints then count them against
the per-address rate limit (PHONGDICH_CHECKIN_RATE_PER_MINUTE, default 120 a minute), and every
request here comes from 127.0.0.1. Start the server under test with a high limit, e.g.::

    PHONGDICH_CHECKIN_RATE_PER_MINUTE=1000000 phongdich serve --port 8011 --workers 4 --threads 1 --no-worker

Venues: ``--venues-file FILE`` (one code per line), or ``--token TOKEN`` of an officer of
``--ward`` (``phongdich token USERNAME``) and the script creates ``--venues`` active venues through
``POST /api/v1/venues`` first (``--save-venues FILE`` keeps their codes for later runs).

By default clients run closed-loop (each sends its next request when the previous one is
answered: finds the maximum throughput). ``--rate R`` paces the whole run at R requests/s instead
(open loop; latency is counted from each request's scheduled time, so a server that falls behind
shows it): use it to check a latency target at a given load, e.g. ``--rate 500``.

The report gives requests by kind and status, unexpected statuses as errors, throughput
(check-ins/s and all requests/s), latency p50/p95/p99/max in ms, and the CPU time this load
generator used (it shares the machine with the server). ``--engine raw`` (default) is a small
asyncio HTTP/1.1 client; ``--engine httpx`` uses httpx.AsyncClient (about ten times more CPU).

Example::

    python benchmarks/checkin_load.py --url http://127.0.0.1:8011 --token pd_... \\
        --venues 50 --clients 32 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import json
import random
import resource
import socket
import sys
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

API = "/api/v1"
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
            "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]  # fmt: skip
MIDDLE = {"male": ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh"],
          "female": ["Thị", "Ngọc", "Thu", "Minh", "Thanh", "Kim"]}  # fmt: skip
GIVEN = {"male": ["An", "Bình", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phúc", "Quân",
                  "Sơn", "Tuấn", "Việt"],
         "female": ["Châu", "Giang", "Hà", "Hạnh", "Hương", "Lan", "Linh", "Mai", "Nga", "Thảo",
                    "Trang", "Vy", "Yến"]}  # fmt: skip
STREETS = ["Lê Lợi", "Trần Phú", "Hàm Nghi", "Bà Triệu", "Quang Trung", "Lý Thường Kiệt",
           "Phan Chu Trinh", "Nguyễn Trãi"]  # fmt: skip
MOBILE_PREFIXES = ["032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097",
                   "098", "081", "082", "083", "084", "085", "088", "091", "094", "070", "076",
                   "077", "078", "079", "089", "090", "093"]  # fmt: skip
VENUE_KINDS = ["office", "school", "market", "shop", "restaurant", "factory", "hospital"]


# --------------------------------------------------------------------------------------------
# HTTP clients


class TransportError(Exception):
    """The connection failed before a response arrived."""


class RawConnection:
    """A minimal HTTP/1.1 client on one keep-alive connection (asyncio streams).

    Costs a fraction of httpx's CPU per request, which matters when the load generator shares a
    small machine with the server. Reconnects when the server closes the connection (gunicorn's
    sync workers answer ``Connection: close``; gthread closes idle ones after ``keepalive`` s).
    """

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.host_header = f"{host}:{port}" if ":" not in host else f"[{host}]:{port}"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        head = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host_header}",
            f"Content-Length: {len(body)}",
        ]
        head += [f"{k}: {v}" for k, v in headers.items()]
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        reused = self.writer is not None
        try:
            async with asyncio.timeout(self.timeout):
                return await self._exchange(data)
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError) as error:
            await self.close()
            if not reused or isinstance(error, TimeoutError):
                raise TransportError(type(error).__name__) from error
        # A kept-alive connection the server had just closed: once more on a fresh one (check-ins
        # and check-outs are idempotent on client_id, so a resend is harmless).
        try:
            async with asyncio.timeout(self.timeout):
                return await self._exchange(data)
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError) as error:
            await self.close()
            raise TransportError(type(error).__name__) from error

    async def _exchange(self, data: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            sock = self.writer.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        assert self.reader is not None
        self.writer.write(data)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head[:-4].split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip().lower()
        if b"content-length" in headers:
            body = await self.reader.readexactly(int(headers[b"content-length"]))
        elif headers.get(b"transfer-encoding") == b"chunked":
            body = await self._read_chunked()
        else:
            body = await self.reader.read()
            headers[b"connection"] = b"close"
        if headers.get(b"connection") == b"close":
            await self.close()
        return status, body

    async def _read_chunked(self) -> bytes:
        assert self.reader is not None
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self._trailer()
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    async def _trailer(self) -> None:
        assert self.reader is not None
        while (await self.reader.readuntil(b"\r\n")) != b"\r\n":
            pass

    async def close(self) -> None:
        writer, self.reader, self.writer = self.writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()


class HttpxConnection:
    """The same interface over a shared httpx.AsyncClient (for comparison)."""

    def __init__(self, client, base: str) -> None:
        self.client, self.base = client, base

    async def request(
        self, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        import httpx

        try:
            response = await self.client.request(
                method, self.base + path, content=body, headers=headers
            )
        except httpx.TransportError as error:
            raise TransportError(type(error).__name__) from error
        return response.status_code, response.content

    async def close(self) -> None:
        return None


# --------------------------------------------------------------------------------------------
# The workload


@dataclass
class Op:
    kind: str  # new, repeat, retry, checkout
    path: str
    body: bytes
    expected: tuple[int, ...]
    client_id: str = ""


@dataclass
class Workload:
    venues: list[str]
    ward: int
    repeat_share: float
    retry_share: float
    checkout_share: float
    flagged_share: float
    rng: random.Random
    serial: int = 0
    id_base: int = 0
    tokens: deque = field(default_factory=lambda: deque(maxlen=20000))
    sent: deque = field(default_factory=lambda: deque(maxlen=5000))  # bodies of created visits
    open_visits: list[str] = field(default_factory=list)

    def next_op(self) -> Op:
        r = self.rng.random()
        if r < self.retry_share and self.sent:
            return Op("retry", f"{API}/checkins", self.rng.choice(self.sent), (200,))
        r -= self.retry_share
        if r < self.checkout_share and self.open_visits:
            # Any open visit: swap-remove keeps this O(1).
            i = self.rng.randrange(len(self.open_visits))
            self.open_visits[i], self.open_visits[-1] = self.open_visits[-1], self.open_visits[i]
            client_id = self.open_visits.pop()
            body = json.dumps({"client_id": client_id}).encode()
            return Op("checkout", f"{API}/checkouts", body, (200,))
        r -= self.checkout_share
        client_id = str(uuid.uuid4())
        payload: dict = {
            "venue": self.rng.choice(self.venues),
            "client_id": client_id,
            "declaration": self._declaration(),
        }
        if r < self.repeat_share and self.tokens:
            payload["person_token"] = self.rng.choice(self.tokens)
            kind, expected = "repeat", (201, 200)  # 200: already inside that venue
        else:
            payload["person"] = self._new_person()
            kind, expected = "new", (201,)
        body = json.dumps(payload, ensure_ascii=False).encode()
        return Op(kind, f"{API}/checkins", body, expected, client_id)

    def observe(self, op: Op, status: int, body: bytes) -> str:
        """Remember what later requests reuse; return an outcome label for the report."""
        if op.kind in ("new", "repeat") and status == 201:
            self.sent.append(op.body)
            self.open_visits.append(op.client_id)
            if op.kind == "new":
                self.tokens.append(json.loads(body)["person_token"])
        if op.kind == "repeat" and status == 200 and b'"already_inside": true' in body:
            return "already_inside"
        return ""

    def _new_person(self) -> dict:
        rng = self.rng
        self.serial += 1
        gender = rng.choice(("male", "female"))
        year = rng.randint(1940, 2012)
        century = (0 if year < 2000 else 2) + (gender == "female")
        # CCCD: 3-digit province of registration, sex/century digit, 2-digit year, 6-digit serial.
        # Unique in the run; the province and the serial's start are drawn per run (id_base),
        # so a database grown by earlier runs rarely holds the same number (a match would make
        # the "new" person a returning one, already inside in 1 case of --venues).
        province, start = divmod(self.id_base, 10**6)
        serial = (start + self.serial) % 10**6
        id_number = f"{province % 96 + 1:03d}{century}{year % 100:02d}{serial:06d}"
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE[gender])} {rng.choice(GIVEN[gender])}"
        return {
            "full_name": name,
            "birth_year": year,
            "gender": gender,
            "phone": f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7):07d}",
            "id_number": id_number,
            "nationality": "VN",
            "ward_code": self.ward,
            "address": f"{rng.randint(1, 300)} {rng.choice(STREETS)}",
        }

    def _declaration(self) -> dict:
        sick = self.rng.random() < self.flagged_share
        return {
            "symptoms": ["cough", "fever"] if sick else [],
            "exposures": [],
            "conditions": [],
            "travel": [],
            "commitment": True,
        }


# --------------------------------------------------------------------------------------------
# Running and reporting


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)  # seconds, every measured request
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    outcomes: Counter = field(default_factory=Counter)  # (kind, status or outcome)
    errors: Counter = field(default_factory=Counter)  # unexpected status / exception name
    error_samples: dict[str, str] = field(default_factory=dict)
    statuses: Counter = field(default_factory=Counter)  # HTTP status (or exception name)
    last_end: float = 0.0

    def add(
        self, op: Op, status: int | str, outcome: str, start: float, end: float, body: bytes
    ) -> None:
        seconds = end - start
        self.last_end = max(self.last_end, end)
        self.statuses[str(status)] += 1
        self.latencies.append(seconds)
        self.by_kind.setdefault(op.kind, []).append(seconds)
        self.outcomes[op.kind, outcome or str(status)] += 1
        if status not in op.expected:
            key = f"{op.kind} {status}"
            self.errors[key] += 1
            self.error_samples.setdefault(key, body[:300].decode("utf-8", "replace"))


@dataclass
class Run:
    workload: Workload
    stats: Stats
    measure_from: float
    deadline: float
    max_requests: int | None
    rate: float | None
    started: float
    scheduled: int = 0
    issued: int = 0  # measured requests sent so far (answered or not)

    def budget_left(self) -> bool:
        return self.max_requests is None or self.issued < self.max_requests


async def client_loop(run: Run, conn) -> None:
    loop_time = time.perf_counter
    while run.budget_left():
        now = loop_time()
        if now >= run.deadline:
            return
        start = now
        if run.rate:
            start = run.started + run.scheduled / run.rate
            run.scheduled += 1
            if start >= run.deadline:
                return
            if start > now:
                await asyncio.sleep(start - now)
        measured = start >= run.measure_from
        if measured:
            # Counted when sent, so that with --requests N exactly N are sent and all N counted.
            if not run.budget_left():  # used up by others while this client waited its turn
                return
            run.issued += 1
        op = run.workload.next_op()
        try:
            status, body = await conn.request("POST", op.path, op.body, JSON_HEADERS)
        except (TransportError, TimeoutError, OSError) as error:
            status, body = type(error).__name__, b""
            await asyncio.sleep(0.05)  # a server that went away: don't spin
        end = loop_time()
        outcome = run.workload.observe(op, status, body) if isinstance(status, int) else ""
        if measured:
            run.stats.add(op, status, outcome, start, end, body)


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def summarise(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": percentile(ordered, 50) * 1000,
        "p95": percentile(ordered, 95) * 1000,
        "p99": percentile(ordered, 99) * 1000,
        "max": (ordered[-1] if ordered else 0) * 1000,
    }


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def require_loopback(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise SystemExit(f"--url must be http://HOST:PORT on this machine, not {url!r}")
    port = parts.port or 80
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise SystemExit(f"cannot resolve {parts.hostname!r}: {error}") from None
    for info in infos:
        if not ipaddress.ip_address(info[4][0].split("%")[0]).is_loopback:
            raise SystemExit(f"refusing to load {parts.hostname!r}: only loopback targets allowed")
    return parts.hostname, port


async def check_server(host: str, port: int) -> None:
    try:
        async with asyncio.timeout(5):
            _, writer = await asyncio.open_connection(host, port)
    except (OSError, TimeoutError) as error:
        raise SystemExit(f"no server at {host}:{port} ({error}); start it first") from None
    writer.close()


async def create_venues(conn, token: str, count: int, ward: int) -> list[str]:
    headers = {**JSON_HEADERS, "Authorization": f"Bearer {token}"}
    codes = []
    for i in range(count):
        body = json.dumps(
            {
                "name": f"Điểm kiểm dịch thử tải {i + 1}",
                "kind": VENUE_KINDS[i % len(VENUE_KINDS)],
                "address": f"{i + 1} Lê Lợi",
                "ward_code": ward,
                "phone": "0237 3742 289",
                "operator": "Benchmark",
                "default_stay_minutes": 60,
            },
            ensure_ascii=False,
        ).encode()
        status, answer = await conn.request("POST", f"{API}/venues", body, headers)
        if status != 201:
            raise SystemExit(
                f"creating a venue failed: HTTP {status} {answer[:300]!r}\n"
                f"(the token's user must be an officer of ward {ward} or its province)"
            )
        codes.append(json.loads(answer)["code"])
    return codes


def load_venues(path: str) -> list[str]:
    codes = [line.strip() for line in Path(path).read_text().splitlines()]
    codes = [c for c in codes if c and not c.startswith("#")]
    if not codes:
        raise SystemExit(f"no venue codes in {path}")
    return codes


def make_connections(args, host: str, port: int):
    if args.engine == "raw":
        return None, [RawConnection(host, port, args.timeout) for _ in range(args.clients)]
    import httpx

    client = httpx.AsyncClient(
        timeout=args.timeout,
        limits=httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients),
    )
    return client, [HttpxConnection(client, args.url.rstrip("/")) for _ in range(args.clients)]


async def main_async(args) -> dict:
    host, port = require_loopback(args.url)
    await check_server(host, port)
    shared, conns = make_connections(args, host, port)
    try:
        if args.venues_file:
            venues = load_venues(args.venues_file)
        elif args.token:
            venues = await create_venues(conns[0], args.token, args.venues, args.ward)
            if args.save_venues:
                Path(args.save_venues).write_text("\n".join(venues) + "\n")
            print(f"created {len(venues)} venues in ward {args.ward}", file=sys.stderr)
        else:
            raise SystemExit("give --venues-file FILE or --token TOKEN (to create venues)")
        rng = random.Random(args.seed)
        workload = Workload(
            venues,
            args.ward,
            args.repeat_share,
            args.retry_share,
            args.checkout_share,
            args.flagged_share,
            rng,
            # New people differ from run to run even with --seed (the database keeps them).
            id_base=random.SystemRandom().randrange(96 * 10**6),
        )
        started = time.perf_counter()
        run = Run(
            workload,
            Stats(),
            started + args.warmup,
            started + args.warmup + args.seconds,
            args.requests,
            args.rate,
            started,
        )
        await asyncio.sleep(0)
        cpu_at_start = cpu_seconds()
        await asyncio.gather(*(client_loop(run, conn) for conn in conns))
        elapsed = (run.stats.last_end or time.perf_counter()) - run.measure_from
        cpu = cpu_seconds() - cpu_at_start
    finally:
        for conn in conns:
            await conn.close()
        if shared is not None:
            await shared.aclose()
    return report(args, run.stats, elapsed, cpu, args.warmup + elapsed, len(venues))


def report(args, stats: Stats, elapsed: float, cpu: float, wall: float, venues: int) -> dict:
    total = len(stats.latencies)
    checkins = sum(n for (kind, _), n in stats.outcomes.items() if kind != "checkout")
    result = {
        "url": args.url,
        "engine": args.engine,
        "clients": args.clients,
        "rate": args.rate,
        "venues": venues,
        "seconds": round(elapsed, 2),
        "requests": total,
        "checkins": checkins,
        "errors": sum(stats.errors.values()),
        "checkins_per_s": round(checkins / elapsed, 1) if elapsed > 0 else 0.0,
        "requests_per_s": round(total / elapsed, 1) if elapsed > 0 else 0.0,
        "latency_ms": {k: round(v, 1) for k, v in summarise(stats.latencies).items()},
        "latency_ms_by_kind": {
            kind: {k: round(v, 1) for k, v in summarise(vals).items()}
            for kind, vals in sorted(stats.by_kind.items())
        },
        "statuses": dict(sorted(stats.statuses.items())),
        "outcomes": {f"{k} {o}": n for (k, o), n in sorted(stats.outcomes.items())},
        "errors_by_status": dict(stats.errors),
        "generator_cpu_s": round(cpu, 2),
        "generator_cpu_pct_of_core": round(100 * cpu / wall, 1) if wall > 0 else 0.0,
        "generator_cpu_us_per_request": round(1e6 * cpu / total) if total else 0,
    }
    lat = result["latency_ms"]
    print(
        f"target {args.url}  engine={args.engine}  clients={args.clients}  venues={venues}  "
        f"rate={'closed-loop' if not args.rate else f'{args.rate:g}/s'}"
    )
    print(
        f"measured {elapsed:.1f} s (after {args.warmup:g} s warm-up): {total} requests, "
        f"{checkins} check-ins, {result['errors']} errors"
    )
    print(
        f"throughput: {result['checkins_per_s']} check-ins/s, {result['requests_per_s']} requests/s"
    )
    print(
        f"latency ms (all): p50 {lat['p50']:.1f}  p95 {lat['p95']:.1f}  p99 {lat['p99']:.1f}  "
        f"max {lat['max']:.1f}"
    )
    for kind, values in result["latency_ms_by_kind"].items():
        print(
            f"  {kind:<9} p50 {values['p50']:.1f}  p95 {values['p95']:.1f}  "
            f"p99 {values['p99']:.1f}  max {values['max']:.1f}"
        )
    print("statuses: " + ", ".join(f"{k}: {n}" for k, n in result["statuses"].items()))
    print("outcomes: " + ", ".join(f"{k}: {n}" for k, n in result["outcomes"].items()))
    for key, n in stats.errors.most_common():
        print(f"  ERROR {key}: {n}  e.g. {stats.error_samples[key]!r}")
    if any(key.endswith(" 429") for key in stats.errors):
        print("  (429: restart the server with PHONGDICH_CHECKIN_RATE_PER_MINUTE=1000000)")
    print(
        f"load generator CPU: {cpu:.2f} s over {wall:.1f} s "
        f"({result['generator_cpu_pct_of_core']}% of one core, "
        f"{result['generator_cpu_us_per_request']} µs/request)"
    )
    return result


def parse_args(argv: list[str] | None = None):
    p = argparse.ArgumentParser(
        description="Load-test POST /api/v1/checkins on a running PhòngDịch server (loopback only). "
        "Start the server with PHONGDICH_CHECKIN_RATE_PER_MINUTE=1000000: the "
        "requests are anonymous and all come from 127.0.0.1.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--url", default="http://127.0.0.1:8000", help="server base URL (loopback)")
    p.add_argument("--clients", type=int, default=32, help="concurrent connections")
    p.add_argument("--seconds", type=float, default=20.0, help="measured duration")
    p.add_argument(
        "--requests",
        type=int,
        default=None,
        help="stop after this many measured requests (the time limit still applies)",
    )
    p.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first")
    p.add_argument(
        "--rate",
        type=float,
        default=None,
        help="open loop: total requests/s to schedule (default: closed loop)",
    )
    p.add_argument("--venues-file", help="venue codes, one per line")
    p.add_argument("--token", help="officer API token, to create venues when no --venues-file")
    p.add_argument("--venues", type=int, default=50, help="venues to create with --token")
    p.add_argument("--save-venues", help="write the created venue codes to this file")
    p.add_argument(
        "--ward",
        type=int,
        default=14797,
        help="ward code of created venues and of people's addresses",
    )
    p.add_argument(
        "--repeat-share",
        type=float,
        default=0.20,
        help="share of check-ins by returning people (person_token)",
    )
    p.add_argument(
        "--retry-share",
        type=float,
        default=0.03,
        help="share of re-sent check-ins (same client_id, expect 200)",
    )
    p.add_argument("--checkout-share", type=float, default=0.05, help="share of check-outs")
    p.add_argument(
        "--flagged-share", type=float, default=0.02, help="share of declarations with symptoms"
    )
    p.add_argument(
        "--engine",
        choices=("raw", "httpx"),
        default="raw",
        help="raw asyncio HTTP/1.1 client (light) or httpx.AsyncClient",
    )
    p.add_argument("--timeout", type=float, default=30.0, help="per-request timeout (s)")
    p.add_argument("--seed", type=int, default=None, help="random seed (repeatable workload)")
    p.add_argument("--json", dest="json_out", help="also write the summary as JSON to this file")
    args = p.parse_args(argv)
    if not (1 <= args.clients <= 1000):
        p.error("--clients must be between 1 and 1000")
    if not (0 < args.seconds <= 3600) or not (0 <= args.warmup <= 600):
        p.error("--seconds must be in (0, 3600] and --warmup in [0, 600]")
    if args.requests is not None and args.requests < 1:
        p.error("--requests must be positive")
    if args.retry_share + args.checkout_share + args.repeat_share >= 1:
        p.error("--repeat-share + --retry-share + --checkout-share must stay below 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = asyncio.run(main_async(args))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return 1 if result["requests"] == 0 or result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
