"""A campaign of N messages through the Django app's sender to a real Kannel, with every
delivery report coming back into the Django endpoint, beside the raw-gateway baseline.

* **baseline** (``benchmarks/sms.py``'s Kannel run, same process layout as before): the
  ``KannelGateway`` client alone, N messages from T threads, reports to a toy HTTP server;
* **campaign**: a database of its own (SQLite in a temporary directory, or
  ``--database-url``) with N people of Hạc Thành, each with a distinct mobile number; the
  project's WSGI application under gunicorn serving ``/sms/dlr``; Kannel (bearerbox, smsbox,
  the fake SMSC) calling that endpoint back for each message. A campaign to the ward is
  created with ``do_create_campaign`` and sent by ``campaigns.sending.run`` — what the
  worker's ``campaigns.send`` job runs: listing the recipients, claiming batches, the opt-out
  list and daily cap, the threads to Kannel, recording outcomes. Then it waits until every
  recipient is *delivered* in the database (the report matched through Django).

Prints SMS/s for submitting and end to end (all reports matched) for both.

    .venv/bin/python benchmarks/campaigns.py --messages 2000 [--threads 8] [--workers 2]
        [--database-url postgres://postgres@127.0.0.1:5432/pd_bench_campaigns]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from tests.sms.kannel_server import (  # noqa: E402
    PASSWORD,
    USERNAME,
    KannelServer,
    find_binaries,
    free_ports,
)

from sms import run_kannel  # noqa: E402

SETUP = """
import django, secrets; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from phongdich.accounts.actions import do_create_staff
from phongdich.core.models import Rule
from phongdich.people.models import Person
do_create_staff("bench", "ward_officer", area=14797, password="bench password 123")
Person.objects.bulk_create(
    Person(full_name="Nguyen Van Bench", name_folded="nguyen van bench", birth_year=1980,
           gender="male", ward_id=14797, phone=f"+8498{{i:07d}}", token=secrets.token_urlsafe(32))
    for i in range({count})
)
# Any hour of the benchmark's run, no approval step, one send per number.
for key, value in [("campaigns.send_from_hour", 0), ("campaigns.send_until_hour", 23),
                   ("campaigns.approval_above", 10_000_000), ("campaigns.sender_threads", {threads}),
                   ("campaigns.batch_size", {batch})]:
    Rule.objects.update_or_create(key=key, defaults={{"value": value}})
print("ok")
"""

SEND = """
import django, json, time; django.setup()
from phongdich.accounts.models import User
from phongdich.campaigns import actions, sending, texts
from phongdich.campaigns.models import Recipient
# With the opt-out footer this is one UCS-2 SMS (70 characters), as in the baseline.
TEXT = "Phường Hạc Thành: tiêm nhắc lại 8:00."
from phongdich.core import sms
from phongdich.lib.sms import KannelConfig, KannelGateway
sms.use(KannelGateway(KannelConfig({sendsms!r}, {user!r}, {password!r}, "HacThanh",
    dlr_url="http://127.0.0.1:{port}/sms/dlr", dlr_secret=sms.dlr_secret())))
campaign = actions.do_create_campaign(User.objects.get(username="bench"),
    {{"title": "Bench", "text": TEXT, "area": "w14797"}})
parts = texts.parts(campaign.text, campaign.ascii_only)
start = time.perf_counter()
totals = sending.run(budget_seconds=3600)
submitted = time.perf_counter() - start
deadline = time.monotonic() + {wait}
while time.monotonic() < deadline:
    delivered = Recipient.objects.filter(campaign=campaign, status="delivered").count()
    if delivered >= {count}:
        break
    time.sleep(0.2)
