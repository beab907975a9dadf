from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from caredesk.accounts.factories import UserFactory
from caredesk.accounts.models import User
from caredesk.chat.factories import ChatWidgetFactory
from caredesk.chat.models import ChatWidget
from caredesk.routing.models import Availability
from caredesk.routing.services import availability_set

ORIGIN = "https://shop.example"


@pytest.fixture
def widget() -> ChatWidget:
    widget: ChatWidget = ChatWidgetFactory()
    return widget


@pytest.fixture
def agent() -> User:
    user: User = UserFactory(first_name="Robin")
    availability_set(user=user, availability=Availability.ONLINE)
    return user


def start(widget: ChatWidget, origin: str = ORIGIN, **body: Any) -> Any:
    """POST /api/v1/chat/sessions as the widget does."""
    return Client().post(
        "/api/v1/chat/sessions", json.dumps({"widget_key": widget.key, **body}),
        content_type="application/json", HTTP_ORIGIN=origin,
    )  # fmt: skip
