"""Real-world mail: how caredesk files every message of three corpora of other projects'
test mail, and what a careful reader would find wrong with it.

    python bench/mail_corpora.py [--corpora ../shared/mail-corpora] [--only NAME]

Reads `../shared/mail-corpora/` (request-tracker's and django-helpdesk's test mail; never
copied into the repository) and CPython's own email test data (`test/test_email/data`),
imports each message with `caredesk mail import`'s pipeline into a fresh SQLite database,
and prints one JSON object: for every file its outcome, the ticket's subject, the start
of the text the agent reads, the attachments (name, type, size), the time given to the
message, and `problems`, what the checks below find wrong (an empty list is a message
filed as expected). The checks are what the corpora's README asks for:

- an attached email (`message/rfc822`) is one `.eml` attachment, none of its parts are
  the outer message's attachments, and the attachment is the inner message's own bytes;
- a delivery-status report is a bounce, with or without `report-type`;
- a message whose text part is readable shows text without replacement characters;
- uuencoded files in a plain body are attachments, and not text;
- forwarded content is part of the text the agent reads;
- an imported message keeps its own date (its Date header, else the last Received).

Nothing here is tuned to these files: the checks read each raw message with the standard
library and compare it with what caredesk stored.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from email import message_from_bytes, policy
from email.message import Message
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FORWARD = re.compile(
    rb"^\s*(-{2,} ?Forwarded [Mm]essage ?-{2,}|Begin forwarded message:)", re.MULTILINE
)
UUENCODE = re.compile(rb"^begin [0-7]{3,4} (\S[^\r\n]*)\r?$", re.MULTILINE)


def corpus_files(corpora: Path) -> list[tuple[str, Path]]:
    import test

    files: list[tuple[str, Path]] = []
    for folder in ("request-tracker", "django-helpdesk"):
        for path in sorted((corpora / folder).glob("*")):
            if path.is_file() and path.name not in ("COPYING", "LICENSE", "README"):
                files.append((folder, path))
    cpython = Path(test.__file__).parent / "test_email" / "data"
    files += [("cpython", p) for p in sorted(cpython.glob("msg_*.txt"))]
    return files


def _walk_outer(msg: Message) -> list[Message]:
    """The parts of a message, not descending into attached emails."""
    found = [msg]
    payload = msg.get_payload()
    if msg.is_multipart() and msg.get_content_type() != "message/rfc822":
        for part in payload:
            found += _walk_outer(part)
    return found


def expected_date(msg: Message) -> Any:
    """The message's own time: its Date, else the time in its last Received header."""
    received = [str(v).rsplit(";", 1)[-1] for v in reversed(msg.get_all("Received") or [])]
    for text in [str(msg.get("Date") or ""), *received]:
        try:
            moment = parsedate_to_datetime(text.strip())
        except (TypeError, ValueError, IndexError):
            continue
        if moment is not None and moment.tzinfo is not None:
            return moment
    return None