end_to_end = time.perf_counter() - start
rows = Recipient.objects.filter(campaign=campaign)
print(json.dumps({{
    "totals": totals, "submit_s": round(submitted, 3), "all_reports_s": round(end_to_end, 3),
    "parts": parts, "recipients": rows.count(), "delivered": rows.filter(status="delivered").count(),
    "with_report": rows.filter(last_report__isnull=False).count(),
    "statuses": {{s: rows.filter(status=s).count() for s in
                 ("accepted", "delivered", "failed", "sending", "pending", "uncertain")}},
}}))
"""


def _env(data: str, database_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "PHONGDICH_DATA_DIR": data,
        "DJANGO_SETTINGS_MODULE": "phongdich.settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "PHONGDICH_SMS_GATEWAY": "kannel",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _wait_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited")
        try:
            with socket.create_connection(("127.0.0.1", port), 0.3):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def run_campaign(count: int, threads: int, batch: int, workers: int, wait: float, db: str) -> dict:
    binaries = find_binaries()
    if binaries is None:
        sys.exit("needs bearerbox, smsbox and fakesmsc: apt-get install -y kannel kannel-extras")
    data = tempfile.mkdtemp(prefix="pd-campaign-bench-")
    env = _env(data, db)
    print(f"Setting up {db or 'SQLite in ' + data} with {count} people …", flush=True)
    subprocess.run(
        [sys.executable, "-c", SETUP.format(count=count, threads=threads, batch=batch)],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    (port,) = free_ports(1)
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "phongdich.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
            "--log-level", "warning", "--backlog", "512",
        ],
        env=env,
    )  # fmt: skip
    try:
        _wait_port(port, server)
        with tempfile.TemporaryDirectory() as tmp, KannelServer(Path(tmp), binaries) as kannel:
            kannel.start()
            code = SEND.format(
                sendsms=kannel.sendsms_url, user=USERNAME, password=PASSWORD, port=port,
                count=count, wait=wait,
            )  # fmt: skip
            out = subprocess.run(
                [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
            at_smsc = kannel.wait_for_messages(lambda m: True, count * result["parts"], 10)
            result["at_smsc"] = len(at_smsc)
            result["distinct_receivers"] = len({m.receiver for m in at_smsc})
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    result["sms_per_s"] = round(count / result["submit_s"], 1)
    result["end_to_end_sms_per_s"] = round(count / result["all_reports_s"], 1)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers for reports")
    parser.add_argument("--wait", type=float, default=180, help="seconds to wait for reports")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    baseline = run_kannel(args.messages, args.threads, args.wait)
    campaign = run_campaign(
        args.messages, args.threads, args.batch, args.workers, args.wait, args.database_url
    )
    n = args.messages
    print(f"{n} messages, {args.threads} threads to Kannel")
    print(f"{'':34} {'submit SMS/s':>13} {'end to end SMS/s':>17}  reports matched")
    print(
        f"{'baseline: gateway, toy DLR server':34} {baseline['sms_per_s']:>13}"
        f" {n / baseline['all_reports_s']:>17.1f}"
        f"  {baseline['dlr']['messages_with_delivered_report']}/{n}"
    )
    print(
        f"{'campaign: Django sender + endpoint':34} {campaign['sms_per_s']:>13}"
        f" {campaign['end_to_end_sms_per_s']:>17}  {campaign['delivered']}/{n}"
    )
    print(
        f"ratio campaign/baseline: submit {campaign['sms_per_s'] / baseline['sms_per_s']:.2f},"
        f" end to end {campaign['end_to_end_sms_per_s'] / (n / baseline['all_reports_s']):.2f};"
        f" at the fake SMSC {campaign['at_smsc']} SMS ({campaign['parts']} per message,"
        f" {campaign['distinct_receivers']} distinct numbers),"
        f" statuses {campaign['statuses']}"
    )
    if args.json:
        args.json.write_text(json.dumps({"baseline": baseline, "campaign": campaign}, indent=2))
    ok = (
        campaign["delivered"] == n
        and campaign["distinct_receivers"] == n
        and campaign["at_smsc"] == n * campaign["parts"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
