"""A real HTTP server that receives webhooks, for the delivery tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Receiver:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answers to give, then 200
    hold: threading.Event | None = None  # while set, the first request waits for release
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server's name
            rec = state["r"]
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            rec.requests.append({"headers": dict(self.headers), "body": body, "path": self.path})
            if rec.hold is not None and rec.hold.is_set() and len(rec.requests) == 1:
                rec.holding.set()
                rec.release.wait(60)
                return  # the sender was killed meanwhile; nothing to answer
            status = rec.statuses.pop(0) if rec.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state["r"] = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hook")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state["r"]
    state["r"].release.set()
    server.shutdown()
    server.server_close()
