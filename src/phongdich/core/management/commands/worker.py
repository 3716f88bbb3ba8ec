from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from phongdich.core.events import deliver_pending
from phongdich.core.schedule import due_jobs, run_job


class Command(BaseCommand):
    help = (
        "Run periodic jobs (auto check-out, retention purge), deliver domain events and run "
        "queued background tasks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run due jobs once and exit")
        parser.add_argument(
            "--interval", type=int, default=60, help="seconds between rounds of queued tasks"
        )
        parser.add_argument(
            "--events-every",
            type=float,
            default=1.0,
            help="seconds between deliveries of domain events (the outbox)",
        )
        parser.add_argument(
            "--jobs-only",
            action="store_true",
            help="run the periodic jobs but not the queued background tasks",
        )

    def handle(self, *args, **opts):
        last_run: dict[str, float] = {}
        last_tasks = float("-inf")
        while True:
            delivered = deliver_pending()
            if delivered:
                self.stdout.write(f"events: {delivered}")
            for job in due_jobs(last_run, time.monotonic()):
                result = run_job(job)
                last_run[job.name] = time.monotonic()
                if _did_something(result):  # an idle tick every few seconds is not news
                    self.stdout.write(f"{job.name}: {result}")
            if not opts["jobs_only"] and time.monotonic() - last_tasks >= opts["interval"]:
                self._drain_tasks()
                last_tasks = time.monotonic()
            if opts["once"]:
                return
            time.sleep(opts["events_every"])

    def _drain_tasks(self) -> None:
        from django.core.management import call_command

        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


def _did_something(result) -> bool:
    """A job's result worth a log line: anything but nothing (None, 0, empty) or a mapping of
    counts that are all zero."""
    if isinstance(result, dict):
        return any(result.values())
    return bool(result)
