"""The agent console (queue, the chats an agent has, one chat beside its customer),
supervisors' live view, the widget admin screen, and the demo page with the widget."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caredesk.accounts.gates import admin_required, staff_required, supervisor_required, user_of
from caredesk.accounts.models import Team, User
from caredesk.chat.enums import ConversationStatus
from caredesk.chat.forms import ChatWidgetForm
from caredesk.chat.models import ChatWidget
from caredesk.chat.selectors import (
    chats_live,
    chats_of,
    chats_waiting,
    conversation_get_for_staff,
    events_after,
)
from caredesk.chat.services import conversation_accept, conversation_end, conversation_transfer
from caredesk.chat.visitor_http import ws_url
from caredesk.core.web import model_screen
from caredesk.tickets.canned import canned_for_agent


def _queue_context(user: User) -> dict[str, object]:
    now = timezone.now()
    waiting = list(chats_waiting(user=user)[:100])
    for chat in waiting:
        chat.wait_seconds = int((now - (chat.queued_at or chat.created_at)).total_seconds())  # type: ignore[attr-defined]
    return {"waiting": waiting, "mine": list(chats_of(user=user))}


@require_GET
@staff_required
def console(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    context = {
        **_queue_context(user), "canned": canned_for_agent(user=user)[:100],
        "agent_ws_url": ws_url(request).replace("/ws/chat/", "/ws/agent/"), "nav": "chat",
    }  # fmt: skip
    return render(request, "chat/console.html", context)


@require_GET
@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    return render(request, "chat/partials/queue.html", _queue_context(user_of(request)))


@require_GET
@staff_required
def conversation(request: HttpRequest, conversation_id: int) -> HttpResponse:
    user = user_of(request)
    chat = conversation_get_for_staff(user=user, conversation_id=conversation_id)
    events = events_after(conversation_id=chat.pk, after_seq=0, for_visitor=False, limit=5000)
    return render(request, "chat/partials/conversation.html", {
        "chat": chat, "events": events, "live": chat.status != ConversationStatus.ENDED,
        "agents": User.objects.filter(role__in=["agent", "supervisor", "admin"], is_active=True)
        .exclude(pk=user.pk).order_by("first_name", "email")[:200],
        "teams": Team.objects.order_by("name"),
    })  # fmt: skip


@require_POST
@staff_required
def accept(request: HttpRequest, conversation_id: int) -> HttpResponse:
    user = user_of(request)
    chat = conversation_get_for_staff(user=user, conversation_id=conversation_id)
    conversation_accept(conversation=chat, agent=user)
    return redirect(f"{request.build_absolute_uri('/chat/')}#chat-{chat.pk}")


@require_POST
@staff_required
def end(request: HttpRequest, conversation_id: int) -> HttpResponse:
    user = user_of(request)
    chat = conversation_get_for_staff(user=user, conversation_id=conversation_id)
    conversation_end(conversation=chat, actor=user)
    return redirect("/chat/")


@require_POST
@staff_required
def transfer(request: HttpRequest, conversation_id: int) -> HttpResponse:
    user = user_of(request)
    chat = conversation_get_for_staff(user=user, conversation_id=conversation_id)
    target = request.POST.get("to", "")
    kind, _sep, ident = target.partition(":")
    if kind == "agent" and ident.isdigit():
        agent = User.objects.filter(pk=int(ident), is_active=True).first()
        if agent is None:
            raise Http404
        conversation_transfer(conversation=chat, actor=user, to_agent=agent)
    elif kind == "team" and ident.isdigit():
        team = Team.objects.filter(pk=int(ident)).first()
        if team is None:
            raise Http404
        conversation_transfer(conversation=chat, actor=user, to_team=team)
    return redirect("/chat/")


@require_GET
@supervisor_required
def supervise(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    chats = list(chats_live())
    for chat in chats:
        since = chat.queued_at or chat.created_at
        chat.wait_seconds = int((now - since).total_seconds())  # type: ignore[attr-defined]
    waiting = [c for c in chats if c.status == ConversationStatus.WAITING]
    return render(request, "chat/supervise.html", {
        "chats": chats, "waiting": len(waiting),
        "longest_wait": max((c.wait_seconds for c in waiting), default=0),  # type: ignore[attr-defined]
        "active": sum(1 for c in chats if c.status == ConversationStatus.ACTIVE),
    })  # fmt: skip


@require_http_methods(["GET", "POST"])
@admin_required
def widgets(request: HttpRequest, object_id: int | None = None) -> HttpResponse:
    snippet = ""
    if object_id:
        widget = ChatWidget.objects.filter(pk=object_id).first()
        if widget is not None:
            base = request.build_absolute_uri("/")[:-1]
            snippet = (
                f'<script src="{base}/static/chat/widget.js" data-caredesk="{base}" '
                f'data-widget-key="{widget.key}" async></script>'
            )
    return model_screen(
        request, form_class=ChatWidgetForm, objects=ChatWidget.objects.order_by("name"),
        object_id=object_id, title=_("Chat widgets"), url_name="manage:chat_widgets",
        columns=["name", "key", "is_active", "bot_enabled"],
        extra={"snippet": snippet, "aside_template": "chat/partials/snippet.html"},
    )  # fmt: skip


@require_GET
def demo(request: HttpRequest) -> HttpResponse:
    """A shop's page with the widget on it, as a site would embed it."""
    key = request.GET.get("key", "")
    widget = (
        (ChatWidget.objects.filter(key=key) if key else ChatWidget.objects.all())
        .filter(is_active=True)
        .order_by("pk")
        .first()
    )
    if widget is None:
        raise Http404(_("No active chat widget."))
    return render(request, "chat/demo.html", {"widget": widget})
