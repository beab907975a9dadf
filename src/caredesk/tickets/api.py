"""Tickets, their messages, events, commitments and attachments over JSON."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from caredesk.accounts.gates import actor, admin_actor, staff_actor
from caredesk.accounts.models import User
from caredesk.accounts.selectors import staff_get, team_get
from caredesk.core.api import PageOut, found_or_404, page
from caredesk.core.errors import PermissionDenied, ValidationFailed
from caredesk.core.schemas import InputSchema
from caredesk.customers.selectors import customer_emails, customer_get_brief
from caredesk.customers.services import customer_get_or_create_by_email
from caredesk.tickets.canned import canned_for_agent, canned_reply_delete, canned_reply_save
from caredesk.tickets.downloads import attachment_response
from caredesk.tickets.enums import CommitmentStatus
from caredesk.tickets.errors import TicketErrorCode
from caredesk.tickets.models import CannedReply, Commitment, Message, Ticket
from caredesk.tickets.schemas import (
    AttachmentIn,
    CannedReplyIn,
    CannedReplyOut,
    CommitmentIn,
    CommitmentOut,
    EventOut,
    MergeIn,
    MessageIn,
    MessageOut,
    ResolveIn,
    TicketDetailOut,
    TicketIn,
    TicketOut,
    TicketPatch,
    TicketWithConversationOut,
)
from caredesk.tickets.selectors import (
    TicketExtras,
    TicketFilters,
    attachment_get_for_user,
    commitment_get_for_user,
    ticket_commitments,
    ticket_events,
    ticket_extras,
    ticket_get_for_user,
    ticket_list,
    ticket_messages,
)
from caredesk.tickets.services import (
    AttachmentData,
    commitment_create,
    commitment_resolve,
    message_add,
    ticket_create,
    ticket_merge,
    ticket_update,
)

tickets = Router(tags=["tickets"])
other = Router(tags=["tickets"])


def ticket_out(t: Ticket, extras: TicketExtras) -> dict[str, Any]:
    """One ticket as the API shows it; ``extras`` holds its tags and requester's email."""
    a = t.assignee
    return {
        "id": t.pk,
        "subject": t.subject,
        "status": t.status,
        "priority": t.priority,
        "type": t.type,
        "channel": t.channel,
        "requester": {
            "id": t.requester.pk,
            "name": t.requester.name,
            "email": extras.email_of(t.requester_id),
        },
        "organization": {"id": t.organization.pk, "name": t.organization.name}
        if t.organization
        else None,
        "assignee": {"id": a.pk, "email": a.email, "name": a.display_name, "role": a.role}
        if a
        else None,
        "team": {"id": t.team.pk, "name": t.team.name} if t.team else None,
        "tags": extras.tags_of(t),
        "custom_fields": t.custom_fields,
        "version": t.version,
        "external_id": t.external_id,
        "merged_into_id": t.merged_into_id,
        "first_response_at": t.first_response_at,
        "solved_at": t.solved_at,
        "closed_at": t.closed_at,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
    }


def _detail(user: User, ticket_id: int) -> dict[str, Any]:
    return _detail_of(ticket_get_for_user(user=user, ticket_id=ticket_id))


def _detail_of(t: Ticket, *, has_ccs: bool = True, has_tags: bool = True) -> dict[str, Any]:
    """A ticket with its CCs; its foreign keys must be loaded already. A caller that
    knows the ticket has no CCs or tags (it just created it) saves their queries."""
    ccs = list(t.ccs.all()) if has_ccs else []
    extras = ticket_extras(tickets=[t], customer_ids=[c.pk for c in ccs], with_tags=has_tags)
    out = ticket_out(t, extras)
    out["ccs"] = [{"id": c.pk, "name": c.name, "email": extras.email_of(c.pk)} for c in ccs]
    return out


def tickets_out(tickets: list[Ticket]) -> list[dict[str, Any]]:
    """A page of tickets in three queries whatever its length (rows, tags, emails)."""
    extras = ticket_extras(tickets=tickets)
    return [ticket_out(t, extras) for t in tickets]


def message_out(m: Message, emails: dict[int, str]) -> dict[str, Any]:
    """One message; ``emails`` maps customer ids to their email (customer_emails)."""
    if m.author_customer is not None and m.author_role == "customer":
        author = {
            "email": emails.get(m.author_customer.pk),
            "name": m.author_customer.name,
            "role": "customer",
        }
    elif m.author_user is not None:
        author = {
            "email": m.author_user.email,
            "name": m.author_user.display_name,
            "role": m.author_role,
        }
    else:
        author = {"email": None, "name": "caredesk", "role": m.author_role}
    return {
        "id": m.pk,
        "ticket_id": m.ticket_id,
        "public": m.is_public,
        "author": author,
        "channel": m.channel,
        "text": m.text,
        "html": m.html,
        "created_at": m.created_at,
        "attachments": [
            {
                "id": a.pk,
                "filename": a.filename,
                "size": a.size,
                "content_type": a.content_type,
                "sha256": a.sha256,
                "download_url": reverse(
                    "api-v1:attachment_download", kwargs={"attachment_id": a.pk}
                ),
            }
            for a in m.attachments.all()
        ],
    }


