"""What follows every ticket change, and every chat status change, in order: the one
list of each (as schedule.py is the one table of periodic jobs).
``tickets.changes.ticket_changed`` runs the first for every writer, and
``chat.changes.conversation_changed`` the second.

A domain that must react to ticket changes adds its line here; no writer calls a
reaction itself. In-transaction reactions commit or roll back with the change; a
reaction that only starts work elsewhere may run after the commit.
"""

from __future__ import annotations

from caredesk.automation.reactions import automation_on_ticket_change
from caredesk.channels.reactions import agent_notice_on_ticket_change, outbox_on_ticket_change
from caredesk.chat.changes import ConversationChange
from caredesk.chat.queue_events import staffing_on_conversation_change
from caredesk.core.reactions import Phase, Reaction
from caredesk.routing.reactions import routing_drain_on_ticket_change, routing_on_ticket_change
from caredesk.sla.reactions import sla_on_ticket_change
from caredesk.surveys.reactions import survey_on_ticket_change
from caredesk.tickets.changes import TicketChange
from caredesk.tickets.indexing import search_on_ticket_change

TICKET_REACTIONS: tuple[Reaction[TicketChange], ...] = (
    # the search index: a new or changed subject, a new message, merges, imports
    Reaction("search index", search_on_ticket_change, Phase.IN_TRANSACTION),
    # SLA clocks: started, met, paused, recomputed, stopped by a merge
    Reaction("SLA clocks", sla_on_ticket_change, Phase.IN_TRANSACTION),
    # the one place that decides a message goes to the customer on its channel
    Reaction("outbox", outbox_on_ticket_change, Phase.IN_TRANSACTION),
    # the assignee emailed a customer's message, with their own reply address
    Reaction("agent notices", agent_notice_on_ticket_change, Phase.IN_TRANSACTION),
    # rules (which may change the ticket again, through the same door) and webhooks
    Reaction("rules and webhooks", automation_on_ticket_change, Phase.IN_TRANSACTION),
    # a new ticket, or one put in a queue, to an agent with room
    Reaction("routing", routing_on_ticket_change, Phase.IN_TRANSACTION),
    # CSAT/CES when a ticket is solved
    Reaction("surveys", survey_on_ticket_change, Phase.IN_TRANSACTION),
    # an agent who finished a ticket may take the next (queued as a job after commit)
    Reaction("routing: next ticket", routing_drain_on_ticket_change, Phase.IN_TRANSACTION),
)

CHAT_REACTIONS: tuple[Reaction[ConversationChange], ...] = (
    # the staffing queue's contacts: queued, answered, abandoned, ended (in the
    # transaction, so a chat's record commits with its status)
    Reaction("staffing intervals", staffing_on_conversation_change, Phase.IN_TRANSACTION),
)
