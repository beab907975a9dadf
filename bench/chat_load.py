"""Chat under load: 1,000 visitors connected at once to one server process (uvicorn,
caredesk's ASGI application), each sending a message every 10 s, agents answering each
one over their console sockets. Prints JSON: delivery latency agent → visitor
(p50/p95/p99), messages per second, the server's peak RSS and CPU, and, after the
server process is killed (SIGKILL) and started again in the middle of the run with
every client reconnecting and resuming, how many messages were lost or shown twice.

    python bench/chat_load.py                          # SQLite, 1,000 visitors, 60 s
    python bench/chat_load.py --db postgres --visitors 1000 --seconds 60
    python bench/chat_load.py --no-kill                # without the restart
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any

ORIGIN = "https://shop.example"
EVERY = 10.0  # seconds between one visitor's messages
AGENT_CHATS = 20  # chats per agent


def percentiles(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0, "samples": 0}
    s = sorted(samples)
    q = statistics.quantiles(s, n=100, method="inclusive")
    return {"p50_ms": round(q[49] * 1000, 2), "p95_ms": round(q[94] * 1000, 2),
            "p99_ms": round(q[98] * 1000, 2), "max_ms": round(s[-1] * 1000, 2),
            "samples": len(s)}  # fmt: skip


@dataclass
class Visitor:
    token: str
    conversation_id: int
    seen: set[int] = field(default_factory=set)
    duplicates: int = 0
    pending: dict[str, str] = field(default_factory=dict)  # client_id -> text, not acked
    sent: list[str] = field(default_factory=list)
    reconnects: int = 0
    ws: Any = None


@dataclass
class Run:
    port: int
    stop_sending: float
    latencies: list[tuple[float, float]] = field(default_factory=list)  # (sent at, latency)
    done: bool = False


class Server:
    """caredesk's ASGI application in uvicorn, one process, as `caredesk serve` runs it
    without Redis."""

    def __init__(self, env: dict[str, str], port: int, deflate: bool) -> None:
        self.env, self.port, self.deflate = env, port, deflate
        self.proc: subprocess.Popen[bytes] | None = None
        self.cpu = 0.0
        self.rss_mb = 0.0

    def start(self) -> None:
        self.proc = subprocess.Popen(  # our own interpreter and module
            [sys.executable, "-m", "uvicorn", "caredesk.config.asgi:application", "--host",
             "127.0.0.1", "--port", str(self.port), "--ws", "websockets-sansio", "--lifespan",
             "off", "--log-level", "warning", "--no-access-log",
             "--ws-per-message-deflate", "true" if self.deflate else "false"],
            env=self.env,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def sample(self) -> None:
        """CPU seconds and peak RSS of the running process (kept across a restart)."""
        if self.proc is None:
            return
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        self.rss_mb = max(self.rss_mb, int(line.split()[1]) / 1024)
            with open(f"/proc/{self.proc.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            self.current_cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            pass

    def kill(self) -> None:
        assert self.proc is not None
        self.sample()
        self.cpu += getattr(self, "current_cpu", 0.0)
        self.current_cpu = 0.0
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        self.sample()
        self.cpu += getattr(self, "current_cpu", 0.0)
        self.current_cpu = 0.0
        assert self.proc is not None
        self.proc.terminate()
        self.proc.wait(20)


async def visitor_loop(v: Visitor, run: Run) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import WebSocketException

    url = f"ws://127.0.0.1:{run.port}/ws/chat/"
    backoff = 0.2
    while not run.done:
        try:
            async with connect(url, origin=ORIGIN, open_timeout=20, ping_interval=None) as ws:  # type: ignore[arg-type]
                await ws.send(json.dumps({"type": "auth", "token": v.token,
                                          "after_seq": max(v.seen, default=0)}))  # fmt: skip
                v.ws = ws
                backoff = 0.2
                for client_id, text in list(v.pending.items()):  # never acknowledged
                    await ws.send(json.dumps({"type": "message", "text": text,
                                              "client_id": client_id}))  # fmt: skip
                async for raw in ws:
                    event = json.loads(raw)
                    kind = event.get("type")
                    if kind == "ack":
                        v.pending.pop(event["client_id"], None)
                        continue
                    seq = event.get("seq")
                    if kind not in ("message", "status") or not seq:
                        continue
                    if seq in v.seen:
                        v.duplicates += 1
                        continue
                    v.seen.add(seq)
                    if event.get("client_id"):
                        v.pending.pop(event["client_id"], None)
                    if event["from"] == "agent" and event["text"].startswith("re "):
                        sent_at = float(event["text"].rsplit(" ", 1)[1])
                        run.latencies.append((sent_at, time.perf_counter() - sent_at))
        except (TimeoutError, OSError, WebSocketException):
            pass
        v.ws = None
        if run.done:
            return
        v.reconnects += 1
        await asyncio.sleep(backoff * (1 + random.random()))  # jitter
        backoff = min(backoff * 2, 3.0)


async def visitor_sender(v: Visitor, run: Run, index: int) -> None:
    await asyncio.sleep(EVERY * random.random())  # spread over the interval
    n = 0
    while time.perf_counter() < run.stop_sending:
        n += 1
        client_id = f"v{index}-{n}"
        text = f"question {n} from visitor {index}"
        v.pending[client_id] = text
        v.sent.append(client_id)
        ws = v.ws
        if ws is not None:
            with contextlib.suppress(Exception):  # dropped: resent from pending on reconnect
                await ws.send(json.dumps({"type": "message", "text": text, "client_id": client_id}))
        await asyncio.sleep(EVERY)


async def agent_loop(cookie: str, conversations: list[int], run: Run) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import WebSocketException

    url = f"ws://127.0.0.1:{run.port}/ws/agent/"
    answered: set[str] = set()  # replies the server stored (their echo came back)
    while not run.done:
        asked: set[str] = set()  # replies sent on this socket
        try:
            async with connect(url, origin=f"http://127.0.0.1:{run.port}", open_timeout=20,
                               additional_headers={"Cookie": f"sessionid={cookie}"},
                               ping_interval=None) as ws:  # fmt: skip
                for cid in conversations:  # the whole chat again: answer what is unanswered
                    await ws.send(json.dumps({"type": "watch", "conversation_id": cid,
                                              "after_seq": 0}))  # fmt: skip
                async for raw in ws:
                    event = json.loads(raw)
                    client_id = event.get("client_id") or ""
                    if event.get("from") == "agent":
                        answered.add(client_id)
                        continue
                    if event.get("from") != "visitor" or event.get("type") != "message":
                        continue
                    reply = f"r-{client_id}"
                    if reply in answered or reply in asked:
                        continue
                    asked.add(reply)
                    await ws.send(json.dumps({
                        "type": "message", "conversation_id": event["conversation_id"],
                        "client_id": reply, "text": f"re {client_id} {time.perf_counter()}",
                    }))  # fmt: skip
        except (TimeoutError, OSError, WebSocketException):
            pass
        if not run.done:
            await asyncio.sleep(0.5 + random.random())  # jitter


def setup(n_visitors: int, port: int) -> tuple[list[Visitor], list[tuple[str, list[int]]]]:
    """The widget, the agents, and every visitor's session over HTTP; the chats
    accepted by agents, twenty each."""
    from django.test import Client

    from caredesk.accounts.models import User
    from caredesk.chat.models import Conversation
    from caredesk.chat.services import conversation_accept
    from caredesk.chat.widgets import widget_save
    from caredesk.routing.services import availability_set

    widget = widget_save(widget=None, data={"name": "Load", "allowed_origins": [ORIGIN],
                                            "bot_enabled": False})  # fmt: skip
    n_agents = (n_visitors + AGENT_CHATS - 1) // AGENT_CHATS
    agents = []
    for i in range(n_agents):
        email = f"agent{i}@load.example"
        user = User.objects.create(username=email, email=email, role="agent")
        availability_set(user=user, availability="online")
        agents.append(user)
    from caredesk.chat.models import ChatAgent

    ChatAgent.objects.bulk_create([ChatAgent(user=a, concurrency=AGENT_CHATS) for a in agents])
    visitors = []
    for i in range(n_visitors):
        request = urllib.request.Request(  # our own server
            f"http://127.0.0.1:{port}/api/v1/chat/sessions",
            json.dumps({"widget_key": widget.key, "name": f"Visitor {i}"}).encode(),
            {"Content-Type": "application/json", "Origin": ORIGIN},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body = json.load(response)
        visitors.append(Visitor(body["session_token"], body["conversation_id"]))
    plan = []
    for i, agent in enumerate(agents):
        mine = [v.conversation_id for v in visitors[i * AGENT_CHATS : (i + 1) * AGENT_CHATS]]
        for cid in mine:
            conversation_accept(conversation=Conversation.objects.get(pk=cid), agent=agent)
        client = Client()
        client.force_login(agent)
        plan.append((client.cookies["sessionid"].value, mine))
    return visitors, plan


def verify(visitors: list[Visitor]) -> dict[str, int]:
    """Against the database: every event a visitor may see was shown once, every message
    sent was stored once, and every one was answered once."""
    from caredesk.chat.enums import EventKind, Sender
    from caredesk.chat.models import ChatEvent

    lost = duplicated = stored_twice = unanswered = 0
    for v in visitors:
        rows = ChatEvent.objects.filter(conversation_id=v.conversation_id).exclude(
            kind=EventKind.NOTE
        )
        events = list(rows.values_list("seq", "sender", "client_id"))
        lost += len({seq for seq, _s, _c in events} - v.seen)
        duplicated += v.duplicates
        mine = [c for _seq, sender, c in events if sender == Sender.VISITOR]
        stored_twice += len(mine) - len(set(mine))
        lost += len(set(v.sent) - set(mine))  # sent, never stored
        answers = {c for _seq, sender, c in events if sender == Sender.AGENT}
        unanswered += sum(1 for c in set(mine) if f"r-{c}" not in answers)
    return {"lost": lost, "duplicated": duplicated, "stored_twice": stored_twice,
            "unanswered": unanswered}  # fmt: skip


def _by_window(latencies: list[tuple[float, float]], started: float) -> list[float]:
    """p95 of the replies sent in each 10 s of the run: a warm-up or a stall shows."""
    windows: dict[int, list[float]] = {}
    for at, lat in latencies:
        windows.setdefault(int((at - started) // 10), []).append(lat)
    return [percentiles(windows[k])["p95_ms"] for k in sorted(windows) if len(windows[k]) > 1]


async def drive(visitors: list[Visitor], plan: list[tuple[str, list[int]]], run: Run,
                server: Server, seconds: float, kill: bool) -> dict[str, Any]:  # fmt: skip
    cpu_before = time.process_time()  # the load generator's own CPU (it shares the machine)
    tasks = [asyncio.create_task(agent_loop(cookie, cids, run)) for cookie, cids in plan]
    for i, v in enumerate(visitors):
        tasks.append(asyncio.create_task(visitor_loop(v, run)))
        if i % 50 == 49:
            await asyncio.sleep(0.05)  # connect in waves, as visitors arrive
    started = time.perf_counter()
    run.stop_sending = started + seconds
    tasks += [asyncio.create_task(visitor_sender(v, run, i)) for i, v in enumerate(visitors)]
    killed_at = restarted_at = None
    while time.perf_counter() < run.stop_sending:
        await asyncio.sleep(1)
        server.sample()
        if kill and killed_at is None and time.perf_counter() - started > seconds / 2:
            killed_at = time.perf_counter()
            await asyncio.to_thread(server.kill)
            await asyncio.to_thread(server.start)
            restarted_at = time.perf_counter()
    # everyone has sent; wait until every message is stored, answered and seen
    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline:
        await asyncio.sleep(1)
        sent = sum(len(v.sent) for v in visitors)
        if all(not v.pending for v in visitors) and len(run.latencies) >= sent:
            break
    await asyncio.sleep(2)
    server.sample()
    run.done = True
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    elapsed = time.perf_counter() - started
    window = (killed_at - 1, restarted_at + 10) if killed_at and restarted_at else None
    steady = [lat for at, lat in run.latencies if not window or not window[0] <= at <= window[1]]
    sent = sum(len(v.sent) for v in visitors)
    return {
        "elapsed_seconds": round(elapsed, 1),
        "latency_agent_to_visitor": percentiles(steady),
        "latency_including_restart": percentiles([lat for _at, lat in run.latencies]),
        "visitor_messages": sent, "agent_replies_seen": len(run.latencies),
        "messages_per_second": round((sent + len(run.latencies)) / elapsed, 1),
        "restart_seconds": (
            round(restarted_at - killed_at, 2) if killed_at and restarted_at else None
        ),
        "reconnects": sum(v.reconnects for v in visitors),
        "latency_p95_ms_by_10s": _by_window(run.latencies, started),
        "client_cpu_share": round((time.process_time() - cpu_before) / elapsed, 2),
        "machine_cpus": os.cpu_count(),
    }  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--visitors", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--kill", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument(
        "--deflate",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="permessage-deflate on the sockets (caredesk serve leaves it off)",
    )
    args = ap.parse_args()
    env = dict(os.environ, CAREDESK_DATA_DIR=tempfile.mkdtemp(prefix="caredesk-chat-load-"),
               DEBUG="false", SECRET_KEY="bench-secret-key-not-for-production",  # noqa: S106
               DJANGO_SETTINGS_MODULE="caredesk.config.settings",
               ALLOWED_HOSTS="127.0.0.1,localhost")  # fmt: skip
    env.pop("REDIS_URL", None)
    env.pop("DATABASE_URL", None)
    if args.db == "postgres":
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute('DROP DATABASE IF EXISTS "caredesk_chat_load"')
            c.execute('CREATE DATABASE "caredesk_chat_load"')
        env["DATABASE_URL"] = "postgresql://postgres@127.0.0.1:5432/caredesk_chat_load"
    os.environ.update(env)
    for name in ("REDIS_URL", "DATABASE_URL"):
        if name not in env:
            os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = Server(env, port, args.deflate)
    server.start()
    try:
        visitors, plan = setup(args.visitors, port)
        run = Run(port=port, stop_sending=0.0)
        result = asyncio.run(drive(visitors, plan, run, server, args.seconds, args.kill))
    finally:
        server.stop()
    figures = verify(visitors)
    print(json.dumps({
        "db": args.db, "visitors": args.visitors, "agents": len(plan), "seconds": args.seconds,
        "every_seconds": EVERY, "killed_and_restarted": args.kill,
        "targets": {"p95_ms": 100, "rss_mb": 300, "lost": 0, "duplicated": 0},
        **result, **figures, "server_peak_rss_mb": round(server.rss_mb, 1),
        "server_cpu_seconds": round(server.cpu, 1),
        "server_cpu_share": round(server.cpu / result["elapsed_seconds"], 2),
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
