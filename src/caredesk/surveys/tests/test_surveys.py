"""Surveys go out by real email when a ticket is solved, come back with one click,
once per ticket and throttled per customer; low scores open follow-ups."""

from __future__ import annotations

import datetime as dt
import re
from email import message_from_bytes, policy
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from caredesk.accounts.enums import Role
from caredesk.accounts.factories import TeamFactory, UserFactory
from caredesk.channels.mail.inbound import mail_ingest
from caredesk.channels.mail.tests.test_servers import eml, smtp_box
from caredesk.customers.factories import CustomerFactory, customer_user
from caredesk.customers.services import customer_create
from caredesk.notifications.models import Notification
from caredesk.surveys.models import FollowUp, SurveyInvitation, SurveyResponse, SurveySettings
from caredesk.surveys.services import TOKEN_SALT, invitation_token
from caredesk.tickets.factories import ticket_make
from caredesk.tickets.models import Ticket, TicketEvent
from caredesk.tickets.services import message_add, ticket_update

pytestmark = pytest.mark.django_db


def solve(ticket: Ticket, capture: Any) -> None:
    with capture(execute=True):
        ticket_update(ticket=ticket, actor=UserFactory(), changes={"status": "solved"})


def links(raw: bytes) -> dict[int, str]:
    sent = message_from_bytes(raw, policy=policy.default)
    body = sent.get_body(("plain",))
    assert body is not None
    found = re.findall(r"^(\d+)[^:\n]*: (\S+)\s*$", body.get_content(), re.M)
    return {int(score): url for score, url in found}


