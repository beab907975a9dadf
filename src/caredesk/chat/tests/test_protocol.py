"""The WebSocket protocol against the real ASGI application: the token in the first
frame, numbered events, idempotent sends, resume after a drop, and nobody reaching
another conversation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from caredesk.accounts.models import User
from caredesk.chat.models import ChatEvent, ChatWidget, Conversation
from caredesk.chat.services import agent_say, conversation_accept
from caredesk.chat.tests.conftest import ORIGIN, start
from caredesk.config.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


def run(test: Callable[[], Awaitable[None]]) -> None:
    async_to_sync(test)()


def visitor(origin: str = ORIGIN) -> WebsocketCommunicator:
    headers = [(b"origin", origin.encode())] if origin else []
    return WebsocketCommunicator(application, "/ws/chat/", headers=headers)


async def authed(token: str, **extra: Any) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    ws = visitor()
    connected, _ = await ws.connect()
    assert connected
    await ws.send_json_to({"type": "auth", "token": token, **extra})
    ready = await ws.receive_json_from()
    assert ready["type"] == "ready", ready
    return ws, ready


async def until(ws: WebsocketCommunicator, kind: str) -> dict[str, Any]:
    while True:
        frame: dict[str, Any] = await ws.receive_json_from(timeout=5)
        if frame["type"] == kind:
            return frame


def test_messages_are_numbered_and_a_resend_is_not_a_second_message(
    widget: ChatWidget, agent: User
) -> None:
    session = start(widget).json()

    async def test() -> None:
        ws, ready = await authed(session["session_token"], after_seq=0)
        status = await until(ws, "status")  # the queue's status event, from the resume
        assert status["seq"] == ready["last_seq"]
        for _attempt in range(2):
            await ws.send_json_to({"type": "message", "text": "Hello?", "client_id": "m1"})
        frames = [await ws.receive_json_from(timeout=5) for _ in range(3)]
        messages = [f for f in frames if f["type"] == "message"]
        acks = [f for f in frames if f["type"] == "ack"]
        assert len(messages) == 1
        assert messages[0]["from"] == "visitor"
        assert {a["seq"] for a in acks} == {messages[0]["seq"]}
        await ws.disconnect()

    run(test)
    assert ChatEvent.objects.filter(client_id="m1").count() == 1


def test_after_a_drop_the_visitor_gets_everything_missed_once(
    widget: ChatWidget, agent: User
) -> None:
    session = start(widget).json()
    chat = Conversation.objects.get(pk=session["conversation_id"])
    conversation_accept(conversation=chat, agent=agent)

    async def test() -> None:
        ws, _ready = await authed(session["session_token"], after_seq=0)
        seen = []
        while await ws.receive_nothing(timeout=0.3) is False:
            seen.append((await ws.receive_json_from())["seq"])
        await ws.disconnect()
        # while the visitor is away the agent writes twice (and a note)
        for text in ("First answer", "Second answer"):
            await database_sync_to_async(agent_say)(conversation=chat, agent=agent, text=text)
        await database_sync_to_async(agent_say)(
            conversation=chat, agent=agent, text="internal: VIP", note=True
        )
        ws, _ready = await authed(session["session_token"])
        await ws.send_json_to({"type": "resume", "after_seq": max(seen)})
        missed = []
        while await ws.receive_nothing(timeout=0.5) is False:
            missed.append(await ws.receive_json_from())
        assert [m["text"] for m in missed] == ["First answer", "Second answer"]
        assert [m["seq"] for m in missed] == [max(seen) + 1, max(seen) + 2]
        # resuming again from the same number sends the same events, no more
        await ws.send_json_to({"type": "resume", "after_seq": max(seen)})
        again = []
        while await ws.receive_nothing(timeout=0.5) is False:
            again.append(await ws.receive_json_from())
        assert [m["seq"] for m in again] == [m["seq"] for m in missed]
        await ws.disconnect()

    run(test)


def test_an_agents_reply_reaches_the_visitor_live_and_a_note_never_does(
    widget: ChatWidget, agent: User
) -> None:
    session = start(widget).json()
    chat = Conversation.objects.get(pk=session["conversation_id"])
    conversation_accept(conversation=chat, agent=agent)

    async def test() -> None:
        ws, ready = await authed(session["session_token"])
        await database_sync_to_async(agent_say)(
            conversation=chat, agent=agent, text="note", note=True
        )
        await database_sync_to_async(agent_say)(
            conversation=chat, agent=agent, text="Hi, Robin here"
        )
        frame = await ws.receive_json_from(timeout=5)
        assert (frame["type"], frame["from"], frame["text"]) == (
            "message",
            "agent",
            "Hi, Robin here",
        )
        assert frame["seq"] == ready["last_seq"] + 2  # the note took a number, not shown
        await ws.disconnect()

    run(test)


def test_a_socket_must_authenticate_first_with_a_real_token(widget: ChatWidget) -> None:
    async def test() -> None:
        ws = visitor()
        await ws.connect()
        await ws.send_json_to({"type": "message", "text": "hi"})
        assert (await ws.receive_json_from())["code"] == "invalid_token"
        assert (await ws.receive_output(timeout=5))["code"] == 4401
        ws = visitor()
        await ws.connect()
        await ws.send_json_to({"type": "auth", "token": "cdc_guessed"})
        assert (await ws.receive_json_from())["code"] == "invalid_token"
        assert (await ws.receive_output(timeout=5))["code"] == 4401

    run(test)


def test_a_token_works_only_from_the_widgets_site(widget: ChatWidget) -> None:
    token = start(widget).json()["session_token"]

    async def test() -> None:
        ws = visitor(origin="https://evil.example")
        await ws.connect()
        await ws.send_json_to({"type": "auth", "token": token})
        assert (await ws.receive_json_from())["code"] == "forbidden"
        assert (await ws.receive_output(timeout=5))["code"] == 4403

    run(test)


def test_a_visitor_reaches_only_their_own_conversation(widget: ChatWidget, agent: User) -> None:
    mine = start(widget).json()
    theirs = start(widget).json()
    other = Conversation.objects.get(pk=theirs["conversation_id"])
    conversation_accept(conversation=other, agent=agent)
    agent_say(conversation=other, agent=agent, text="Your order 4411 ships today")

    async def test() -> None:
        ws, ready = await authed(mine["session_token"], after_seq=0)
        assert ready["conversation_id"] == mine["conversation_id"]
        # asking for another conversation's numbers gives this one's, and no others
        await ws.send_json_to({"type": "resume", "after_seq": 0,
                               "conversation_id": theirs["conversation_id"]})  # fmt: skip
        frames = []
        while await ws.receive_nothing(timeout=0.4) is False:
            frames.append(await ws.receive_json_from())
        assert frames
        assert all(f["conversation_id"] == mine["conversation_id"] for f in frames)
        assert not any("4411" in f["text"] for f in frames)
        await ws.disconnect()

    run(test)


def test_the_console_socket_is_for_staff_only(widget: ChatWidget) -> None:
    async def test() -> None:
        ws = WebsocketCommunicator(
            application, "/ws/agent/", headers=[(b"origin", b"http://localhost")]
        )
        connected, _code = await ws.connect()
        assert not connected

    run(test)
