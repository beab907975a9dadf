"""Read tickets, messages, events and commitments for a user."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from caredesk.accounts.models import User
from caredesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from caredesk.core.pagination import Page, keyset_page
from caredesk.customers.selectors import customer_emails
from caredesk.tickets.enums import OPEN_STATUSES, CommitmentStatus, TicketStatus
from caredesk.tickets.errors import TicketErrorCode
from caredesk.tickets.models import Attachment, Commitment, Message, Ticket, TicketEvent

ORDERINGS = {
    "-updated_at": ("-updated_at", "-id"),
    "updated_at": ("updated_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
}


def tickets_visible_to(*, user: User) -> QuerySet[Ticket]:
    """Every ticket for staff; for a customer their own, those they are CC'd on, and their
    organisation's when the organisation shares tickets or the customer is one of the
    organisation's admins."""
    qs = Ticket.objects.all()
    if user.is_staff_member:
        return qs
    customer_id = user.customer_id
    if customer_id is None or not user.is_active:
        return qs.none()
    cc_ids = Ticket.ccs.through.objects.filter(customer_id=customer_id).values("ticket_id")
    visible = Q(requester_id=customer_id) | Q(pk__in=cc_ids)
    customer = user.customer
    if customer is not None and customer.organization_id is not None:
        org = customer.organization
        if org is not None and (org.shared_tickets or customer.org_admin):
            visible |= Q(organization_id=customer.organization_id)
    return qs.filter(visible)


