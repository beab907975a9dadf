"""Reads: who can take a chat now, the queue, a conversation for staff, events."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from caredesk.accounts.enums import STAFF_ROLES
from caredesk.accounts.models import User
from caredesk.chat.enums import ConversationStatus, EventKind
from caredesk.chat.models import ChatAgent, ChatEvent, ChatWidget, Conversation
from caredesk.core.business_hours import is_open
from caredesk.core.errors import NotFound
from caredesk.routing.models import Availability
from caredesk.sla.services.policies import calendar_of

DEFAULT_CONCURRENCY = ChatAgent._meta.get_field("concurrency").default


def queue_open(widget: ChatWidget) -> bool:
    """Within the chat queue's business hours (always, without a calendar)."""
    return widget.calendar is None or is_open(calendar_of(widget.calendar), timezone.now())


def agents_with_room(*, widget: ChatWidget) -> list[User]:
    """Online staff of the widget's team (any staff without one) with fewer chats than
    they take at once, least busy first."""
    agents = User.objects.filter(
        is_active=True, role__in=STAFF_ROLES, routing__availability=Availability.ONLINE
    )
    if widget.team_id is not None:
        agents = agents.filter(teams=widget.team_id)
    rows = agents.annotate(
        chats=Count("chats_assigned", filter=Q(chats_assigned__status=ConversationStatus.ACTIVE))
    ).select_related("chat")
    room = []
    for agent in rows:
        limit = agent.chat.concurrency if hasattr(agent, "chat") else DEFAULT_CONCURRENCY
        if agent.chats < limit:
            room.append(agent)
    return sorted(room, key=lambda a: (a.chats, a.pk))  # type: ignore[attr-defined]


def agents_available(*, widget: ChatWidget) -> bool:
    return queue_open(widget) and bool(agents_with_room(widget=widget))


def chats_waiting(*, user: User) -> QuerySet[Conversation]:
    """The queue a member of staff sees: waiting chats of their teams (and of none),
    longest waiting first."""
    waiting = Conversation.objects.filter(status=ConversationStatus.WAITING)
    if user.role == "agent":
        waiting = waiting.filter(Q(team__isnull=True) | Q(team__members=user))
    return waiting.select_related("visitor", "widget").order_by("queued_at", "pk").distinct()


def chats_of(*, user: User) -> QuerySet[Conversation]:
    return (
        Conversation.objects.filter(assignee=user, status=ConversationStatus.ACTIVE)
        .select_related("visitor", "widget")
        .order_by("accepted_at", "pk")
    )


def chats_live() -> QuerySet[Conversation]:
    """Every chat not ended, for supervisors."""
    return (
        Conversation.objects.filter(
            status__in=[
                ConversationStatus.BOT,
                ConversationStatus.WAITING,
                ConversationStatus.ACTIVE,
            ]
        )
        .select_related("visitor", "assignee", "widget")
        .order_by("created_at", "pk")
    )


def conversation_get_for_staff(*, user: User, conversation_id: int) -> Conversation:
    """Staff only; an agent sees the chats of their teams, their own and unteamed ones."""
    found = Conversation.objects.select_related("visitor", "widget", "assignee", "ticket").filter(
        pk=conversation_id
    )
    if user.role == "agent":
        found = found.filter(Q(team__isnull=True) | Q(team__members=user) | Q(assignee=user))
    conversation = found.first() if user.is_staff_member else None
    if conversation is None:
        raise NotFound("chat", conversation_id)
    return conversation


def events_after(
    *, conversation_id: int, after_seq: int, for_visitor: bool, limit: int = 500
) -> list[ChatEvent]:
    """The events after ``after_seq``, in order; a visitor never gets internal notes."""
    events = ChatEvent.objects.filter(conversation_id=conversation_id, seq__gt=max(after_seq, 0))
    if for_visitor:
        events = events.exclude(kind=EventKind.NOTE)
    return list(events.order_by("seq")[:limit])
