"""Chat over the machine's real Redis (the production channel layer): an agent's reply
written by one process-like caller reaches the visitor's socket through Redis."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.test import override_settings

from caredesk.accounts.models import User
from caredesk.chat.models import ChatWidget, Conversation
from caredesk.chat.services import agent_say, conversation_accept
from caredesk.chat.tests.conftest import start
from caredesk.chat.tests.test_protocol import authed, run

pytestmark = pytest.mark.django_db(transaction=True)

REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 13


@pytest.fixture
def redis_layer() -> Iterator[None]:
    """The Redis pub/sub layer on database 13; under CI=true a missing Redis fails."""
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=2):
            pass
    except OSError as exc:
        message = f"Redis is not reachable at {REDIS_HOST}:{REDIS_PORT} ({exc})"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; under CI=true chat's Redis layer must be tested")
        pytest.skip(message)
    url = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
    layers = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [url]},
        }
    }
    with override_settings(CHANNEL_LAYERS=layers):  # channels drops its cached layers
        yield


def test_a_reply_reaches_the_visitor_through_redis(
    redis_layer: None, widget: ChatWidget, agent: User
) -> None:
    assert type(get_channel_layer()).__name__ == "RedisPubSubChannelLayer"
    session = start(widget).json()
    chat = Conversation.objects.get(pk=session["conversation_id"])
    conversation_accept(conversation=chat, agent=agent)

    async def test() -> None:
        ws, ready = await authed(session["session_token"])
        await database_sync_to_async(agent_say)(conversation=chat, agent=agent, text="Via Redis")
        frame = await ws.receive_json_from(timeout=5)
        assert (frame["text"], frame["seq"]) == ("Via Redis", ready["last_seq"] + 1)
        await ws.disconnect()

    run(test)
