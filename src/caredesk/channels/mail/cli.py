"""`caredesk mail …`: import .eml and mbox files, fetch mailboxes, receive over SMTP."""

from __future__ import annotations

import json
import mailbox as mailbox_lib
from collections.abc import Iterator
from pathlib import Path

import click

from caredesk.core.cli import cli_setup


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

    if not files and not mboxes:
        raise click.UsageError("Give .eml files or --mbox FILE.")
    cli_setup()
    from caredesk.channels.mail.inbound import BATCH_SIZE, mail_ingest_many
    from caredesk.channels.mail.store import MailResult
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

    def readable() -> Iterator[tuple[str, bytes | None, str]]:
        """(name, bytes, why not) for every file and every message of every mbox."""
        for path in files:
            try:
                yield str(path), path.read_bytes(), ""
            except OSError as exc:
                yield str(path), None, f"Cannot read: {exc.strerror}"
        for path in mboxes:
            if not path.is_file():
                yield str(path), None, "Cannot read the mbox file."
                continue
            for index, message in enumerate(mailbox_lib.mbox(str(path), create=False)):
                yield f"{path}#{index + 1}", message.as_bytes(), ""

    # Read in batches: each batch is stored, then filed, in a transaction of its own.
    pending: list[tuple[str, bytes]] = []

    def flush() -> None:
        raws = [raw for _, raw in pending]
        outcomes = mail_ingest_many(raws=raws, source=MailSource.IMPORT, mailbox=box)
        for (name, _), result in zip(pending, outcomes, strict=True):
            record(name, result)
        pending.clear()

    for name, raw, why_not in readable():
        if raw is None:
            flush()  # the results stay in the order of the files
            unreadable += 1
            record(name, MailResult(MailOutcome.REJECTED, reason=why_not))
            continue
        pending.append((name, raw))
        if len(pending) >= BATCH_SIZE:
            flush()
    flush()
    if as_json:
        click.echo(json.dumps(results, indent=1))
    if unreadable:
        raise SystemExit(1)


@mail.command("fetch")
@click.option("--mailbox", "address", default=None, help="Only this mailbox.")
def fetch_cmd(address: str | None) -> None:
    """Fetch new mail from the mailboxes' IMAP servers once (the periodic job does this
    every minute)."""

    cli_setup()
    from caredesk.channels.mail.fetch import FetchError, mail_fetch
    from caredesk.channels.models import Mailbox

    boxes = Mailbox.objects.filter(active=True).exclude(imap_host="")
    if address:
        boxes = boxes.filter(address__iexact=address)
    if not boxes.exists():
        raise click.ClickException("No active mailbox with an IMAP server" + (
            f" has the address {address}." if address else "."))  # fmt: skip
    failed = False
    for box in boxes:
        try:
            click.echo(f"{box.address}: {mail_fetch(mailbox=box)} new message(s)")
        except FetchError as exc:
            failed = True
            click.echo(f"{box.address}: {exc}", err=True)
    if failed:
        raise SystemExit(1)


@mail.command("receive")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=2525, show_default=True, type=click.IntRange(1, 65535))
@click.option("--lmtp", is_flag=True, help="Speak LMTP (for Postfix's lmtp: transport).")
def receive_cmd(host: str, port: int, lmtp: bool) -> None:
    """Receive mail from an MTA over SMTP or LMTP until stopped."""
    import time

    cli_setup()
    from caredesk.channels.mail.receive import smtp_controller

    controller = smtp_controller(host=host, port=port, lmtp=lmtp)
    controller.start()
    click.echo(f"Receiving {'LMTP' if lmtp else 'SMTP'} on {host}:{port}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        controller.stop()
