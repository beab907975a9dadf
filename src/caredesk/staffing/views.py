"""Staffing screens: the calculator, planning a queue, a plan, and the live queue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from caredesk.accounts.gates import staff_required, supervisor_required, user_of
from caredesk.accounts.models import User
from caredesk.core.errors import DomainError
from caredesk.core.periods import day_range
from caredesk.staffing.calculator import required_figures
from caredesk.staffing.charts import chart
from caredesk.staffing.costs import cost_curve
from caredesk.staffing.erlang import StaffingInputError
from caredesk.staffing.intervals import totals
from caredesk.staffing.models import Plan
from caredesk.staffing.planning import plan_make
from caredesk.staffing.selectors import queue_get, queue_intervals, queue_list

METHOD_NAMES = {"holt_winters": "Holt-Winters", "seasonal_naive": "seasonal naive"}
CALCULATOR_FIELDS = (
    ("volume", gettext_lazy("Contacts per interval"), "120"),
    ("interval_seconds", gettext_lazy("Interval length (seconds)"), "1800"),
    ("aht", gettext_lazy("Average handling time (seconds)"), "240"),
    ("target_seconds", gettext_lazy("Answer within (seconds)"), "20"),
    ("target_level", gettext_lazy("Service level target (0-1)"), "0.8"),
    ("patience_seconds", gettext_lazy("Mean patience (seconds, optional: Erlang A)"), ""),
    ("max_occupancy", gettext_lazy("Maximum occupancy (0-1, optional)"), ""),
    ("shrinkage", gettext_lazy("Shrinkage (0-1, optional)"), "0.3"),
    ("concurrency", gettext_lazy("Chats per agent at once (optional: chat)"), ""),
    ("cost_per_agent_hour", gettext_lazy("Cost per agent-hour (optional)"), "30"),
    ("wait_cost_per_minute", gettext_lazy("Value lost per minute of waiting (optional)"), "1"),
)


def _number(raw: str, name: str) -> Fraction | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise StaffingInputError(f"{name} is not a number") from None
    if not value.is_finite():
        raise StaffingInputError(f"{name} must be a finite number")
    return Fraction(value)


def _calculate(data: dict[str, str]) -> dict[str, Any]:
    labels = {key: str(label) for key, label, _example in CALCULATOR_FIELDS}
    v = {key: _number(data.get(key, ""), labels[key]) for key in labels}

    def needed(key: str) -> Fraction:
        value = v[key]
        if value is None:
            raise StaffingInputError(f"{labels[key]} is needed")
        return value

    volume, interval, aht, target = (
        needed(k) for k in ("volume", "interval_seconds", "aht", "target_seconds")
    )
    figures = required_figures(
        volume=volume, interval_seconds=interval, aht=aht, target_seconds=target,
        target_level=v["target_level"], patience_seconds=v["patience_seconds"],
        max_occupancy=v["max_occupancy"], shrinkage=v["shrinkage"],
        concurrency=v["concurrency"],
    )  # fmt: skip
    out: dict[str, Any] = {"figures": figures}
    hourly, per_minute = v["cost_per_agent_hour"], v["wait_cost_per_minute"]
    if hourly is not None and per_minute is not None:
        patience = v["patience_seconds"]
        curve = cost_curve(
            volume=float(volume), interval_seconds=float(interval), aht=float(aht),
            target_seconds=float(target), cost_per_agent_hour=float(hourly),
            wait_cost_per_minute=float(per_minute),
            patience=float(patience) if patience else None, span=20,
        )  # fmt: skip
        out["curve"] = curve
        out["curve_chart"] = chart(
            lines={
                "staff": ([p.staff_cost for p in curve.points], "line-staff"),
                "waiting": ([p.waiting_cost for p in curve.points], "line-wait"),
                "total": ([p.total for p in curve.points], "line-total"),
            },
            x_labels=[str(p.agents) for p in curve.points],
            every=2,
        )
    return out


@require_GET
@staff_required
def staffing_home(request: HttpRequest) -> HttpResponse:
    data = {key: request.GET.get(key, default) for key, _, default in CALCULATOR_FIELDS}
    context: dict[str, Any] = {
        "nav": "staffing",
        "fields": [(key, label, data[key]) for key, label, _ in CALCULATOR_FIELDS],
        "queues": queue_list(),
        "plans": Plan.objects.select_related("queue").order_by("-created_at")[:10],
        "next_monday": _next_monday(),
    }
    try:
        context.update(_calculate(data))
    except StaffingInputError as exc:
        context["error"] = str(exc)
    return render(request, "staffing/home.html", context)


def _next_monday() -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())


@require_POST
@supervisor_required
def plan_new(request: HttpRequest, queue_id: int) -> HttpResponse:
    """Forecast, requirement and schedule for the queue, from the date asked."""
    queue = queue_get(queue_id=queue_id)
    try:
        start = dt.date.fromisoformat(request.POST.get("start_date", ""))
        days = int(request.POST.get("days", "7"))
        holidays = [
            dt.date.fromisoformat(d.strip())
            for d in request.POST.get("holidays", "").split(",")
            if d.strip()
        ]
    except ValueError:
        messages.error(
            request,
            _("Give a start date and holidays as YYYY-MM-DD, and a number of days."),
        )
        return redirect("staffing:home")
    try:
        plan = plan_make(
            queue=queue,
            start_date=start,
            days=days,
            actor=user_of(request),
            tz=timezone.get_current_timezone_name(),
            holidays=holidays,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("staffing:home")
    messages.success(
        request, _("Planned %(name)s from %(start)s.") % {"name": queue.name, "start": start}
    )
    return redirect("staffing:plan", plan_id=plan.pk)


def _labels(per_day: int, minutes: int) -> list[str]:
    return [f"{(i * minutes) // 60:02d}:{(i * minutes) % 60:02d}" for i in range(per_day)]


@require_GET
@staff_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Per day: forecast against actual volume, required against scheduled agents, the
    shifts, and the gaps; with the forecast's accuracy on its holdout week."""
    plan = get_object_or_404(Plan.objects.select_related("queue"), pk=plan_id)
    per_day = 24 * 60 // plan.interval_minutes
    begin, end = day_range(start=plan.start_date, days=plan.days, tz=plan.forecast.get("tz", "UTC"))
    actual = queue_intervals(
        queue=plan.queue, start=begin, end=end, interval_minutes=plan.interval_minutes
    )
    now = timezone.now()
    cover = plan.coverage
    labels = _labels(per_day, plan.interval_minutes)
    names = {
        u.pk: u.display_name
        for u in User.objects.filter(pk__in={s["agent_id"] for s in plan.schedule})
    }
    days = []
    for d in range(plan.days):
        rows = slice(d * per_day, (d + 1) * per_day)
        step = dt.timedelta(minutes=plan.interval_minutes)
        done: list[float | None] = [
            float(r.offered) if r.start + step <= now else None for r in actual[rows]
        ]
        shifts = [s for s in plan.schedule if s["day"] == d]
        days.append(
            {
                "date": plan.start_date + dt.timedelta(days=d),
                "volume_chart": chart(
                    lines={
                        "forecast": (plan.forecast["values"][rows], "line-forecast"),
                        "actual": (done, "line-actual"),
                    },
                    x_labels=labels,
                    every=per_day // 6,
                ),
                "agents_chart": chart(
                    lines={"required": (plan.requirement[d], "line-required")},
                    bars=(cover["coverage"][d], "bar-scheduled"),
                    x_labels=labels,
                    every=per_day // 6,
                ),
                "short": sum(cover["short"][d]),
                "over": sum(cover["over"][d]),
                "shifts": [
                    {
                        "agent": names.get(s["agent_id"], f"agent {s['agent_id']}"),
                        "template": s["template"],
                        "start": labels[s["start_slot"]],
                        "end": labels[s["end_slot"]] if s["end_slot"] < per_day else "24:00",
                        "break": labels[s["break_start"]] if s["break_start"] is not None else "—",
                    }
                    for s in shifts
                ],
            }
        )
    return render(
        request,
        "staffing/plan.html",
        {
            "nav": "staffing",
            "plan": plan,
            "days": days,
            "accuracy": [
                (METHOD_NAMES.get(name, name), a["wape"], a["mape"])
                for name, a in plan.forecast["accuracy"].items()
            ],
        },
    )