def messages_out(messages: list[Message]) -> list[dict[str, Any]]:
    emails = customer_emails(
        customer_ids={m.author_customer_id for m in messages if m.author_customer_id is not None}
    )
    return [message_out(m, emails) for m in messages]


def _attachments(items: list[AttachmentIn]) -> list[AttachmentData]:
    out = []
    for i, item in enumerate(items):
        try:
            data = base64.b64decode(item.data_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed(
                TicketErrorCode.INVALID_ATTACHMENT,
                _("data_base64 is not valid base64."),
                field=f"attachments.{i}.data_base64",
            ) from None
        out.append(
            AttachmentData(filename=item.filename, content_type=item.content_type, data=data)
        )
    return out


class TicketQuery(InputSchema):
    status: list[str] | None = None
    open: bool = False
    assignee_id: int | None = None
    unassigned: bool = False
    team_id: int | None = None
    requester_id: int | None = None
    organization_id: int | None = None
    tag: str | None = None
    channel: str | None = None
    type: str | None = None
    priority: str | None = None
    updated_since: dt.datetime | None = None
    order: str = "-updated_at"
    cursor: str | None = None
    limit: int = 50


@tickets.get("", response=PageOut[TicketOut])
def list_tickets(request: HttpRequest, q: Query[TicketQuery]) -> dict[str, Any]:
    """Tickets the caller may see, keyset-paginated: pass next_cursor back as cursor."""
    filters = TicketFilters(**q.model_dump(exclude={"order", "cursor", "limit"}))
    result = ticket_list(
        user=actor(request), order=q.order, cursor=q.cursor, limit=q.limit, filters=filters
    )
    return page(tickets_out(result.items), result.next_cursor)


@tickets.post("", response={201: TicketDetailOut})
def create_ticket(request: HttpRequest, body: TicketIn) -> Status[dict[str, Any]]:
    user = actor(request)
    if user.is_staff_member:
        if body.requester_id is not None:
            requester = customer_get_brief(user=user, customer_id=body.requester_id)
        elif body.requester_email:
            requester = customer_get_or_create_by_email(
                email=body.requester_email, name=body.requester_name
            )
        else:
            raise ValidationFailed(
                TicketErrorCode.REQUESTER_REQUIRED,
                _("Give requester_id or requester_email."),
                field="requester_id",
            )
    else:
        if user.customer is None:
            raise PermissionDenied(_("This account is not linked to a customer."))
        if body.assignee_id or body.team_id or body.tags or body.custom_fields:
            raise PermissionDenied(_("Customers cannot set assignee, team, tags or custom fields."))
        requester = user.customer
    ticket = ticket_create(
        requester=requester,
        subject=body.subject,
        text=body.text,
        html=body.html,
        actor=user,
        channel=body.channel,
        type=body.type,
        priority=body.priority,
        assignee=staff_get(user_id=body.assignee_id) if body.assignee_id else None,
        team=team_get(team_id=body.team_id) if body.team_id else None,
        tags=body.tags,
        custom_fields=body.custom_fields,
        cc_emails=body.cc,
        attachments=_attachments(body.attachments),
        external_id=body.external_id,
    )
    return Status(201, _detail_of(ticket, has_ccs=bool(body.cc), has_tags=bool(body.tags)))


@tickets.get("/{ticket_id}", response=TicketWithConversationOut)
def get_ticket(
    request: HttpRequest, ticket_id: int, include: Literal["messages"] | None = None
) -> dict[str, Any]:
    """A ticket; with include=messages also its conversation, in one request."""
    user = actor(request)
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    out = _detail_of(ticket)
    if include == "messages":
        out["messages"] = messages_out(ticket_messages(user=user, ticket=ticket))
    return out


@tickets.patch("/{ticket_id}", response=TicketDetailOut)
def patch_ticket(request: HttpRequest, ticket_id: int, body: TicketPatch) -> dict[str, Any]:
    user = actor(request)
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    changes = body.model_dump(exclude_unset=True)
    version = changes.pop("version", None)
    if "assignee_id" in changes:
        aid = changes.pop("assignee_id")
        changes["assignee"] = staff_get(user_id=aid) if aid else None
    if "team_id" in changes:
        tid = changes.pop("team_id")
        changes["team"] = team_get(team_id=tid) if tid else None
    for key in ("subject", "status", "priority", "type", "tags", "custom_fields"):
        if key in changes and changes[key] is None:
            raise ValidationFailed(
                TicketErrorCode.INVALID_NULL, _("%(key)s cannot be null.") % {"key": key}, field=key
            )
    ticket_update(ticket=ticket, actor=user, changes=changes, expected_version=version)
    return _detail(user, ticket_id)


@tickets.get("/{ticket_id}/messages", response=list[MessageOut])
def list_messages(request: HttpRequest, ticket_id: int) -> list[dict[str, Any]]:
    """The conversation, oldest first; internal notes are shown to agents only."""
    user = actor(request)
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    return messages_out(ticket_messages(user=user, ticket=ticket))


@tickets.post("/{ticket_id}/messages", response={201: MessageOut})
def add_message(request: HttpRequest, ticket_id: int, body: MessageIn) -> Status[dict[str, Any]]:
    """Reply (public) or add an internal note (public=false, agents only)."""
    user = actor(request)
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    message = message_add(
        ticket=ticket,
        author=user,
        text=body.text,
        html=body.html,
        is_public=body.public,
        channel="api",
        attachments=_attachments(body.attachments),
        status_after=body.status,
        expected_version=body.version,
    )
    fresh = (
        Message.objects.select_related("author_user", "author_customer")
        .prefetch_related("attachments")
        .get(pk=message.pk)
    )
    return Status(201, messages_out([fresh])[0])


@tickets.get("/{ticket_id}/events", response=list[EventOut])
def list_events(request: HttpRequest, ticket_id: int) -> list[dict[str, Any]]:
    user = actor(request)
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    return [
        {
            "id": e.pk,
            "at": e.at,
            "actor": e.actor.email if e.actor else None,
            "kind": e.kind,
            "field": e.field,
            "old_value": e.old_value,
            "new_value": e.new_value,
        }
        for e in ticket_events(user=user, ticket=ticket)
    ]


def commitment_out(c: Commitment, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": c.pk,
        "ticket_id": c.ticket_id,
        "description": c.description,
        "due_at": c.due_at,
        "status": c.status,
        "made_by": c.made_by.email if c.made_by else None,
        "resolved_at": c.resolved_at,
        "overdue": c.status == CommitmentStatus.PENDING and c.due_at < now,
    }


@tickets.get("/{ticket_id}/commitments", response=list[CommitmentOut])
def list_commitments(request: HttpRequest, ticket_id: int) -> list[dict[str, Any]]:
    user = actor(request)
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    now = timezone.now()
    return [commitment_out(c, now) for c in ticket_commitments(user=user, ticket=ticket)]


@tickets.post("/{ticket_id}/commitments", response={201: CommitmentOut})
def add_commitment(
    request: HttpRequest, ticket_id: int, body: CommitmentIn
) -> Status[dict[str, Any]]:
    user = actor(request)
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    c = commitment_create(
        ticket=ticket, actor=user, description=body.description, due_at=body.due_at
    )
    return Status(201, commitment_out(c, timezone.now()))


@tickets.post("/{ticket_id}/merge", response=TicketDetailOut)
def merge(request: HttpRequest, ticket_id: int, body: MergeIn) -> dict[str, Any]:
    """Merge this ticket into ``into_id``; answers with the ticket merged into."""
    user = actor(request)
    source = ticket_get_for_user(user=user, ticket_id=ticket_id)
    target = ticket_get_for_user(user=user, ticket_id=body.into_id)
    ticket_merge(source=source, target=target, actor=user)
    return _detail(user, target.pk)


@other.post("/commitments/{commitment_id}/resolve", response=CommitmentOut)
def resolve_commitment(request: HttpRequest, commitment_id: int, body: ResolveIn) -> dict[str, Any]:
    user = actor(request)
    c = commitment_get_for_user(user=user, commitment_id=commitment_id)
    commitment_resolve(commitment=c, actor=user, status=body.status)
    return commitment_out(c, timezone.now())


@other.get("/attachments/{attachment_id}", url_name="attachment_download", response={200: None})
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    """The file, always as a download: never rendered inline from caredesk's origin."""
    a = attachment_get_for_user(user=actor(request), attachment_id=attachment_id)
    return attachment_response(a)


@other.get("/canned-replies", response=list[CannedReplyOut])
def canned_replies(request: HttpRequest) -> list[CannedReply]:
    """The canned replies the agent may use: those for everyone and their teams'."""
    return list(canned_for_agent(user=staff_actor(request)))


@other.post("/canned-replies", response={201: CannedReplyOut})
def canned_reply_create(request: HttpRequest, body: CannedReplyIn) -> Status[CannedReply]:
    admin_actor(request)
    return Status(201, canned_reply_save(reply=None, data=body.model_dump()))


@other.put("/canned-replies/{reply_id}", response=CannedReplyOut)
def canned_reply_replace(request: HttpRequest, reply_id: int, body: CannedReplyIn) -> CannedReply:
    admin_actor(request)
    reply = found_or_404(CannedReply.objects.all(), reply_id, "canned reply")
    return canned_reply_save(reply=reply, data=body.model_dump())


@other.delete("/canned-replies/{reply_id}", response={204: None})
def canned_reply_remove(request: HttpRequest, reply_id: int) -> Status[None]:
    admin_actor(request)
    canned_reply_delete(reply=found_or_404(CannedReply.objects.all(), reply_id, "canned reply"))
    return Status(204, None)
