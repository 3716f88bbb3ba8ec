"""SQLite writers queue on a file lock held from BEGIN to COMMIT or ROLLBACK."""

import fcntl
import os
import threading

import pytest
from django.db import close_old_connections, connection, transaction

from phongdich.places.models import Province

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite backend only"),
]


def lock_is_free() -> bool:
    fd = os.open(f"{connection.settings_dict['NAME']}.writelock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


def test_a_transaction_holds_the_write_lock_until_commit():
    assert lock_is_free()
    with transaction.atomic():
        assert not lock_is_free()
        with transaction.atomic():  # a savepoint takes nothing more
            assert not lock_is_free()
        assert not lock_is_free()
    assert lock_is_free()


def test_a_rollback_releases_the_lock():
    with pytest.raises(RuntimeError), transaction.atomic():
        assert not lock_is_free()
        raise RuntimeError
    assert lock_is_free()


def test_closing_the_connection_releases_the_lock():
    transaction.set_autocommit(False)
    try:
        connection._start_transaction_under_autocommit()
        assert not lock_is_free()
    finally:
        connection.close()
    assert lock_is_free()


def test_a_second_writer_waits_for_the_first_and_both_land():
    inside, release, done = threading.Event(), threading.Event(), threading.Event()
    order = []
    errors = []

    def first():
        try:
            with transaction.atomic():
                Province.objects.filter(pk__in=[]).update(name="")
                order.append("first in")
                inside.set()
                release.wait(10)
                order.append("first out")
        except Exception as error:  # re-raised below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    def second():
        try:
            inside.wait(10)
            with transaction.atomic():
                order.append("second in")
            done.set()
        except Exception as error:  # re-raised below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    inside.wait(10)
    assert not done.wait(0.3)  # the second writer is queued behind the first
    release.set()
    for t in threads:
        t.join(20)
    assert not errors, errors
    assert order == ["first in", "first out", "second in"]


def test_checkpoints_run_in_a_background_thread_not_in_commits():
    from phongdich.core.sqlite_queued import base

    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == base.AUTOCHECKPOINT_PAGES
    assert base._checkpointers.get(connection.settings_dict["NAME"]) == os.getpid()
    assert any(t.name == "sqlite-checkpoint" and t.is_alive() for t in threading.enumerate())


def test_the_checkpointer_never_creates_a_deleted_database(tmp_path, monkeypatch):
    from phongdich.core.sqlite_queued import base

    monkeypatch.setattr(base, "CHECKPOINT_SECONDS", 0.01)
    gone = tmp_path / "gone.sqlite3"
    base._checkpointers[str(gone)] = os.getpid()
    base._checkpoint_loop(str(gone), os.getpid())  # returns once it finds no database
    assert not gone.exists() and str(gone) not in base._checkpointers
