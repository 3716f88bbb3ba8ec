"""Periodic jobs. Apps register them; ``phongdich worker`` runs them (one process per deployment).

Kept in the database-free process memory on purpose: every job is idempotent (it selects the rows that
are due), so running a job twice, or on two machines, is harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: int
    func: Callable[[], object]


_JOBS: dict[str, Job] = {}


def periodic(
    name: str, every_seconds: int
) -> Callable[[Callable[[], object]], Callable[[], object]]:
    def decorator(func: Callable[[], object]) -> Callable[[], object]:
        _JOBS[name] = Job(name, every_seconds, func)
        return func

    return decorator


def all_jobs() -> list[Job]:
    return sorted(_JOBS.values(), key=lambda j: j.name)


def due_jobs(last_run: dict[str, float], now: float) -> list[Job]:
    return [j for j in all_jobs() if now - last_run.get(j.name, float("-inf")) >= j.every_seconds]


def run_job(job: Job) -> object:
    try:
        return job.func()
    except Exception:  # a failing job must not stop the others
        log.exception("periodic job %s failed", job.name)
        return "failed"
