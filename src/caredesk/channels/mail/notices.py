"""Agent notices: a member of staff who asked for it (User.email_notifications) is
emailed each public customer message on a ticket assigned to them, with their own signed
reply address (channels.mail.trust.agent_reply_address) as Reply-To. Only that agent
received that address, so a reply to it is written on the ticket as the agent and sent
to the customer; mail from the agent's address without it is held (channels.mail.filing).
Sent after the commit through the leased outbox, like the customers' mail."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from caredesk.channels.mail.outbound import (
    mail_outbox,
    mailbox_of,
    smtp_connection_for,
)
from caredesk.channels.mail.thread import SUBJECT_REF
from caredesk.channels.mail.trust import agent_reply_address, message_id
from caredesk.channels.models import AgentNotice, MailThread
from caredesk.channels.tasks import agent_notice_task
from caredesk.core.i18n import language_or_site
from caredesk.core.jobs import job_enqueue
from caredesk.core.outbox import Delivered, Outcome, Undeliverable
from caredesk.tickets.enums import AuthorRole
from caredesk.tickets.models import Message


def notice_queue(*, message: Message) -> AgentNotice | None:
    """Queue the notice of a customer's public message to the ticket's assignee, when
    they asked for email; at most once per message and agent."""
    if not message.is_public or message.author_role != AuthorRole.CUSTOMER:
        return None
    ticket = message.ticket
    if ticket.assignee_id is None:
        return None
    agent = ticket.assignee
    if agent is None or not (agent.email_notifications and agent.is_active):
        return None
    if not agent.is_staff_member:
        return None
    row, created = AgentNotice.objects.get_or_create(message=message, user=agent)
    if created:
        job_enqueue(agent_notice_task, row.pk)
    return row


def notice_email(row: AgentNotice) -> EmailMultiAlternatives:
    """The notice: the customer's words, a link to the ticket, and the agent's own reply
    address, in the agent's language."""
    message, agent = row.message, row.user
    ticket = message.ticket
    if agent.pk != ticket.assignee_id:
        raise Undeliverable("The ticket was reassigned before the notice went out.")
    if not agent.is_active or not agent.email_notifications:
        raise Undeliverable("The agent no longer receives email notifications.")
    box = mailbox_of(ticket)
    if box is None:
        raise Undeliverable("No mailbox to send from and to answer to.")
    domain = box.address.rsplit("@", 1)[-1]
    subject = (
        ticket.subject if SUBJECT_REF.search(ticket.subject) else f"{ticket.subject} [#{ticket.pk}]"
    )
    author = message.author_customer.name if message.author_customer else ""
    with translation.override(language_or_site(agent.language)):
        context = {
            "agent": agent,
            "ticket": ticket,
            "author": author or ticket.requester.name,
            "text": message.text,
            "url": f"{settings.CAREDESK_BASE_URL}/tickets/{ticket.pk}/",
        }
        body = render_to_string("channels/email/agent_notice.txt", context)
        heading = _("New message from %(name)s: %(subject)s") % {
            "name": context["author"],
            "subject": subject,
        }
    return EmailMultiAlternatives(
        subject=heading,
        body=body,
        from_email=box.address,
        to=[agent.email],
        reply_to=[agent_reply_address(box.address, ticket.pk, agent.pk)],
        headers={
            "From": f"{box.name} <{box.address}>",  # the envelope: the mailbox itself
            "Message-ID": message_id(f"n.{ticket.pk}.{row.pk}", domain),
            "Auto-Submitted": "auto-generated",
            "X-Caredesk-Ticket": str(ticket.pk),
        },
    )


def _send(row: AgentNotice) -> Delivered:
    email = notice_email(row)
    smtp_connection_for(mailbox_of(row.message.ticket)).send_messages([email])
    return Delivered(str(email.extra_headers["Message-ID"]))


def _done(row: AgentNotice, outcome: Outcome) -> None:
    """A sent notice's Message-ID threads the agent's answer back to the ticket."""
    if outcome.outcome == "sent":
        MailThread.objects.get_or_create(
            msgid=outcome.detail[:500],
            defaults={"ticket_id": row.message.ticket_id, "outbound": True},
        )


OUTBOX = mail_outbox(AgentNotice, _send, _done, ("message__ticket", "user"))


def notice_deliver(*, row_id: int, now: dt.datetime | None = None) -> Outcome:
    return OUTBOX.attempt(row_id=row_id, now=now)


def notices_due(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    return OUTBOX.run_due(now=now, limit=limit)
