"""Inbound mail: ingest rate, and a kill test that proves nothing is lost or doubled.

    python bench/mail_ingest.py --db sqlite|postgres [--messages 10000] [--kills 5]
                                [--modes batch single]

Generates a corpus of realistic messages (new requests, replies with quoted history,
HTML mail, attachments, out-of-office replies, bounces, exact duplicates, strangers
replying to someone else's thread, newsletters), then
1. ingests it in one process on a fresh database and reports messages per second, in
   batches (as `caredesk mail import` and the IMAP fetch do) and one message at a time
   (as an SMTP/LMTP delivery);
2. on another fresh database, ingests it in a child process that is SIGKILLed at a
   random moment, restarted from the first file (as a re-delivering MTA would), killed
   again, five times, and then allowed to finish; and counts, for every Message-ID that
   should land on a ticket, whether it landed (lost) and whether it landed more than
   once (duplicated). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

KINDS = [("new", 36), ("reply", 20), ("html", 10), ("attachment", 8), ("auto", 5),
         ("bounce", 3), ("duplicate", 4), ("stranger", 5), ("bulk", 9)]  # fmt: skip
SUPPORT = "support@desk.example"
# The benchmark mailbox's own MTA, which vouches for the customers' domain (their replies
# name only their own first message, so caredesk needs that proof to thread them).
MTA = "mx.desk.example"
PROVEN = f"{MTA}; dmarc=pass header.from=example.org"
QUOTE = ("\n\nOn Mon, 23 Nov 2026 at 10:00, Support <support@desk.example> wrote:\n"
         "> Thank you for your message. Could you restart the router and tell us\n"
         "> whether the light turns green?\n>\n> Best regards\n> Support\n")  # fmt: skip


def corpus(n: int, seed: int, out: Path) -> dict[str, int]:
    """Write n .eml files; returns how many of each kind."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    threads: list[tuple[str, str, str]] = []  # (sender, subject, root msgid)
    written: list[bytes] = []
    counts: dict[str, int] = {}
    kinds, weights = zip(*KINDS, strict=True)
    for i in range(n):
        kind = rng.choices(kinds, weights)[0] if threads or i > 20 else "new"
        if kind in ("reply", "stranger", "duplicate", "bounce") and not threads:
            kind = "new"
        if kind == "duplicate" and written:
            raw = rng.choice(written)
        else:
            raw = _message(kind, i, rng, threads)
            written.append(raw)
        counts[kind] = counts.get(kind, 0) + 1
        (out / f"{i:06d}.eml").write_bytes(raw)
    return counts


def _message(kind: str, i: int, rng: random.Random, threads: list[tuple[str, str, str]]) -> bytes:
    msg = EmailMessage()
    if kind != "stranger":
        msg["Authentication-Results"] = PROVEN
    msgid = f"<bench{i}.{rng.randrange(10**9)}@mail.example>"
    customer = f"customer{rng.randrange(3000)}@example.org"
    msg["To"] = SUPPORT
    msg["Message-ID"] = msgid
    msg["Date"] = "Mon, 23 Nov 2026 10:00:00 +0000"
    if kind == "bounce":
        sender, _, _ = rng.choice(threads)
        return _bounce(i, sender)
    if kind in ("reply", "stranger"):
        sender, subject, root = rng.choice(threads)
        msg["From"] = sender if kind == "reply" else f"stranger{i}@evil.example"
        msg["Subject"] = f"Re: {subject}"
        msg["In-Reply-To"] = root
        msg["References"] = root
        msg.set_content(f"Still not working, message {i}.{QUOTE}")
        return msg.as_bytes()
    msg["From"] = f"Customer {i} <{customer}>"
    subject = f"Problem {i}: router drops the connection"
    if kind == "auto":
        msg["Subject"] = "Out of office: back on Monday"
        msg["Auto-Submitted"] = "auto-replied"
        msg.set_content("I am away until Monday.")
        return msg.as_bytes()
    if kind == "bulk":
        msg["Subject"] = f"Newsletter {i}"
        msg["List-Id"] = "<news.example.org>"
        msg["Precedence"] = "bulk"
        msg.set_content("Our news this week. " * 40)
        return msg.as_bytes()
    msg["Subject"] = subject
    msg.set_content(
        f"Hello,\n\nmy router drops the connection every hour ({i}).\n\n-- \nCustomer {i}"
    )
    if kind == "html":
        msg.add_alternative(
            f"<html><body><p>Hello,</p><p>my router <b>drops</b> ({i}).</p>"
            '<img src="https://tracker.example/p.gif"><script>x()</script></body></html>',
            subtype="html",
        )
    if kind == "attachment":
        size = rng.randrange(5_000, 50_000)
        msg.add_attachment(rng.randbytes(size), maintype="application", subtype="pdf",
                           filename=f"Rechnung März {i}.pdf")  # fmt: skip
    threads.append((customer, subject, msgid))
    return msg.as_bytes()


def _bounce(i: int, recipient: str) -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\n"
        f"To: {SUPPORT}\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <bounce{i}@mx.example.org>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n'
        "--r\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        "--r\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.org\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        "--r--\r\n"
    ).encode()


