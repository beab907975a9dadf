"""The bot before the agent, the offline form, a chat's end on a ticket, the long-poll
fallback, and who may write."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from caredesk.accounts.factories import UserFactory
from caredesk.accounts.models import User
from caredesk.chat.enums import ConversationStatus, EventKind, Sender
from caredesk.chat.factories import ChatWidgetFactory
from caredesk.chat.models import ChatWidget, Conversation
from caredesk.chat.services import (
    agent_say,
    conversation_accept,
    conversation_end,
    visitor_handoff,
    visitor_say,
)
from caredesk.chat.tests.conftest import ORIGIN, start
from caredesk.core.errors import Conflict, PermissionDenied
from caredesk.core.testing import signed_in
from caredesk.customers.factories import customer_user
from caredesk.knowledge.factories import published
from caredesk.knowledge.learning import article_vectors_compute, question_model_train
from caredesk.tickets.enums import Channel, TicketStatus

pytestmark = pytest.mark.django_db


def _chat(widget: ChatWidget, **body: object) -> tuple[Conversation, str]:
    session = start(widget, **body).json()
    return Conversation.objects.get(pk=session["conversation_id"]), session["session_token"]


def test_the_bot_answers_from_the_knowledge_base_then_hands_over(agent: User) -> None:
    published("Reset your password", questions=["how do I reset my password", "forgot password"])
    published("Refunds", questions=["where is my refund", "money back"])
    article_vectors_compute()
    question_model_train()
    chat, _token = _chat(ChatWidgetFactory(bot_enabled=True))
    assert chat.status == ConversationStatus.BOT
    events = visitor_say(conversation=chat, text="how do I reset my password", client_id="q1")
    answer = events[-1]
    assert answer.sender == Sender.BOT
    assert answer.data["article"]["title"] == "Reset your password"
    assert chat.status == ConversationStatus.BOT
    visitor_handoff(conversation=chat)
    assert Conversation.objects.get(pk=chat.pk).status == ConversationStatus.WAITING


def test_the_bot_hands_over_when_it_is_not_sure(agent: User) -> None:
    chat, _token = _chat(ChatWidgetFactory(bot_enabled=True))
    events = visitor_say(conversation=chat, text="my parcel arrived broken", client_id=None)
    assert [e.sender for e in events] == [Sender.VISITOR, Sender.BOT, Sender.SYSTEM]
    assert events[-1].data == {"status": ConversationStatus.WAITING}


def test_with_nobody_online_the_visitor_leaves_a_message_that_becomes_a_ticket(
    widget: ChatWidget,
) -> None:
    chat, token = _chat(widget)
    assert chat.status == ConversationStatus.OFFLINE
    response = Client().post(
        "/api/v1/chat/offline",
        json.dumps({"name": "Cy", "email": "cy@example.com", "text": "Call me back please"}),
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ORIGIN=ORIGIN,
    )  # fmt: skip
    assert response.status_code == 200, response.content
    chat.refresh_from_db()
    assert chat.ticket is not None
    assert chat.ticket.channel == Channel.CHAT
    assert chat.ticket.requester.contacts.get().value == "cy@example.com"


def test_ending_writes_the_transcript_on_a_ticket(widget: ChatWidget, agent: User) -> None:
    chat, _token = _chat(widget, name="Dee")
    visitor_say(conversation=chat, text="My invoice is wrong", client_id="v1")
    conversation_accept(conversation=chat, agent=agent)
    agent_say(conversation=chat, agent=agent, text="Fixed: a new one is on its way")
    agent_say(conversation=chat, agent=agent, text="checked with billing", note=True)
    conversation_end(conversation=chat, actor=agent)
    chat.refresh_from_db()
    ticket = chat.ticket
    assert ticket is not None
    assert (ticket.channel, ticket.status, ticket.subject) == (
        Channel.CHAT,
        TicketStatus.SOLVED,
        "My invoice is wrong",
    )
    lines = [
        (m.author_role, m.is_public, m.text) for m in ticket.messages.order_by("created_at", "pk")
    ]
    assert lines == [
        ("customer", True, "My invoice is wrong"),
        ("agent", True, "Fixed: a new one is on its way"),
        ("agent", False, "checked with billing"),
    ]
    assert ticket.first_response_at is not None
    assert not chat.abandoned
    with pytest.raises(Conflict):
        visitor_say(conversation=chat, text="hello?", client_id=None)


def test_a_chat_nobody_answered_is_abandoned_and_stays_open_on_its_ticket(
    widget: ChatWidget, agent: User
) -> None:
    chat, _token = _chat(widget)
    visitor_say(conversation=chat, text="anyone there?", client_id=None)
    conversation_end(conversation=chat, actor=None)
    chat.refresh_from_db()
    assert chat.abandoned
    assert chat.ticket is not None
    assert chat.ticket.status == TicketStatus.NEW


def test_an_agent_answers_only_an_accepted_chat_and_only_once(
    widget: ChatWidget, agent: User
) -> None:
    chat, _token = _chat(widget)
    with pytest.raises(PermissionDenied):
        agent_say(conversation=chat, agent=agent, text="hi")
    conversation_accept(conversation=chat, agent=agent)
    with pytest.raises(Conflict):
        conversation_accept(conversation=chat, agent=UserFactory())
    with pytest.raises(PermissionDenied):
        agent_say(conversation=chat, agent=UserFactory(), text="not mine")
    customer = UserFactory(role="customer")
    with pytest.raises(PermissionDenied):
        agent_say(conversation=chat, agent=customer, text="note", note=True)


def test_the_long_poll_gives_the_same_events_as_the_socket(widget: ChatWidget, agent: User) -> None:
    chat, token = _chat(widget)
    conversation_accept(conversation=chat, agent=agent)
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ORIGIN": ORIGIN}
    sent = client.post("/api/v1/chat/messages", json.dumps({"text": "Hi", "client_id": "p1"}),
                       content_type="application/json", **auth)  # fmt: skip
    again = client.post("/api/v1/chat/messages", json.dumps({"text": "Hi", "client_id": "p1"}),
                        content_type="application/json", **auth)  # fmt: skip
    assert sent.json()["events"][0]["seq"] == again.json()["events"][0]["seq"]
    agent_say(conversation=chat, agent=agent, text="a note", note=True)
    agent_say(conversation=chat, agent=agent, text="Hello!")
    seq = sent.json()["events"][0]["seq"]
    polled = client.get("/api/v1/chat/events", {"after_seq": seq, "wait": 0}, **auth).json()
    assert [(e["from"], e["text"]) for e in polled["events"]] == [("agent", "Hello!")]
    everything = client.get("/api/v1/chat/events", {"after_seq": 0, "wait": 0}, **auth).json()
    assert [e["seq"] for e in everything["events"]] == sorted(
        e["seq"] for e in everything["events"]
    )
    assert all(e["type"] != EventKind.NOTE for e in everything["events"])
    refused = client.get("/api/v1/chat/events", {"after_seq": 0, "wait": 0},
                         HTTP_AUTHORIZATION="Bearer cdc_wrong")  # fmt: skip
    assert refused.status_code == 401


def test_the_console_and_the_queue_are_for_staff(widget: ChatWidget, agent: User) -> None:
    chat, _token = _chat(widget, name="Eve")
    page = signed_in(agent).get("/chat/")
    assert page.status_code == 200
    assert "Eve" in page.content.decode()
    assert signed_in(customer_user()).get("/chat/").status_code == 403
    assert signed_in(customer_user()).get(f"/chat/{chat.pk}/").status_code == 403
    assert Client().get("/chat/").status_code == 302
