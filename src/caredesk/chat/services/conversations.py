"""Chat: sessions, what visitors, agents and the bot say, and a chat's end on a ticket.

Every write appends numbered events to the conversation (``_append``), then tells the
sockets after the commit (live.publish).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from caredesk.accounts.enums import Role
from caredesk.accounts.models import Team, User
from caredesk.chat import live
from caredesk.chat.changes import ConversationChange, conversation_changed
from caredesk.chat.enums import ConversationStatus, EventKind, Sender
from caredesk.chat.errors import ChatErrorCode
from caredesk.chat.identity import identity_valid, origin_allowed, token_hash, token_new
from caredesk.chat.models import ChatEvent, ChatWidget, Conversation
from caredesk.chat.selectors import agents_available
from caredesk.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from caredesk.customers.enums import ContactKind
from caredesk.customers.models import Customer
from caredesk.customers.services import (
    contact_normalize,
    customer_create,
    customer_get_or_create_by_email,
)
from caredesk.knowledge.enums import ViewSource
from caredesk.knowledge.links import article_url
from caredesk.knowledge.search import kb_answer

MAX_TEXT = 5000
MAX_CLIENT_ID = 64


class ChatAuthError(DomainError):
    """No such session, or a token that is not one: 401, and nothing about why."""

    status = 401


@dataclass(frozen=True)
class Session:
    conversation: Conversation
    token: str  # shown once; only its hash is stored


def widget_get(*, key: str) -> ChatWidget:
    widget = ChatWidget.objects.filter(key=key, is_active=True).first()
    if widget is None:
        raise ValidationFailed(
            ChatErrorCode.UNKNOWN_WIDGET, _("No active chat widget has this key."),
            field="widget_key",
        )  # fmt: skip
    return widget


def conversation_for_token(*, token: str) -> Conversation:
    """The visitor's conversation; a wrong token and an unknown one look alike."""
    if not token:
        raise ChatAuthError(ChatErrorCode.INVALID_TOKEN, _("A session token is required."))
    found = (
        Conversation.objects.select_related("widget").filter(token_hash=token_hash(token)).first()
    )
    if found is None:
        raise ChatAuthError(ChatErrorCode.INVALID_TOKEN, _("This chat session is not valid."))
    return found


def origin_check(*, widget: ChatWidget, origin: str | None) -> None:
    """A browser's Origin must be one of the widget's sites. Without one the caller is
    not a browser page (another site's page could not leave it out); the token is what
    guards a conversation either way."""
    if origin and not origin_allowed(origin, list(widget.allowed_origins or [])):
        raise PermissionDenied(
            _("This widget may not be used from %(origin)s.") % {"origin": origin}
        )


_NEXT_SEQ = (
    "UPDATE chat_conversation SET last_seq = last_seq + 1 WHERE id = %s "
    "RETURNING last_seq, status, assignee_id, first_agent_reply_at"
)
_INSERT = (
    "INSERT INTO chat_chatevent (conversation_id, seq, kind, sender, author_id, text, "
    "client_id, data, at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (conversation_id, client_id) WHERE client_id IS NOT NULL DO NOTHING "
    "RETURNING id"
)


def _live(conversation: Conversation) -> None:
    if conversation.status in (ConversationStatus.ENDED, ConversationStatus.OFFLINE):
        raise Conflict(ChatErrorCode.CHAT_ENDED, _("This chat has ended."))


def _append(
    conversation: Conversation,
    *,
    text: str,
    sender: str,
    kind: str = EventKind.MESSAGE,
    author: User | None = None,
    client_id: str | None = None,
    data: dict[str, object] | None = None,
    live_only: bool = False,
) -> tuple[ChatEvent, bool]:
    """The next numbered event (in the caller's transaction, which must roll back on
    an error), or the one already stored with this client id (a resent message):
    (event, created). The conversation's status, assignee and first reply are read in
    the same statement that takes the number (and locks the row); with ``live_only``
    an ended chat refuses. A message is the hot path of chat: three statements, in SQL
    the ORM would take as long to compile as to run."""
    if client_id:
        existing = _stored(conversation, client_id)
        if existing is not None:
            return existing, False
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_SEQ, [conversation.pk])
        row = cursor.fetchone()
        if row is None:
            raise Conversation.DoesNotExist(conversation.pk)
        seq, conversation.status, conversation.assignee_id, first_reply = row
        conversation.last_seq = seq
        conversation.first_agent_reply_at = _datetime(first_reply)
        if live_only:
            _live(conversation)
        now = timezone.now()
        cursor.execute(_INSERT, [
            conversation.pk, seq, kind, sender, author.pk if author else None, text,
            client_id or None, json.dumps(data or {}),
            connection.ops.adapt_datetimefield_value(now),
        ])  # fmt: skip
        inserted = cursor.fetchone()
    if inserted is None:  # the same client id at the same moment: the first one stands
        stored = _stored(conversation, client_id or "")
        assert stored is not None  # the conflict was on that row
        return stored, False
    event = ChatEvent(
        pk=inserted[0], conversation_id=conversation.pk, seq=seq, kind=kind, sender=sender,
        author=author, text=text, client_id=client_id or None, data=data or {}, at=now,
    )  # fmt: skip
    return event, True


