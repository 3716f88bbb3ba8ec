"""Two writers interleaved at a chosen point: the first stops inside its transaction, its
writes done and uncommitted, until the second has run into one of its locks (or finished)."""

from __future__ import annotations

import threading
import time

from django.db import connection

from phongdich.accounts import audit

WAIT = 30  # seconds a held writer waits for the other


def wait_until_blocked(done: threading.Event) -> bool:
    """True once another connection waits on a lock, False if the second writer finished
    first. PostgreSQL shows the wait in pg_stat_activity; SQLite runs one writer at a time
    (BEGIN IMMEDIATE), so there the second writer waits for the whole held transaction and a
    short pause is all that is needed."""
    if connection.vendor != "postgresql":
        return not done.wait(0.3)
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline and not done.is_set():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.02)
    return False


def hold_in(monkeypatch, action: str) -> tuple[threading.Event, threading.Event]:
    """The first transaction that audits ``action`` stops there, its writes done and
    uncommitted: it sets ``acted`` and goes on (commits) once ``go`` is set. Later ones (the
    second writer may audit the same action) run through."""
    acted, go = threading.Event(), threading.Event()
    real = audit.record
    first = threading.Lock()

    def held(name, *args, **kwargs):
        result = real(name, *args, **kwargs)
        if name == action and first.acquire(blocking=False):
            acted.set()
            assert go.wait(WAIT), "the held writer was never let go"
        return result

    monkeypatch.setattr(audit, "record", held)
    return acted, go


def interleave(monkeypatch, action: str, first, then) -> tuple[list[BaseException], bool]:
    """``first`` runs until it audits ``action``; then ``then`` starts, and ``first`` commits
    once ``then`` waits on a lock or has finished. Returns the errors of both and whether
    ``then`` had to wait for ``first``."""
    acted, go = hold_in(monkeypatch, action)
    done = threading.Event()
    errors: list[BaseException] = []

    def run(target, after=None):
        try:
            if after is not None:
                assert after.wait(WAIT), "the first writer never acted"
            target()
        except BaseException as error:  # reported by the test's thread
            errors.append(error)
        finally:
            if after is None:
                acted.set()  # a first writer that failed early does not hold the second one
            else:
                done.set()
            connection.close()

    threads = [
        threading.Thread(target=run, args=(first,)),
        threading.Thread(target=run, args=(then, acted)),
    ]
    for t in threads:
        t.start()
    assert acted.wait(WAIT)
    blocked = wait_until_blocked(done)
    go.set()
    for t in threads:
        t.join(WAIT * 2)
    assert not any(t.is_alive() for t in threads), "a writer never finished"
    return errors, blocked
