"""Daily rollups: the KPI tally of each day, stored, so that a report of a month or a
year adds up a few hundred rows instead of reading every ticket.

A rollup row holds exactly what the raw definitions give for its day
(selectors.window_tally over the day), per scope: everyone, each team, each channel,
each team and channel. Days are calendar days in the rollup time zone (the
installation's TIME_ZONE); a report in another time zone, or for one agent, reads the
records.

Exactness. The `rollups` job rebuilds every day that something changed since its last
run, and records when that run started (RollupState.checked_at). A report uses the
stored row of a day only if nothing touching that day changed since then (a ticket
created or first solved that day, a survey answered or sent that day, an SLA clock
settled that day, or anything of a ticket whose such day it is); the other days, and
days not built yet, are read from the records. Medians are exact: the rows keep how
many durations fall in each bucket, and the value at the median's rank is looked up
among the period's tickets (selectors.lookups).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone

from caredesk.analytics.kpis import MEASURED, Distribution, Period, Tally
from caredesk.analytics.models import BacklogAt, DailyRollup, RollupState
from caredesk.analytics.selectors import (
    EVERYONE,
    Scope,
    backlog_ages,
    kpi_period,
    lookups,
    window_tallies,
    window_tally,
)
from caredesk.core.periods import day_range
from caredesk.sla.models import TicketSla
from caredesk.surveys.models import SurveyInvitation, SurveyResponse
from caredesk.tickets.models import Ticket

# A change written in a transaction that began before a refresh started but committed
# after it carries an earlier time; changes this much before the refresh count as
# possibly unseen.
MARGIN = dt.timedelta(minutes=10)
BUILD_PER_RUN = 400  # days built by one run of the job (the first runs catch up)
EVERYONE_KEY = ""


def rollup_tz() -> str:
    return str(settings.TIME_ZONE)


def key_of(scope: Scope) -> str | None:
    """The rollup key of a scope; None for one agent's figures (not rolled up)."""
    if scope.assignee_id is not None:
        return None
    parts = []
    if scope.team_id is not None:
        parts.append(f"team:{scope.team_id}")
    if scope.channel:
        parts.append(f"channel:{scope.channel}")
    return "/".join(parts)


def scope_of(key: str) -> Scope:
    """The scope a rollup key stands for (key_of's inverse)."""
    parts = dict(part.split(":", 1) for part in key.split("/") if part)
    team = parts.get("team")
    return Scope(team_id=int(team) if team else None, channel=parts.get("channel"))


def _keep_medians(tally: Tally, month: Period, scope: Scope) -> None:
    """Give a month's tally its exact medians, so that a report or trend of that month
    needs no lookup."""
    found = lookups(month, scope)
    for name in MEASURED:
        hist = getattr(tally, name)
        hist.median_us = hist.median(found[name])


def keys_for(team_id: int | None, channel: str | None) -> list[str]:
    """Every key whose figures something of this team and channel counts in."""
    keys = [EVERYONE_KEY]
    if channel:
        keys.append(f"channel:{channel}")
    if team_id is not None:
        keys.append(f"team:{team_id}")
        if channel:
            keys.append(f"team:{team_id}/channel:{channel}")
    return keys


def day_window(day: dt.date, tz: str) -> tuple[dt.datetime, dt.datetime]:
    return day_range(start=day, days=1, tz=tz)


def day_tallies(day: dt.date, tz: str) -> dict[str, Tally]:
    """The tallies of one day for every key, straight from the records."""
    start, end = day_window(day, tz)
    return window_tallies(start, end, EVERYONE, keys_for)


def rollups_build(days: Iterable[dt.date], *, tz: str | None = None) -> int:
    """(Re)build the rollups of these days; returns how many days."""
    tz = tz or rollup_tz()
    built = 0
    for day in sorted(set(days)):
        try:
            with transaction.atomic():
                _store(day, day_tallies(day, tz), month=False)
        except IntegrityError:  # another refresh built the same day at the same time
            continue
        built += 1
    _months_build({day.replace(day=1) for day in days}, tz)
    return built


def _store(day: dt.date, tallies: dict[str, Tally], *, month: bool) -> None:
    started = timezone.now()
    DailyRollup.objects.filter(day=day, month=month).delete()
    DailyRollup.objects.bulk_create(
        DailyRollup(day=day, month=month, key=key, data=tally.as_json(), built_at=started,
                    requesters=tally.requesters.serialize())
        for key, tally in tallies.items()
    )  # fmt: skip


def _month_days(first: dt.date) -> list[dt.date]:
    last = (first + dt.timedelta(days=32)).replace(day=1)
    return [first + dt.timedelta(days=n) for n in range((last - first).days)]


