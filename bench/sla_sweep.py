"""SLA evaluation at a million tickets: the full sweep (every open ticket's due times,
then breach detection) and the incremental periodic check.

    python bench/sla_sweep.py --tickets 1000000 --db sqlite|postgres   (after api_load.py
    or web_pages.py seeded the database; run with --reuse semantics: it never seeds)

Sets up one business-hours calendar (Berlin, weekdays 09:00-17:00, holidays) and three
policies (urgent/high in business time, the rest in calendar time) if none exist, runs
`sla_sweep` over every open ticket — computing first-response and resolution due and
warning times in business minutes and writing them in bulk — then times `sla_check`
twice: right after the sweep (nothing new is due) and one day later (every clock that
ran out in that day is recorded). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_load as common  # the API benchmark's environment for a seeded database

RUN = r"""
import json, time, datetime as dt
import django
django.setup()
from django.utils import timezone
from caredesk.sla.models import BusinessCalendar, SlaPolicy, TicketSla
from caredesk.sla.services import sla_check, sla_sweep
from caredesk.tickets.models import Ticket

if not SlaPolicy.objects.exists():
    office = BusinessCalendar.objects.create(
        name="Office", timezone="Europe/Berlin",
        hours=[{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}],
        holidays=["2026-12-24", "2026-12-25", "2026-12-26", "2027-01-01"])
    SlaPolicy.objects.create(name="Urgent", position=0, conditions={"priority": ["urgent"]},
        calendar=office, first_response_minutes=60, resolution_minutes=480)
    SlaPolicy.objects.create(name="High", position=1, conditions={"priority": ["high"]},
        calendar=office, first_response_minutes=240, resolution_minutes=1440)
    SlaPolicy.objects.create(name="Standard", position=2,
        first_response_minutes=1440, resolution_minutes=7200)
from django.db import connection
with connection.cursor() as cursor:  # start from no clocks at all, every run
    cursor.execute("DELETE FROM sla_ticketsla")
now = timezone.now()
stats = sla_sweep(now=now)


def timed(**delta):
    t = time.perf_counter()
    events = sla_check(now=now + dt.timedelta(**delta))
    return round(time.perf_counter() - t, 3), len(events)


quiet, day, again = timed(minutes=1), timed(days=1), timed(days=1, minutes=1)
print(json.dumps({
    "open_tickets": stats.tickets, "with_policy": stats.with_policy,
    "sweep_seconds": stats.seconds, "sweep_breaches": stats.breaches,
    "sweep_warnings": stats.warnings,
    "check_right_after": {"seconds": quiet[0], "events": quiet[1]},
    "check_a_day_later": {"seconds": day[0], "events": day[1]},
    "check_a_minute_after_that": {"seconds": again[0], "events": again[1]},
    "ticket_sla_rows": TicketSla.objects.count(),
}))
"""


def all_open_copy(args: argparse.Namespace, env: dict[str, str]) -> dict[str, str]:
    """A copy of the seeded database with every ticket reopened (made once, kept)."""
    source = Path(env["CAREDESK_DATA_DIR"])
    target = source.with_name(source.name + "-all-open")
    copy = dict(env, CAREDESK_DATA_DIR=str(target))
    if args.db == "sqlite":
        db = target / "caredesk.sqlite3"
        if not db.exists():
            target.mkdir(parents=True, exist_ok=True)
            with sqlite3.connect(source / "caredesk.sqlite3") as src, sqlite3.connect(db) as dst:
                src.backup(dst)
            with sqlite3.connect(db) as conn:
                conn.execute("UPDATE tickets_ticket SET status = 'open', solved_at = NULL "
                             "WHERE status IN ('solved', 'closed')")  # fmt: skip
                conn.execute("DELETE FROM sla_ticketsla")
        return copy
    import psycopg

    name = f"caredesk_bench_{args.tickets}_all_open"
    copy["DATABASE_URL"] = f"{args.pg_server}/{name}"
    with psycopg.connect(f"{args.pg_server}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "caredesk_bench_{args.tickets}"')
            with psycopg.connect(copy["DATABASE_URL"], autocommit=True) as db:
                db.execute("UPDATE tickets_ticket SET status = 'open', solved_at = NULL "
                           "WHERE status IN ('solved', 'closed')")  # fmt: skip
                db.execute("DELETE FROM sla_ticketsla")
                db.execute("VACUUM ANALYZE")
    return copy


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--pg-server", default="postgresql://postgres@127.0.0.1:5432")
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "caredesk-bench"))
    ap.add_argument(
        "--all-open",
        action="store_true",
        help="work on a copy of the seeded database in which every ticket is open",
    )
    args = ap.parse_args()
    env = common.env_for(args)
    common.caredesk(env, "migrate")
    if args.all_open:
        env = all_open_copy(args, env)
        common.caredesk(env, "migrate")
    out = subprocess.run(
        [sys.executable, "-c", RUN], env=env, check=True, text=True, capture_output=True
    )
    result = {
        "db": args.db,
        "tickets": args.tickets,
        **json.loads(out.stdout.strip().splitlines()[-1]),
    }
    result["targets"] = {"full_sweep_seconds": 60, "incremental_check_seconds": 1}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
