"""`caredesk report …`: the KPI report of a period as JSON, CSV or XLSX."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from caredesk.core.cli import cli_error, cli_setup


@click.group()
def report() -> None:
    """Reports: the service KPIs of a period."""


@report.command("kpis")
@click.option("--from", "date_from", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="First day, inclusive (YYYY-MM-DD).")  # fmt: skip
@click.option("--to", "date_to", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="Last day, inclusive (YYYY-MM-DD).")  # fmt: skip
@click.option("--tz", default="UTC", show_default=True, help="The time zone of the dates.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default=None,
              help="Write the report as a file (with --out).")  # fmt: skip
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The file to write; '-' for standard output (json and csv).")  # fmt: skip
@click.option("--raw", is_flag=True,
              help="Read every figure from the records, not the daily rollups.")  # fmt: skip
def kpis_cmd(date_from: dt.datetime, date_to: dt.datetime, tz: str, as_json: bool,
             fmt: str | None, out: Path | None, raw: bool) -> None:  # fmt: skip
    """The KPIs of the days from --from to --to (inclusive, in --tz): volume, first
    response and resolution times, FCR, reopen rate, CSAT, NPS, CES, SLA compliance,
    backlog, retention and lifetime value (docs/kpis.md)."""

    if fmt is not None and out is None:
        raise click.UsageError("--format needs --out FILE.")
    if out is not None and fmt is None:
        fmt = out.suffix.lstrip(".").lower() or "json"
        if fmt not in ("json", "csv", "xlsx"):
            raise click.UsageError("Give --format json, csv or xlsx.")
    if fmt == "xlsx" and str(out) == "-":
        raise click.UsageError("An XLSX file cannot go to standard output; give a file name.")
    cli_setup()
    from caredesk.analytics.figures import kpis_for
    from caredesk.analytics.kpis import flatten
    from caredesk.analytics.selectors import kpi_period
    from caredesk.core.errors import DomainError
    from caredesk.core.exports import table_bytes

    try:
        period = kpi_period(date_from=date_from.date(), date_to=date_to.date(), tz=tz)
        figures = kpis_for(period, raw=raw)
    except DomainError as exc:
        raise cli_error(exc) from None
    if out is None:
        if as_json:
            click.echo(json.dumps(figures))
        else:
            for name, value in flatten(figures):
                click.echo(f"{name}: {'-' if value is None else value}")
        return
    assert fmt is not None
    if fmt == "json":
        data = (json.dumps(figures, indent=1) + "\n").encode()
    else:
        data = table_bytes(fmt, ["kpi", "value"], flatten(figures), title="KPIs")
    if str(out) == "-":
        sys.stdout.buffer.write(data)
        return
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise click.ClickException(f"Cannot write {out}: {exc.strerror}") from None
    click.echo(f"Wrote {out} ({fmt}).")


@report.command("export")
@click.argument("what", type=click.Choice(["tickets", "customers", "surveys"]))
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv",
              show_default=True)  # fmt: skip
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The file to write; '-' for standard output (csv).")  # fmt: skip
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Only those created (responses: given) from this day.")  # fmt: skip
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="… up to this day, inclusive.")  # fmt: skip
@click.option("--tz", default="UTC", show_default=True)
def export_cmd(what: str, fmt: str, out: Path, date_from: dt.datetime | None,
               date_to: dt.datetime | None, tz: str) -> None:  # fmt: skip
    """Export tickets, customers or survey responses as CSV or XLSX (cells a
    spreadsheet would take for formulas are written as text)."""

    if (date_from is None) != (date_to is None):
        raise click.UsageError("Give both --from and --to, or neither.")
    if fmt == "xlsx" and str(out) == "-":
        raise click.UsageError("An XLSX file cannot go to standard output; give a file name.")
    cli_setup()
    from caredesk.analytics.exports import table
    from caredesk.analytics.selectors import kpi_period
    from caredesk.core.errors import DomainError
    from caredesk.core.exports import csv_stream, table_xlsx

    try:
        period = (
            kpi_period(date_from=date_from.date(), date_to=date_to.date(), tz=tz)
            if date_from is not None and date_to is not None
            else None
        )
    except DomainError as exc:
        raise cli_error(exc) from None
    header, rows = table(what, period=period)
    try:
        if str(out) == "-":
            for chunk in csv_stream(header, rows):
                sys.stdout.buffer.write(chunk)
            return
        if fmt == "xlsx":
            out.write_bytes(table_xlsx(header, rows, title=what))
        else:
            with out.open("wb") as fh:
                for chunk in csv_stream(header, rows):
                    fh.write(chunk)
    except OSError as exc:
        raise click.ClickException(f"Cannot write {out}: {exc.strerror}") from None
    click.echo(f"Wrote {out} ({fmt}).")


@report.command("send")
@click.argument("name")
def send_cmd(name: str) -> None:
    """Send a scheduled report now (the period before today), whatever its schedule."""

    cli_setup()
    from caredesk.analytics.models import ScheduledReport
    from caredesk.analytics.reports import report_send
    from caredesk.core.errors import DomainError

    found = ScheduledReport.objects.filter(name__iexact=name).first()
    if found is None:
        raise click.ClickException(f"No scheduled report is called {name!r}.")
    try:
        period = report_send(report=found)
    except DomainError as exc:
        raise cli_error(exc) from None
    except OSError as exc:
        raise click.ClickException(f"Could not send: {exc}") from None
    click.echo(f"Sent {found.name} ({period.date_from} to {period.date_to}).")


@report.command("rollups")
@click.option("--rebuild", is_flag=True, help="Drop every rollup and build them all again.")
def rollups_cmd(rebuild: bool) -> None:
    """Bring the daily KPI rollups up to date now: rebuild the days that changed and
    build every day not built yet (the `rollups` job does the same a little at a time)."""

    cli_setup()
    from caredesk.analytics.rollups import rollups_refresh, rollups_reset

    if rebuild:
        rollups_reset()
    done = rollups_refresh(limit=100_000)
    click.echo(f"Rollups: {done['rebuilt']} days rebuilt, {done['built']} days built.")
