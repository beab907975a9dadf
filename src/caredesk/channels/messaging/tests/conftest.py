"""A messaging channel pointed at a real HTTP server that plays the provider."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from caredesk.channels.messaging.setup import channel_save
from caredesk.channels.models import MessagingAdapter, MessagingChannel
from caredesk.core.testing import Receiver, http_receiver
from caredesk.core.webhook_http import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature


@pytest.fixture
def provider() -> Iterator[Receiver]:
    """The provider's send API: it answers each post with its own id for the message."""
    with http_receiver("/send") as rec:
        rec.reply = lambda request: json.dumps({"message_id": f"prov-{len(rec.requests)}"}).encode()
        yield rec


@pytest.fixture
def channel(provider: Receiver) -> MessagingChannel:
    return channel_save(
        channel=None,
        data={"name": "WhatsApp", "outbound_url": provider.url, "allow_private": True},
    )


@pytest.fixture
def sms_channel(provider: Receiver, monkeypatch: pytest.MonkeyPatch) -> MessagingChannel:
    monkeypatch.setenv("TEST_SMS_TOKEN", "gateway-auth-token")
    provider.reply = lambda request: json.dumps({"sid": f"SM{len(provider.requests)}"}).encode()
    return channel_save(
        channel=None,
        data={
            "name": "SMS",
            "adapter": MessagingAdapter.SMS_FORM,
            "outbound_url": provider.url,
            "allow_private": True,
            "sender": "+15550001111",
            "account": "AC123",
            "token_env": "TEST_SMS_TOKEN",
        },
    )


def post_signed(
    channel: MessagingChannel,
    payload: Any,
    *,
    secret: str | None = None,
    stamp: int | None = None,
    raw: bytes | None = None,
) -> Any:
    """Post ``payload`` (or ``raw``) to the channel's inbound URL as the provider does."""
    body = raw if raw is not None else json.dumps(payload).encode()
    when = str(stamp if stamp is not None else int(time.time()))
    return Client().post(
        reverse("channel_inbound", kwargs={"key": channel.key}),
        data=body,
        content_type="application/json",
        headers={
            SIGNATURE_HEADER: signature(secret or channel.secret, when, body),
            TIMESTAMP_HEADER: when,
        },
    )


def message(message_id: str, text: str, handle: str = "+4915112345678", **kw: Any) -> dict:
    return {
        "kind": "message",
        "message_id": message_id,
        "from": {"handle": handle, "name": "Dana Kunde", "kind": "phone"},
        "text": text,
        **kw,
    }
