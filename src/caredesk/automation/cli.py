"""Commands of the automation domain (registered by caredesk.cli)."""

from __future__ import annotations

import json

import click

from caredesk.core.cli import cli_setup


@click.command("check")
@click.option("--json", "as_json", is_flag=True)
def sla_check_command(as_json: bool) -> None:
    """Record the SLA warnings and breaches whose time has come, remind agents of
    promises due within 30 minutes, and notify and run the rules of each (the periodic
    job does this every minute)."""

    cli_setup()
    from caredesk.automation.services.timers import timers_run  # after Django is set up

    stats = timers_run()
    out = {"breaches": stats.breaches, "warnings": stats.warnings, "reminders": stats.reminders}
    click.echo(
        json.dumps(out)
        if as_json
        else f"{stats.breaches} breaches, {stats.warnings} warnings, {stats.reminders} reminders"
    )
