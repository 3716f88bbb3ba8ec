"""A province's home-care load through the care app: reports → warnings → clinician alerts, and
the clinician's "needs action today" list.

Builds N patients (default 10,000) enrolled in home care in Phường Hạc Thành, one clinician
holding 2,000 of them, with D days (default 3) of twice-daily report history, then measures:

* **report → alert**: a steady R reports/s (default 50) for S seconds through
  ``care.actions.do_submit_report`` (what the self-report page and the API call) on four threads,
  about 3 % of them with a warning sign, while a worker thread delivers the outbox every second as
  ``phongdich worker`` does. Delay = the alert's ``notified_at`` (the clinician's SMS went out)
  minus the report's ``received_at``. **Baseline**, same run, same worker: the delivery delay of
  a bare outbox event (emit, no care logic) — the floor the one-second polling sets.
  Target: p95 < 60 s.
* **needs action today**: for the clinician with 2,000 patients, ``queries.needs_action`` and the
  whole console page (``GET /staff/care/``, logged in, template rendered; after three warm-up
  requests that load templates and translations). **Baseline**: reading
  the clinician's 2,000 active enrolments with their names (one query). Target: p95 ≤ 200 ms.

Runs on a fresh SQLite database in a temporary folder unless DATABASE_URL is set.

    .venv/bin/python benchmarks/care_load.py                       # 10,000 patients, 60 s
    .venv/bin/python benchmarks/care_load.py --patients 2000 --seconds 20
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

HAC_THANH = 14797


def _setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phongdich.settings")
    os.environ.setdefault("PHONGDICH_FAST_HASHER", "1")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
    if not os.environ.get("DATABASE_URL"):
        os.environ["PHONGDICH_DATA_DIR"] = tempfile.mkdtemp(prefix="phongdich-bench-")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import logging

    logging.getLogger("phongdich.sms").setLevel(logging.WARNING)


def _build(patients: int, heavy: int, days: int, seed: int, missed: float):
    from django.db import transaction
    from django.utils import timezone

    from phongdich.accounts.actions import do_create_staff
    from phongdich.accounts.models import User
    from phongdich.care.models import Alert, Enrolment, Report
    from phongdich.care.timing import next_due
    from phongdich.lib.codes import new_token
    from phongdich.lib.text import fold
    from phongdich.lib.timeutil import local_date
    from phongdich.people.models import Person
    from phongdich.tracing.models import Case

    rng = random.Random(seed)
    now = timezone.now()
    doctors = [
        do_create_staff(f"bs{i}", "clinician", area=HAC_THANH, password="x" * 16)[0]
        for i in range(max(1, patients // heavy))
    ]
    User.objects.update(phone="+84912000000")
    do_create_staff("officer", "ward_officer", area=HAC_THANH, password="x" * 16)
    with transaction.atomic():
        people = Person.objects.bulk_create(
            Person(
                full_name=f"Bệnh nhân {i}",
                name_folded=fold(f"Bệnh nhân {i}"),
                birth_year=rng.randint(1950, 2015),
                gender="female",
                phone=f"+8498{i:07d}",
                ward_id=HAC_THANH,
                token=new_token(),
            )
            for i in range(patients)
        )
        starts = [
            now - timedelta(days=rng.randint(0, days), hours=rng.randint(0, 20)) for _ in people
        ]
        cases = Case.objects.bulk_create(
            Case(
                person=p,
                ward_id=HAC_THANH,
                confirmed_at=s,
                sample_date=local_date(s),
                isolated_at=s,
                source="test",
                window_start=s - timedelta(days=2),
                window_end=s + timedelta(days=10),
            )
            for p, s in zip(people, starts, strict=True)
        )
        enrolments = Enrolment.objects.bulk_create(
            Enrolment(
                case=c,
                person=c.person,
                ward_id=HAC_THANH,
                status="active",
                birth_date=datetime(c.person.birth_year, 7, 1).date(),  # noqa: DTZ001
                isolation_start=local_date(s),
                rule_set_id="moh-604-2022",
                clinician=doctors[0] if i < heavy else doctors[i % len(doctors)],
                token=new_token(),
                # A fixed share is overdue whatever the hour the benchmark runs at (the list
                # used to hold none or all of them depending on the time of day).
                next_report_due=now - timedelta(hours=2)
                if rng.random() < missed
                else next_due(now + timedelta(hours=1)),
            )
            for i, (c, s) in enumerate(zip(cases, starts, strict=True))
        )
        reports = []
        for e, start in zip(enrolments, starts, strict=True):
            at = start
            while at < now:
                alert = rng.random() < 0.01
                reports.append(
                    Report(
                        enrolment=e,
                        measured_at=at,
                        received_at=at,
                        form_version="x",
                        source="self",
                        client_id=f"h{at.timestamp()}",
                        pulse=130 if alert else 80,
                        spo2=98,
                        status="alert" if alert else "ok",
                        rule_set_id="moh-604-2022",
                    )
                )
                at += timedelta(hours=12)
        Report.objects.bulk_create(reports, batch_size=5000)
        alerts = [
            Alert(
                enrolment_id=r.enrolment_id,
                report=r,
                raised_at=r.received_at,
                status="open" if r.received_at > now - timedelta(hours=12) else "acknowledged",
            )
            for r in Report.objects.filter(status="alert")
        ]
        Alert.objects.bulk_create(alerts)
    return doctors[0], enrolments, len(reports)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _line(label: str, values: list[float], unit: str = "ms", scale: float = 1000) -> str:
    v = [x * scale for x in values]
    return (
        f"  {label:<44} n={len(v):>5}  p50 {_pct(v, 0.5):8.1f}  p95 {_pct(v, 0.95):8.1f}  "
        f"max {max(v, default=float('nan')):8.1f} {unit}"
    )


class Worker(threading.Thread):
    """``phongdich worker``'s event loop: deliver the outbox every second."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()

    def run(self) -> None:
        from django.db import connection

        from phongdich.core.events import deliver_pending

        while not self.stop.is_set():
            while deliver_pending(limit=500):
                pass
            self.stop.wait(1.0)
        connection.close()


