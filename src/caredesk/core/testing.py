"""Helpers the tests of every app share."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


@dataclass
class Receiver:
    """A real HTTP server's record of what was posted to it (webhooks, channel replies).
    ``statuses``: the answers to give, in turn, then 200; ``reply``: the body to answer
    a request with (``b"ok"`` when unset)."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    reply: Callable[[dict[str, Any]], bytes] | None = None
    hold: threading.Event | None = None  # while set, the first request waits for release
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


@contextmanager
def http_receiver(path: str = "/hook") -> Iterator[Receiver]:
    """A threading HTTP server on a free local port that keeps each POST it receives."""
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server's name
            rec = state["r"]
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            request = {"headers": dict(self.headers), "body": body, "path": self.path}
            rec.requests.append(request)
            if rec.hold is not None and rec.hold.is_set() and len(rec.requests) == 1:
                rec.holding.set()
                rec.release.wait(60)
                return  # the sender was killed meanwhile; nothing to answer
            status = rec.statuses.pop(0) if rec.statuses else 200
            answer = rec.reply(request) if rec.reply is not None else b"ok"
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state["r"] = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}{path}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["r"]
    finally:
        state["r"].release.set()
        server.shutdown()
        server.server_close()
