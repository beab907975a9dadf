"""Demo data for staffing: a phone queue with four weeks of calls, shift templates and
agents' contracts, so that forecast → requirement → schedule runs out of the box."""

from __future__ import annotations

import datetime as dt
import math
import random

from django.utils import timezone

from caredesk.accounts.enums import STAFF_ROLES
from caredesk.accounts.models import User
from caredesk.staffing.models import AgentContract, CallQueue, CallRecord, ShiftTemplate

QUEUE = "Support line"


def _rate(day: int, minute: float) -> float:
    """Calls per 30 minutes: open 07:00-20:00, peaks mid-morning and early afternoon,
    Saturdays at 40 %, closed on Sundays."""
    if day == 6 or not 7 * 60 <= minute < 20 * 60:
        return 0.0
    hour = minute / 60
    shape = 6 + 10 * math.exp(-((hour - 10.5) ** 2) / 3) + 7 * math.exp(-((hour - 14.5) ** 2) / 4)
    return 0.7 * shape * (0.4 if day == 5 else 1.0)


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def demo_staffing(*, weeks: int = 4, today: dt.date | None = None, seed: int = 11) -> CallQueue:
    """Create the demo queue and its history once; a second call changes nothing."""
    queue, created = CallQueue.objects.get_or_create(
        name=QUEUE, defaults={"target_level": 0.8, "target_seconds": 20}
    )
    if not created:
        return queue
    rng = random.Random(seed)
    today = today or timezone.localdate()
    start = today - dt.timedelta(weeks=weeks)
    start -= dt.timedelta(days=start.weekday())  # from a Monday
    zone = timezone.get_current_timezone()
    records = []
    day = start
    n = 0
    while day < today:
        midnight = dt.datetime.combine(day, dt.time(), tzinfo=zone)
        for slot in range(48):
            for _ in range(_poisson(rng, _rate(day.weekday(), slot * 30))):
                n += 1
                queued = midnight + dt.timedelta(minutes=slot * 30 + rng.random() * 30)
                wait = rng.expovariate(1 / 15)
                record = CallRecord(call_id=f"demo-{n}", queue=queue, queued_at=queued)
                if rng.random() < 0.05:
                    record.abandoned_at = queued + dt.timedelta(seconds=wait * 2 + 5)
                else:
                    record.answered_at = queued + dt.timedelta(seconds=wait)
                    talk = rng.lognormvariate(math.log(260), 0.35)
                    record.ended_at = record.answered_at + dt.timedelta(seconds=talk)
                records.append(record)
        day += dt.timedelta(days=1)
    CallRecord.objects.bulk_create(records, batch_size=2000)
    ShiftTemplate.objects.get_or_create(
        name="Early",
        defaults={"start_times": ["07:00", "07:30", "08:00"], "length_minutes": 510,
                  "break_minutes": 30, "break_after_minutes": 240, "days": [0, 1, 2, 3, 4, 5]},
    )  # fmt: skip
    ShiftTemplate.objects.get_or_create(
        name="Late",
        defaults={"start_times": ["11:00", "11:30", "12:00"], "length_minutes": 510,
                  "break_minutes": 30, "break_after_minutes": 240, "days": [0, 1, 2, 3, 4, 5]},
    )  # fmt: skip
    ShiftTemplate.objects.get_or_create(
        name="Part-time",
        defaults={"start_times": ["09:00", "10:00", "13:00", "16:00"], "length_minutes": 240,
                  "break_minutes": 0, "break_after_minutes": 0, "days": []},
    )  # fmt: skip
    for i, user in enumerate(
        User.objects.filter(role__in=list(STAFF_ROLES), is_active=True).order_by("pk")
    ):
        AgentContract.objects.get_or_create(
            user=user,
            defaults={"weekly_minutes": (40 if i % 3 else 20) * 60,
                      "cost_per_hour": 28 + (i % 4) * 3},
        )  # fmt: skip
    return queue
