"""ASGI entry point: the site over HTTP, and chat's WebSockets (/ws/chat/ for
visitors of any allowed site, /ws/agent/ for the console on this host only)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caredesk.config.settings")
django_application = get_asgi_application()  # sets Django up before the consumers load

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from caredesk.chat.consumers import AgentConsumer, VisitorConsumer  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": URLRouter(
            [
                # the widget's site is checked against the widget's allowed origins
                path("ws/chat/", VisitorConsumer.as_asgi()),
                path(
                    "ws/agent/",
                    AllowedHostsOriginValidator(AuthMiddlewareStack(AgentConsumer.as_asgi())),
                ),
            ]
        ),
    }
)
