"""The SQLite backend queues writers on a file lock (see core/sqlite/base.py).

These tests open their own SQLite files, whatever database the suite runs on."""

import fcntl
import os
import threading
from pathlib import Path

import pytest

from caredesk.config.env import database_config
from caredesk.core.sqlite.base import DatabaseWrapper


def _wrapper(path: Path, alias: str) -> DatabaseWrapper:
    settings = database_config(f"sqlite:///{path}")
    settings.update(
        {
            "TIME_ZONE": None,
            "AUTOCOMMIT": True,
            "ATOMIC_REQUESTS": False,
            "CONN_MAX_AGE": 0,
            "USER": "",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
            "TEST": {},
        }
    )
    return DatabaseWrapper(settings, alias=alias)


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker):
    with django_db_blocker.unblock():  # these wrappers are not the suite's database
        yield


def test_a_writer_waits_on_the_lock_file_and_goes_as_soon_as_it_is_free(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite3"
    writer = _wrapper(path, "writer")
    with writer.cursor() as cursor:
        cursor.execute("CREATE TABLE t (n INTEGER)")
    writer.inc_thread_sharing()  # used from the thread below
    holder = os.open(f"{path}-writelock", os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(holder, fcntl.LOCK_EX)  # another process's write transaction, say
    began = threading.Event()

    def write() -> None:
        writer.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        began.set()
        with writer.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (1)")
        writer.commit()
        writer.set_autocommit(True)

    thread = threading.Thread(target=write)
    thread.start()
    # SQLite itself is free, so only the lock file can be holding the writer back
    assert not began.wait(0.3)
    fcntl.flock(holder, fcntl.LOCK_UN)
    assert began.wait(5)
    thread.join(5)
    os.close(holder)
    with writer.cursor() as cursor:
        cursor.execute("SELECT n FROM t")
        assert cursor.fetchall() == [(1,)]
    # and the lock is free again once the writer committed
    probe = os.open(f"{path}-writelock", os.O_RDWR)
    fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.close(probe)
    writer.close()


def test_in_memory_databases_take_no_lock() -> None:
    wrapper = DatabaseWrapper(
        {**database_config("sqlite://:memory:"), "NAME": ":memory:"}, alias="mem"
    )
    assert wrapper._lock_path() is None


def test_a_file_database_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    wrapper = _wrapper(tmp_path / "wal.sqlite3", "wal")
    with wrapper.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 10000
    wrapper.close()
