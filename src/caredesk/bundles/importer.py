"""Import a JSON Lines bundle; idempotent by external_id, a bad line never stops the rest."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError

from caredesk.accounts.models import Team, User
from caredesk.accounts.services import staff_user_get_or_create
from caredesk.analytics.rollups import rollups_forget
from caredesk.bundles.errors import BundleErrorCode
from caredesk.bundles.lines import (
    LINE,
    CustomerLine,
    MessageEvent,
    OrganizationLine,
    PurchaseLine,
    SurveyResponseLine,
    TicketLine,
)
from caredesk.core.errors import DomainError
from caredesk.customers.indexing import search_index_customer
from caredesk.customers.models import ContactPoint, Customer, CustomerNote, Organization, Purchase
from caredesk.customers.services import (
    contact_normalize,
    customer_create,
    customer_get_or_create_by_email,
    customer_update,
    organization_create,
    organization_update,
    purchase_create,
)
from caredesk.surveys.models import SurveyResponse
from caredesk.surveys.services import survey_response_record
from caredesk.tickets.models import Ticket
from caredesk.tickets.services.history import HistoryMessage, HistoryStatus, ticket_import_history

MAX_LINE = 50 * 1024 * 1024


@dataclass
class LineError:
    line: int
    message: str


@dataclass
class ImportReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    errors: list[LineError] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "created": dict(self.created),
            "updated": dict(self.updated),
            "unchanged": dict(self.unchanged),
            "errors": [{"line": e.line, "message": e.message} for e in self.errors],
        }


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "line"
    return f"{where}: {first['msg']}"


def bundle_import(*, lines: Iterable[str | bytes]) -> ImportReport:
    """Import every line of a bundle, each in its own transaction.

    A line that cannot be read or applied is recorded with its line number and skipped;
    what was stored before it stays stored.
    """
    report = ImportReport()
    earliest: dt.datetime | None = None  # of the tickets and survey answers imported
    for number, raw in enumerate(lines, start=1):
        text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
        if not text.strip():
            continue
        if len(text) > MAX_LINE:
            report.errors.append(LineError(number, "line is longer than 50 MB"))
            continue
        try:
            item = LINE.validate_python(json.loads(text))
        except json.JSONDecodeError as exc:
            report.errors.append(LineError(number, f"not valid JSON: {exc.msg}"))
            continue
        except ValidationError as exc:
            report.errors.append(LineError(number, _describe(exc)))
            continue
        try:
            with transaction.atomic():
                outcome = _apply(item)
        except DomainError as exc:
            report.errors.append(LineError(number, exc.message))
            continue
        getattr(report, outcome)[item.kind] += 1
        when = getattr(item, "created_at", None) or getattr(item, "at", None)
        if isinstance(item, TicketLine | SurveyResponseLine) and when is not None:
            earliest = when if earliest is None else min(earliest, when)
    if earliest is not None:  # history carries its own times: the rollups cannot tell
        rollups_forget(earliest, timezone.now())
    return report


def _apply(item: object) -> str:
    if isinstance(item, OrganizationLine):
        return _organization(item)
    if isinstance(item, CustomerLine):
        return _customer(item)
    if isinstance(item, PurchaseLine):
        return _purchase(item)
    if isinstance(item, TicketLine):
        return _ticket(item)
    assert isinstance(item, SurveyResponseLine)
    return _survey(item)


def _organization(line: OrganizationLine) -> str:
    data: dict[str, Any] = {
        "name": line.name,
        "kind": line.type,
        "domains": line.domains,
        "shared_tickets": line.shared_tickets,
        "notes": line.notes,
        "custom_fields": line.custom_fields,
    }
    org = Organization.objects.filter(external_id=line.external_id).first()
    if org is not None:
        before = _org_state(org)
        organization_update(organization=org, data=data)
        return "unchanged" if _org_state(org) == before else "updated"
    org = organization_create(
        external_id=line.external_id,
        name=line.name,
        kind=line.type,
        domains=line.domains,
        shared_tickets=line.shared_tickets,
        notes=line.notes,
        custom_fields=line.custom_fields,
    )
    if line.created_at:
        Organization.objects.filter(pk=org.pk).update(created_at=line.created_at)
    return "created"


def _org_state(org: Organization) -> tuple[Any, ...]:
    return (org.name, org.kind, org.domains, org.shared_tickets, org.notes, org.custom_fields)


def _customer_state(customer: Customer) -> tuple[Any, ...]:
    contacts = sorted(customer.contacts.values_list("kind", "value"))
    notes = customer.notes.count()
    return (customer.name, customer.organization_id, customer.custom_fields, contacts, notes)


def _org_ref(external_id: str | None) -> Organization | None:
    if external_id is None:
        return None
    org = Organization.objects.filter(external_id=external_id).first()
    if org is None:
        raise DomainError(
            BundleErrorCode.UNKNOWN_ORGANIZATION,
            _(
                "organization %(external_id)s is not in the bundle or database; put "
                "organisations before their customers"
            )
            % {"external_id": repr(external_id)},
        )
    return org


def _customer(line: CustomerLine) -> str:
    emails = ([line.email] if line.email else []) + line.emails
    org = _org_ref(line.organization)
    customer = Customer.objects.filter(external_id=line.external_id).first()
    if customer is None and emails:  # known already, e.g. as a requester or a signed-up user
        values = [contact_normalize(kind="email", value=e) for e in emails]
        contact = (
            ContactPoint.objects.filter(kind="email", value__in=values)
            .select_related("customer")
            .first()
        )
        if contact is not None and contact.customer.external_id is None:
            customer = contact.customer
            Customer.objects.filter(pk=customer.pk).update(external_id=line.external_id)
            customer.external_id = line.external_id
    before = _customer_state(customer) if customer is not None else None
    if customer is None:
        customer = customer_create(
            name=line.name,
            emails=emails,
            phones=line.phones,
            socials=line.socials,
            organization=org,
            custom_fields=line.custom_fields,
            external_id=line.external_id,
            created_at=line.created_at,
        )
        outcome = "created"
    else:
        customer_update(
            customer=customer,
            data={
                "name": line.name or customer.name,
                "organization": org or customer.organization,
                "custom_fields": line.custom_fields,
                "emails": emails,
                "phones": line.phones,
                "socials": line.socials,
            },
        )
        if line.created_at:
            Customer.objects.filter(pk=customer.pk).update(created_at=line.created_at)
        outcome = "updated"  # settled below, once the notes are in
    for note in line.notes:
        if not CustomerNote.objects.filter(
            customer=customer, created_at=note.at, text=note.text
        ).exists():
            author = staff_user_get_or_create(email=note.author) if note.author else None
            CustomerNote.objects.create(
                customer=customer,
                author=author,
                text=note.text,
                created_at=note.at,
                updated_at=note.at,
            )
    if before is not None and _customer_state(customer) == before:
        return "unchanged"
    search_index_customer(customer=customer)
    return outcome


def _customer_ref(external_id: str | None, email: str | None) -> Customer:
    if external_id:
        customer = Customer.objects.filter(external_id=external_id).first()
        if customer is not None:
            return customer
        if not email:
            raise DomainError(
                BundleErrorCode.UNKNOWN_CUSTOMER,
                _("customer %(external_id)s is not known; put customers before their purchases")
                % {"external_id": repr(external_id)},
            )
    if not email:
        raise DomainError(
            BundleErrorCode.CUSTOMER_REQUIRED, _("give customer (external_id) or email")
        )
    return customer_get_or_create_by_email(email=email)


def _purchase(line: PurchaseLine) -> str:
    if Purchase.objects.filter(external_id=line.external_id).exists():
        return "unchanged"
    customer = _customer_ref(line.customer, line.email)
    purchase_create(
        customer=customer,
        purchased_at=line.at,
        amount=line.amount,
        currency=line.currency,
        product=line.product,
        external_id=line.external_id,
    )
    return "created"


def _agent(email: str | None) -> User | None:
    return staff_user_get_or_create(email=email) if email else None


def _ticket(line: TicketLine) -> str:
    if Ticket.objects.filter(external_id=line.external_id).exists():
        return "unchanged"
    if line.requester:
        requester = customer_get_or_create_by_email(email=line.requester, name=line.requester_name)
    elif line.requester_customer:
        requester = _customer_ref(line.requester_customer, None)
    else:
        raise DomainError(
            BundleErrorCode.REQUESTER_REQUIRED, _("give requester (email) or requester_customer")
        )
    events: list[HistoryMessage | HistoryStatus] = []
    for event in line.events:
        if isinstance(event, MessageEvent):
            if event.from_ == "customer":
                author_customer = (
                    customer_get_or_create_by_email(email=event.author)
                    if event.author
                    else requester
                )
                events.append(
                    HistoryMessage(
                        at=event.at,
                        author_role="customer",
                        author_user=None,
                        author_customer=author_customer,
                        text=event.text,
                        html=event.html,
                        public=True,
                    )
                )
            else:
                events.append(
                    HistoryMessage(
                        at=event.at,
                        author_role="agent",
                        author_user=_agent(event.author),
                        author_customer=None,
                        text=event.text,
                        html=event.html,
                        public=event.public,
                    )
                )
        else:
            events.append(
                HistoryStatus(at=event.at, status=event.status, actor=_agent(event.author))
            )
    team = Team.objects.get_or_create(name=line.team.strip())[0] if line.team else None
    ticket = ticket_import_history(
        requester=requester,
        subject=line.subject,
        created_at=line.created_at,
        channel=line.channel,
        type=line.type,
        priority=line.priority,
        status=line.status,
        events=events,
        assignee=_agent(line.assignee),
        team=team,
        tags=line.tags,
        custom_fields=line.custom_fields,
        ccs=[customer_get_or_create_by_email(email=e) for e in line.cc],
        external_id=line.external_id,
    )
    if line.csat is not None:
        survey_response_record(
            kind="csat",
            customer=requester,
            score=line.csat.score,
            responded_at=line.csat.at,
            ticket=ticket,
        )
    return "created"


def _survey(line: SurveyResponseLine) -> str:
    customer = customer_get_or_create_by_email(email=line.email)
    same = (
        Q(external_id=line.external_id)
        if line.external_id
        else Q(kind=line.survey, customer=customer, responded_at=line.at, score=line.score)
    )
    if SurveyResponse.objects.filter(same).exists():
        return "unchanged"
    ticket = None
    if line.ticket:
        ticket = Ticket.objects.filter(external_id=line.ticket).first()
        if ticket is None:
            raise DomainError(
                BundleErrorCode.UNKNOWN_TICKET,
                _("ticket %(ticket)s is not known") % {"ticket": repr(line.ticket)},
            )
    survey_response_record(
        kind=line.survey,
        customer=customer,
        score=line.score,
        responded_at=line.at,
        ticket=ticket,
        comment=line.comment,
        external_id=line.external_id,
    )
    return "created"
