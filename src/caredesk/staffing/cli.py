"""`caredesk staffing …`: the queueing calculators on the command line (no database)."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, TypeVar

import click

from caredesk.staffing.calculator import (
    erlang_a_figures,
    erlang_b_figures,
    erlang_c_figures,
    required_figures,
)
from caredesk.staffing.erlang import StaffingInputError

F = TypeVar("F", bound=Callable[..., Any])


class ExactNumber(click.ParamType[Fraction, Any]):
    """A decimal number as given (kept exact as a Fraction); NaN and infinities refused."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, Fraction):
            return value
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.fail(f"{value!r} is not a number", param, ctx)
        if not number.is_finite():
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return Fraction(number)


NUMBER = ExactNumber()


def _run(compute: Callable[[], dict[str, Any]], as_json: bool) -> None:
    """Print the figures (one JSON object with --json); bad input is one line, exit 1."""
    try:
        figures = compute()
    except StaffingInputError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(figures))
        return
    for key, value in figures.items():
        shown = "—" if value is None else (f"{value:.6g}" if isinstance(value, float) else value)
        click.echo(f"{key.replace('_', ' '):<22} {shown}")


def _queue_options(fn: F) -> F:
    for option in reversed(
        [
            click.option("--volume", type=NUMBER, required=True, help="Contacts per interval."),
            click.option("--interval-seconds", type=NUMBER, required=True, help="Interval length."),
            click.option("--aht", type=NUMBER, required=True, help="Average handling time, s."),
        ]
    ):
        fn = option(fn)
    return fn


JSON = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")


@click.group()
def staffing() -> None:
    """Queueing maths for planning agents: Erlang B, C and A, required staff."""


@staffing.command("erlang-c")
@_queue_options
@click.option("--agents", type=NUMBER, required=True)
@click.option("--target-seconds", type=NUMBER, required=True, help="Service-level target time.")
@JSON
def erlang_c_cmd(
    volume: Fraction,
    interval_seconds: Fraction,
    aht: Fraction,
    agents: Fraction,
    target_seconds: Fraction,
    as_json: bool,
) -> None:
    """M/M/N: probability of waiting, service level, ASA and occupancy."""

    def compute() -> dict[str, Any]:
        return erlang_c_figures(
            volume=volume, interval_seconds=interval_seconds, aht=aht, agents=agents,
            target_seconds=target_seconds,
        )  # fmt: skip

    _run(compute, as_json)


@staffing.command("erlang-a")
@_queue_options
@click.option("--agents", type=NUMBER, required=True)
@click.option("--patience-seconds", type=NUMBER, required=True, help="Mean patience.")
@click.option("--target-seconds", type=NUMBER, required=True)
@JSON
def erlang_a_cmd(
    volume: Fraction,
    interval_seconds: Fraction,
    aht: Fraction,
    agents: Fraction,
    patience_seconds: Fraction,
    target_seconds: Fraction,
    as_json: bool,
) -> None:
    """M/M/N+M: waiting, abandonment, service level (abandoned count as not answered)."""

    def compute() -> dict[str, Any]:
        return erlang_a_figures(
            volume=volume, interval_seconds=interval_seconds, aht=aht, agents=agents,
            patience_seconds=patience_seconds, target_seconds=target_seconds,
        )  # fmt: skip

    _run(compute, as_json)


@staffing.command("erlang-b")
@click.option("--traffic", "load", type=NUMBER, required=True, help="Offered traffic, Erlangs.")
@click.option("--servers", type=NUMBER, help="Lines: print their blocking probability.")
@click.option("--max-blocking", type=NUMBER, help="Or: the fewest lines blocking at most this.")
@JSON
def erlang_b_cmd(
    load: Fraction, servers: Fraction | None, max_blocking: Fraction | None, as_json: bool
) -> None:
    """Loss system (no queue): blocking probability, or lines for a blocking target."""
    if (servers is None) == (max_blocking is None):
        raise click.UsageError("Give either --servers or --max-blocking.")

    def compute() -> dict[str, Any]:
        return erlang_b_figures(load=load, servers=servers, max_blocking=max_blocking)

    _run(compute, as_json)


@staffing.command("required")
@_queue_options
@click.option("--target-seconds", type=NUMBER, required=True)
@click.option("--target-level", type=NUMBER, default=None, help="Service level (default 0.8).")
@click.option("--target-asa", type=NUMBER, default=None, help="Maximum ASA, seconds.")
@click.option("--patience-seconds", type=NUMBER, default=None, help="Use Erlang A.")
@click.option("--max-abandon", type=NUMBER, default=None, help="Needs --patience-seconds.")
@click.option("--max-occupancy", type=NUMBER, default=None, help="e.g. 0.85.")
@click.option("--shrinkage", type=NUMBER, default=None, help="e.g. 0.3 (30 %).")
@click.option(
    "--concurrency", type=NUMBER, default=None, help="Chats one agent handles at once (chat)."
)
@JSON
def required_cmd(
    volume: Fraction,
    interval_seconds: Fraction,
    aht: Fraction,
    target_seconds: Fraction,
    target_level: Fraction | None,
    target_asa: Fraction | None,
    patience_seconds: Fraction | None,
    max_abandon: Fraction | None,
    max_occupancy: Fraction | None,
    shrinkage: Fraction | None,
    concurrency: Fraction | None,
    as_json: bool,
) -> None:
    """The least agents meeting every target, and the staff to schedule for them."""
    if max_abandon is not None and patience_seconds is None:
        raise click.UsageError("--max-abandon needs --patience-seconds (Erlang A).")

    def compute() -> dict[str, Any]:
        return required_figures(
            volume=volume, interval_seconds=interval_seconds, aht=aht,
            target_seconds=target_seconds, target_level=target_level, target_asa=target_asa,
            patience_seconds=patience_seconds, max_abandon=max_abandon,
            max_occupancy=max_occupancy, shrinkage=shrinkage, concurrency=concurrency,
        )  # fmt: skip

    _run(compute, as_json)
