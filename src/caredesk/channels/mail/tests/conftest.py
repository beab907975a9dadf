"""Real mail servers for the mail tests: Debian's dovecot as an IMAP server (started on a
free port with a throwaway configuration and mail store) and aiosmtpd as an SMTP server
that keeps what it receives. Under CI=true a missing dovecot fails the run."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

DOVECOT = os.environ.get("DOVECOT", "/usr/sbin/dovecot")
USER, PASSWORD = "support@desk.example", "imap-test-password"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ImapServer:
    host: str
    port: int
    user: str
    password: str
    log: Path


@pytest.fixture
def imap_server() -> Iterator[ImapServer]:
    if not Path(DOVECOT).exists():
        message = f"dovecot not found at {DOVECOT} (apt-get install dovecot-imapd)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; under CI=true the IMAP tests must run")
        pytest.skip(message)

    # its own directory, readable by dovecot's unprivileged processes (pytest's tmp_path
    # sits below a directory only root may enter)
    root = Path(tempfile.mkdtemp(prefix="caredesk-dovecot-"))
    root.chmod(0o755)
    for sub in ("run", "mail", "home"):
        (root / sub).mkdir(parents=True)
    uid, gid = os.getuid(), os.getgid()
    if uid == 0:  # dovecot will not give mail to root: use its own user
        entry = pwd.getpwnam("dovecot")
        uid, gid = entry.pw_uid, entry.pw_gid
        for sub in ("mail", "home"):
            os.chown(root / sub, uid, gid)
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    port = free_port()
    log = root / "dovecot.log"
    (root / "dovecot.conf").write_text(
        f"""
base_dir = {root}/run
log_path = {log}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = {min(uid, 100) if uid else 0}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""
    )
    process = subprocess.Popen(  # noqa: S603  # Debian's dovecot with our config
        [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                if s.recv(100).startswith(b"* OK"):
                    break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("dovecot did not start: " + (log.read_text() if log.exists() else ""))
    yield ImapServer("127.0.0.1", port, USER, PASSWORD, log)
    process.terminate()
    process.wait(10)
    shutil.rmtree(root, ignore_errors=True)


@dataclass
class SmtpServer:
    host: str
    port: int
    received: list[Any] = field(default_factory=list)  # aiosmtpd envelopes
    refuse: list[int] = field(default_factory=list)  # answer these codes first, then 250
    plain_senders_only: bool = False  # refuse plus-addressed envelope senders (as some relays)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer("127.0.0.1", free_port())

    class Handler:
        async def handle_MAIL(
            self, smtp: Any, session: Any, envelope: Any, address: str, options: Any
        ) -> str:
            if server.plain_senders_only and "+" in address:
                return "553 5.7.1 Sender address rejected: not owned by user"
            envelope.mail_from = address
            envelope.mail_options.extend(options)
            return "250 OK"

        async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:
            if server.refuse:
                return f"{server.refuse.pop(0)} Try again later"
            server.received.append(envelope)
            return "250 OK"

    controller = Controller(Handler(), hostname=server.host, port=server.port)
    controller.start()
    yield server
    controller.stop()
