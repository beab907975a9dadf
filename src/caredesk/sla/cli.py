"""`caredesk sla …`: business-time arithmetic on the command line (no database)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click

from caredesk.core.business_hours import Calendar, CalendarError, add_business_minutes
from caredesk.core.cli import cli_setup


@click.group()
def sla() -> None:
    """Service levels: business hours and due times."""


def _calendar(path: Path) -> Calendar:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path} is not JSON: {exc}") from None
    try:
        return Calendar.from_dict(data)
    except CalendarError as exc:
        raise click.ClickException(f"{path}: {exc}") from None


@sla.command("due")
@click.option(
    "--calendar", "calendar_path", type=click.Path(path_type=Path), required=True,
    help='JSON: {"timezone", "hours": [{"days", "start", "end"}], "holidays"}',
)  # fmt: skip
@click.option(
    "--start", required=True,
    help="ISO 8601; without an offset it is the calendar's local time.",
)  # fmt: skip
@click.option("--minutes", required=True, help="Business minutes, zero or more.")
@click.option("--json", "as_json", is_flag=True, help='Print {"due": …} instead.')
def due(calendar_path: Path, start: str, minutes: str, as_json: bool) -> None:
    """Print the UTC moment N business minutes after START (YYYY-MM-DDTHH:MM:SSZ); a
    start outside business hours counts from the next opening."""
    calendar = _calendar(calendar_path)
    try:
        moment = dt.datetime.fromisoformat(start.strip())
    except ValueError:
        raise click.ClickException(f"--start is not an ISO 8601 time: {start!r}") from None
    if moment.tzinfo is None:  # a wall-clock time of the calendar's own zone
        moment = calendar.localize(moment)
    try:
        amount = Decimal(minutes.strip())
    except InvalidOperation:
        raise click.ClickException(f"--minutes is not a number: {minutes!r}") from None
    if not amount.is_finite() or amount < 0:
        raise click.ClickException("--minutes must be a finite number, zero or more")
    try:
        result = add_business_minutes(calendar, moment, float(amount))
    except CalendarError as exc:
        raise click.ClickException(str(exc)) from None
    text = result.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    click.echo(json.dumps({"due": text}) if as_json else text)


@sla.command("sweep")
@click.option("--json", "as_json", is_flag=True)
def sweep(as_json: bool) -> None:
    """Recompute the SLA clocks of every open ticket, then record what is due."""

    cli_setup()
    from caredesk.sla.services import sla_sweep

    stats = sla_sweep()
    out = {
        "tickets": stats.tickets,
        "with_policy": stats.with_policy,
        "seconds": stats.seconds,
        "breaches": stats.breaches,
        "warnings": stats.warnings,
    }
    click.echo(json.dumps(out) if as_json else "\n".join(f"{k}: {v}" for k, v in out.items()))
