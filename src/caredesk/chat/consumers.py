"""The WebSockets: /ws/chat/ for visitors (the session token in the first frame, never
in the URL) and /ws/agent/ for the agent console (the signed-in staff session).

What a socket sends is rebuilt from the database: a visitor resumes after the last
sequence number it saw and gets everything after it, each event once (a broadcast that
the resume already sent is not sent again), and a server restart loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from caredesk.chat import live
from caredesk.chat.live import event_json
from caredesk.chat.models import ChatEvent, Conversation
from caredesk.chat.selectors import conversation_get_for_staff, events_after
from caredesk.chat.services import (
    agent_say,
    conversation_end,
    conversation_for_token,
    origin_check,
    visitor_handoff,
    visitor_say,
)
from caredesk.core.errors import DomainError

log = logging.getLogger("caredesk.chat")

AUTH_SECONDS = 10.0  # a socket that does not authenticate in time is closed
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _origin(scope: dict[str, Any]) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"origin":
            return str(value.decode("latin-1"))
    return None


class _Stream:
    """One socket's record of the sequence numbers it sent: nothing twice, and after a
    resume everything the socket had not seen."""

    def __init__(self, floor: int) -> None:
        self.floor = floor  # every event up to here came (or comes) from a resume
        self.sent: set[int] = set()

    def take(self, seq: int | None) -> bool:
        if seq is None:
            return True
        if seq <= self.floor or seq in self.sent:
            return False
        self.sent.add(seq)
        return True

    def resumed(self, upto: int) -> None:
        self.floor = max(self.floor, upto)
        self.sent = {s for s in self.sent if s > self.floor}


class VisitorConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]  # channels is untyped
    conversation_id: int | None = None

    async def connect(self) -> None:
        self.stream: _Stream | None = None
        await self.accept()
        self.auth_timer = asyncio.get_running_loop().call_later(AUTH_SECONDS, self._auth_timeout)

    def _auth_timeout(self) -> None:
        if self.conversation_id is None:
            self.closing = asyncio.ensure_future(self.close(code=CLOSE_UNAUTHENTICATED))

    async def disconnect(self, code: int) -> None:
        self.auth_timer.cancel()
        if self.conversation_id is not None:
            await self.channel_layer.group_discard(
                live.visitor_group(self.conversation_id), self.channel_name
            )

    async def send_error(self, code: str, detail: str) -> None:
        await self.send_json({"type": "error", "code": code, "detail": detail})

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            await self.send_error("malformed", "Each frame is a JSON object.")
            return
        kind = content.get("type")
        if self.conversation_id is None:
            if kind != "auth":
                await self.send_error("invalid_token", "Authenticate first.")
                await self.close(code=CLOSE_UNAUTHENTICATED)
                return
            await self._auth(content)
            return
        try:
            if kind == "resume":
                await self._resume(content.get("after_seq"))
            elif kind == "message":
                await self._message(content)
            elif kind == "typing":
                live.typing(self.conversation_id, sender="visitor", seq=0, to_visitor=False)
            elif kind == "handoff":
                await live.sent_by_caller(self._handoff)
            elif kind == "end":
                await live.sent_by_caller(self._end)
            elif kind == "ping":
                await self.send_json({"type": "pong"})
            else:
                await self.send_error("unknown_type", f"Unknown frame type {kind!r}.")
        except DomainError as exc:
            await self.send_error(str(exc.code), exc.message)

    def _lookup(self, token: str) -> Conversation:
        conversation = conversation_for_token(token=token)
        origin_check(widget=conversation.widget, origin=_origin(self.scope))
        return conversation

    async def _auth(self, content: dict[str, Any]) -> None:
        token = content.get("token")
        try:
            conversation = await database_sync_to_async(self._lookup)(
                token if isinstance(token, str) else ""
            )
        except DomainError as exc:
            await self.send_error(str(exc.code), exc.message)
            await self.close(code=CLOSE_FORBIDDEN if exc.status == 403 else CLOSE_UNAUTHENTICATED)
            return
        self.conversation_id = conversation.pk
        self.conversation = conversation  # its status is read again with every message
        self.auth_timer.cancel()
        await self.channel_layer.group_add(live.visitor_group(conversation.pk), self.channel_name)
        # the number read again once joined (anything later arrives through the group),
        # and what the visitor missed, in the same trip to the database
        after_seq = content.get("after_seq")
        resume = "after_seq" in content and _whole(after_seq)
        last_seq, found = await database_sync_to_async(self._joined)(after_seq if resume else None)
        conversation.last_seq = last_seq
        self.stream = _Stream(floor=last_seq)
        await self.send_json({
            "type": "ready", "conversation_id": conversation.pk, "last_seq": conversation.last_seq,
            "status": conversation.status,
        })  # fmt: skip
        if after_seq is not None:
            await self._send_missed(after_seq, found)
        elif "after_seq" in content:
            await self.send_error("invalid_after_seq", "after_seq is a whole number.")

    def _joined(self, after_seq: int | None) -> tuple[int, list[ChatEvent]]:
        assert self.conversation_id is not None
        last_seq = Conversation.objects.values_list("last_seq", flat=True).get(
            pk=self.conversation_id
        )
        if after_seq is None:
            return last_seq, []
        return last_seq, events_after(
            conversation_id=self.conversation_id, after_seq=after_seq, for_visitor=True
        )

    async def _resume(self, after_seq: Any) -> None:
        if not _whole(after_seq):
            await self.send_error("invalid_after_seq", "after_seq is a whole number.")
            return
        assert self.conversation_id is not None
        found = await database_sync_to_async(events_after)(
            conversation_id=self.conversation_id, after_seq=after_seq, for_visitor=True
        )
        await self._send_missed(after_seq, found)

    async def _send_missed(self, after_seq: int, found: list[ChatEvent]) -> None:
        """Send the events after ``after_seq`` (``found``: the first page, already read),
        in pages, so that a long chat is sent in full."""
        assert self.conversation_id is not None
        assert self.stream is not None
        last = after_seq
        while True:
            for event in found:
                if event.seq not in self.stream.sent:
                    await self.send_json(event_json(event))
                last = event.seq
            if len(found) < 500:
                break
            found = await database_sync_to_async(events_after)(
                conversation_id=self.conversation_id, after_seq=last, for_visitor=True
            )
        self.stream.resumed(last)

    async def _message(self, content: dict[str, Any]) -> None:
        text, client_id = content.get("text"), content.get("client_id")
        if not isinstance(text, str) or (client_id is not None and not isinstance(client_id, str)):
            await self.send_error("malformed", "text and client_id are strings.")
            return
        events = await live.sent_by_caller(
            visitor_say, conversation=self.conversation, text=text, client_id=client_id
        )
        await self.send_json({"type": "ack", "client_id": client_id, "seq": events[0].seq})

    def _conversation(self) -> Conversation:
        assert self.conversation_id is not None
        return Conversation.objects.select_related("widget").get(pk=self.conversation_id)

    def _handoff(self) -> None:
        visitor_handoff(conversation=self._conversation())

    def _end(self) -> None:
        conversation_end(conversation=self._conversation(), actor=None)

    async def chat_event(self, message: dict[str, Any]) -> None:
        event = message["event"]
        if self.stream is not None and self.stream.take(event.get("seq") or None):
            await self.send_json(event)


class AgentConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]  # channels is untyped
    """The console: queue changes for everyone, and the events of the chats it watches."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_staff_member:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.user = user
        self.watching: dict[int, _Stream] = {}
        await self.channel_layer.group_add(live.STAFF_GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "watching"):
            return
        await self.channel_layer.group_discard(live.STAFF_GROUP, self.channel_name)
        for conversation_id in self.watching:
            await self.channel_layer.group_discard(
                live.agent_group(conversation_id), self.channel_name
            )

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        conversation_id = content.get("conversation_id")
        if not isinstance(conversation_id, int) or isinstance(conversation_id, bool):
            await self.send_json({"type": "error", "code": "malformed",
                                  "detail": "conversation_id is a number."})  # fmt: skip
            return
        try:
            if kind == "watch":
                await self._watch(conversation_id, content.get("after_seq", 0))
            elif kind in ("message", "note"):
                await live.sent_by_caller(
                    self._say,
                    conversation_id,
                    content.get("text"),
                    content.get("client_id"),
                    kind == "note",
                )
            elif kind == "typing" and conversation_id in self.watching:
                live.typing(conversation_id, sender="agent", seq=0, to_visitor=True)
        except DomainError as exc:
            await self.send_json({"type": "error", "code": str(exc.code), "detail": exc.message,
                                  "conversation_id": conversation_id})  # fmt: skip

    async def _watch(self, conversation_id: int, after_seq: Any) -> None:
        after = after_seq if _whole(after_seq) else 0
        joined = conversation_id in self.watching
        if not joined:  # may this agent see it: checked before the socket joins the group
            await database_sync_to_async(conversation_get_for_staff)(
                user=self.user, conversation_id=conversation_id
            )
            await self.channel_layer.group_add(live.agent_group(conversation_id), self.channel_name)
            self.watching[conversation_id] = _Stream(floor=0)
        stream = self.watching[conversation_id]
        found = await database_sync_to_async(events_after)(
            conversation_id=conversation_id, after_seq=after, for_visitor=False, limit=5000
        )
        for event in found:
            if event.seq not in stream.sent:
                await self.send_json({**event_json(event), "conversation_id": conversation_id})
        stream.resumed(found[-1].seq if found else after)

    def _say(self, conversation_id: int, text: Any, client_id: Any, note: bool) -> None:
        if conversation_id in self.watching:  # who may see it was checked when watched
            conversation = Conversation(pk=conversation_id)  # agent_say reads the rest
        else:
            conversation = conversation_get_for_staff(
                user=self.user, conversation_id=conversation_id
            )
        agent_say(
            conversation=conversation, agent=self.user, text=text if isinstance(text, str) else "",
            client_id=client_id if isinstance(client_id, str) else None, note=note,
        )  # fmt: skip

    async def chat_event(self, message: dict[str, Any]) -> None:
        event = message["event"]
        # which chat: the group it came through is not in the message, so the event says
        conversation_id = event.get("conversation_id")
        stream = self.watching.get(conversation_id) if conversation_id else None
        if stream is None or stream.take(event.get("seq") or None):
            await self.send_json(event)

    async def chat_queue(self, message: dict[str, Any]) -> None:
        await self.send_json({"type": "queue"})