def _datetime(value: object) -> datetime | None:
    """A datetime column read in raw SQL: SQLite returns its text (in UTC), PostgreSQL
    an aware datetime."""
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is not None and timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, UTC)
        return parsed
    return value if isinstance(value, datetime) else None


def _stored(conversation: Conversation, client_id: str) -> ChatEvent | None:
    return ChatEvent.objects.filter(conversation_id=conversation.pk, client_id=client_id).first()


def clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(ChatErrorCode.EMPTY_MESSAGE, _("Type a message."), field="text")
    if len(text) > MAX_TEXT:
        raise ValidationFailed(
            ChatErrorCode.MESSAGE_TOO_LONG,
            _("A message is at most %(max)d characters.") % {"max": MAX_TEXT}, field="text",
        )  # fmt: skip
    return text


def _clean_client_id(client_id: str | None) -> str | None:
    if client_id is None or client_id == "":
        return None
    if not isinstance(client_id, str) or len(client_id) > MAX_CLIENT_ID:
        raise ValidationFailed(
            ChatErrorCode.INVALID_CLIENT_ID,
            _("client_id is a string of at most %(max)d characters.") % {"max": MAX_CLIENT_ID},
            field="client_id",
        )
    return client_id


def _visitor(
    widget: ChatWidget, name: str, email: str, identity_hash: str
) -> tuple[Customer, bool]:
    """The verified customer when the site signed the email, else a new anonymous
    contact (the typed email is kept on the conversation, never trusted)."""
    if identity_hash:
        if not identity_valid(widget.identity_secret, email, identity_hash):
            raise ChatAuthError(
                ChatErrorCode.INVALID_TOKEN, _("The identity signature does not match the email.")
            )
        return customer_get_or_create_by_email(email=email, name=name), True
    return customer_create(name=name or _("Chat visitor")), False


@transaction.atomic
def session_start(
    *,
    widget_key: str,
    origin: str | None,
    name: str = "",
    email: str = "",
    identity_hash: str = "",
    topic: str = "",
) -> Session:
    """A new conversation for a visitor of the widget's site: with the bot first when
    the widget has it, else in the queue when an agent has room, else offline (the
    widget offers a form that becomes a ticket)."""
    widget = widget_get(key=widget_key)
    origin_check(widget=widget, origin=origin)
    name = " ".join((name or "").split())[:200]
    email = (email or "").strip()
    if email:
        try:
            email = contact_normalize(kind=ContactKind.EMAIL, value=email)
        except DomainError:
            raise ValidationFailed(
                ChatErrorCode.INVALID_EMAIL, _("Enter a valid email address."), field="email"
            ) from None
    elif widget.email_required:
        raise ValidationFailed(
            ChatErrorCode.INVALID_EMAIL, _("An email is required."), field="email"
        )
    visitor, verified = _visitor(widget, name, email, identity_hash)
    token = token_new()
    now = timezone.now()
    conversation = Conversation.objects.create(
        widget=widget, visitor=visitor, verified=verified, name=name, email=email,
        topic=(topic or "")[:100], origin=(origin or "")[:200], token_hash=token_hash(token),
        team=widget.team, status=ConversationStatus.BOT, created_at=now,
    )  # fmt: skip
    events = []
    if widget.greeting:
        events.append(_append(conversation, text=widget.greeting, sender=Sender.SYSTEM)[0])
    if not widget.bot_enabled:
        events.append(_queue(conversation, now=now))
    else:
        events.append(set_status(conversation, ConversationStatus.BOT))
    live.publish(events, queue_changed=conversation.status == ConversationStatus.WAITING)
    return Session(conversation, token)


def set_status(conversation: Conversation, status: str, text: str = "") -> ChatEvent:
    """The one writer of a conversation's status: stored, told to the sockets as an
    event, and handed to the chat reactions (chat/changes.py)."""
    conversation.status = status
    Conversation.objects.filter(pk=conversation.pk).update(status=status)
    event = _append(
        conversation, text=text or status, sender=Sender.SYSTEM, kind=EventKind.STATUS,
        data={"status": status},
    )[0]  # fmt: skip
    conversation_changed(ConversationChange(conversation, status, event.at))
    return event


def _queue(conversation: Conversation, *, now: object = None) -> ChatEvent:
    """To the queue when an agent has room within the queue's hours, else offline."""
    if agents_available(widget=conversation.widget):
        conversation.queued_at = timezone.now()
        Conversation.objects.filter(pk=conversation.pk).update(queued_at=conversation.queued_at)
        return set_status(conversation, ConversationStatus.WAITING,
                       _("An agent will be with you shortly."))  # fmt: skip
    return set_status(
        conversation, ConversationStatus.OFFLINE,
        _("No agent is available right now. Leave a message and we will answer by email."),
    )  # fmt: skip