INGEST = r"""
import json, resource, sys, time
from pathlib import Path
import django
django.setup()
from caredesk.channels.mail.inbound import mail_ingest, mail_ingest_many, mail_process_pending
from caredesk.channels.models import Mailbox
box, _ = Mailbox.objects.get_or_create(address="support@desk.example", defaults={"name": "Support"})
if hasattr(box, "authserv_id"):  # the MTA whose Authentication-Results are believed
    box.authserv_id = "mx.desk.example"
    box.save()
files = sorted(Path(sys.argv[1]).glob("*.eml"))
started = time.perf_counter()
outcomes = {}
if sys.argv[2] == "batch":  # as `caredesk mail import` and the IMAP fetch do
    results = mail_ingest_many(raws=(p.read_bytes() for p in files), source="import", mailbox=box)
else:  # one message per call and transaction, as an SMTP/LMTP delivery
    results = (mail_ingest(raw=p.read_bytes(), source="import", mailbox=box) for p in files)
for result in results:
    outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
pending = mail_process_pending()
seconds = time.perf_counter() - started
print(json.dumps({"messages": len(files), "seconds": round(seconds, 2),
                  "per_second": round(len(files) / seconds, 1), "outcomes": outcomes,
                  "pending_finished": pending,
                  "peak_rss_mb": round(
                      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
"""

COUNT = r"""
import json, sys
from email import message_from_bytes, policy
from pathlib import Path
import django
django.setup()
from django.db.models import Count
from caredesk.channels.models import InboundMail, MailThread
from caredesk.channels.mail.parsing import parse
from caredesk.tickets.models import Message
expected = set()
for path in sorted(Path(sys.argv[1]).glob("*.eml")):
    parsed = parse(path.read_bytes())
    if parsed.bounce is None and not parsed.auto_reply:
        expected.add(parsed.message_id)
threaded = set(MailThread.objects.filter(outbound=False).values_list("msgid", flat=True))
landed = (InboundMail.objects.filter(outcome__in=["created", "appended"])
          .values("msgid").annotate(n=Count("id")))
doubled = sum(row["n"] - 1 for row in landed if row["n"] > 1)
mail_messages = Message.objects.filter(channel="email", author_role="customer").count()
print(json.dumps({
    "expected_on_tickets": len(expected),
    "lost": len(expected - threaded),
    "duplicated": doubled + max(0, mail_messages - len(expected)),
    "customer_messages": mail_messages,
    "unprocessed": InboundMail.objects.filter(processed_at__isnull=True).count(),
}))
"""


def fresh(db: str, name: str, workdir: Path) -> dict[str, str]:
    data = workdir / name
    subprocess.run(["rm", "-rf", str(data)], check=True)
    data.mkdir(parents=True)
    env = dict(
        os.environ,
        SECRET_KEY="bench-secret-key-not-for-production",  # noqa: S106
        CAREDESK_DATA_DIR=str(data),
        DEBUG="false",
        DJANGO_SETTINGS_MODULE="caredesk.config.settings",
    )
    env.pop("REDIS_URL", None)
    if db == "postgres":
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}"')
            c.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{name}"
    else:
        env.pop("DATABASE_URL", None)
    caredesk = str(Path(sys.executable).with_name("caredesk"))
    subprocess.run([caredesk, "migrate"], env=env, check=True, capture_output=True)
    return env


def run_json(code: str, env: dict[str, str], *args: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, check=True,
                         capture_output=True, text=True)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def kill_test(
    env: dict[str, str], folder: Path, kills: int, seed: int, mode: str
) -> dict[str, object]:
    rng = random.Random(seed)
    moments = []
    for _ in range(kills):
        child = subprocess.Popen([sys.executable, "-c", INGEST, str(folder), mode], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        delay = rng.uniform(2.0, 12.0)
        time.sleep(delay)
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
        child.wait()
        moments.append(round(delay, 2))
    final = run_json(INGEST, env, str(folder), mode)
    counts = run_json(COUNT, env, str(folder))
    return {"killed_after_seconds": moments, "final_run": final, **counts}


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--messages", type=int, default=10_000)
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--modes", nargs="+", choices=["batch", "single"], default=["batch", "single"],
                    help="batch: mail_ingest_many (imports, IMAP); single: one call per message "
                    "(SMTP/LMTP deliveries)")  # fmt: skip
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "caredesk-bench"))
    args = ap.parse_args()
    workdir = Path(args.workdir)
    folder = workdir / f"mail-corpus-{args.messages}-{args.seed}"
    kinds = corpus(args.messages, args.seed, folder) if not folder.exists() else None
    report: dict[str, object] = {"db": args.db, "corpus": str(folder), "kinds": kinds,
                                 "target_per_second": 200}  # fmt: skip
    for mode in args.modes:
        name = f"caredesk_mail_{mode}_{args.db}"
        env = fresh(args.db, name, workdir)
        report[f"ingest_{mode}"] = run_json(INGEST, env, str(folder), mode)
        if args.kills:
            report[f"kill_test_{mode}"] = kill_test(
                fresh(args.db, f"{name}_kill", workdir), folder, args.kills, args.seed, mode
            )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
