"""SQLite with write transactions queued on a file lock instead of SQLite's busy sleeps.

Every write transaction starts with BEGIN IMMEDIATE. When another process holds the
write lock, SQLite's busy handler sleeps 1, 2, 5, 10 … ms between retries, so two web
workers that both write spend much of their time asleep while the lock is already free.
Here each process first takes an exclusive flock() on ``<database>-writelock``: a waiting
writer blocks in the kernel and wakes the moment the holder commits. Readers never take
it (WAL lets them read while one writer writes); in-memory databases need no lock.
"""

from __future__ import annotations

import fcntl
import os
from typing import Any

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock_fd: int | None = None
        self._locked = False

    def _lock_path(self) -> str | None:
        name = str(self.settings_dict.get("NAME") or "")
        if not name or name == ":memory:" or "mode=memory" in name:
            return None
        if self.is_in_memory_db():
            return None
        return f"{name}-writelock"

    def _acquire(self) -> None:
        path = self._lock_path()
        if path is None:
            return
        if self._lock_fd is None:
            self._lock_fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        self._locked = True

    def _release(self) -> None:
        if self._locked and self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        self._locked = False

    def _start_transaction_under_autocommit(self) -> None:
        self._acquire()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private hook
        except BaseException:
            self._release()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]  # private Django hook, not in the stubs
        finally:
            self._release()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # private Django hook
        finally:
            self._release()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]  # private Django hook
        finally:
            self._release()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None
