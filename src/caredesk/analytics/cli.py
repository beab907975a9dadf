"""`caredesk report …`: the KPI report of a period as JSON, CSV or XLSX."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click


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
def kpis_cmd(date_from: dt.datetime, date_to: dt.datetime, tz: str, as_json: bool,
             fmt: str | None, out: Path | None) -> None:  # fmt: skip
    """The KPIs of the days from --from to --to (inclusive, in --tz): volume, first
    response and resolution times, FCR, reopen rate, CSAT, NPS, CES, SLA compliance,
    backlog, retention and lifetime value (docs/kpis.md)."""
    from caredesk.cli import _fail, _setup

    if fmt is not None and out is None:
        raise click.UsageError("--format needs --out FILE.")
    if out is not None and fmt is None:
        fmt = out.suffix.lstrip(".").lower() or "json"
        if fmt not in ("json", "csv", "xlsx"):
            raise click.UsageError("Give --format json, csv or xlsx.")
    if fmt == "xlsx" and str(out) == "-":
        raise click.UsageError("An XLSX file cannot go to standard output; give a file name.")
    _setup()
    from caredesk.analytics.kpis import flatten
    from caredesk.analytics.selectors import kpi_period, kpis_for
    from caredesk.core.errors import DomainError
    from caredesk.core.exports import table_bytes

    try:
        period = kpi_period(date_from=date_from.date(), date_to=date_to.date(), tz=tz)
        figures = kpis_for(period)
    except DomainError as exc:
        raise _fail(exc) from None
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
