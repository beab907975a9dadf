"""The chat journey of issue 18 in a real browser, a visitor's page and an agent's side
by side over a real ASGI server (uvicorn): the bot answers, the visitor asks for a
person, the agent accepts and answers live; the server is then restarted while the
agent writes, and the visitor's widget reconnects and shows what it missed, once."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.db import connection

from caredesk.accounts.factories import UserFactory
from caredesk.chat.enums import ConversationStatus
from caredesk.chat.models import Conversation
from caredesk.chat.services import agent_say
from caredesk.chat.widgets import widget_save
from caredesk.config.asgi import application
from caredesk.knowledge.factories import published
from caredesk.knowledge.learning import article_vectors_compute, question_model_train
from caredesk.routing.services import availability_set
from caredesk.tickets.enums import Channel
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


class ProtocolRouterWithStatic:
    """HTTP through Django's static files handler, WebSockets as they are."""

    def __init__(self, application: Any, handler: Any) -> None:
        self.application = application
        self.static = handler(application.application_mapping["http"])

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        target = self.static if scope["type"] == "http" else self.application
        await target(scope, receive, send)


class Asgi:
    """caredesk's ASGI application (pages and WebSockets) in a thread, restartable."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        # static files from the apps, as the live server serves them (no collectstatic)
        app = ProtocolRouterWithStatic(application, ASGIStaticFilesHandler)
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, ws="websockets-sansio", lifespan="off",
            log_level="warning",
        )  # fmt: skip
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        assert self.server is not None
        assert self.thread is not None
        self.server.should_exit = True
        self.server.force_exit = True  # open WebSockets are dropped, as in a crash
        self.thread.join(15)


def _say(chat: Conversation, agent: Any, text: str) -> None:
    try:
        agent_say(conversation=chat, agent=agent, text=text)
    finally:
        connection.close()


@pytest.fixture
def asgi(transactional_db: Any) -> Iterator[Asgi]:
    server = Asgi()
    server.start()
    yield server
    if server.thread is not None and server.thread.is_alive():
        server.stop()


def test_a_visitor_and_an_agent_chat_through_a_restart(browser: Any, asgi: Asgi) -> None:
    published("Reset your password", body="Choose *Forgot password* on the sign-in page.",
              questions=["I forgot my password", "how do I reset my password",
                         "password reset link"])  # fmt: skip
    published("Refunds", questions=["where is my refund", "money back", "refund not received"])
    article_vectors_compute()
    question_model_train()
    widget_save(widget=None, data={"name": "Site", "allowed_origins": [asgi.url],
                                   "bot_enabled": True, "greeting": "Hello!"})  # fmt: skip
    agent = UserFactory(first_name="Robin")
    availability_set(user=agent, availability="online")

    def page() -> Any:
        context = browser.new_context(base_url=asgi.url, viewport={"width": 1200, "height": 900})
        context.set_default_timeout(15_000)
        return context.new_page()

    console = page()
    sign_in(console, agent.email)
    console.goto("/chat/")
    shop = page()
    shop.goto("/chat/demo/")
    widget = shop.locator("#caredesk-chat")
    widget.get_by_role("button", name="Chat with us").click()
    widget.get_by_role("textbox", name="Your name").fill("Ann")
    widget.get_by_role("button", name="Start chat").click()
    message = widget.get_by_role("textbox", name="Type your message")
    message.fill("how do I reset my password")
    message.press("Enter")
    # the bot answers from the knowledge base, with a link to the article
    widget.get_by_role("link", name="Reset your password").wait_for()
    widget.get_by_role("button", name="Talk to a person").click()

    # the queue in the console updates by itself; the agent accepts
    console.get_by_text("Ann").first.wait_for()
    console.get_by_role("button", name="Accept").click()
    panel = console.locator(".chat-panel")
    panel.get_by_text("how do I reset my password").wait_for()
    reply = panel.get_by_role("textbox", name="Reply")
    reply.fill("Hi Ann, Robin here. Did the link arrive?")
    reply.press("Enter")
    widget.get_by_text("Hi Ann, Robin here. Did the link arrive?").wait_for()
    message.fill("Not yet")
    message.press("Enter")
    panel.get_by_text("Not yet").wait_for()

    # the server goes away; the agent's next words are stored while it is down
    asgi.stop()
    chat = Conversation.objects.get()
    # from a thread of its own, as a worker or a console request would write it (the
    # test's own thread runs the browser's event loop)
    writer = threading.Thread(target=_say, args=(chat, agent, "I sent a new link just now."))
    writer.start()
    writer.join(15)
    asgi.start()
    widget.get_by_text("I sent a new link just now.").wait_for(timeout=30_000)
    shop.wait_for_timeout(1000)
    assert widget.get_by_text("I sent a new link just now.").count() == 1
    assert widget.get_by_text("Hi Ann, Robin here. Did the link arrive?").count() == 1

    # the agent ends the chat: its transcript is a ticket on the chat channel
    console.get_by_role("button", name="End chat").click()
    console.wait_for_load_state("networkidle")
    chat.refresh_from_db()
    assert chat.status == ConversationStatus.ENDED
    assert chat.ticket is not None
    assert chat.ticket.channel == Channel.CHAT
    texts = [m.text for m in chat.ticket.messages.order_by("created_at", "pk")]
    assert "Not yet" in texts
    assert "I sent a new link just now." in texts
