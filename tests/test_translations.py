"""caredesk speaks English and German: every template string is marked, the German
catalogue is complete and compiled, and each reader gets their language (staff by
choice, customers in their portal, emails and surveys, anyone else by the browser)."""

from __future__ import annotations

import datetime as dt
import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import caredesk
from caredesk.accounts.enums import Role
from caredesk.accounts.factories import UserFactory
from caredesk.analytics.reports import report_save, report_send
from caredesk.channels.mail.inbound import mail_ingest
from caredesk.channels.mail.tests.test_servers import eml
from caredesk.channels.models import Mailbox
from caredesk.core.testing import signed_in
from caredesk.customers.factories import CustomerFactory, customer_user
from caredesk.customers.services import customer_create
from caredesk.surveys.delivery import survey_email
from caredesk.surveys.services import survey_invite
from caredesk.tickets.factories import ticket_make
from caredesk.tickets.models import Ticket
from tests.template_text import templates, unmarked

SRC = Path(caredesk.__file__).parent
PO = SRC / "locale" / "de" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def po_entries(text: str) -> dict[str, list[str]]:
    """msgid (the singular) → its msgstr forms, from a .po file's text."""
    entries: dict[str, list[str]] = {}
    for block in text.split("\n\n"):
        fields: dict[str, list[str]] = {}
        key = ""
        for row in block.splitlines():
            if row.startswith("#"):
                continue
            m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', row)
            if m:
                key = m.group(1)
                fields[key] = [m.group(2)]
            elif row.startswith('"') and key:
                fields[key].append(row)
        if "msgid" not in fields:
            continue
        msgid = "".join(eval(s) for s in fields["msgid"])  # noqa: S307  # .po string literals
        forms = [v for k, v in fields.items() if k.startswith("msgstr")]
        entries[msgid] = ["".join(eval(s) for s in f) for f in forms]  # noqa: S307
    return entries


# --- the checks themselves -------------------------------------------------------------


def test_the_template_check_finds_what_is_unmarked() -> None:
    found = unmarked(
        '{% load i18n %}<p>Hello there</p><input placeholder="Type here">'
        '<input type="submit" value="Send it"><p>{{ x|default:"Nobody" }}</p>'
        "<p>{% translate 'Fine' %}</p><code>caredesk mail fetch</code>"
        "{% block body_class %}portal{% endblock %}<p>caredesk · CSAT</p>"
    )
    assert [u.text for u in found] == [
        "Hello there",
        "Type here",
        "Send it",
        '|default:"Nobody',
    ]


def test_no_template_string_is_left_unmarked() -> None:
    left = {
        str(path.relative_to(SRC)): [str(u) for u in unmarked(path.read_text(encoding="utf-8"))]
        for path in templates(SRC)
    }
    assert {path: found for path, found in left.items() if found} == {}


def test_the_german_catalogue_is_complete() -> None:
    entries = po_entries(PO.read_text(encoding="utf-8"))
    assert len(entries) > 800
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8")
    empty = [msgid for msgid, forms in entries.items() if msgid and not all(forms)]
    assert empty == []
    placeholders = re.compile(r"%\(\w+\)s|%%")
    for msgid, forms in entries.items():
        for form in forms if msgid else []:
            assert sorted(placeholders.findall(form)) == sorted(placeholders.findall(msgid)), msgid


def test_the_compiled_catalogue_is_the_committed_one() -> None:
    """`make install` compiles it; a stale .mo would show old German."""
    with MO.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for msgid, forms in po_entries(PO.read_text(encoding="utf-8")).items():
        if msgid and len(forms) == 1:
            assert compiled.gettext(msgid) == forms[0], msgid


def test_the_catalogue_has_every_string_of_the_code(tmp_path: Path) -> None:
    """makemessages on a copy of the source finds no string the catalogue lacks."""
    if shutil.which("xgettext") is None:
        message = "GNU gettext (xgettext) is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; under CI=true this check must run")
        pytest.skip(message)
    copy = tmp_path / "caredesk"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    command = [sys.executable, "-m", "django", "makemessages", "-l", "de", "--no-obsolete",
               "--no-location", "--ignore", "*/tests/*", "--ignore", "demo/*",
               "--ignore", "*/migrations/*", "--ignore", "static/*"]  # fmt: skip
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "caredesk.config.test_settings"}
    subprocess.run(command, cwd=copy, check=True, capture_output=True, env=environment)  # noqa: S603
    fresh = po_entries((copy / "locale/de/LC_MESSAGES/django.po").read_text(encoding="utf-8"))
    committed = po_entries(PO.read_text(encoding="utf-8"))
    assert sorted(set(fresh) - set(committed)) == []


# --- who reads which language ----------------------------------------------------------

pytestmark = pytest.mark.django_db


