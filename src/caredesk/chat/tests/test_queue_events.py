"""Chats counted as contacts of their widget's staffing queue, and the chat KPIs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from caredesk.accounts.models import User
from caredesk.analytics.figures import kpis_for
from caredesk.analytics.selectors import Scope, kpi_period
from caredesk.chat.enums import ConversationStatus
from caredesk.chat.factories import ChatWidgetFactory
from caredesk.chat.models import ChatAgent, ChatWidget, Conversation
from caredesk.chat.queue_events import call_id_of
from caredesk.chat.services import (
    agent_say,
    conversation_accept,
    conversation_end,
    conversation_transfer,
    visitor_handoff,
    visitor_say,
)
from caredesk.chat.tests.conftest import start
from caredesk.staffing.intervals import totals
from caredesk.staffing.models import CallEvent, CallRecord, QueueChannel
from caredesk.staffing.selectors import queue_intervals

pytestmark = pytest.mark.django_db


def chat(widget: ChatWidget) -> Conversation:
    return Conversation.objects.get(pk=start(widget, name="Vi").json()["conversation_id"])


def test_an_answered_and_an_abandoned_chat_are_the_queue_s_contacts(
    widget: ChatWidget, agent: User
) -> None:
    ChatAgent.objects.create(user=agent, concurrency=4)
    answered = chat(widget)
    visitor_say(conversation=answered, text="Where is my order?", client_id="a1")
    conversation_accept(conversation=answered, agent=agent)
    agent_say(conversation=answered, agent=agent, text="On its way")
    conversation_end(conversation=answered, actor=agent)
    left = chat(widget)
    visitor_say(conversation=left, text="hello?", client_id="b1")
    conversation_end(conversation=left, actor=None)  # the visitor gave up waiting

    widget.refresh_from_db()
    queue = widget.queue
    assert queue is not None
    assert (queue.name, queue.channel, queue.concurrency) == (
        f"Chat: {widget.name}", QueueChannel.CHAT, 4,
    )  # fmt: skip
    answered.refresh_from_db()
    record = CallRecord.objects.get(call_id=call_id_of(answered))
    assert (record.queue, record.agent, record.customer_id) == (queue, agent, answered.visitor_id)
    assert record.queued_at == answered.queued_at
    assert record.answered_at == answered.accepted_at
    assert record.ended_at is not None
    assert record.abandoned_at is None
    gone = CallRecord.objects.get(call_id=call_id_of(left))
    assert gone.answered_at is None
    assert gone.abandoned_at is not None
    assert gone.ended_at is None

    now = timezone.now()
    rows = queue_intervals(
        queue=queue, start=now - dt.timedelta(hours=1), end=now + dt.timedelta(hours=1),
        interval_minutes=60,
    )  # fmt: skip
    total = totals(rows)
    assert total is not None
    assert (total.offered, total.answered, total.abandoned, total.handled) == (2, 1, 1, 1)
    assert total.abandon_rate == 0.5

    today = timezone.localdate()
    report = kpis_for(kpi_period(date_from=today, date_to=today), raw=True)["chat"]
    assert (report["offered"], report["answered"], report["abandoned"]) == (2, 1, 1)
    assert report["abandon_rate"] == 0.5
    assert report["wait_seconds"]["count"] == 1
    assert report["first_response_seconds"]["count"] == 1
    assert report["first_response_seconds"]["median"] >= report["wait_seconds"]["median"] >= 0
    by_email = kpis_for(kpi_period(date_from=today, date_to=today), Scope(channel="email"))
    assert by_email["chat"]["offered"] == 0


def test_the_bot_s_chats_count_only_once_handed_to_a_person(agent: User) -> None:
    widget = ChatWidgetFactory(bot_enabled=True)
    bot_only = chat(widget)
    conversation_end(conversation=bot_only, actor=None)
    handed = chat(widget)
    visitor_handoff(conversation=handed)
    assert Conversation.objects.get(pk=handed.pk).status == ConversationStatus.WAITING
    assert list(CallRecord.objects.values_list("call_id", flat=True)) == [call_id_of(handed)]


def test_a_transferred_chat_keeps_its_first_queueing_and_answer(
    widget: ChatWidget, agent: User
) -> None:
    conversation = chat(widget)
    conversation_accept(conversation=conversation, agent=agent)
    first = CallRecord.objects.get()
    conversation_transfer(conversation=conversation, actor=agent)  # back to the queue
    conversation.refresh_from_db()
    conversation_accept(conversation=conversation, agent=agent)
    record = CallRecord.objects.get()
    assert (record.queued_at, record.answered_at) == (first.queued_at, first.answered_at)
    assert CallEvent.objects.filter(call_id=call_id_of(conversation)).count() == 2