def test_a_csat_survey_goes_out_by_email_and_one_click_answers_it(
    smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    box = smtp_box(smtp_server)
    box.team = TeamFactory(name="Billing")
    box.save()
    boss = UserFactory(role=Role.SUPERVISOR)
    box.team.members.add(boss)
    ticket = Ticket.objects.get(
        pk=mail_ingest(raw=eml("<c1@x.org>", "Refund", "Hi"), mailbox=box).ticket
    )
    solve(ticket, django_capture_on_commit_callbacks)
    invitation = SurveyInvitation.objects.get(ticket=ticket)
    assert (invitation.kind, invitation.status, invitation.email) == (
        "csat",
        "sent",
        "anna@example.org",
    )
    [envelope] = smtp_server.received
    assert envelope.rcpt_tos == ["anna@example.org"]
    sent = message_from_bytes(envelope.content, policy=policy.default)
    assert sent["Subject"] == f"How did we do? [#{ticket.pk}]"
    assert sent["Auto-Submitted"] == "auto-generated"
    urls = links(envelope.content)
    assert sorted(urls) == [1, 2, 3, 4, 5]
    assert TicketEvent.objects.filter(ticket=ticket, field="survey").exists()
    # The customer clicks "2" in their mail program: the page has the score chosen and
    # submits itself (no sign-in: the signed link is the key).
    customer = Client()
    link = urlsplit(urls[2])
    page = customer.get(f"{link.path}?{link.query}")
    assert page.status_code == 200
    assert b"data-autosubmit" in page.content
    assert b'value="2" required checked' in page.content
    assert customer.post(link.path, {"score": "2"}).status_code == 302
    response = SurveyResponse.objects.get()
    assert (response.kind, response.score, response.ticket_id) == ("csat", 2, ticket.pk)
    # A low score: a follow-up for the ticket's team, due in 8 (calendar) hours, and its
    # supervisor told.
    follow_up = FollowUp.objects.get()
    assert (follow_up.ticket_id, follow_up.team_id) == (ticket.pk, box.team.pk)
    assert follow_up.due_at == response.responded_at + dt.timedelta(hours=8)
    assert Notification.objects.filter(user=boss, kind="follow_up", ticket=ticket).exists()
    # Then a comment, once.
    thanks = customer.get(link.path)
    assert b"Thank you!" in thanks.content
    assert b'name="comment"' in thanks.content
    customer.post(link.path, {"comment": "The refund took three weeks."})
    response.refresh_from_db()
    assert response.comment == "The refund took three weeks."
    # Clicking again changes nothing.
    again = customer.post(link.path, {"score": "5"})
    assert again.status_code == 200
    assert b"answered already" in again.content
    assert SurveyResponse.objects.get().score == 2


def test_once_per_ticket_and_at_most_one_survey_per_customer_within_the_throttle(
    smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    box = smtp_box(smtp_server)
    first = Ticket.objects.get(
        pk=mail_ingest(raw=eml("<o1@x.org>", "One", "Hi"), mailbox=box).ticket
    )
    second = Ticket.objects.get(
        pk=mail_ingest(raw=eml("<o2@x.org>", "Two", "Hi"), mailbox=box).ticket
    )
    solve(first, django_capture_on_commit_callbacks)
    message_add(ticket=first, author=None, author_customer=first.requester, author_role="customer",
                text="Still broken")  # fmt: skip
    first.refresh_from_db()
    assert first.status == "open"  # reopened by the customer
    solve(first, django_capture_on_commit_callbacks)
    solve(second, django_capture_on_commit_callbacks)  # the same customer, same week
    assert SurveyInvitation.objects.count() == 1
    assert len(smtp_server.received) == 1
    SurveyInvitation.objects.update(created_at=timezone.now() - dt.timedelta(days=8))
    third = Ticket.objects.get(
        pk=mail_ingest(raw=eml("<o3@x.org>", "Three", "Hi"), mailbox=box).ticket
    )
    solve(third, django_capture_on_commit_callbacks)
    assert SurveyInvitation.objects.count() == 2


def test_no_email_address_means_the_portal_only_and_the_setting_turns_it_off(
    django_capture_on_commit_callbacks: Any,
) -> None:
    caller = customer_create(name="Caller", phones=["+49 30 1234567"])
    phone_only = ticket_make(requester=caller)
    solve(phone_only, django_capture_on_commit_callbacks)
    assert SurveyInvitation.objects.get().status == "portal"
    SurveySettings.objects.update_or_create(pk=1, defaults={"on_solve": ""})
    solve(ticket_make(), django_capture_on_commit_callbacks)
    assert SurveyInvitation.objects.count() == 1


def test_a_forged_expired_or_mangled_link_is_refused_politely() -> None:
    invitation = SurveyInvitation.objects.create(kind="nps", customer=CustomerFactory())
    client = Client()
    assert client.get("/s/not-a-token/").status_code == 404
    forged = signing.dumps(invitation.pk, salt="something else")
    assert client.get(f"/s/{forged}/").status_code == 404
    token = invitation_token(invitation)
    assert client.get(f"/s/{token}/").status_code == 200
    bad = client.post(f"/s/{token}/", {"score": "11"})
    assert bad.status_code == 422
    assert b"between 0 and 10" in bad.content
    expired = signing.dumps(invitation.pk, salt=TOKEN_SALT, compress=True)
    later = timezone.now() + dt.timedelta(days=61)  # the link read 61 days later
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("time.time", lambda: later.timestamp())
        gone = client.get(f"/s/{expired}/")
    assert gone.status_code == 410
    assert b"expired" in gone.content
    assert not SurveyResponse.objects.exists()


def test_the_portal_request_page_offers_the_requesters_open_survey(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = customer_user()
    ticket = ticket_make(requester=user.customer)
    page = reverse("portal:detail", kwargs={"ticket_id": ticket.pk})
    c = Client(SERVER_NAME="localhost")
    c.force_login(user)
    assert "How did we do?" not in c.get(page).content.decode()
    solve(ticket, django_capture_on_commit_callbacks)
    found = re.search(r'How did we do\? <a href="([^"]+)"', c.get(page).content.decode())
    assert found is not None
    assert c.get(found.group(1)).status_code == 200
    SurveyInvitation.objects.update(customer=customer_user().customer)  # someone else's
    assert "How did we do?" not in c.get(page).content.decode()