def problems_of(raw: bytes, result: Any) -> list[str]:
    """What a careful reader finds wrong with how the message was filed."""
    from caredesk.core.storage import blob_open
    from caredesk.tickets.models import Message as TicketMessage

    found: list[str] = []
    try:
        msg = message_from_bytes(raw, policy=policy.compat32)
    except Exception:  # then only the outcome is checked
        return found if result.outcome != "rejected" else ["refused, not kept"]
    if result.outcome == "rejected":
        found.append("refused, not kept")
    stored = TicketMessage.objects.filter(pk=result.message).first() if result.message else None
    if result.outcome == "duplicate":  # the same Message-ID as an earlier file: filed once
        return found
    is_report = any(p.get_content_type() == "message/delivery-status" for p in msg.walk())
    if is_report and result.outcome != "bounce":  # a bounce is filed on no message
        found.append(f"a delivery report filed as {result.outcome}")
    if stored is None:
        return found
    names = [a.filename for a in stored.attachments.all()]
    inner = [p for p in _walk_outer(msg) if p.get_content_type() == "message/rfc822"]
    emls = [n for n in names if n.lower().endswith(".eml")]
    if len(emls) < len(inner):
        found.append(f"{len(inner)} attached email(s), {len(emls)} .eml attachment(s)")
    outer_leaves = [
        p
        for p in _walk_outer(msg)
        if not p.is_multipart() and p.get_content_type() != "message/rfc822"
    ]
    others = [n for n in names if not n.lower().endswith(".eml")]
    for attachment in stored.attachments.all():
        if attachment.filename.lower().endswith(".eml"):
            data = blob_open(attachment.storage_path)
            if data not in raw and data.replace(b"\n", b"\r\n") not in raw:
                found.append(f"{attachment.filename} is not the attached email's own bytes")
    if inner and len(others) > len(outer_leaves):  # more files than the outer message has
        found.append(f"parts of an attached email flattened: {others[:4]}")
    text = stored.text
    if "\ufffd" in text and "\ufffd".encode() not in raw:
        found.append("replacement characters in the text")
    if "\ufffd" in stored.ticket.subject and "\ufffd".encode() not in raw:
        found.append("replacement characters in the subject")
    for match in UUENCODE.finditer(raw):
        name = match.group(1).decode("latin-1").strip()
        if name not in names:
            found.append(f"uuencoded {name} not extracted")
        if "\nbegin " in "\n" + text and "\nend" in text:
            found.append("uuencoded data shown as text")
    if FORWARD.search(raw) and not re.search(r"(?i)forwarded message", text):
        found.append("forwarded content cut from the text")
    want = expected_date(msg)
    if want is not None and result.outcome == "created" and stored.created_at != want:
        found.append(f"dated {stored.created_at.isoformat()}, not its own {want.isoformat()}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "mail-corpora")
    parser.add_argument("--only", default="", help="only files whose name contains this")
    args = parser.parse_args()
    if not args.corpora.is_dir():
        sys.exit(f"{args.corpora} is missing: this bench reads the shared mail corpora.")
    workdir = Path(tempfile.mkdtemp(prefix="caredesk-corpora-"))
    os.environ.update(
        SECRET_KEY="bench-secret-key-not-for-production",  # noqa: S106
        CAREDESK_DATA_DIR=str(workdir),
        DEBUG="false",
        DJANGO_SETTINGS_MODULE="caredesk.config.settings",
    )
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    from caredesk.channels.mail.inbound import mail_ingest
    from caredesk.channels.models import Mailbox
    from caredesk.tickets.models import Message as TicketMessage
    from caredesk.tickets.models import Ticket

    call_command("migrate", verbosity=0)
    box = Mailbox.objects.create(name="Support", address="support@desk.example")
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    for folder, path in corpus_files(args.corpora):
        if args.only and args.only not in path.name:
            continue
        raw = path.read_bytes()
        try:
            result = mail_ingest(raw=raw, source="import", mailbox=box)
        except Exception as exc:  # a crash is an outcome to report
            rows.append({"corpus": folder, "file": path.name, "outcome": "crash",
                         "reason": repr(exc), "problems": ["crashed"]})  # fmt: skip
            continue
        message = TicketMessage.objects.filter(pk=result.message).first()
        ticket = Ticket.objects.filter(pk=result.ticket).first()
        rows.append(
            {
                "corpus": folder,
                "file": path.name,
                "outcome": result.outcome,
                "reason": result.reason,
                "subject": ticket.subject if ticket else None,
                "text": " ".join(message.text.split())[:100] if message else None,
                "attachments": [
                    [a.filename, a.content_type, a.size] for a in message.attachments.all()
                ]
                if message
                else [],
                "at": message.created_at.isoformat() if message else None,
                "problems": problems_of(raw, result),
            }
        )
    outcomes: dict[str, int] = {}
    for row in rows:
        outcomes[row["outcome"]] = outcomes.get(row["outcome"], 0) + 1
    wrong = [f"{r['corpus']}/{r['file']}" for r in rows if r["problems"]]
    print(json.dumps({
        "files": len(rows),
        "seconds": round(time.perf_counter() - started, 2),
        "outcomes": outcomes,
        "filed_as_expected": len(rows) - len(wrong),
        "with_problems": wrong,
        "messages": rows,
    }, indent=1, ensure_ascii=False))  # fmt: skip


if __name__ == "__main__":
    main()
