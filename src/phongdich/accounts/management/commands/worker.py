from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from phongdich.portal.schedule import due_jobs, run_job


class Command(BaseCommand):
    help = "Run periodic jobs (auto check-out, retention purge) and queued background tasks."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run due jobs once and exit")
        parser.add_argument("--interval", type=int, default=60, help="seconds between rounds")
        parser.add_argument(
            "--jobs-only",
            action="store_true",
            help="run the periodic jobs but not the queued background tasks",
        )

    def handle(self, *args, **opts):
        last_run: dict[str, float] = {}
        while True:
            for job in due_jobs(last_run, time.monotonic()):
                result = run_job(job)
                last_run[job.name] = time.monotonic()
                self.stdout.write(f"{job.name}: {result}")
            if not opts["jobs_only"]:
                self._drain_tasks()
            if opts["once"]:
                return
            time.sleep(opts["interval"])

    def _drain_tasks(self) -> None:
        from django.core.management import call_command

        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