def _months_build(months: set[dt.date], tz: str) -> None:
    """The month rows of these months: the sum of their day rows, for every month whose
    days are all built (the others have none)."""
    for first in sorted(months):
        days = _month_days(first)
        with transaction.atomic():
            rows = DailyRollup.objects.filter(day__gte=days[0], day__lte=days[-1], month=False)
            built = set(rows.filter(key=EVERYONE_KEY).values_list("day", flat=True))
            if len(built) < len(days):
                DailyRollup.objects.filter(day=first, month=True).delete()
                continue
            tallies: defaultdict[str, Tally] = defaultdict(Tally)
            for key, data, requesters in rows.values_list("key", "data", "requesters"):
                tallies[key].merge(Tally.from_json(data, requesters=bytes(requesters)))
            month = kpi_period(date_from=days[0], date_to=days[-1], tz=tz)
            for key, tally in tallies.items():
                _keep_medians(tally, month, scope_of(key))
            try:
                _store(first, dict(tallies), month=True)
            except IntegrityError:  # another refresh built it at the same time
                continue


def _state() -> RollupState:
    state = RollupState.objects.order_by("pk").first()
    return state or RollupState.objects.create(tz=rollup_tz())


def _local_day(moment: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> dt.date | None:
    return None if moment is None else moment.astimezone(zone).date()


def changed_days(since: dt.datetime, tz: str) -> set[dt.date]:
    """The days whose tallies anything written since ``since`` may have changed."""
    zone = zoneinfo.ZoneInfo(tz)
    days: set[dt.date | None] = set()
    touched = Ticket.objects.filter(updated_at__gte=since).values_list(
        "created_at", "first_solved_at"
    )
    for created, solved in touched:
        days |= {_local_day(created, zone), _local_day(solved, zone)}
    for rows in (
        SurveyResponse.objects.filter(updated_at__gte=since),
        SurveyResponse.objects.filter(ticket__updated_at__gte=since),
    ):
        for answered, invited in rows.values_list("responded_at", "invitation__created_at"):
            days |= {_local_day(answered, zone), _local_day(invited, zone)}
    for rows in (  # type: ignore[assignment]
        SurveyInvitation.objects.filter(updated_at__gte=since),
        SurveyInvitation.objects.filter(ticket__updated_at__gte=since),
    ):
        days |= {_local_day(at, zone) for at in rows.values_list("created_at", flat=True)}
    settled = [f"{t}_{what}" for t in ("first_response", "next_response", "resolution")
               for what in ("met", "breached")]  # fmt: skip
    for rows in (  # type: ignore[assignment]
        TicketSla.objects.filter(updated_at__gte=since),
        TicketSla.objects.filter(ticket__updated_at__gte=since),
    ):
        for times in rows.values_list(*settled):
            days |= {_local_day(at, zone) for at in times}
    days.discard(None)
    return days  # type: ignore[return-value]


def rollups_refresh(
    *, limit: int = BUILD_PER_RUN, now: dt.datetime | None = None
) -> dict[str, int]:
    """The job: rebuild the days changed since the last run, then build up to ``limit``
    days never built (the most recent first). Only days that have ended are built."""
    started = now or timezone.now()
    tz = rollup_tz()
    zone = zoneinfo.ZoneInfo(tz)
    today = started.astimezone(zone).date()
    state = _state()
    if state.tz != tz:  # the installation's time zone changed: every day moved
        DailyRollup.objects.all().delete()
        state.tz, state.checked_at = tz, None
    changed: set[dt.date] = set()
    if state.checked_at is not None:
        changed = {d for d in changed_days(state.checked_at - MARGIN, tz) if d < today}
    days = DailyRollup.objects.filter(key=EVERYONE_KEY, month=False)
    built_days = set(days.values_list("day", flat=True))
    changed &= built_days
    missing = [d for d in _days_with_records(zone, today) if d not in built_days][:limit]
    rebuilt = rollups_build(changed, tz=tz)
    added = rollups_build(missing, tz=tz)
    state.checked_at = started
    state.save()
    return {"rebuilt": rebuilt, "built": added}


def _days_with_records(zone: zoneinfo.ZoneInfo, today: dt.date) -> list[dt.date]:
    """The days from the first ticket or survey answer up to yesterday, latest first."""
    firsts = [
        Ticket.objects.aggregate(m=Min("created_at"))["m"],
        SurveyResponse.objects.aggregate(m=Min("responded_at"))["m"],
    ]
    known = [f.astimezone(zone).date() for f in firsts if f is not None]
    if not known:
        return []
    first = min(known)
    return [today - dt.timedelta(days=n) for n in range(1, (today - first).days + 1)]


def rollups_reset() -> None:
    """Drop every rollup; the next refresh builds them all again."""
    with transaction.atomic():
        DailyRollup.objects.all().delete()
        RollupState.objects.all().delete()
        BacklogAt.objects.all().delete()


def rollups_forget(start: dt.datetime, end: dt.datetime) -> int:
    """Drop the rollups of the days [start, end) touches (after an import of history,
    whose records carry their original times); the job builds them again."""
    zone = zoneinfo.ZoneInfo(rollup_tz())
    first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    days = DailyRollup.objects.filter(day__gte=first, day__lte=last, month=False)
    deleted, _ = days.delete()
    BacklogAt.objects.filter(moment__gt=start).delete()
    DailyRollup.objects.filter(day__gte=first.replace(day=1), day__lte=last, month=True).delete()
    return deleted


@dataclass
class RollupView:
    """What a report needs to know about the rollups, read once per request: in which
    time zone they are, and which of their days changed since the job last ran."""

    tz: str | None = None  # None: no rollups to use
    stale: set[dt.date] = field(default_factory=set)

    @classmethod
    def now(cls) -> RollupView:
        state = RollupState.objects.order_by("pk").first()
        if state is None or state.checked_at is None:
            return cls()
        return cls(state.tz, changed_days(state.checked_at - MARGIN, state.tz))


def period_tally(period: Period, scope: Scope, view: RollupView | None = None) -> Tally:
    """The tally of a period: stored months and days where they are right, the records
    elsewhere (``view``: the rollups' state, when a page adds up several periods)."""
    key = key_of(scope)
    view = view or RollupView.now()
    if key is None or view.tz != period.tz:
        return window_tally(period.start, period.end, scope)
    days = [period.date_from + dt.timedelta(days=n)
            for n in range((period.date_to - period.date_from).days + 1)]  # fmt: skip
    whole = {
        first
        for first in {day.replace(day=1) for day in days}
        if first >= period.date_from
        and _month_days(first)[-1] <= period.date_to
        and not view.stale.intersection(_month_days(first))
    }
    tally = Tally()
    months = _stored(key, month=True, day__in=whole)
    for found in months.values():
        if found is not None:
            tally.merge(found)
    left = [day for day in days if day.replace(day=1) not in months]
    raw: list[dt.date] = []
    if left:
        stored = _stored(key, month=False, day__gte=left[0], day__lte=left[-1])
        for day in left:
            if day in stored and day not in view.stale:
                found = stored[day]
                if found is not None:
                    tally.merge(found)
            else:
                raw.append(day)
    for first_day, last_day in _runs(raw):
        start, _ = day_window(first_day, period.tz)
        _, end = day_window(last_day, period.tz)
        tally.merge(window_tally(start, end, scope))
    return tally


def _stored(key: str, *, month: bool, **days: Any) -> dict[dt.date, Tally | None]:
    """The stored tallies of a key by day (or month), for the days (months) built: None
    where the key had nothing."""
    rows = DailyRollup.objects.filter(month=month, key__in={EVERYONE_KEY, key}, **days)
    found: dict[dt.date, Tally | None] = {}
    for day, row_key, data, requesters in rows.values_list("day", "key", "data", "requesters"):
        if row_key == key:
            found[day] = Tally.from_json(data, requesters=bytes(requesters))
        else:
            found.setdefault(day, None)
    return found


def backlog_at(moment: dt.datetime, scope: Scope) -> Distribution:
    """selectors.backlog_ages, kept for moments in the past. A status change made now
    does not change a status then, so a backlog once computed stays right unless a
    ticket created before the moment has been merged since (or, for a team's or a
    channel's backlog, changed at all: it may have moved); imports drop what they touch
    (rollups_forget)."""
    key = key_of(scope)
    now = timezone.now()
    if key is None or moment > now - MARGIN:
        return backlog_ages(moment, scope)
    kept = BacklogAt.objects.filter(key=key, moment=moment).first()
    if kept is not None:
        # any scope: a ticket moved out of a team is no longer among the team's
        since = Ticket.objects.filter(
            created_at__lt=moment, updated_at__gte=kept.computed_at - MARGIN
        )
        if key == EVERYONE_KEY:
            since = since.filter(merged_into__isnull=False)
        if not since.exists():
            return Distribution(kept.count, kept.median_hours, kept.mean_hours)
    found = backlog_ages(moment, scope)
    BacklogAt.objects.update_or_create(
        key=key, moment=moment,
        defaults={"count": found.count, "median_hours": found.median,
                  "mean_hours": found.mean, "computed_at": now},
    )  # fmt: skip
    return found


def _runs(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive days as (first, last) runs."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in days:
        if runs and runs[-1][1] + dt.timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs
