"""Two writers made to meet where a race would bite: the test's thread is held at one call in
the middle of its action while a second writer runs in another thread.

The held call goes on as soon as the other writer has finished, or is waiting for a lock the
held thread holds (PostgreSQL), or cannot write before the held thread commits (SQLite takes its
write lock at BEGIN: a held thread inside a transaction must not wait for the other, or neither
moves). So "both read, then both write" happens whenever the code lets it, whatever the
scheduler does, and a fix that serialises the two never deadlocks the test."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connection

WAIT = 30  # seconds: a writer that takes longer has hung


def _another_waits_for_a_lock() -> bool:
    """PostgreSQL: another session of this test database waits for a lock (one we hold)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else the view is read once per tx
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid())"
        )
        return bool(cursor.fetchone()[0])


class Meanwhile:
    """Run ``action`` in another thread the first time the test's thread calls ``owner.name``
    and hold that call until the other writer has acted (or cannot yet)."""

    def __init__(self, monkeypatch: Any, owner: Any, name: str, action: Callable[[], Any]):
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, args=(action,))
        self.started = False
        real = getattr(owner, name)

        def held(*args: Any, **kwargs: Any) -> Any:
            if not self.started and threading.current_thread() is not self.thread:
                self.started = True
                self.thread.start()
                self._wait()
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, held)

    def _run(self, action: Callable[[], Any]) -> None:
        try:
            action()
        except BaseException as error:  # reported by the test's thread
            self.errors.append(error)
        finally:
            connection.close()

    def _wait(self) -> None:
        if connection.vendor == "sqlite" and connection.in_atomic_block:
            return  # we hold the write lock: the other writer queues until we commit
        deadline = time.monotonic() + WAIT
        while self.thread.is_alive() and time.monotonic() < deadline:
            self.thread.join(0.05)
            if (
                connection.vendor == "postgresql"
                and connection.in_atomic_block
                and _another_waits_for_a_lock()
            ):
                return

    def join(self) -> list[BaseException]:
        """The other writer's errors, once it has finished (it must have run)."""
        assert self.started, "the held call was never reached"
        self.thread.join(WAIT * 2)
        assert not self.thread.is_alive(), "the other writer never finished"
        return self.errors