@require_GET
@staff_required
def queue_today(request: HttpRequest, queue_id: int) -> HttpResponse:
    """Intraday: today's volume, service level, ASA and abandonment per interval against
    the newest plan that covers today."""
    queue = queue_get(queue_id=queue_id)
    tz = timezone.get_current_timezone_name()
    today = timezone.localdate()
    begin, end = day_range(start=today, days=1, tz=tz)
    plan = Plan.objects.filter(queue=queue, start_date__lte=today).order_by("-created_at").first()
    minutes = plan.interval_minutes if plan else 30
    rows = queue_intervals(queue=queue, start=begin, end=end, interval_minutes=minutes)
    per_day = len(rows)
    planned: list[float | None] = [None] * per_day
    required: list[int | None] = [None] * per_day
    if plan is not None and (today - plan.start_date).days < plan.days:
        d = (today - plan.start_date).days
        planned = plan.forecast["values"][d * per_day : (d + 1) * per_day]
        required = plan.requirement[d]
    now = timezone.now()
    labels = _labels(per_day, minutes)
    table = [
        {"time": labels[i], "row": r, "planned": planned[i], "required": required[i]}
        for i, r in enumerate(rows)
        if r.start <= now
    ]
    return render(
        request,
        "staffing/today.html",
        {
            "nav": "staffing",
            "queue": queue,
            "plan": plan,
            "table": table,
            "total": totals([r for r in rows if r.start <= now]),
            "chart": chart(
                lines={
                    "planned": (list(planned), "line-forecast"),
                    "actual": (
                        [r.offered if r.start <= now else None for r in rows],
                        "line-actual",
                    ),
                },
                x_labels=labels,
                every=per_day // 6,
            ),
        },
    )
