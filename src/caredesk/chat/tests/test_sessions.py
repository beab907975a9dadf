"""Starting a chat over HTTP: the widget's sites only, signed identities, clear errors."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from caredesk.accounts.models import User
from caredesk.chat.enums import ConversationStatus
from caredesk.chat.identity import identity_sign
from caredesk.chat.models import ChatWidget, Conversation
from caredesk.chat.tests.conftest import ORIGIN, start
from caredesk.customers.models import ContactPoint

pytestmark = pytest.mark.django_db


def test_a_session_from_an_allowed_site(widget: ChatWidget, agent: User) -> None:
    response = start(widget, name="Ann", email="ann@example.com")
    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    body = response.json()
    assert body["session_token"].startswith("cdc_")
    assert body["ws_url"] == "ws://testserver/ws/chat/"
    chat = Conversation.objects.get(pk=body["conversation_id"])
    assert (chat.status, chat.verified, chat.email) == (
        ConversationStatus.WAITING,
        False,
        "ann@example.com",
    )
    # the typed email is not trusted: the visitor is a new anonymous contact
    assert not ContactPoint.objects.filter(customer=chat.visitor).exists()
    assert chat.token_hash != body["session_token"]  # only the hash is stored


def test_no_agent_with_room_means_offline(widget: ChatWidget) -> None:
    assert start(widget).json()["status"] == ConversationStatus.OFFLINE


def test_another_site_is_refused(widget: ChatWidget) -> None:
    response = start(widget, origin="https://evil.example")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert "Access-Control-Allow-Origin" not in response
    assert not Conversation.objects.exists()


def test_a_signed_email_is_the_customer_and_a_wrong_signature_is_refused(
    widget: ChatWidget,
) -> None:
    good = start(widget, email="Bo@Example.com",
                 identity_hash=identity_sign("site-secret", "bo@example.com"))  # fmt: skip
    chat = Conversation.objects.get(pk=good.json()["conversation_id"])
    assert chat.verified
    assert ContactPoint.objects.get(customer=chat.visitor).value == "bo@example.com"
    bad = start(widget, email="bo@example.com", identity_hash="00" * 32)
    assert bad.status_code == 401
    assert bad.json()["code"] == "invalid_token"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "malformed_json"),
        (b'["a list"]', 400, "malformed_json"),
        (json.dumps({"widget_key": "nope"}).encode(), 422, "unknown_widget"),
        (json.dumps({"widget_key": 5}).encode(), 400, "invalid_field"),
    ],
)
def test_bad_requests_get_a_problem_body(body: bytes, status: int, code: str) -> None:
    response = Client().post("/api/v1/chat/sessions", body, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_a_bad_email_is_refused(widget: ChatWidget) -> None:
    response = start(widget, email="not an email")
    assert (response.status_code, response.json()["code"]) == (422, "invalid_email")


def test_the_preflight_answers_the_widgets_sites_only(widget: ChatWidget) -> None:
    ok = Client().options("/api/v1/chat/sessions", HTTP_ORIGIN=ORIGIN)
    assert ok["Access-Control-Allow-Origin"] == ORIGIN
    assert "Authorization" in ok["Access-Control-Allow-Headers"]
    other = Client().options("/api/v1/chat/sessions", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other
