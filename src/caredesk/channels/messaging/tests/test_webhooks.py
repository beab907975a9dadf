"""A messaging channel end to end: the provider posts signed messages to caredesk (real
HTTP views, the real database), agents' replies are posted back to a real HTTP server
and signed, delivery reports land on the reply they name."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from caredesk.accounts.factories import UserFactory
from caredesk.channels.messaging.formats import Inbound, sms_form_signature
from caredesk.channels.messaging.inbound import message_receive
from caredesk.channels.messaging.outbound import inbound_url, messaging_due
from caredesk.channels.messaging.tests.conftest import message, post_signed
from caredesk.channels.models import (
    ChannelConversation,
    ChannelInbound,
    ChannelOutbound,
    MessagingChannel,
    OutboundStatus,
)
from caredesk.customers.models import ContactPoint
from caredesk.tickets.enums import Channel, TicketStatus
from caredesk.tickets.models import Message, Ticket, TicketEvent
from caredesk.tickets.services import message_add, ticket_update

pytestmark = pytest.mark.django_db


def reply(ticket: Ticket, text: str, capture: Any) -> Message:
    agent = UserFactory(first_name="Ada", last_name="Lovelace")
    with capture(execute=True):  # the reaction queues the post; the job runs at commit
        return message_add(ticket=ticket, author=agent, text=text)


def test_a_conversation_goes_both_ways_signed(
    channel: MessagingChannel, provider: Any, django_capture_on_commit_callbacks: Any
) -> None:
    answer = post_signed(channel, message("wamid.1", "My parcel never arrived."))
    assert answer.status_code == 200, answer.content
    received = answer.json()
    ticket = Ticket.objects.get(pk=received["ticket_id"])
    assert received["duplicate"] is False
    assert (ticket.channel, ticket.subject) == (Channel.WEBHOOK, "My parcel never arrived.")
    assert ticket.requester.name == "Dana Kunde"
    assert ContactPoint.objects.filter(customer=ticket.requester, kind="phone").exists()

    sent = reply(ticket, "Sorry! A new one is on its way.", django_capture_on_commit_callbacks)
    assert len(provider.requests) == 1
    request = provider.requests[0]
    headers, body = request["headers"], request["body"]
    stamp = headers["X-Caredesk-Timestamp"]
    expected = hmac.new(channel.secret.encode(), stamp.encode() + b"." + body, hashlib.sha256)
    assert headers["X-Caredesk-Signature"] == "sha256=" + expected.hexdigest()
    assert abs(int(stamp) - time.time()) < 60
    posted = json.loads(body)
    assert posted["kind"] == "message"
    assert posted["to"] == {"handle": "+4915112345678"}
    assert posted["conversation_id"] == "+4915112345678"  # none given: the sender's handle
    assert posted["text"] == "Sorry! A new one is on its way."
    assert posted["author"] == {"name": "Ada Lovelace"}
    assert posted["ticket_id"] == ticket.pk
    row = ChannelOutbound.objects.get(message=sent)
    assert (row.status, row.attempts, row.last_status_code) == (OutboundStatus.SENT, 1, 200)
    assert row.provider_message_id == "prov-1"

    def status(state: str) -> dict[str, Any]:
        return {"kind": "status", "message_id": "prov-1", "status": state}

    assert post_signed(channel, status("read")).json() == {"status": "recorded"}
    assert post_signed(channel, status("delivered")).json() == {"status": "recorded"}
    row.refresh_from_db()
    assert row.delivery == "read"  # a late "delivered" does not move it back
    unknown = post_signed(channel, {**status("read"), "message_id": "prov-999"})
    assert unknown.json() == {"status": "unknown_message"}

    # the customer answers in the same conversation: the same ticket
    again = post_signed(channel, message("wamid.2", "Thank you!"))
    assert again.json()["ticket_id"] == ticket.pk
    assert [m.text for m in ticket.messages.order_by("id")] == [
        "My parcel never arrived.",
        "Sorry! A new one is on its way.",
        "Thank you!",
    ]


def test_a_message_after_the_ticket_closed_opens_a_follow_up(channel: MessagingChannel) -> None:
    first = post_signed(channel, message("m1", "Help", conversation_id="chat-7")).json()
    ticket = Ticket.objects.get(pk=first["ticket_id"])
    ticket_update(ticket=ticket, actor=None, changes={"status": TicketStatus.CLOSED})
    later = post_signed(channel, message("m2", "Me again", conversation_id="chat-7")).json()
    assert later["ticket_id"] != ticket.pk
    follow_up = Ticket.objects.get(pk=later["ticket_id"])
    assert follow_up.follow_up_of_id == ticket.pk
    assert follow_up.requester_id == ticket.requester_id
    assert ChannelConversation.objects.get(conversation_id="chat-7").ticket_id == follow_up.pk


def test_a_repeated_post_files_once(channel: MessagingChannel) -> None:
    first = post_signed(channel, message("dup-1", "Only once please")).json()
    second = post_signed(channel, message("dup-1", "Only once please")).json()
    assert second == {**first, "duplicate": True}
    assert Message.objects.filter(ticket_id=first["ticket_id"]).count() == 1
    assert ChannelInbound.objects.count() == 1


@pytest.mark.parametrize(
    ("secret", "offset", "code"),
    [
        ("not-the-secret", 0, "invalid_signature"),
        (None, -310, "stale_signature"),  # a replay of an old post
        (None, 310, "stale_signature"),
    ],
)
def test_a_forged_or_replayed_post_is_refused(
    channel: MessagingChannel, secret: str | None, offset: int, code: str
) -> None:
    stamp = int(time.time()) + offset
    answer = post_signed(channel, message("x1", "Forged"), secret=secret, stamp=stamp)
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == code
    assert not Ticket.objects.exists()


def test_an_unsigned_post_is_refused(channel: MessagingChannel) -> None:
    path = reverse("channel_inbound", kwargs={"key": channel.key})
    answer = Client().post(path, data=message("x", "hi"), content_type="application/json")
    assert (answer.status_code, answer.json()["code"]) == (401, "invalid_signature")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "message", "message_id": "a", "text": "hi"}, "from"),
        ({**message("a", "hi"), "from": {"kind": "phone"}}, "from.handle"),
        ({**message("a", ""), "text": ""}, "text"),
        ({**message("a", "hi"), "text": 5.5}, "text"),
        ({"kind": "wave"}, "kind"),
        ({"kind": "status", "message_id": "p", "status": "lost"}, "status"),
        ([1, 2], "body"),
        ({**message("a", "hi"), "from": {"handle": "abc", "kind": "phone"}}, "from.handle"),
    ],
)
def test_a_malformed_post_is_a_422_naming_the_field(
    channel: MessagingChannel, payload: Any, field: str
) -> None:
    answer = post_signed(channel, payload)
    assert answer.status_code == 422, answer.content
    problem = answer.json()
    assert problem["code"] == "invalid_body"
    assert problem["errors"][0]["field"] == field
    assert not Ticket.objects.exists()


def test_not_json_too_large_unknown_and_wrong_method(channel: MessagingChannel) -> None:
    assert post_signed(channel, None, raw=b"{not json").status_code == 422
    huge = post_signed(channel, None, raw=b"x" * (256 * 1024 + 1))
    assert (huge.status_code, huge.json()["code"]) == (413, "too_large")
    path = reverse("channel_inbound", kwargs={"key": channel.key})
    wrong = Client().get(path)
    assert (wrong.status_code, wrong.json()["code"]) == (405, "method_not_allowed")
    assert wrong["Allow"] == "POST"
    other = MessagingChannel(key="mc_nobody", secret=channel.secret)
    missing = post_signed(other, message("a", "hi"))
    assert (missing.status_code, missing.json()["code"]) == (404, "unknown_channel")
    channel.active = False
    channel.save()
    assert post_signed(channel, message("a", "hi")).status_code == 404


def test_a_reply_the_provider_cannot_take_now_is_retried(
    channel: MessagingChannel, provider: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = Ticket.objects.get(pk=post_signed(channel, message("r1", "hello")).json()["ticket_id"])
    provider.statuses = [503, 429]
    sent = reply(ticket, "Hello back", django_capture_on_commit_callbacks)
    row = ChannelOutbound.objects.get(message=sent)
    assert (row.status, row.attempts, row.last_status_code) == (OutboundStatus.QUEUED, 1, 503)
    assert row.next_attempt_at is not None
    wait = (row.next_attempt_at - timezone.now()).total_seconds()
    assert 50 < wait <= 60
    assert messaging_due() == 0  # not due yet
    assert messaging_due(now=timezone.now() + dt.timedelta(seconds=61)) == 1
    row.refresh_from_db()
    assert (row.status, row.last_status_code) == (OutboundStatus.QUEUED, 429)
    assert messaging_due(now=timezone.now() + dt.timedelta(seconds=400)) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.provider_message_id) == (OutboundStatus.SENT, 3, "prov-3")
    assert len(provider.requests) == 3


def test_a_reply_the_provider_refuses_fails_on_the_ticket(
    channel: MessagingChannel, provider: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = Ticket.objects.get(pk=post_signed(channel, message("f1", "hello")).json()["ticket_id"])
    provider.statuses = [400]
    sent = reply(ticket, "You will not get this", django_capture_on_commit_callbacks)
    row = ChannelOutbound.objects.get(message=sent)
    assert (row.status, row.attempts, row.last_status_code) == (OutboundStatus.FAILED, 1, 400)
    event = TicketEvent.objects.get(ticket=ticket, field="channel_delivery")
    assert "HTTP 400" in event.new_value
    assert messaging_due(now=timezone.now() + dt.timedelta(days=1)) == 0  # never again


def test_notes_and_tickets_of_other_channels_are_not_posted(
    channel: MessagingChannel, provider: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = Ticket.objects.get(pk=post_signed(channel, message("n1", "hello")).json()["ticket_id"])
    agent = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        message_add(ticket=ticket, author=agent, text="internal only", is_public=False)
    assert provider.requests == []
    assert not ChannelOutbound.objects.exists()


def test_an_sms_gateway_posts_forms_signed_its_way(
    sms_channel: MessagingChannel, provider: Any, django_capture_on_commit_callbacks: Any
) -> None:
    path = reverse("channel_inbound", kwargs={"key": sms_channel.key})
    url = inbound_url(sms_channel)
    form = {"MessageSid": "SM-in-1", "From": "+15557654321", "To": "+15550001111",
            "Body": "Is the shop open on Sunday?"}  # fmt: skip

    forged = Client().post(path, form, headers={"X-Twilio-Signature": "bm9wZQ=="})
    assert (forged.status_code, forged.json()["code"]) == (401, "invalid_signature")
    signed = {"X-Twilio-Signature": sms_form_signature("gateway-auth-token", url, form)}
    answer = Client().post(path, form, headers=signed)
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/xml")
    assert b"<Response></Response>" in answer.content
    ticket = Ticket.objects.get(channel=Channel.WEBHOOK)
    assert ticket.messages.get().text == "Is the shop open on Sunday?"
    assert Client().post(path, form, headers=signed).status_code == 200  # a resend
    assert Ticket.objects.count() == 1
    assert Message.objects.count() == 1

    sent = reply(ticket, "Yes, from 10 to 4.", django_capture_on_commit_callbacks)
    request = provider.requests[0]
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    credentials = base64.b64encode(b"AC123:gateway-auth-token").decode()
    assert request["headers"]["Authorization"] == f"Basic {credentials}"
    posted = {k: v[0] for k, v in parse_qs(request["body"].decode()).items()}
    assert posted == {"From": "+15550001111", "To": "+15557654321",
                      "Body": "Yes, from 10 to 4.", "StatusCallback": url}  # fmt: skip
    row = ChannelOutbound.objects.get(message=sent)
    assert row.provider_message_id == "SM1"

    callback = {"MessageSid": "SM1", "MessageStatus": "undelivered", "ErrorCode": "30003",
                "ErrorMessage": "Unreachable handset"}  # fmt: skip
    signed = {"X-Twilio-Signature": sms_form_signature("gateway-auth-token", url, callback)}
    assert Client().post(path, callback, headers=signed).status_code == 200
    row.refresh_from_db()
    assert (row.delivery, row.delivery_error) == ("failed", "30003 Unreachable handset")


def test_an_sms_channel_without_its_token_says_so(
    sms_channel: MessagingChannel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEST_SMS_TOKEN")
    path = reverse("channel_inbound", kwargs={"key": sms_channel.key})
    answer = Client().post(path, {"MessageSid": "S", "From": "+15557654321", "Body": "hi"})
    assert answer.status_code == 503
    assert answer.json()["code"] == "channel_not_ready"
    assert not Ticket.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_first_messages_at_once_land_on_one_ticket(channel: MessagingChannel) -> None:
    """The provider posts a new conversation's first two messages in parallel: the one
    that loses the race to open the conversation files onto the winner's ticket."""
    start = threading.Barrier(2)
    answers: list[Any] = []

    def send(number: int) -> None:
        try:
            start.wait(5)
            inbound = Inbound(f"race-{number}", "conv-race", "+4915100000000", "phone", "", "hi")
            answers.append(message_receive(channel=channel, inbound=inbound))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(answers) == 2
    assert answers[0].ticket_id == answers[1].ticket_id
    assert Ticket.objects.count() == 1
    assert Message.objects.count() == 2
    assert ContactPoint.objects.filter(value="+4915100000000").count() == 1