@transaction.atomic
def visitor_say(*, conversation: Conversation, text: str, client_id: str | None) -> list[ChatEvent]:
    """The visitor's message (once per client id) and, with the bot, its answer or the
    hand-over when it is not confident."""
    text = clean_text(text)
    event, created = _append(
        conversation, text=text, sender=Sender.VISITOR, client_id=_clean_client_id(client_id),
        live_only=True,
    )  # fmt: skip
    if not created:
        return [event]
    events = [event]
    if conversation.status == ConversationStatus.BOT:
        events.extend(_bot(conversation, text))
    live.publish(events, queue_changed=conversation.status == ConversationStatus.WAITING)
    return events


def _bot(conversation: Conversation, question: str) -> list[ChatEvent]:
    answer = kb_answer(
        question=question, source=ViewSource.BOT, session_key=f"chat-{conversation.pk}"
    )
    if answer.handoff or answer.article is None:
        note = _append(
            conversation, sender=Sender.BOT,
            text=_("I am not sure about that one; let me find a person for you."),
        )[0]  # fmt: skip
        return [note, _queue(conversation)]
    article = answer.article
    reply = _append(
        conversation, sender=Sender.BOT, text=f"{article.title}\n\n{answer.excerpt}",
        data={"article": {"title": article.title, "url": article_url(article),
                          "confidence": round(answer.confidence, 3)}},
    )[0]  # fmt: skip
    return [reply]


@transaction.atomic
def visitor_handoff(*, conversation: Conversation) -> list[ChatEvent]:
    """The visitor asks for a person: from the bot to the queue (or offline)."""
    _live(conversation)
    if conversation.status != ConversationStatus.BOT:
        return []
    events = [_queue(conversation)]
    live.publish(events, queue_changed=True)
    return events


def _staff(actor: User) -> None:
    if not actor.is_staff_member:
        raise PermissionDenied(_("Only staff can do this."))


def may_write(conversation: Conversation, actor: User) -> None:
    _staff(actor)
    if conversation.assignee_id != actor.pk and actor.role == Role.AGENT:
        raise PermissionDenied(_("Accept the chat before you answer it."))


@transaction.atomic
def agent_say(
    *, conversation: Conversation, agent: User, text: str, client_id: str | None = None,
    note: bool = False,
) -> ChatEvent:  # fmt: skip
    """An agent's message to the visitor, or an internal note the visitor never sees.
    Who has the chat is read as the message takes its number: a chat transferred a
    moment ago refuses the agent who had it."""
    _staff(agent)
    text = clean_text(text)
    event, created = _append(
        conversation, text=text, sender=Sender.AGENT, author=agent, live_only=True,
        kind=EventKind.NOTE if note else EventKind.MESSAGE, client_id=_clean_client_id(client_id),
    )  # fmt: skip
    if not note:
        may_write(conversation, agent)  # an error rolls the message back
    if created and not note and conversation.first_agent_reply_at is None:
        conversation.first_agent_reply_at = event.at
        Conversation.objects.filter(pk=conversation.pk).update(first_agent_reply_at=event.at)
    if created:
        live.publish([event])
    return event


@transaction.atomic
def conversation_accept(*, conversation: Conversation, agent: User) -> Conversation:
    """An agent takes a waiting chat (the first one to click wins)."""
    _staff(agent)
    now = timezone.now()
    taken = Conversation.objects.filter(
        pk=conversation.pk, status=ConversationStatus.WAITING
    ).update(status=ConversationStatus.ACTIVE, assignee=agent, accepted_at=now)
    if not taken:
        raise Conflict(ChatErrorCode.NOT_WAITING, _("This chat is no longer waiting."))
    conversation.refresh_from_db()
    event = set_status(
        conversation, ConversationStatus.ACTIVE,
        _("%(name)s joined the chat.") % {"name": agent.first_name or agent.display_name},
    )  # fmt: skip
    live.publish([event], queue_changed=True)
    return conversation


@transaction.atomic
def conversation_transfer(
    *, conversation: Conversation, actor: User, to_agent: User | None = None,
    to_team: Team | None = None,
) -> Conversation:  # fmt: skip
    """To another agent (who has it at once) or back to a team's queue."""
    _live(conversation)
    may_write(conversation, actor)
    if to_agent is not None:
        _staff(to_agent)
        conversation.assignee = to_agent
        conversation.status = ConversationStatus.ACTIVE
        text = _("%(name)s joined the chat.") % {
            "name": to_agent.first_name or to_agent.display_name
        }
    else:
        conversation.assignee = None
        conversation.team = to_team
        conversation.status = ConversationStatus.WAITING
        conversation.queued_at = timezone.now()
        text = _("An agent will be with you shortly.")
    conversation.save(update_fields=["assignee", "team", "status", "queued_at"])
    event = set_status(conversation, conversation.status, text)
    live.publish([event], queue_changed=True)
    return conversation
