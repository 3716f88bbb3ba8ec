"""SQLite for a multi-process server: writers queue on a file lock, not on SQLite's busy loop.

SQLite has one writer at a time. A writer that finds the database locked is put to sleep by
SQLite's busy handler and retries after 1, 2, 5, 10 … up to 100 ms, so under load writers sleep
long after the lock is free: at a few hundred check-ins a second that alone gave p99 latencies of
several hundred milliseconds. Here every transaction (Django opens them with BEGIN IMMEDIATE, see
settings) first takes an exclusive ``flock`` on a file beside the database. The kernel wakes the
next waiter the moment the lock is released, across threads and processes, in arrival order.

Writes outside a transaction (autocommit) do not take the lock and still wait on busy_timeout,
which stays as the backstop. The lock is held from BEGIN to COMMIT or ROLLBACK only.
"""

from __future__ import annotations

import contextlib
import fcntl
import os

from django.db.backends.sqlite3 import base, creation


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
