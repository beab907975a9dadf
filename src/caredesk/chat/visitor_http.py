"""The visitor's side over plain HTTP, called from the widget on another site:
starting a session, and the long-poll fallback with the WebSocket's semantics
(docs/chat.md). Cross-origin calls are answered for the widget's own sites only."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from caredesk.chat.enums import ConversationStatus
from caredesk.chat.errors import ChatErrorCode
from caredesk.chat.identity import origin_allowed
from caredesk.chat.live import event_json
from caredesk.chat.models import ChatWidget, Conversation
from caredesk.chat.selectors import events_after
from caredesk.chat.services import (
    conversation_end,
    conversation_for_token,
    offline_request,
    origin_check,
    session_start,
    visitor_handoff,
    visitor_say,
)
from caredesk.core.errors import DomainError
from caredesk.core.web import problem_response

MAX_BODY = 64 * 1024
MAX_WAIT = 25.0  # seconds a poll waits for something new
POLL_EVERY = 0.25


def _cors(request: HttpRequest, response: HttpResponse, widget: ChatWidget | None) -> HttpResponse:
    origin = request.headers.get("Origin", "")
    if origin and widget is not None and origin_allowed(origin, list(widget.allowed_origins or [])):
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Max-Age"] = "600"
        response["Vary"] = "Origin"
    return response


def _body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > MAX_BODY:
        raise DomainError(ChatErrorCode.TOO_LARGE, _("The request body is too large."))
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise DomainError(ChatErrorCode.MALFORMED_JSON, _("The body is not JSON.")) from None
    if not isinstance(data, dict):
        raise DomainError(ChatErrorCode.MALFORMED_JSON, _("The body is a JSON object."))
    return data


def _str(data: dict[str, Any], key: str) -> str:
    value = data.get(key) or ""
    if not isinstance(value, str):
        raise DomainError(ChatErrorCode.INVALID_FIELD, _("%(field)s is a string.") % {"field": key})
    return value


def _token(request: HttpRequest) -> str:
    auth = request.headers.get("Authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else ""


def _errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Domain errors as problem bodies, with the CORS headers a browser needs to read them."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            widget = getattr(request, "chat_widget", None)
            return _cors(
                request, problem_response(exc.status, str(exc.code), exc.message, exc.field), widget
            )

    wrapped.__name__ = view.__name__
    return csrf_exempt(wrapped)


def _preflight(request: HttpRequest, widget: ChatWidget | None) -> HttpResponse:
    return _cors(request, HttpResponse(status=204), widget)


def _session_conversation(request: HttpRequest) -> Conversation:
    conversation = conversation_for_token(token=_token(request))
    request.chat_widget = conversation.widget  # type: ignore[attr-defined]
    origin_check(widget=conversation.widget, origin=request.headers.get("Origin"))
    return conversation


def ws_url(request: HttpRequest) -> str:
    """Where the widget opens its WebSocket: CAREDESK_CHAT_WS_URL, else this host's
    /ws/chat/ (on CAREDESK_CHAT_WS_PORT when WebSockets have their own server)."""
    if settings.CAREDESK_CHAT_WS_URL:
        return str(settings.CAREDESK_CHAT_WS_URL)
    scheme = "wss" if request.is_secure() else "ws"
    host = request.get_host()
    if settings.CAREDESK_CHAT_WS_PORT:
        host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        host = f"{host}:{settings.CAREDESK_CHAT_WS_PORT}"
    return f"{scheme}://{host}/ws/chat/"


@_errors
def sessions(request: HttpRequest) -> HttpResponse:
    """POST {"widget_key", "name"?, "email"?, "identity_hash"?, "topic"?} →
    {"session_token", "conversation_id", "status", "ws_url"}."""
    if request.method == "OPTIONS":
        return _any_widget_preflight(request)
    if request.method != "POST":
        return problem_response(405, ChatErrorCode.METHOD_NOT_ALLOWED, _("Use POST."))
    data = _body(request)
    key = _str(data, "widget_key")
    request.chat_widget = ChatWidget.objects.filter(key=key).first()  # type: ignore[attr-defined]
    session = session_start(
        widget_key=key, origin=request.headers.get("Origin"), name=_str(data, "name"),
        email=_str(data, "email"), identity_hash=_str(data, "identity_hash"),
        topic=_str(data, "topic"),
    )  # fmt: skip
    body = {
        "session_token": session.token, "conversation_id": session.conversation.pk,
        "status": session.conversation.status, "ws_url": ws_url(request),
    }  # fmt: skip
    return _cors(request, JsonResponse(body, status=201), session.conversation.widget)


def _any_widget_preflight(request: HttpRequest) -> HttpResponse:
    """A preflight carries no token: it is answered for any active widget's site (the
    call itself is then checked against its own widget)."""
    origin = request.headers.get("Origin", "")
    for widget in ChatWidget.objects.filter(is_active=True).only("allowed_origins"):
        if origin_allowed(origin, list(widget.allowed_origins or [])):
            return _preflight(request, widget)
    return HttpResponse(status=204)


@_errors
def messages(request: HttpRequest) -> HttpResponse:
    """POST {"text", "client_id"} with the session token → the stored event (once per
    client id: sending again returns the same event)."""
    if request.method == "OPTIONS":
        return _any_widget_preflight(request)
    if request.method != "POST":
        return problem_response(405, ChatErrorCode.METHOD_NOT_ALLOWED, _("Use POST."))
    conversation = _session_conversation(request)
    data = _body(request)
    events = visitor_say(
        conversation=conversation,
        text=_str(data, "text"),
        client_id=_str(data, "client_id") or None,
    )
    body = {"events": [event_json(e) for e in events]}
    return _cors(request, JsonResponse(body, status=201), conversation.widget)


@_errors
def action(request: HttpRequest, name: str) -> HttpResponse:
    """POST handoff | end | offline {"name","email","text"} with the session token."""
    if request.method == "OPTIONS":
        return _any_widget_preflight(request)
    if request.method != "POST":
        return problem_response(405, ChatErrorCode.METHOD_NOT_ALLOWED, _("Use POST."))
    conversation = _session_conversation(request)
    body: dict[str, Any] = {}
    if name == "handoff":
        body["events"] = [event_json(e) for e in visitor_handoff(conversation=conversation)]
    elif name == "end":
        conversation_end(conversation=conversation, actor=None)
    elif name == "offline":
        if conversation.status != ConversationStatus.OFFLINE:
            return problem_response(
                409, ChatErrorCode.NOT_OFFLINE, _("An agent is available: chat instead.")
            )
        data = _body(request)
        ticket = offline_request(
            conversation=conversation, name=_str(data, "name"), email=_str(data, "email"),
            text=_str(data, "text"),
        )  # fmt: skip
        body["ticket_id"] = ticket.pk
    else:
        return problem_response(404, ChatErrorCode.NOT_FOUND, _("No such action."))
    return _cors(request, JsonResponse(body), conversation.widget)


def _poll_once(request: HttpRequest, after_seq: int) -> tuple[Conversation, list[dict[str, Any]]]:
    conversation = _session_conversation(request)
    events = events_after(conversation_id=conversation.pk, after_seq=after_seq, for_visitor=True)
    return conversation, [event_json(e) for e in events]


@csrf_exempt
async def events(request: HttpRequest) -> HttpResponse:
    """GET ?after_seq=N&wait=S with the session token: the events after N, waiting up
    to S seconds (at most 25) for the first one: the long-poll fallback."""
    if request.method == "OPTIONS":
        return await sync_to_async(_any_widget_preflight)(request)
    try:
        after_seq = int(request.GET.get("after_seq", "0"))
        wait = min(max(float(request.GET.get("wait", "20")), 0.0), MAX_WAIT)
    except ValueError:
        return problem_response(
            422, ChatErrorCode.INVALID_QUERY, _("after_seq is a whole number, wait seconds.")
        )
    deadline = time.monotonic() + wait
    while True:
        try:
            conversation, found = await sync_to_async(_poll_once)(request, after_seq)
        except DomainError as exc:
            widget = getattr(request, "chat_widget", None)
            return _cors(request, problem_response(exc.status, str(exc.code), exc.message), widget)
        ended = conversation.status == ConversationStatus.ENDED
        if found or ended or time.monotonic() >= deadline:
            body = {"events": found, "status": conversation.status}
            return _cors(request, JsonResponse(body), conversation.widget)
        await asyncio.sleep(POLL_EVERY)
