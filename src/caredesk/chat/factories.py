"""Test data for chat."""

from __future__ import annotations

import factory

from caredesk.chat.models import ChatWidget


class ChatWidgetFactory(factory.django.DjangoModelFactory[ChatWidget]):
    class Meta:
        model = ChatWidget

    name = factory.Sequence(lambda n: f"Widget {n}")
    key = factory.Sequence(lambda n: f"cw_test{n}")
    allowed_origins = ["https://shop.example"]
    identity_secret = "site-secret"  # a test value
    bot_enabled = False
    greeting = ""
