"""Bulk SMS through a real Kannel: submit rate, submit latency, and delivery reports matched.

Starts bearerbox + smsbox + Kannel's fake SMSC on free loopback ports (the same harness as the
tests, ``tests/sms/kannel_server.py``; needs the Debian packages ``kannel`` and
``kannel-extras``) and a small HTTP server as our delivery-report endpoint. Then:

* **baseline**: the same client code (``KannelGateway``, one keep-alive connection per thread)
  against a trivial local HTTP server that answers ``0: Accepted for delivery`` at once —
  what the client and the loopback cost without Kannel;
* **kannel**: N messages (Vietnamese, UCS-2, each with its own id and signed ``dlr-url``) to
  distinct numbers, from T threads; then waits until every message has reached the fake
  SMSC and every delivery report (SMSC accepted, delivered) has come back, and matches each
  report to its message by our id.

Prints SMS/s, p50/p95/max submit latency, and the report counts. Example::

    .venv/bin/python benchmarks/sms.py --messages 2000 --threads 8
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.sms.kannel_server import (
    PASSWORD,
    USERNAME,
    DlrReceiver,
    KannelServer,
    find_binaries,
)

from phongdich.lib.sms import (
    DeliveryStatus,
    KannelConfig,
    KannelGateway,
    OutgoingSms,
    parse_delivery_report,
)

SECRET = b"benchmark dlr secret"
# At most 70 characters: one UCS-2 SMS, so the fake SMSC log holds whole texts to compare.
TEXT = "Phường Hạc Thành: mũi tiêm số {i} của bạn lúc 8:00 mai ở trạm y tế."


class _AcceptAll(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as smsbox
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        # One write for head and body: two small writes would meet the client's delayed ACK
        # and cost 40 ms each (Nagle), measuring the kernel rather than the client.
        body = b"0: Accepted for delivery"
        head = f"HTTP/1.1 202 Accepted\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        self.wfile.write(head + body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _BaselineServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default 5 makes a burst of connects wait for SYN retries


def _messages(count: int) -> list[OutgoingSms]:
    # Distinct, valid Viettel-style numbers: 0980000000, 0980000001, …
    return [OutgoingSms(f"+8498{i:07d}", TEXT.format(i=i)) for i in range(count)]


def _submit(gateway: KannelGateway, messages: list[OutgoingSms], threads: int) -> dict:
    latencies: list[float] = []
    failures: Counter[str] = Counter()
    lock = threading.Lock()

    def one(message: OutgoingSms) -> None:
        start = time.perf_counter()
        result = gateway.send(message)
        elapsed = time.perf_counter() - start
        with lock:
            latencies.append(elapsed)
            if not result.ok:
                failures[result.error.code if result.error else "unknown"] += 1

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, messages))
    wall = time.perf_counter() - start
    latencies.sort()
    return {
        "messages": len(messages),
        "seconds": round(wall, 3),
        "sms_per_s": round(len(messages) / wall, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 2),
        "p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 2),
        "max_ms": round(1000 * latencies[-1], 2),
        "failures": dict(failures),
    }


def run_baseline(count: int, threads: int) -> dict:
    server = _BaselineServer(("127.0.0.1", 0), _AcceptAll)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/sendsms"
        gateway = KannelGateway(KannelConfig(url, USERNAME, PASSWORD, "HacThanh"))
        return _submit(gateway, _messages(count), threads)
    finally:
        server.shutdown()
        server.server_close()


def _match_reports(receiver: DlrReceiver, ids: set[str]) -> dict:
    by_status: Counter[str] = Counter()
    seen: Counter[tuple[str, int]] = Counter()
    unmatched = invalid = 0
    for raw in list(receiver.reports):
        try:
            report = parse_delivery_report(raw, SECRET)
        except ValueError:
            invalid += 1
            continue
        if report.message_id not in ids:
            unmatched += 1
            continue
        by_status[report.status.name.lower()] += 1
        seen[(report.message_id, report.status)] += 1
    delivered_ids = {mid for (mid, status) in seen if status is DeliveryStatus.DELIVERED}
    return {
        "reports": len(receiver.reports),
        "by_status": dict(by_status),
        "messages_with_delivered_report": len(delivered_ids),
        "duplicates": sum(n - 1 for n in seen.values()),
        "unmatched": unmatched,
        "invalid": invalid,
    }


def run_kannel(count: int, threads: int, wait: float) -> dict:
    binaries = find_binaries()
    if binaries is None:
        sys.exit("needs bearerbox, smsbox and fakesmsc: apt-get install -y kannel kannel-extras")
    receiver = DlrReceiver()
    with tempfile.TemporaryDirectory() as tmp, KannelServer(Path(tmp), binaries) as kannel:
        kannel.start()
        config = KannelConfig(
            kannel.sendsms_url,
            USERNAME,
            PASSWORD,
            "HacThanh",
            dlr_url=receiver.url,
            dlr_secret=SECRET,
        )
        messages = _messages(count)
        ids = {m.message_id for m in messages}
        start = time.perf_counter()
        result = _submit(KannelGateway(config), messages, threads)
        wanted = 2 * count  # SMSC accepted + delivered for each
        receiver.wait_for(lambda r: r.get("id", [""])[0] in ids, wanted, timeout=wait)
        result["all_reports_s"] = round(time.perf_counter() - start, 3)
        # The delivered report is made as bearerbox hands the message over, a moment before
        # fakesmsc logs it: wait for the log too.
        at_smsc = kannel.wait_for_messages(lambda m: True, count, timeout=10)
        result["at_smsc"] = len(at_smsc)
        result["dlr"] = _match_reports(receiver, ids)
        sent = sorted((m.to.removeprefix("+"), m.text) for m in messages)
        result["texts_intact"] = sorted((m.receiver, m.text) for m in at_smsc) == sent
    receiver.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--wait", type=float, default=120, help="seconds to wait for reports")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    baseline = run_baseline(args.messages, args.threads)
    kannel = run_kannel(args.messages, args.threads, args.wait)
    print(f"{args.messages} messages, {args.threads} threads")
    print(f"{'':28} {'SMS/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  failures")
    for name, row in (("baseline (trivial server)", baseline), ("kannel sendsms", kannel)):
        print(
            f"{name:28} {row['sms_per_s']:>8} {row['p50_ms']:>8} {row['p95_ms']:>8}"
            f" {row['max_ms']:>8}  {row['failures'] or 0}"
        )
    dlr = kannel["dlr"]
    print(
        f"kannel: {kannel['at_smsc']} at the fake SMSC (texts intact: {kannel['texts_intact']}),"
        f" all reports back after {kannel['all_reports_s']} s"
        f" ({args.messages / kannel['all_reports_s']:.1f} SMS/s end to end)"
    )
    print(
        f"reports: {dlr['reports']} received, {dlr['by_status']};"
        f" messages with a delivered report {dlr['messages_with_delivered_report']}"
        f"/{args.messages}; duplicates {dlr['duplicates']}, unmatched {dlr['unmatched']},"
        f" invalid {dlr['invalid']}"
    )
    if args.json:
        args.json.write_text(json.dumps({"baseline": baseline, "kannel": kannel}, indent=2))
    complete = dlr["messages_with_delivered_report"] == args.messages and not kannel["failures"]
    return 0 if complete else 1


if __name__ == "__main__":
    raise SystemExit(main())
