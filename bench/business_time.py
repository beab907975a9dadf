"""Business-time arithmetic throughput: "N business minutes after T" and "business
minutes between T1 and T2", as an SLA sweep does them.

    python bench/business_time.py [--n 200000]

Three calendars (Berlin 09:00-17:00 weekdays with holidays, New York with a lunch break,
Sydney 24 hours on weekdays), random starts over two years (DST changes included) and
random targets of 15 minutes to 5 business days. The calendar's per-day opening ranges
are cached as in a long-running process; the first (cold) pass is reported too.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
import tracemalloc

from caredesk.core.business_hours import Calendar, add_business_minutes, business_minutes_between

WEEK = ["mon", "tue", "wed", "thu", "fri"]
CALENDARS = [
    {"timezone": "Europe/Berlin", "hours": [{"days": WEEK, "start": "09:00", "end": "17:00"}],
     "holidays": ["2026-12-25", "2026-12-26", "2027-01-01", "2027-04-05", "2027-12-24"]},
    {"timezone": "America/New_York", "hours": [{"days": WEEK, "start": "08:00", "end": "12:00"},
                                               {"days": WEEK, "start": "13:00", "end": "18:00"}]},
    {"timezone": "Australia/Sydney", "hours": [{"days": WEEK, "start": "00:00", "end": "24:00"}]},
]  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    calendars = [Calendar.from_dict(c) for c in CALENDARS]
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    jobs = [
        (
            calendars[i % 3],
            base + dt.timedelta(seconds=rng.randrange(0, 2 * 365 * 86400)),
            rng.choice([15, 60, 240, 480, 960, 2400]),
        )
        for i in range(args.n)
    ]
    cold_start = time.perf_counter()
    dues = [add_business_minutes(c, s, m) for c, s, m in jobs]
    cold = time.perf_counter() - cold_start
    start = time.perf_counter()
    dues = [add_business_minutes(c, s, m) for c, s, m in jobs]
    warm = time.perf_counter() - start
    tracemalloc.start()
    for c, s, m in jobs[:20_000]:
        add_business_minutes(c, s, m)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    sample = jobs[:50_000]
    start = time.perf_counter()
    back = [business_minutes_between(c, s, d) for (c, s, _), d in zip(sample, dues, strict=False)]
    between = time.perf_counter() - start
    wrong = sum(abs(b - m) > 1e-6 for b, (_, _, m) in zip(back, sample, strict=False))
    print(
        json.dumps(
            {
                "computations": args.n,
                "due_per_second_cold": round(args.n / cold),
                "due_per_second": round(args.n / warm),
                "due_mean_microseconds": round(warm / args.n * 1e6, 2),
                "between_per_second": round(len(sample) / between),
                "round_trip_mismatches": wrong,
                "peak_memory_mb": round(peak / 2**20, 1),
                "target_per_second": 100_000,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