def ticket_get_for_user(*, user: User, ticket_id: int) -> Ticket:
    """The one way to load a ticket for a user; missing and forbidden look alike."""
    ticket = (
        tickets_visible_to(user=user)
        .select_related("requester", "organization", "assignee", "team")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise NotFound("ticket", ticket_id)
    return ticket


@dataclass
class TicketFilters:
    status: list[str] | None = None
    open: bool = False  # any of new, open, pending, on_hold
    assignee_id: int | None = None
    unassigned: bool = False
    team_id: int | None = None
    team_ids: list[int] | None = None
    requester_id: int | None = None
    organization_id: int | None = None
    tag: str | None = None
    channel: str | None = None
    type: str | None = None
    priority: str | None = None
    updated_since: dt.datetime | None = None
    solved_since: dt.datetime | None = None
    overdue_at: dt.datetime | None = None  # a pending commitment due before this time


def _filtered(qs: QuerySet[Ticket], f: TicketFilters) -> QuerySet[Ticket]:
    if f.status:
        bad = [s for s in f.status if s not in TicketStatus.values]
        if bad:
            raise ValidationFailed(
                TicketErrorCode.INVALID_STATUS,
                _("Unknown status %(bad_0)s.") % {"bad_0": repr(bad[0])},
                field="status",
            )
        qs = qs.filter(status__in=f.status)
    if f.open:
        qs = qs.filter(status__in=list(OPEN_STATUSES))
    if f.assignee_id is not None:
        qs = qs.filter(assignee_id=f.assignee_id)
    if f.unassigned:
        qs = qs.filter(assignee__isnull=True)
    if f.team_id is not None:
        qs = qs.filter(team_id=f.team_id)
    if f.team_ids is not None:
        qs = qs.filter(team_id__in=f.team_ids)
    if f.requester_id is not None:
        qs = qs.filter(requester_id=f.requester_id)
    if f.organization_id is not None:
        qs = qs.filter(organization_id=f.organization_id)
    if f.tag:
        # EXISTS per row lets the planner walk the ordering index and stop at a page;
        # a join would collect and sort every ticket with that tag.
        tagged = Ticket.tags.through.objects.filter(
            ticket_id=OuterRef("pk"), tag__name=f.tag.strip().lower()
        )
        qs = qs.filter(Exists(tagged))
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.type:
        qs = qs.filter(type=f.type)
    if f.priority:
        qs = qs.filter(priority=f.priority)
    if f.updated_since is not None:
        qs = qs.filter(updated_at__gte=f.updated_since)
    if f.solved_since is not None:
        qs = qs.filter(solved_at__gte=f.solved_since)
    if f.overdue_at is not None:
        qs = qs.filter(pk__in=overdue_ticket_ids(now=f.overdue_at))
    return qs


def overdue_ticket_ids(*, now: dt.datetime) -> QuerySet[Commitment, Any]:
    """Open tickets with a promise to the customer that is past due and not yet kept."""
    return Commitment.objects.filter(
        status=CommitmentStatus.PENDING,
        due_at__lt=now,
        ticket__status__in=list(OPEN_STATUSES),
    ).values("ticket_id")


def ticket_list(
    *,
    user: User,
    filters: TicketFilters,
    order: str = "-updated_at",
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Ticket]:
    """A page of the tickets the user may see, in one query; see ticket_extras()."""
    if order not in ORDERINGS:
        raise ValidationFailed(
            TicketErrorCode.INVALID_ORDER,
            _("order must be one of %(choices)s.") % {"choices": ", ".join(ORDERINGS)},
            field="order",
        )
    qs = _filtered(tickets_visible_to(user=user), filters)
    qs = qs.select_related("requester", "organization", "assignee", "team")
    return keyset_page(qs, ordering=ORDERINGS[order], cursor=cursor, limit=limit)


def ticket_messages(*, user: User, ticket: Ticket) -> list[Message]:
    """The conversation, oldest first; internal notes only for staff. Three queries."""
    qs = Message.objects.filter(ticket=ticket)
    if not user.is_staff_member:
        qs = qs.filter(is_public=True)
    return list(
        qs.select_related("author_user", "author_customer")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("created_at", "id")
    )


def ticket_events(*, user: User, ticket: Ticket) -> list[TicketEvent]:
    if not user.is_staff_member:
        raise PermissionDenied(_("The event log is for agents."))
    return list(
        TicketEvent.objects.filter(ticket=ticket).select_related("actor").order_by("at", "id")
    )


def ticket_commitments(*, user: User, ticket: Ticket) -> list[Commitment]:
    if not user.is_staff_member:
        raise PermissionDenied(_("Commitments are for agents."))
    return list(
        Commitment.objects.filter(ticket=ticket).select_related("made_by").order_by("due_at", "id")
    )


def commitment_get_for_user(*, user: User, commitment_id: int) -> Commitment:
    if not user.is_staff_member:
        raise NotFound("commitment", commitment_id)
    commitment = Commitment.objects.select_related("ticket").filter(pk=commitment_id).first()
    if commitment is None:
        raise NotFound("commitment", commitment_id)
    return commitment


def attachment_get_for_user(*, user: User, attachment_id: int) -> Attachment:
    """An attachment on a ticket the user may see; internal notes' ones only for staff."""
    attachment = Attachment.objects.select_related("message").filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("attachment", attachment_id)
    message = attachment.message
    if not tickets_visible_to(user=user).filter(pk=message.ticket_id).exists() or (
        not message.is_public and not user.is_staff_member
    ):
        raise NotFound("attachment", attachment_id)
    return attachment


def tickets_by_ids(*, user: User, ids: list[int]) -> list[Ticket]:
    """Visible tickets among ``ids``, in the order given."""
    rows = {
        t.pk: t
        for t in tickets_visible_to(user=user)
        .filter(pk__in=ids)
        .select_related("requester", "assignee", "team", "organization")
    }
    return [rows[i] for i in ids if i in rows]


@dataclass(frozen=True)
class TicketExtras:
    """What a ticket row shows beyond its joined columns, for a whole page at once."""

    tags: dict[int, list[str]]
    emails: dict[int, str]

    def tags_of(self, ticket: Ticket) -> list[str]:
        return self.tags.get(ticket.pk, [])

    def email_of(self, customer_id: int | None) -> str | None:
        return self.emails.get(customer_id) if customer_id is not None else None


def ticket_extras(
    *, tickets: Sequence[Ticket], customer_ids: Iterable[int] = (), with_tags: bool = True
) -> TicketExtras:
    """Tag names and requester emails for these tickets in two flat queries (no per-row
    querysets, which cost more than the rows at 50 tickets a page)."""
    ids = [t.pk for t in tickets]
    tags: dict[int, list[str]] = defaultdict(list)
    rows = (
        Ticket.tags.through.objects.filter(ticket_id__in=ids)
        .order_by("tag__name")
        .values_list("ticket_id", "tag__name")
    )
    for ticket_id, name in rows if with_tags else ():
        tags[ticket_id].append(name)
    wanted = {t.requester_id for t in tickets} | set(customer_ids)
    return TicketExtras(tags=dict(tags), emails=customer_emails(customer_ids=wanted))
