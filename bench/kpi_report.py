"""The KPI report and the manager dashboard at scale: p50, p95, p99.

    caredesk seed --tickets 1000000 --customers 100000     # two years of tickets, once
    python bench/kpi_report.py [--responses 200000] [--runs 5]

Uses the database of DATABASE_URL (and CAREDESK_DATA_DIR). Adds survey responses (CSAT,
NPS and CES, spread over the seeded tickets' two years) until there are --responses of
them, brings the daily rollups up to date (timed: the first time that builds two years
of days), then times, --runs times each: rebuilding one day's rollups (what the job
does per changed day), the KPI report of the last full month, of the last twelve
months, and the manager dashboard of the last full month; once, the month's report
from the records alone, and whether it equals the one from the rollups. Prints one
JSON object with p50/p95/p99 in milliseconds over the timed runs (each measure's first
call in the process, with its one-time costs, is reported apart as first_call_ms), SQL
queries per request and peak memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import statistics
import time
from collections.abc import Callable
from typing import Any


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caredesk.config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production")
    import django

    django.setup()


def add_responses(total: int, seed: int = 5) -> int:
    from django.db.models import Max, Min

    from caredesk.customers.models import Customer
    from caredesk.surveys.models import SurveyResponse
    from caredesk.tickets.models import Ticket

    have = SurveyResponse.objects.count()
    if have >= total:
        return 0
    rng = random.Random(seed)
    span = Ticket.objects.aggregate(a=Min("created_at"), b=Max("created_at"))
    start, end = span["a"], span["b"]
    customers = list(Customer.objects.values_list("id", flat=True)[:200_000])
    last_ticket = Ticket.objects.aggregate(m=Max("id"))["m"] or 0
    seconds = (end - start).total_seconds()
    added = 0
    while have + added < total:
        rows = []
        for _ in range(min(10_000, total - have - added)):
            kind = rng.choices(["csat", "nps", "ces"], [60, 25, 15])[0]
            low, high = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}[kind]
            at = start + dt.timedelta(seconds=rng.random() * seconds)
            rows.append(SurveyResponse(
                kind=kind, customer_id=rng.choice(customers), score=rng.randint(low, high),
                responded_at=at, created_at=at, updated_at=at,
                ticket_id=rng.randint(1, last_ticket) if kind == "csat" else None,
            ))  # fmt: skip
        SurveyResponse.objects.bulk_create(rows, batch_size=5_000)
        added += len(rows)
    return added


def timed(label: str, fn: Callable[[], Any], runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    fn()  # the first call of a process (imports, query plans) is reported apart
    first_ms = round((time.perf_counter() - started) * 1000, 1)
    times, queries = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            fn()
            times.append((time.perf_counter() - started) * 1000)
        queries.append(len(captured.captured_queries))
    times.sort()

    def pct(p: float) -> float:
        return round(times[min(len(times) - 1, round(p * (len(times) - 1)))], 1)

    return {"what": label, "runs": runs, "p50_ms": round(statistics.median(times), 1),
            "p95_ms": pct(0.95), "p99_ms": pct(0.99), "max_ms": round(times[-1], 1),
            "queries_per_request": max(queries), "first_call_ms": first_ms}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--responses", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--no-raw", action="store_true", help="Skip the raw month (slow).")
    args = ap.parse_args()
    _setup()
    from django.db import connection
    from django.utils import timezone

    from caredesk.analytics.dashboards import manager_board
    from caredesk.analytics.figures import kpis_for
    from caredesk.analytics.rollups import rollups_build, rollups_refresh, rollups_reset
    from caredesk.analytics.selectors import EVERYONE, kpi_period
    from caredesk.surveys.models import SurveyResponse
    from caredesk.tickets.models import Ticket

    added = add_responses(args.responses)
    if added:  # written with their original times: the rollups cannot tell
        rollups_reset()
    started = time.perf_counter()
    built = rollups_refresh(limit=100_000)
    build_s = time.perf_counter() - started
    today = timezone.localdate()
    month_end = today.replace(day=1) - dt.timedelta(days=1)
    month = kpi_period(date_from=month_end.replace(day=1), date_to=month_end)
    year = kpi_period(date_from=(month_end - dt.timedelta(days=364)), date_to=month_end)
    results = [
        timed(
            "rollup of one day, rebuilt (the job, per changed day)",
            lambda: rollups_build([month_end]),
            args.runs,
        ),
        timed("KPI report, last full month", lambda: kpis_for(month), args.runs),
        timed("KPI report, last twelve months", lambda: kpis_for(year), args.runs),
        timed(
            "manager dashboard, last full month",
            lambda: manager_board(period=month, scope=EVERYONE),
            args.runs,
        ),
    ]
    if not args.no_raw:
        results.append(timed("KPI report, last full month, raw (no rollups)",
                             lambda: kpis_for(month, raw=True), 1))  # fmt: skip
    print(json.dumps({
        "db": connection.vendor,
        "tickets": Ticket.objects.count(),
        "survey_responses": SurveyResponse.objects.count(),
        "responses_added": added,
        "month": [str(month.date_from), str(month.date_to)],
        "year": [str(year.date_from), str(year.date_to)],
        "rollups_built": built,
        "rollups_build_s": round(build_s, 1),
        "month_rollups_equal_raw": None if args.no_raw
        else kpis_for(month) == kpis_for(month, raw=True),
        "results": results,
        "target_p95_ms": 300,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
