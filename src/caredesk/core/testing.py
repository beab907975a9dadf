"""Helpers the tests of every app share."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.db import connection
from django.test import Client


def signed_in(user: Any) -> Client:
    """A test client with ``user`` signed in (no password, no two-factor step)."""
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    return client


def test_database_url() -> str:
    """DATABASE_URL of the database the tests run on, for a caredesk process the test
    starts (the test must commit what that process should see: transaction=True)."""

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    user = s.get("USER") or "postgres"
    host, port = s.get("HOST") or "127.0.0.1", s.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{s['NAME']}"


def caredesk_process(args: list[str], *, env: dict[str, str], log: Any) -> Any:
    """Start `caredesk ARGS…` on the test database in its own process group (so that a
    test can kill it with everything it started), its output appended to ``log``."""

    full_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "caredesk.config.settings",
        "SECRET_KEY": "test-process-secret",
        "DEBUG": "false",
        "DATABASE_URL": test_database_url(),
        **env,
    }
    command = [str(Path(sys.executable).with_name("caredesk")), *args]
    with Path(log).open("ab") as out:
        return subprocess.Popen(  # noqa: S603  # our own command
            command, env=full_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