def _steady(enrolments, rate: float, seconds: float, seed: int) -> tuple[list, int, float]:
    from django.db import close_old_connections

    from phongdich.care.actions import do_submit_report
    from phongdich.care.forms import report_values

    rng = random.Random(seed + 1)
    total = int(rate * seconds)
    plan = []
    for i in range(total):
        worse = rng.random() < 0.03
        values = {
            "pulse": "130" if worse else str(rng.randint(60, 100)),
            "spo2": str(rng.randint(97, 99)),
            "respiratory_rate": "16",
        }
        plan.append((rng.choice(enrolments), values, f"load-{i}"))
    start = time.monotonic()
    lags: list[float] = []

    def one(i: int) -> None:
        due = start + i / rate
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        lags.append(time.monotonic() - due)
        enrolment, values, key = plan[i]
        try:
            do_submit_report(enrolment, report_values(values), source="self", client_id=key)
        finally:
            close_old_connections()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, range(total)))
    return lags, total, time.monotonic() - start


def _baseline_events(count: int) -> list[float]:
    from django.db import transaction

    from phongdich.core import events
    from phongdich.core.models import OutboxEvent

    name = "bench.noop"
    events.handler("care.closed", name=name)(lambda event: None)
    ids = []
    for _ in range(count):
        with transaction.atomic():
            ids.append(events.emit("care.closed", enrolment_id=0, outcome="bench").pk)
        time.sleep(1.0 / 20)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        rows = list(OutboxEvent.objects.filter(pk__in=ids, delivered_at__isnull=False))
        if len(rows) == len(ids):
            break
        time.sleep(0.5)
    events.unregister(name)
    return [(r.delivered_at - r.created_at).total_seconds() for r in rows]


