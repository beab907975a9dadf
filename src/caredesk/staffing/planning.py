"""Make a plan for a queue: history → forecast → required agents → schedule → stored."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from decimal import Decimal

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _

from caredesk.accounts.models import User
from caredesk.core.errors import ValidationFailed
from caredesk.core.periods import day_range
from caredesk.staffing.erlang import Targets, required_agents, required_agents_many
from caredesk.staffing.errors import StaffingErrorCode
from caredesk.staffing.forecast import ForecastError, forecast
from caredesk.staffing.models import AgentContract, CallQueue, Plan, ShiftTemplate
from caredesk.staffing.scheduling import Agent, Template, schedule
from caredesk.staffing.selectors import queue_intervals

HISTORY_WEEKS = 8
DEFAULT_AHT = 300.0


def _slot(text: str, minutes: int) -> int:
    hours, _, mins = text.partition(":")
    return (int(hours) * 60 + int(mins or 0)) // minutes


def _templates(minutes: int) -> list[Template]:
    return [
        Template(
            name=t.name,
            start_slots=[_slot(s, minutes) for s in t.start_times],
            length_slots=t.length_minutes // minutes,
            break_offset=t.break_after_minutes // minutes if t.break_minutes else None,
            break_slots=-(-t.break_minutes // minutes) if t.break_minutes else 0,
            days=list(t.days),
        )
        for t in ShiftTemplate.objects.order_by("name")
    ]


def _agents(queue: CallQueue, days: int) -> list[Agent]:
    """Active agents with a contract who can take the queue: it is among their skills
    (or they list none), and they are in the queue's team when it has one."""
    contracts = AgentContract.objects.select_related("user").filter(user__is_active=True)
    if queue.team_id:
        contracts = contracts.filter(user__teams=queue.team_id)
    return [
        Agent(
            id=c.user_id,
            name=c.user.display_name,
            max_minutes=c.weekly_minutes * days // 7,
            cost_per_hour=float(c.cost_per_hour),
            days=list(c.days),
        )
        for c in contracts.order_by("user_id")
        if not c.skills or queue.name in c.skills
    ]


def plan_make(
    *,
    queue: CallQueue,
    start_date: dt.date,
    actor: User | None,
    days: int = 7,
    interval_minutes: int = 30,
    tz: str = "UTC",
    holidays: list[dt.date] | None = None,
    today: dt.date | None = None,
) -> Plan:
    """Forecast the queue's volume per interval from up to eight weeks of history, turn it
    into required agents with the queue's targets (Erlang A when it has a patience,
    Erlang C otherwise), and schedule contracted agents on the shift templates to cover
    it at least cost. The plan keeps all three, with the forecast's accuracy."""
    if not 1 <= days <= 14:
        raise ValidationFailed(
            StaffingErrorCode.INVALID_DAYS, _("A plan covers 1 to 14 days."), field="days"
        )
    holidays = holidays or []
    per_day = 24 * 60 // interval_minutes
    season = 7 * per_day
    # History: the eight weeks up to the plan's start or today, whichever is earlier;
    # weeks before the first call are left out.
    end_date = min(start_date, today or timezone.localdate())
    history_start = end_date - dt.timedelta(weeks=HISTORY_WEEKS)
    begin, end = day_range(start=history_start, days=HISTORY_WEEKS * 7, tz=tz)
    rows = queue_intervals(queue=queue, start=begin, end=end, interval_minutes=interval_minutes)
    skipped = 0
    while len(rows) >= season and not any(r.offered for r in rows[:season]):
        rows, skipped = rows[season:], skipped + 7
    if len(rows) < season:
        raise ValidationFailed(
            StaffingErrorCode.NO_HISTORY,
            _("%(name)s needs at least one week of call history before %(end_date)s.")
            % {"name": queue.name, "end_date": end_date},
        )
    first_day = history_start + dt.timedelta(days=skipped)
    history_days = [first_day + dt.timedelta(days=i // per_day) for i in range(len(rows))]
    gap = (start_date - end_date).days * per_day  # intervals between history and plan
    horizon_days = [end_date + dt.timedelta(days=i // per_day) for i in range(gap + days * per_day)]
    try:
        result = forecast(
            [float(r.offered) for r in rows],
            season=season,
            horizon=gap + days * per_day,
            history_holidays=[d in holidays for d in history_days],
            horizon_holidays=[d in holidays for d in horizon_days],
        )
    except ForecastError as exc:
        raise ValidationFailed(StaffingErrorCode.NO_HISTORY, str(exc)) from None
    # AHT per weekday and time of day from the history, else the queue's overall AHT
    handled = np.zeros((7, per_day))
    talk = np.zeros((7, per_day))
    for i, r in enumerate(rows):
        if r.aht_seconds is not None:
            key = (history_days[i].weekday(), i % per_day)
            handled[key] += r.handled
            talk[key] += r.aht_seconds * r.handled
    overall = talk.sum() / handled.sum() if handled.sum() else DEFAULT_AHT
    aht_week = np.where(handled > 0, talk / np.maximum(handled, 1), overall)
    planned = slice(gap, gap + days * per_day)
    values = result.values[planned]
    marks = result.holiday[planned]
    volume = np.array([0.0 if hol else v for v, hol in zip(values, marks, strict=True)])
    aht = np.array(
        [aht_week[horizon_days[gap + j].weekday(), j % per_day] for j in range(len(volume))]
    )
    load = volume * aht / (interval_minutes * 60)
    level = float(queue.target_level)
    if queue.patience_seconds:
        targets = Targets(target_seconds=queue.target_seconds, service_level=level)
        need = [
            required_agents(traffic=float(a), aht=float(h), targets=targets,
                            patience=float(queue.patience_seconds))[0] if a > 0 else 0
            for a, h in zip(load, aht, strict=True)
        ]  # fmt: skip
    else:
        need = required_agents_many(
            load, aht, target_seconds=queue.target_seconds, service_level=level
        ).tolist()
    per_agent = max(1, queue.concurrency)  # a chat agent is that many servers
    need = [-(-int(n) // per_agent) for n in need]
    requirement = [need[d * per_day : (d + 1) * per_day] for d in range(days)]
    plan_schedule = schedule(
        requirement,
        _templates(interval_minutes),
        _agents(queue, days),
        slot_minutes=interval_minutes,
    )
    return Plan.objects.create(
        queue=queue,
        start_date=start_date,
        days=days,
        interval_minutes=interval_minutes,
        made_by=actor,
        forecast={
            "method": result.method,
            "values": values,
            "holt_winters": result.holt_winters[planned] if result.holt_winters else None,
            "seasonal_naive": result.seasonal_naive[planned],
            "accuracy": {k: asdict(v) for k, v in result.accuracy.items()},
            "holiday": marks,
            "note": result.note,
            "aht": [round(float(x), 1) for x in aht],
            "history_weeks": len(rows) // season,
            "history_end": end_date.isoformat(),
            "tz": tz,
        },
        requirement=requirement,
        schedule=[asdict(s) for s in plan_schedule.shifts],
        coverage={
            "status": plan_schedule.status,
            "coverage": plan_schedule.coverage,
            "short": plan_schedule.short,
            "over": plan_schedule.over,
        },
        cost=Decimal(str(plan_schedule.cost)),
    )
