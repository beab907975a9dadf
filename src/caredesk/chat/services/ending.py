"""A chat's end: its transcript on a ticket, or the offline form's message as one."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caredesk.accounts.models import User
from caredesk.chat import live
from caredesk.chat.enums import ConversationStatus, EventKind, Sender
from caredesk.chat.errors import ChatErrorCode
from caredesk.chat.models import ChatEvent, Conversation
from caredesk.chat.services.conversations import clean_text, may_write, set_status
from caredesk.core.errors import DomainError, ValidationFailed
from caredesk.customers.enums import ContactKind
from caredesk.customers.services import contact_normalize, customer_get_or_create_by_email
from caredesk.tickets.enums import AuthorRole, Channel, Priority, TicketStatus, TicketType
from caredesk.tickets.models import Ticket
from caredesk.tickets.services.history import HistoryMessage, ticket_import_history
from caredesk.tickets.services.tickets import ticket_create


def _transcript(conversation: Conversation, events: list[ChatEvent]) -> Ticket:
    subject = conversation.topic or next(
        (e.text for e in events if e.sender == Sender.VISITOR and e.kind == EventKind.MESSAGE),
        _("Chat"),
    )
    history = [
        HistoryMessage(
            at=e.at,
            author_role=AuthorRole.CUSTOMER if e.sender == Sender.VISITOR else AuthorRole.AGENT,
            author_user=e.author if e.sender == Sender.AGENT else None,
            author_customer=conversation.visitor if e.sender == Sender.VISITOR else None,
            text=e.text if e.sender in (Sender.VISITOR, Sender.AGENT) else f"[{e.sender}] {e.text}",
            public=e.kind != EventKind.NOTE,
        )
        for e in events
        if e.kind in (EventKind.MESSAGE, EventKind.NOTE)
    ]
    return ticket_import_history(
        requester=conversation.visitor, subject=" ".join(subject.split())[:200],
        created_at=conversation.created_at, channel=Channel.CHAT, type=TicketType.QUESTION,
        priority=Priority.NORMAL,
        status=TicketStatus.SOLVED if conversation.assignee_id else TicketStatus.NEW,
        events=list(history), assignee=conversation.assignee, team=conversation.team,
    )  # fmt: skip


@transaction.atomic
def conversation_end(*, conversation: Conversation, actor: User | None) -> Conversation:
    """The chat ends (the agent or, with ``actor`` None, the visitor): its transcript
    becomes a ticket on the chat channel, on the customer's timeline. A chat no agent
    answered is an abandoned one; when the visitor said something, the ticket stays new
    so that someone answers it by email."""
    if actor is not None:
        may_write(conversation, actor)
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if locked.status == ConversationStatus.ENDED:
        return locked
    conversation = locked
    now = timezone.now()
    event = set_status(conversation, ConversationStatus.ENDED, _("The chat has ended."))
    events = list(conversation.events.select_related("author").order_by("seq"))
    said = any(e.sender == Sender.VISITOR for e in events)
    conversation.ended_at = now
    conversation.abandoned = conversation.first_agent_reply_at is None and said
    if said or conversation.assignee_id:
        conversation.ticket = _transcript(conversation, events)
    conversation.save(update_fields=["ended_at", "abandoned", "ticket"])
    live.publish([event], queue_changed=True)
    return conversation


@transaction.atomic
def offline_request(*, conversation: Conversation, name: str, email: str, text: str) -> Ticket:
    """With no agent available: the visitor's message becomes a ticket on the chat
    channel, answered by email (as the web form's are)."""
    text = clean_text(text)
    try:
        address = contact_normalize(kind=ContactKind.EMAIL, value=email)
    except DomainError:
        raise ValidationFailed(
            ChatErrorCode.INVALID_EMAIL, _("Enter a valid email address."), field="email"
        ) from None
    requester = (
        conversation.visitor
        if conversation.verified
        else customer_get_or_create_by_email(email=address, name=name or conversation.name)
    )
    ticket = ticket_create(
        requester=requester, subject=conversation.topic or " ".join(text.split())[:80],
        text=text, channel=Channel.CHAT,
    )  # fmt: skip
    conversation.ticket = ticket
    conversation.ended_at = timezone.now()
    conversation.save(update_fields=["ticket", "ended_at"])
    thanks = _("Thank you: we will answer by email (request #%(id)s).") % {"id": ticket.pk}
    event = set_status(conversation, ConversationStatus.ENDED, thanks)
    live.publish([event])
    return ticket
