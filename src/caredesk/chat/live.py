"""Telling the open sockets that something happened, after it is stored.

The database is the record: every event has its sequence number before anyone hears of
it, so a socket that missed a broadcast (a reconnect, a restarted server) gets it from
the database on resume. The channel layer only wakes the sockets up: Redis in
production (every process hears), in memory embedded (one process serves all).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from caredesk.chat.enums import EventKind
from caredesk.chat.models import ChatEvent

log = logging.getLogger("caredesk.chat")

STAFF_GROUP = "chat.staff"  # every agent console: the queue changed
T = TypeVar("T")
_held = threading.local()  # broadcasts a socket's own call sends itself (see sent_by_caller)


def visitor_group(conversation_id: int) -> str:
    return f"chat.v.{conversation_id}"


def agent_group(conversation_id: int) -> str:
    return f"chat.a.{conversation_id}"


def event_json(event: ChatEvent) -> dict[str, Any]:
    """An event as the protocol sends it (docs/chat.md)."""
    return {
        "type": event.kind,
        "conversation_id": event.conversation_id,
        "seq": event.seq,
        "from": event.sender,
        "text": event.text,
        "at": event.at.isoformat(),
        "client_id": event.client_id,
        **({"data": event.data} if event.data else {}),
    }


def _send(group: str, message: dict[str, Any]) -> None:
    held = getattr(_held, "out", None)
    if held is not None:
        held.append((group, message))
        return
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # the layer down: sockets catch up on resume; nothing is lost
        log.warning("chat: could not broadcast to %s", group, exc_info=True)


def publish(events: list[ChatEvent], *, queue_changed: bool = False) -> None:
    """After the commit: each event to the conversation's agents, and to its visitor
    unless it is an internal note; the consoles told the queue changed."""

    def send() -> None:
        for event in events:
            body = {"type": "chat.event", "event": event_json(event)}
            _send(agent_group(event.conversation_id), body)
            if event.kind != EventKind.NOTE:
                _send(visitor_group(event.conversation_id), body)
        if queue_changed:
            _send(STAFF_GROUP, {"type": "chat.queue"})

    transaction.on_commit(send)


def typing(conversation_id: int, *, sender: str, seq: int, to_visitor: bool) -> None:
    """A typing indicator: not stored, to the other side only."""
    body = {
        "type": "chat.event",
        "event": {
            "type": "typing",
            "conversation_id": conversation_id,
            "seq": seq,
            "from": sender,
            "text": "",
            "at": "",
        },
    }
    _send(visitor_group(conversation_id) if to_visitor else agent_group(conversation_id), body)


@contextmanager
def _holding() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    _held.out = out
    try:
        yield out
    finally:
        _held.out = None


async def sent_by_caller(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a service from a socket's event loop, in the database thread, and send its
    broadcasts from the loop afterwards (after its commit, as publish does), instead of
    hopping back to the loop once per broadcast."""

    def call() -> tuple[T, list[tuple[str, dict[str, Any]]]]:
        with _holding() as out:
            result = fn(*args, **kwargs)
        return result, out

    done: tuple[T, list[tuple[str, dict[str, Any]]]] = await database_sync_to_async(call)()
    result, out = done
    layer = get_channel_layer()
    if layer is not None:
        for group, message in out:
            try:
                await layer.group_send(group, message)
            except Exception:  # the layer down: sockets catch up on resume
                log.warning("chat: could not broadcast to %s", group, exc_info=True)
    return result
