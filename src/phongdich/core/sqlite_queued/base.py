"""SQLite for a multi-process server: writers queue on a file lock, not on SQLite's busy loop.

SQLite has one writer at a time. A writer that finds the database locked is put to sleep by
SQLite's busy handler and retries after 1, 2, 5, 10 … up to 100 ms, so under load writers sleep
long after the lock is free: at a few hundred check-ins a second that alone gave p99 latencies of
several hundred milliseconds. Here every transaction (Django opens them with BEGIN IMMEDIATE, see
settings) first takes an exclusive ``flock`` on a file beside the database. The kernel wakes the
next waiter the moment the lock is released, across threads and processes, in arrival order.

Writes outside a transaction (autocommit) do not take the lock and still wait on busy_timeout,
which stays as the backstop. The lock is held from BEGIN to COMMIT or ROLLBACK only.

Checkpoints (copying the write-ahead log back into the database file, with an fsync) are moved
off the request path as well: by default SQLite runs one inside the COMMIT that crosses 1,000
pages, so every few hundred check-ins one request paid for it while every other writer waited.
Each process runs them instead, about once a second, from a background thread in PASSIVE mode,
which never holds the write lock. A large automatic threshold stays as a backstop.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import threading
import time
from pathlib import Path

from django.db.backends.sqlite3 import base, creation

from phongdich.core.collation import install_sqlite_collation

CHECKPOINT_SECONDS = 1.0
AUTOCHECKPOINT_PAGES = 20_000  # only if the checkpointer thread is not keeping up

_checkpointers: dict[str, int] = {}  # database path -> pid of the process whose thread runs
_checkpointers_lock = threading.Lock()
# Held while the thread is inside SQLite. Both locks are taken around fork() (gunicorn forks
# its workers from a process that may run a checkpointer): a child must not inherit a half-done
# SQLite call or a lock nobody will release.
_sqlite_work = threading.Lock()


def _before_fork() -> None:
    _sqlite_work.acquire()
    _checkpointers_lock.acquire()


def _after_fork() -> None:
    _checkpointers_lock.release()
    _sqlite_work.release()


os.register_at_fork(before=_before_fork, after_in_parent=_after_fork, after_in_child=_after_fork)


def _ensure_checkpointer(path: str) -> None:
    """One checkpointer thread per database per process (a forked worker starts its own)."""
    pid = os.getpid()
    with _checkpointers_lock:
        if _checkpointers.get(path) == pid:
            return
        _checkpointers[path] = pid
    threading.Thread(
        target=_checkpoint_loop, args=(path, pid), name="sqlite-checkpoint", daemon=True
    ).start()


def _checkpoint_loop(path: str, pid: int) -> None:
    uri = f"{Path(path).resolve().as_uri()}?mode=rw"  # never creates a deleted database again
    while os.getpid() == pid and _checkpointers.get(path) == pid:
        time.sleep(CHECKPOINT_SECONDS)
        with _sqlite_work:
            try:
                db = sqlite3.connect(uri, uri=True, timeout=1)
            except sqlite3.OperationalError:
                break  # the database is gone (a test database after its run)
            try:
                db.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.OperationalError:
                pass  # busy: the next round will do it
            finally:
                db.close()
    with _checkpointers_lock:
        if _checkpointers.get(path) == pid:
            del _checkpointers[path]


class DatabaseCreation(creation.DatabaseCreation):
    def _destroy_test_db(self, test_database_name, verbosity):
        super()._destroy_test_db(test_database_name, verbosity)
        self.connection._close_lock_file()
        if test_database_name and not self.is_in_memory_db(test_database_name):
            with contextlib.suppress(FileNotFoundError):
                os.remove(f"{test_database_name}.writelock")


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation
    _lock_fd: int | None = None
    _lock_name: str | None = None
    _lock_held = False

    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        install_sqlite_collation(conn)  # ORDER BY … COLLATE vi: Vietnamese alphabetical order
        if not self.is_in_memory_db():
            conn.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
            _ensure_checkpointer(self.settings_dict["NAME"])
        return conn

    def _lock_file(self) -> int | None:
        if self.is_in_memory_db():
            return None
        name = f"{self.settings_dict['NAME']}.writelock"
        if self._lock_name != name:  # first use, or the test run switched to its database
            self._close_lock_file()
            self._lock_fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._lock_name = name
        return self._lock_fd

    def _acquire_write_lock(self) -> None:
        fd = self._lock_file()
        if fd is not None and not self._lock_held:
            fcntl.flock(fd, fcntl.LOCK_EX)  # releases the GIL while it waits
            self._lock_held = True

    def _release_write_lock(self) -> None:
        if self._lock_held:
            self._lock_held = False
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _close_lock_file(self) -> None:
        self._release_write_lock()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = self._lock_name = None

    def _start_transaction_under_autocommit(self):
        self._acquire_write_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_write_lock()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_write_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_write_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._close_lock_file()
