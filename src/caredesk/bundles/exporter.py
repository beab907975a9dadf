"""Export everything as a JSON Lines bundle that bundle_import reads back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch

from caredesk.bundles.lines import iso
from caredesk.customers.models import ContactPoint, Customer, CustomerNote, Organization, Purchase
from caredesk.surveys.models import SurveyResponse
from caredesk.tickets.enums import AuthorRole, EventKind
from caredesk.tickets.models import Message, Ticket, TicketEvent

CHUNK = 500


def _ext(obj: Any, kind: str) -> str:
    return str(obj.external_id or f"caredesk:{kind}:{obj.pk}")


def _email(customer: Customer | None) -> str | None:
    if customer is None:
        return None
    for contact in customer.contacts.all():
        if contact.kind == "email":
            return str(contact.value)
    return None


def _dump(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=False)


def bundle_export() -> Iterator[str]:
    """Yield the bundle line by line (without newlines), in an order that imports cleanly:
    organisations, customers, purchases, tickets, other survey responses."""
    for org in Organization.objects.order_by("id").iterator(chunk_size=CHUNK):
        yield _dump(
            {
                "kind": "organization",
                "external_id": _ext(org, "organization"),
                "name": org.name,
                "type": org.kind,
                "domains": org.domains,
                "shared_tickets": org.shared_tickets,
                "notes": org.notes,
                "custom_fields": org.custom_fields,
                "created_at": iso(org.created_at),
            }
        )
    contacts = Prefetch("contacts", queryset=ContactPoint.objects.order_by("-is_primary", "id"))
    customers = Customer.objects.select_related("organization").prefetch_related(
        contacts,
        Prefetch(
            "notes",
            queryset=CustomerNote.objects.select_related("author").order_by("created_at", "id"),
        ),
    )
    for c in customers.order_by("id").iterator(chunk_size=CHUNK):
        items = list(c.contacts.all())
        yield _dump(
            {
                "kind": "customer",
                "external_id": _ext(c, "customer"),
                "name": c.name,
                "emails": [x.value for x in items if x.kind == "email"],
                "phones": [x.value for x in items if x.kind == "phone"],
                "socials": [x.value for x in items if x.kind == "social"],
                "organization": _ext(c.organization, "organization") if c.organization else None,
                "custom_fields": c.custom_fields,
                "notes": [
                    {
                        "at": iso(n.created_at),
                        "author": n.author.email if n.author else None,
                        "text": n.text,
                    }
                    for n in c.notes.all()
                ],
                "created_at": iso(c.created_at),
            }
        )
    for p in Purchase.objects.select_related("customer").order_by("id").iterator(chunk_size=CHUNK):
        yield _dump(
            {
                "kind": "purchase",
                "external_id": _ext(p, "purchase"),
                "customer": _ext(p.customer, "customer"),
                "at": iso(p.purchased_at),
                "amount": str(p.amount),
                "currency": p.currency,
                "product": p.product,
            }
        )
    yield from _tickets()
    for s in (
        SurveyResponse.objects.exclude(kind="csat", ticket__isnull=False)
        .select_related("customer", "ticket")
        .prefetch_related("customer__contacts")
        .order_by("id")
        .iterator(chunk_size=CHUNK)
    ):
        yield _dump(
            {
                "kind": "survey_response",
                "survey": s.kind,
                "email": _email(s.customer),
                "score": s.score,
                "at": iso(s.responded_at),
                "external_id": _ext(s, "survey"),
                "ticket": _ext(s.ticket, "ticket") if s.ticket else None,
                "comment": s.comment,
            }
        )


def _tickets() -> Iterator[str]:
    qs = Ticket.objects.select_related("requester", "assignee", "team").prefetch_related(
        "tags",
        "requester__contacts",
        "ccs__contacts",
        Prefetch(
            "messages",
            queryset=Message.objects.select_related("author_user", "author_customer")
            .prefetch_related("author_customer__contacts")
            .exclude(author_role=AuthorRole.SYSTEM)
            .order_by("created_at", "id"),
        ),
        Prefetch(
            "events",
            queryset=TicketEvent.objects.filter(kind=EventKind.CHANGED, field="status")
            .select_related("actor")
            .order_by("at", "id"),
            to_attr="status_events",
        ),
        Prefetch(
            "survey_responses",
            queryset=SurveyResponse.objects.filter(kind="csat").order_by("id"),
            to_attr="csats",
        ),
    )
    for t in qs.order_by("id").iterator(chunk_size=CHUNK):
        yield _dump(_ticket_line(t))


def _ticket_line(t: Ticket) -> dict[str, Any]:
    timeline: list[tuple[Any, int, int, dict[str, Any]]] = []
    for m in t.messages.all():
        event: dict[str, Any] = {"at": iso(m.created_at), "type": "message"}
        if m.author_role == AuthorRole.CUSTOMER:
            event.update({"from": "customer", "author": _email(m.author_customer)})
        else:
            event.update(
                {"from": "agent", "author": m.author_user.email if m.author_user else None}
            )
        event["text"] = m.text
        if m.html:
            event["html"] = m.html
        if not m.is_public:
            event["public"] = False
        timeline.append((m.created_at, 0, m.pk, event))
    for e in t.status_events:  # type: ignore[attr-defined]  # to_attr prefetch
        timeline.append(
            (
                e.at,
                1,
                e.pk,
                {
                    "at": iso(e.at),
                    "type": "status",
                    "status": e.new_value,
                    "author": e.actor.email if e.actor else None,
                },
            )
        )
    timeline.sort(key=lambda row: row[:3])
    line: dict[str, Any] = {
        "kind": "ticket",
        "external_id": _ext(t, "ticket"),
        "subject": t.subject,
        "created_at": iso(t.created_at),
        "requester": _email(t.requester),
        "requester_customer": None if _email(t.requester) else _ext(t.requester, "customer"),
        "requester_name": t.requester.name,
        "channel": t.channel,
        "type": t.type,
        "priority": t.priority,
        "status": t.status,
        "assignee": t.assignee.email if t.assignee else None,
        "team": t.team.name if t.team else None,
        "tags": [tag.name for tag in t.tags.all()],
        "custom_fields": t.custom_fields,
        "cc": sorted(e for e in (_email(c) for c in t.ccs.all()) if e),
        "events": [row[3] for row in timeline],
    }
    csats = t.csats  # type: ignore[attr-defined]  # to_attr prefetch
    if csats:
        line["csat"] = {"score": csats[-1].score, "at": iso(csats[-1].responded_at)}
    return line