def _console(doctor, repeat: int) -> tuple[list[float], list[float], list[float], int]:
    from django.test import Client
    from django.utils import timezone

    from phongdich.care import queries
    from phongdich.care.models import Enrolment

    client = Client()
    client.force_login(doctor)
    base, query, page = [], [], []
    items = 0
    for _ in range(3):  # warm up: templates, translations and rules load on first use
        client.get("/staff/care/")
    for _ in range(repeat):
        t = time.perf_counter()
        list(
            Enrolment.objects.filter(clinician=doctor, status="active").values_list(
                "pk", "person__full_name", "next_report_due"
            )
        )
        base.append(time.perf_counter() - t)
        t = time.perf_counter()
        listing = queries.needs_action(doctor, timezone.now())
        items = (len(listing.items), listing.counts)
        query.append(time.perf_counter() - t)
        t = time.perf_counter()
        response = client.get("/staff/care/")
        page.append(time.perf_counter() - t)
        assert response.status_code == 200
    return base, query, page, items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--heavy", type=int, default=2_000, help="patients of one clinician")
    parser.add_argument("--days", type=int, default=3, help="days of report history")
    parser.add_argument("--rate", type=float, default=50.0, help="reports per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--repeat", type=int, default=40, help="console measurements")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument(
        "--missed", type=float, default=0.25, help="share of patients whose report is overdue"
    )
    args = parser.parse_args(argv)

    _setup()
    from django.db import connection

    from phongdich.care.models import Alert, Report

    t = time.monotonic()
    doctor, enrolments, history = _build(
        args.patients, args.heavy, args.days, args.seed, args.missed
    )
    print(
        f"{connection.vendor}: {args.patients} patients, {history} past reports, "
        f"{Alert.objects.count()} alerts, built in {time.monotonic() - t:.1f} s"
    )

    worker = Worker()
    worker.start()
    print(
        f"\nReport → clinician alert at {args.rate:g} reports/s for {args.seconds:g} s "
        "(worker delivers every 1 s):"
    )
    baseline = _baseline_events(60)
    lags, total, took = _steady(enrolments, args.rate, args.seconds, args.seed)
    deadline = time.monotonic() + 60
    fresh = Alert.objects.filter(report__client_id__startswith="load-")
    while fresh.filter(notified_at__isnull=True).exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    worker.stop.set()
    worker.join()
    delays = [
        (a.notified_at - a.report.received_at).total_seconds()
        for a in fresh.select_related("report")
        if a.notified_at
    ]
    missing = fresh.filter(notified_at__isnull=True).count()
    stored = Report.objects.filter(client_id__startswith="load-").count()
    print(
        f"  {total} reports sent in {took:.1f} s ({total / took:.1f}/s), {stored} stored, "
        f"{fresh.count()} alerts, {missing} not notified"
    )
    print(_line("baseline: bare outbox event → delivered", baseline, "s", 1))
    print(_line("report → clinician SMS (alert notified)", delays, "s", 1))
    print(_line("submit lag behind schedule", lags))
    ok_alert = bool(delays) and not missing and _pct(delays, 0.95) < 60

    print(f'\n"Needs action today" for the clinician with {args.heavy} patients:')
    base, query, page, items = _console(doctor, args.repeat)
    shown, counts = items
    print(
        f"  {sum(counts.values())} items on the list ({counts['alert']} warnings, "
        f"{counts['missed']} missed reports, {counts['discharge']} discharges due), "
        f"{shown} on the first page"
    )
    print(_line("baseline: read 2,000 enrolments with names", base))
    print(_line("needs_action(), first page", query))
    print(_line("GET /staff/care/ (whole page)", page))
    ok_console = _pct(page, 0.95) <= 0.2
    print(
        f"\nTargets: alert p95 < 60 s: {'met' if ok_alert else 'NOT met'}; "
        f"console p95 ≤ 200 ms: {'met' if ok_console else 'NOT met'}"
    )
    return 0 if ok_alert and ok_console else 1


if __name__ == "__main__":
    raise SystemExit(main())
