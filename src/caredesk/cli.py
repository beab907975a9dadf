"""The `caredesk` command: serve, migrate, users and tokens, demo, seed, import, export,
staffing calculators."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

import click

from caredesk.analytics.cli import report
from caredesk.automation.cli import sla_check_command
from caredesk.channels.mail.cli import mail
from caredesk.core.cli import cli_error, cli_setup
from caredesk.knowledge.cli import kb
from caredesk.sla.cli import sla
from caredesk.staffing.cli import staffing

DEMO_PASSWORD = "caredesk-demo"  # noqa: S105  # printed for the local demo only


@click.group()
@click.version_option(package_name="caredesk")
def main() -> None:
    """caredesk: customer service management."""


@main.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    cli_setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)


def _serve(host: str, port: int, workers: int, chat_port: int | None = None) -> None:
    """With Redis: gunicorn workers for HTTP, and beside them one ASGI process (uvicorn)
    for chat's WebSockets and long-polls on ``chat_port``, the channel layer joining
    them. Without Redis the in-memory channel layer joins nothing across processes, so
    one uvicorn process serves both (and runs the periodic jobs)."""
    from django.conf import settings
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    database = str(settings.DATABASES["default"]["ENGINE"]).rsplit(".", 1)[-1]
    if not str(settings.CHANNEL_LAYERS["default"]["BACKEND"]).startswith("channels_redis"):
        import uvicorn

        from caredesk.core.jobs import embedded_scheduler_start

        click.echo(
            f"caredesk serving on http://{host}:{port}, HTTP and chat in one process "
            f"(database: {database}; set REDIS_URL for gunicorn workers beside chat)"
        )
        embedded_scheduler_start()
        uvicorn.run(
            "caredesk.config.asgi:application", host=host, port=port, ws="websockets-sansio",
            lifespan="off", log_level="info", ws_per_message_deflate=False,
        )  # fmt: skip
        return
    chat_port = chat_port or port + 1
    chat = [sys.executable, "-m", "uvicorn", "caredesk.config.asgi:application", "--host", host,
            "--port", str(chat_port), "--ws", "websockets-sansio", "--lifespan", "off",
            "--ws-per-message-deflate", "false"]  # fmt: skip
    subprocess.Popen(chat)  # noqa: S603  # same process group: stopped with gunicorn
    os.environ["CAREDESK_CHAT_WS_PORT"] = os.environ.get("CAREDESK_CHAT_WS_PORT") or str(chat_port)
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "caredesk.config.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
        "--max-requests",
        "0",
        "--config",
        "python:caredesk.config.gunicorn",
    ]
    click.echo(
        f"caredesk serving on http://{host}:{port} with {workers} workers, chat on port "
        f"{chat_port} (database: {database})"
    )
    os.execv(sys.executable, args)  # noqa: S606  # replace this process with gunicorn


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--chat-port", type=click.IntRange(1, 65535), default=None,
    help="With REDIS_URL: the port of chat's WebSocket server (default: --port + 1).",
)  # fmt: skip
def serve(host: str, port: int, workers: int, chat_port: int | None) -> None:
    """Serve caredesk: gunicorn for HTTP and uvicorn for chat (see docs/chat.md)."""
    cli_setup()
    _serve(host, port, workers, chat_port)


@main.command()
@click.option("--concurrency", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--beat/--no-beat",
    default=True,
    show_default=True,
    help="Also schedule the periodic jobs; run exactly one worker with it.",
)
@click.option("--loglevel", default="info", show_default=True)
def worker(concurrency: int, beat: bool, loglevel: str) -> None:
    """Run background jobs: a Celery worker on the broker (REDIS_URL), or without one
    the periodic jobs in this process."""
    cli_setup()
    from django.conf import settings

    if settings.CAREDESK_JOBS == "celery":
        from caredesk.config.celery import app

        argv = ["worker", f"--concurrency={concurrency}", f"--loglevel={loglevel}"]
        if beat:
            argv += ["--beat", f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}"]
        app.worker_main(argv)
        return
    from caredesk.core.jobs import EmbeddedScheduler

    click.echo(
        "No broker is configured (REDIS_URL): running the periodic jobs in this process. "
        "`caredesk serve` does the same, so one of the two is enough."
    )
    scheduler = EmbeddedScheduler()
    try:
        scheduler.run_forever(retry_lock_seconds=5)
    except KeyboardInterrupt:
        scheduler.stop()


@main.group()
def jobs() -> None:
    """The periodic background jobs."""


@jobs.command("list")
def jobs_list() -> None:
    """The periodic jobs and how often they run."""
    from caredesk.config.schedule import PERIODIC_JOBS

    for name, job in PERIODIC_JOBS.items():
        click.echo(f"{name:<12} every {job.seconds:>4} s  {job.what}")


@jobs.command("run")
@click.argument("name")
def jobs_run(name: str) -> None:
    """Run one periodic job now, in this process."""
    from caredesk.config.schedule import PERIODIC_JOBS

    if name not in PERIODIC_JOBS:
        raise click.ClickException(
            f"No periodic job {name!r}; the jobs are: {', '.join(PERIODIC_JOBS)}."
        )
    cli_setup()
    from caredesk.core.jobs import periodic_run

    periodic_run(name)
    click.echo(f"Ran {name}.")


@main.group()
def user() -> None:
    """Manage users."""


@user.command("create")
@click.option("--email", required=True)
@click.option(
    "--role", required=True, type=click.Choice(["customer", "agent", "supervisor", "admin"])
)
@click.option("--name", default="", help="Full name.")
def user_create_cmd(email: str, role: str, name: str) -> None:
    """Create a user; the password comes from CAREDESK_PASSWORD or a prompt."""
    cli_setup()
    from caredesk.accounts.services import user_create
    from caredesk.core.errors import DomainError
    from caredesk.customers.services import customer_account_create

    password = os.environ.get("CAREDESK_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            raise click.ClickException("Set CAREDESK_PASSWORD or run in a terminal to be asked.")
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    first, _, last = name.partition(" ")
    try:
        if role == "customer":
            created = customer_account_create(
                email=email, password=password, first_name=first, last_name=last
            )
        else:
            created = user_create(
                email=email, role=role, password=password, first_name=first, last_name=last
            )
    except DomainError as exc:
        raise cli_error(exc) from None
    click.echo(f"Created {created.role} {created.email} (id {created.pk}).")


@main.group()
def token() -> None:
    """Manage API tokens."""


@token.command("create")
@click.option("--email", required=True)
@click.option("--name", default="cli", show_default=True)
def token_create_cmd(email: str, name: str) -> None:
    """Create an API token for a user and print it (it is shown only once)."""
    cli_setup()
    from caredesk.accounts.models import User
    from caredesk.accounts.services import token_create

    found = User.objects.filter(email__iexact=email.strip()).first()
    if found is None:
        raise click.ClickException(f"No user with email {email}.")
    _, plain = token_create(user=found, name=name)
    click.echo(plain)


@token.command("revoke")
@click.option("--email", required=True)
def token_revoke_cmd(email: str) -> None:
    """Revoke every API token of a user."""
    cli_setup()
    from django.utils import timezone

    from caredesk.accounts.models import ApiToken

    n = ApiToken.objects.filter(user__email__iexact=email.strip(), revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    click.echo(f"Revoked {n} token(s).")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--no-serve", is_flag=True, help="Set up and load the data, then stop.")
def demo(host: str, port: int, workers: int, no_serve: bool) -> None:
    """Migrate, load demo data (once) and serve, with DEBUG on."""
    cli_setup(debug=True)
    from django.core.management import call_command

    from caredesk.demo.data import demo_load

    call_command("migrate", interactive=False, verbosity=0)
    logins = demo_load(password=DEMO_PASSWORD)
    click.echo("Demo logins (password for all: " + DEMO_PASSWORD + "):")
    for role, email in logins:
        click.echo(f"  {role:<10} {email}")
    if not no_serve:
        _serve(host, port, workers)


@main.command()
@click.option(
    "--tickets", "n_tickets", default=10_000, show_default=True, type=click.IntRange(0, 50_000_000)
)
@click.option(
    "--customers",
    "n_customers",
    default=1_000,
    show_default=True,
    type=click.IntRange(1, 10_000_000),
)
@click.option("--seed", "rng_seed", default=1, show_default=True, help="Random seed.")
@click.option("--json", "as_json", is_flag=True, help="Print timings as JSON.")
def seed(n_tickets: int, n_customers: int, rng_seed: int, as_json: bool) -> None:
    """Add bulk synthetic data for benchmarks (fast: bulk inserts, no per-row services)."""
    cli_setup()
    from django.core.management import call_command

    from caredesk.demo.seed import seed_bulk

    call_command("migrate", interactive=False, verbosity=0)
    started = time.monotonic()

    def progress(label: str, done: int, total: int) -> None:
        if not as_json:
            click.echo(f"\r{label}: {done:,}/{total:,}", nl=done >= total, err=True)

    stats = seed_bulk(tickets=n_tickets, customers=n_customers, seed=rng_seed, progress=progress)
    stats["seconds"] = round(time.monotonic() - started, 1)
    click.echo(
        json.dumps(stats)
        if as_json
        else f"Seeded {n_tickets:,} tickets and {n_customers:,} customers in {stats['seconds']} s."
    )


@main.command("export")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write here instead of standard output.",
)
def export_cmd(out: str | None) -> None:
    """Export everything as a JSON Lines bundle."""
    cli_setup()
    from caredesk.bundles.exporter import bundle_export

    stream = open(out, "w", encoding="utf-8") if out else sys.stdout  # noqa: SIM115
    try:
        count = 0
        for line in bundle_export():
            stream.write(line + "\n")
            count += 1
    finally:
        if out:
            stream.close()
    if out:
        click.echo(f"Wrote {count} lines to {out}.", err=True)


@main.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def import_cmd(path: str, as_json: bool) -> None:
    """Import a JSON Lines bundle (idempotent by external_id). Exits 1 if a line failed."""
    cli_setup()
    from caredesk.bundles.importer import bundle_import

    stream: Any = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    try:
        report = bundle_import(lines=stream)
    finally:
        if path != "-":
            stream.close()
    if as_json:
        click.echo(json.dumps(report.as_dict()))
    else:
        for label, counter in (
            ("created", report.created),
            ("updated", report.updated),
            ("unchanged", report.unchanged),
        ):
            if counter:
                click.echo(f"{label}: " + ", ".join(f"{n} {k}" for k, n in sorted(counter.items())))
        for err in report.errors:
            click.echo(f"line {err.line}: {err.message}", err=True)
        if not report.errors:
            click.echo("No errors.")
    if report.errors:
        sys.exit(1)


main.add_command(staffing)
sla.add_command(sla_check_command)  # "sla check" records what fell due and runs its rules
main.add_command(sla)
main.add_command(mail)
main.add_command(report)
main.add_command(kb)


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command (caredesk manage createsuperuser, …)."""
    cli_setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["caredesk manage", *args])
