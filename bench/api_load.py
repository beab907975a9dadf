"""API benchmark: seed N tickets, serve with gunicorn, load each endpoint from wrk.

    python bench/api_load.py --tickets 1000000 --customers 100000 --db sqlite
    python bench/api_load.py --tickets 1000000 --customers 100000 --db postgres

Steps: seed with `caredesk seed` (timed), count SQL queries per request in-process,
start `caredesk serve --workers 2` on loopback, then drive every endpoint with the
shared load harness (../shared/peer-bench/django-helpdesk/load.py: wrk, session login,
latency histogram, server RSS), the same harness that measures django-helpdesk.
Prints one JSON object and writes it to bench/results/<db>-<tickets>.json.
Needs Debian's wrk and `pip install -e '.[bench]'` (requests).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HARNESS = ROOT.parent / "shared" / "peer-bench" / "django-helpdesk"
BIN = Path(sys.executable).parent
PASSWORD = "bench-password-123"  # noqa: S105  # local benchmark user only
AGENT = "bench-agent@example.com"
SEARCH_WORDS = ["refund", "printer", "crashing", "warranty", "password"]


def env_for(args: argparse.Namespace) -> dict[str, str]:
    data_dir = Path(args.workdir) / f"{args.db}-{args.tickets}"
    env = dict(
        os.environ,
        SECRET_KEY="bench-secret-key-not-for-production",  # noqa: S106
        CAREDESK_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="caredesk.config.settings",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DEBUG="false",
        SECURE_COOKIES="false",  # plain HTTP on loopback
    )
    if args.db == "postgres":
        env["DATABASE_URL"] = f"{args.pg_server}/caredesk_bench_{args.tickets}"
    else:
        env.pop("DATABASE_URL", None)
    return env


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def caredesk(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "caredesk"), *argv], env=env, check=True, text=True, capture_output=True
    )


def fresh_database(args: argparse.Namespace, env: dict[str, str]) -> None:
    data_dir = Path(env["CAREDESK_DATA_DIR"])
    if args.db == "postgres":
        import psycopg

        with psycopg.connect(f"{args.pg_server}/postgres", autocommit=True) as conn:
            name = f"caredesk_bench_{args.tickets}"
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(["rm", "-rf", str(data_dir)], check=True)
    data_dir.mkdir(parents=True)


def seed(args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    log(f"seeding {args.tickets:,} tickets, {args.customers:,} customers on {args.db}")
    started = time.monotonic()
    out = caredesk(
        env, "seed", "--tickets", str(args.tickets), "--customers", str(args.customers), "--json"
    )
    stats: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    stats["wall_seconds"] = round(time.monotonic() - started, 1)
    caredesk(
        dict(env, CAREDESK_PASSWORD=PASSWORD), "user", "create", "--email", AGENT, "--role", "agent"
    )
    return stats


PROBE = r"""
import json, sys
import django
django.setup()
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from caredesk.core.pagination import cursor_encode
from caredesk.customers.models import Customer
from caredesk.tickets.models import Message, Ticket

words = json.loads(sys.argv[1])
detail = list(Message.objects.values("ticket_id").annotate(n=Count("id")).filter(n=10)
              .values_list("ticket_id", flat=True)[:200])
total = Ticket.objects.count()
deep = []
for frac in (0.25, 0.5, 0.75, 0.9):
    row = Ticket.objects.order_by("-updated_at", "-id").values("updated_at", "id")[
        int(total * frac)]
    deep.append(cursor_encode([row["updated_at"], row["id"]]))
requester = Customer.objects.order_by("id").values_list("id", flat=True).first()
paths = {
    "ticket_list": ["/api/v1/tickets?limit=50"],
    "ticket_list_deep": [f"/api/v1/tickets?limit=50&cursor={c}" for c in deep],
    "ticket_list_open_filtered": ["/api/v1/tickets?limit=50&status=open&status=pending"],
    "ticket_detail": [f"/api/v1/tickets/{i}?include=messages" for i in detail],
    "ticket_messages": [f"/api/v1/tickets/{i}/messages" for i in detail],
    "search": [f"/api/v1/search?q={w}" for w in words],
}
client = Client(SERVER_NAME="localhost")
assert client.login(username=sys.argv[2], password=sys.argv[3])
counts = {}
for name, ps in paths.items():
    client.get(ps[0])
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(ps[-1])
    assert r.status_code == 200, (name, r.status_code, r.content[:300])
    counts[name] = len(ctx)
