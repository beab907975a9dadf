"""`caredesk mail …`: import .eml and mbox files, fetch mailboxes, receive over SMTP."""

from __future__ import annotations

import json
import mailbox as mailbox_lib
from pathlib import Path

import click


@click.group()
def mail() -> None:
    """The email channel."""


@mail.command("import")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--mbox", "mboxes", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="An mbox file; every message in it is imported.")  # fmt: skip
@click.option("--mailbox", "address", default=None, help="The mailbox address they came to.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per message.")
def import_cmd(files: tuple[Path, ...], mboxes: tuple[Path, ...], address: str | None,
               as_json: bool) -> None:  # fmt: skip
    """Import .eml files (and mbox files): each is stored, then threaded into a ticket
    exactly once. Exits 0 when every file was read, whatever became of the messages."""
    from caredesk.cli import _setup

    if not files and not mboxes:
        raise click.UsageError("Give .eml files or --mbox FILE.")
    _setup()
    from caredesk.channels.mail.inbound import MailResult, mail_ingest
    from caredesk.channels.models import Mailbox, MailOutcome, MailSource

    box = None
    if address:
        box = Mailbox.objects.filter(address__iexact=address).first()
        if box is None:
            raise click.ClickException(f"No mailbox with the address {address}.")
    results: list[dict[str, object]] = []
    unreadable = 0

    def record(name: str, result: MailResult) -> None:
        row: dict[str, object] = {"file": name, "outcome": result.outcome, "ticket": result.ticket,
               "message": result.message, "reason": result.reason}  # fmt: skip
        results.append(row)
        if not as_json:
            where = f" ticket #{result.ticket}" if result.ticket else ""
            why = f" ({result.reason})" if result.reason else ""
            click.echo(f"{name}: {result.outcome}{where}{why}")

    for path in files:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            unreadable += 1
            record(
                str(path), MailResult(MailOutcome.REJECTED, reason=f"Cannot read: {exc.strerror}")
            )
            continue
        record(str(path), mail_ingest(raw=raw, source=MailSource.IMPORT, mailbox=box))
    for path in mboxes:
        if not path.is_file():
            unreadable += 1
            record(str(path), MailResult(MailOutcome.REJECTED, reason="Cannot read the mbox file."))
            continue
        for index, message in enumerate(mailbox_lib.mbox(str(path), create=False)):
            raw = message.as_bytes()
            record(
                f"{path}#{index + 1}", mail_ingest(raw=raw, source=MailSource.IMPORT, mailbox=box)
            )
    if as_json:
        click.echo(json.dumps(results, indent=1))
    if unreadable:
        raise SystemExit(1)