def test_a_member_of_staff_reads_their_language_with_dates_as_it_writes_them() -> None:
    agent = UserFactory(language="de")
    ticket = ticket_make()
    page = signed_in(agent).get(f"/tickets/{ticket.pk}/")
    text = page.content.decode()
    assert '<html lang="de"' in text
    assert "Unterhaltung" in text
    assert "Conversation" not in text
    assert timezone.localtime(ticket.created_at).strftime("%d.%m.%Y") in text
    assert page["Content-Language"] == "de"


def test_anyone_else_reads_the_browsers_language() -> None:
    german = Client(HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    assert "Mit einem Link anmelden" in german.get("/portal/sign-in-link/").content.decode()
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert "Sign in with a link" in english.get("/portal/sign-in-link/").content.decode()


def test_a_customer_reads_the_portal_in_their_customers_language() -> None:
    user = customer_user()
    assert user.customer is not None
    user.customer.language = "de"
    user.customer.save()
    page = signed_in(user).get("/portal/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Meine Anfragen" in page


def test_the_language_switch_keeps_the_choice_for_staff_and_customers() -> None:
    agent = UserFactory()
    client = signed_in(agent)
    answer = client.post("/language", {"language": "de", "next": "/customers/"})
    assert answer.status_code == 302
    assert answer["Location"] == "/customers/"
    agent.refresh_from_db()
    assert agent.language == "de"
    assert answer.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    assert "Posteingang" in client.get(reverse("tickets:inbox")).content.decode()

    user = customer_user()
    signed_in(user).post("/language", {"language": "de", "next": "https://evil.example/"})
    assert user.customer is not None
    user.customer.refresh_from_db()
    assert user.customer.language == "de"

    refused = client.post("/language", {"language": "xx"}, follow=True)
    assert "language must be one of" in refused.content.decode() or "language muss" in (
        refused.content.decode()
    )
    agent.refresh_from_db()
    assert agent.language == "de"


def test_a_customers_emails_and_survey_speak_their_language() -> None:
    box = Mailbox.objects.create(name="Support", address="support@desk.example",
                                 auto_acknowledge=True)  # fmt: skip
    customer_create(name="Anna Schmidt", emails=["anna@example.de"], language="de")
    raw = eml("<de1@example.de>", "Drucker", "Er druckt nicht.", From="anna@example.de")
    ticket = Ticket.objects.get(pk=mail_ingest(raw=raw, mailbox=box).ticket)
    acknowledgement = ticket.messages.filter(author_role="system").get()
    assert acknowledgement.text.startswith("Wir haben Ihre Anfrage „Drucker“")
    invitation = survey_invite(kind="csat", customer=ticket.requester, ticket=ticket)
    assert invitation is not None
    email = survey_email(invitation, box)
    assert email.subject == f"Wie waren wir? [#{ticket.pk}]"
    assert "Hallo Anna Schmidt," in email.body
    assert "Wie zufrieden sind Sie" in email.body
    assert "(sehr unzufrieden)" in email.body
    # The survey page speaks it too, whatever the browser says.
    link = email.body.split("1 (sehr unzufrieden): ")[1].split()[0]
    path = link.split("://", 1)[-1].split("/", 1)[1]
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/" + path)
    assert "Ihre Meinung" in page.content.decode()


def test_an_english_customer_gets_english_mail() -> None:
    customer = CustomerFactory(name="Ann")
    ticket = ticket_make(requester=customer)
    invitation = survey_invite(kind="csat", customer=customer, ticket=ticket)
    assert invitation is not None
    assert survey_email(invitation, None).subject == f"How did we do? [#{ticket.pk}]"


def test_the_customer_language_is_checked_over_the_api(api_as: object) -> None:
    staff = api_as(UserFactory(role=Role.AGENT))  # type: ignore[operator]
    made = staff.post("customers", {"name": "Jo", "emails": ["jo@example.de"], "language": "de"})
    assert made.status_code == 201
    assert made.json()["language"] == "de"
    bad = staff.patch(f"customers/{made.json()['id']}", {"language": "klingon"})
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_language"
    assert staff.get(f"customers/{made.json()['id']}").json()["language"] == "de"


def test_a_scheduled_report_speaks_its_language() -> None:
    ticket_make()
    report = report_save(
        report=None,
        data={"name": "KPIs", "recipients": "chefin@example.de", "format": "csv",
              "language": "de", "tz": "Europe/Berlin"},
    )  # fmt: skip
    report_send(report=report, at=dt.datetime(2026, 12, 7, 7, tzinfo=dt.UTC))
    [sent] = mail.outbox
    assert sent.subject == "KPIs: 30. November 2026 bis 6. Dezember 2026"
    assert sent.body.startswith("Anbei die Service-KPIs")
    [(_name, data, _type)] = sent.attachments
    assert data.splitlines()[0].lstrip("\ufeff") == "kpi,wert"