body = {"subject": "Bench ticket", "text": "Created by the benchmark", "requester_id": requester,
        "channel": "api"}
with CaptureQueriesContext(connection) as ctx:
    r = client.post("/api/v1/tickets", json.dumps(body), content_type="application/json")
assert r.status_code == 201, r.content[:300]
counts["ticket_create"] = len(ctx)
reply = {"text": "An agent's reply, posted by the benchmark", "public": True}
open_ids = (Ticket.objects.exclude(status="closed").exclude(channel="email")  # no mail out
            .filter(merged_into__isnull=True)
            .order_by("id").values_list("id", flat=True)[:50])
replied = [f"/api/v1/tickets/{i}/messages" for i in open_ids]
with CaptureQueriesContext(connection) as ctx:
    r = client.post(replied[0], json.dumps(reply), content_type="application/json")
assert r.status_code == 201, r.content[:300]
counts["message_add"] = len(ctx)
print(json.dumps({"paths": paths, "queries": counts, "create_body": body,
                  "reply_body": reply, "reply_paths": replied}))
"""


def probe(env: dict[str, str]) -> dict[str, Any]:
    log("choosing paths and counting SQL queries per request")
    out = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(SEARCH_WORDS), AGENT, PASSWORD],
        env=env,
        check=True,
        text=True,
        capture_output=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def endpoints_file(info: dict[str, Any], path: Path, login: str = AGENT) -> None:
    """The reads, for the shared harness (session login through allauth's form, GET only)."""
    eps = [
        {
            "name": name,
            "group": name,
            "method": "GET",
            "auth": "agent",
            "paths": ps,
            "ok_status": [200],
        }
        for name, ps in info["paths"].items()
    ]
    doc = {
        "target": "caredesk",
        "csrf_path": "/accounts/login/",
        "endpoints": eps,
        "login": {
            "path": "/accounts/login/",
            "username_field": "login",
            "password_field": "password",
            "username": login,
            "password": PASSWORD,
            "csrf_cookie": "csrftoken",
            "session_cookie": "sessionid",
        },
    }
    path.write_text(json.dumps(doc, indent=2))


def serve(args: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen[bytes]:
    log(f"serving on 127.0.0.1:{args.port} with {args.workers} workers")
    server = subprocess.Popen(
        [str(BIN / "caredesk"), "serve", "--port", str(args.port), "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("the server did not come up")


def load(
    args: argparse.Namespace, server: subprocess.Popen[bytes], eps: Path, out: Path
) -> dict[str, Any]:
    log("loading each endpoint with wrk (shared harness)")
    subprocess.run(
        [
            sys.executable,
            str(HARNESS / "load.py"),
            "--endpoints",
            str(eps),
            "--base-url",
            f"http://127.0.0.1:{args.port}",
            "--server-pid",
            str(server.pid),
            "--duration",
            str(args.duration),
            "--warmup",
            "2",
            "--connections",
            str(args.connections),
            "--threads",
            "2",
            "--out",
            str(out),
            *(["--only", args.only] if args.only else []),
        ],
        check=True,
        stdout=sys.stderr,
    )
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def load_post(
    args: argparse.Namespace,
    env: dict[str, str],
    server: subprocess.Popen[bytes],
    name: str,
    paths: list[str],
    body: dict[str, Any],
) -> dict[str, Any]:
    """A POST endpoint (ticket creation, an agent's reply), with a bearer token: the
    harness's own sanity request cannot send a JSON body with a CSRF token, so its wrk
    runner and accounting are called here."""
    import requests

    sys.path.insert(0, str(HARNESS))
    import load as harness  # the shared harness module

    log(f"loading {name} (POST {paths[0]}, bearer token)")
    token = caredesk(env, "token", "create", "--email", AGENT).stdout.strip()
    base = f"http://127.0.0.1:{args.port}"
    headers = {"Authorization": f"Bearer {token}"}
    sanity = requests.post(f"{base}{paths[0]}", json=body, headers=headers, timeout=60)
    if sanity.status_code != 201:
        return {"error": f"sanity request got HTTP {sanity.status_code}: {sanity.text[:200]}"}
    ep = {
        "name": name,
        "method": "POST",
        "paths": paths,
        "body": json.dumps(body),
        "content_type": "application/json",
        "headers": headers,
    }
    opts = argparse.Namespace(
        quiet_threshold=0.15,
        quiet_max_wait=90,
        server_pid=server.pid,
        threads=2,
        connections=args.connections,
        duration=args.duration,
        timeout=60,
        max_requests=50_000,
    )
    session = requests.Session()
    harness.run_wrk(base, ep, session, "csrftoken", opts, 2)
    w, cpu, peak_kb = harness.measure_once(base, ep, session, "csrftoken", opts)
    secs = w["duration_us"] / 1e6
    return {
        "latency_ms": {k: round(v / 1000, 1) for k, v in w["latency_us"].items()},
        "rps": round(w["requests"] / secs, 1),
        "requests": w["requests"],
        "error_count": sum(w["errors"].values()),
        "server_rss_peak_mb": round(peak_kb / 1024, 1),
        "cpu": cpu,
    }


def arguments(doc: str, *, what: str) -> argparse.Namespace:
    """The options every benchmark here takes (scale, database, load)."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--pg-server", default="postgresql://postgres@127.0.0.1:5432")
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "caredesk-bench"))
    ap.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    ap.add_argument("--port", type=int, default=8010)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--duration", type=int, default=20, help=f"seconds of load per {what}")
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--only", default="", help=f"comma-separated {what} names")
    return ap.parse_args()


def main() -> None:
    args = arguments(__doc__ or "", what="endpoint")
    env = env_for(args)
    result: dict[str, Any] = {
        "db": args.db,
        "tickets": args.tickets,
        "customers": args.customers,
        "workers": args.workers,
    }
    if not args.reuse:
        fresh_database(args, env)
        result["seed"] = seed(args, env)
    caredesk(env, "migrate")
    info = probe(env)
    work = Path(env["CAREDESK_DATA_DIR"])
    eps = work / "endpoints.json"
    endpoints_file(info, eps)
    server = serve(args, env)
    try:
        wanted = set(filter(None, args.only.split(",")))
        posts = {
            "ticket_create": (["/api/v1/tickets"], info["create_body"]),
            "message_add": (info["reply_paths"], info["reply_body"]),
        }
        loaded = (
            load(args, server, eps, work / "load.json")
            if not wanted or wanted - set(posts)
            else {"endpoints": {}}
        )
        for name, (paths, body) in posts.items():
            if not wanted or name in wanted:
                loaded["endpoints"][name] = load_post(args, env, server, name, paths, body)
    finally:
        server.terminate()
        server.wait(timeout=30)
    summarise(result, loaded, info)
    write_result(result, f"{args.db}-{args.tickets}")


def summarise(result: dict[str, Any], loaded: dict[str, Any], info: dict[str, Any]) -> None:
    """The harness's records as the JSON this script prints, with queries per request."""
    result["endpoints"] = {}
    for name, rec in loaded["endpoints"].items():
        result["endpoints"][name] = {
            "p50_ms": rec.get("latency_ms", {}).get("p50"),
            "p95_ms": rec.get("latency_ms", {}).get("p95"),
            "p99_ms": rec.get("latency_ms", {}).get("p99"),
            "rps": rec.get("rps"),
            "requests": rec.get("requests"),
            "errors": rec.get("error_count", rec.get("error")),
            "sql_queries_per_request": info["queries"].get(name),
            "server_rss_peak_mb": rec.get("server_rss_peak_mb"),
            "cpu_pct_of_machine": {
                k: rec.get("cpu", {}).get(f"{k}_pct")
                for k in ("server", "db_server", "load_generator", "machine_busy")
            },
        }
    result["server_rss_final_mb"] = loaded.get("memory_final", {}).get("rss_total_mb")


def write_result(result: dict[str, Any], name: str) -> None:
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / f"{name}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
