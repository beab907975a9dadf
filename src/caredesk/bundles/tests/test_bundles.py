import json
from typing import Any

import pytest

from caredesk.accounts.models import User
from caredesk.bundles.exporter import bundle_export
from caredesk.bundles.importer import bundle_import
from caredesk.customers.models import Customer, Organization, Purchase
from caredesk.customers.services import customer_create
from caredesk.surveys.models import SurveyResponse
from caredesk.tickets.factories import ticket_make
from caredesk.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db

BUNDLE: list[dict[str, Any]] = [
    {
        "kind": "organization",
        "external_id": "org-1",
        "name": "Northwind",
        "type": "external",
        "domains": ["northwind.example"],
    },
    {"kind": "organization", "external_id": "org-2", "name": "Finance", "type": "internal"},
    {
        "kind": "customer",
        "external_id": "cus-1",
        "name": "Ana Silva",
        "emails": ["ana@northwind.example"],
        "phones": ["+351 21 000 0000"],
        "organization": "org-1",
        "custom_fields": {"plan": "pro"},
        "notes": [{"at": "2024-01-02T09:00:00Z", "author": "lead@desk.example", "text": "VIP"}],
    },
    {
        "kind": "purchase",
        "external_id": "pur-1",
        "customer": "cus-1",
        "at": "2024-01-05T10:00:00Z",
        "amount": "199.00",
        "currency": "EUR",
        "product": "Router",
    },
    {
        "kind": "ticket",
        "external_id": "tic-1",
        "subject": "Router dead",
        "created_at": "2024-02-01T08:00:00Z",
        "requester": "ana@northwind.example",
        "channel": "email",
        "type": "incident",
        "priority": "high",
        "tags": ["hardware"],
        "events": [
            {
                "at": "2024-02-01T08:00:00Z",
                "type": "message",
                "from": "customer",
                "author": "ana@northwind.example",
                "text": "It is dead.",
            },
            {
                "at": "2024-02-01T09:30:00Z",
                "type": "message",
                "from": "agent",
                "author": "bo@desk.example",
                "text": "Sending a new one.",
            },
            {
                "at": "2024-02-01T09:31:00Z",
                "type": "message",
                "from": "agent",
                "author": "bo@desk.example",
                "text": "RMA 42",
                "public": False,
            },
            {"at": "2024-02-02T10:00:00Z", "type": "status", "status": "solved"},
        ],
        "csat": {"score": 5, "at": "2024-02-02T12:00:00Z"},
    },
    {
        "kind": "survey_response",
        "survey": "nps",
        "email": "ana@northwind.example",
        "score": 9,
        "at": "2024-03-01T00:00:00Z",
    },
]


def _lines(items: list) -> list[str]:
    return [json.dumps(i) for i in items]


def test_import_keeps_original_times_and_derives_state() -> None:
    report = bundle_import(lines=_lines(BUNDLE))
    assert report.errors == []
    assert dict(report.created) == {
        "organization": 2,
        "customer": 1,
        "purchase": 1,
        "ticket": 1,
        "survey_response": 1,
    }
    ticket = Ticket.objects.get(external_id="tic-1")
    assert ticket.created_at.isoformat() == "2024-02-01T08:00:00+00:00"
    assert ticket.status == "solved"
    assert ticket.first_response_at.isoformat() == "2024-02-01T09:30:00+00:00"
    assert ticket.solved_at.isoformat() == "2024-02-02T10:00:00+00:00"
    assert ticket.updated_at.isoformat() == "2024-02-02T10:00:00+00:00"
    assert ticket.organization.external_id == "org-1"
    assert [m.is_public for m in Message.objects.filter(ticket=ticket)] == [True, True, False]
    assert SurveyResponse.objects.get(kind="csat").ticket == ticket
    customer = Customer.objects.get(external_id="cus-1")
    assert customer.notes.get().created_at.isoformat() == "2024-01-02T09:00:00+00:00"
    assert str(customer.lifetime_value) == "199.00"


def test_import_is_idempotent() -> None:
    bundle_import(lines=_lines(BUNDLE))
    again = bundle_import(lines=_lines(BUNDLE))
    assert again.errors == []
    assert sum(again.created.values()) == 0
    assert sum(again.updated.values()) == 0  # nothing differs, so nothing is "updated"
    assert dict(again.unchanged) == {
        "organization": 2,
        "customer": 1,
        "purchase": 1,
        "ticket": 1,
        "survey_response": 1,
    }
    assert (
        Ticket.objects.count(),
        Message.objects.count(),
        Purchase.objects.count(),
        SurveyResponse.objects.count(),
        Organization.objects.count(),
    ) == (1, 3, 1, 2, 2)


def test_bad_lines_are_reported_with_numbers_and_skipped() -> None:
    lines = [
        *_lines(BUNDLE[:3]),
        "{not json",
        json.dumps({"kind": "martian"}),
        json.dumps(
            {
                "kind": "ticket",
                "external_id": "t-bad",
                "subject": "x",
                "created_at": "2024-01-01T00:00:00",
                "requester": "a@b.org",
            }
        ),
        json.dumps(
            {
                "kind": "purchase",
                "external_id": "p-bad",
                "customer": "nobody",
                "at": "2024-01-01T00:00:00Z",
                "amount": "1",
                "product": "x",
            }
        ),
        json.dumps(
            {
                "kind": "survey_response",
                "survey": "nps",
                "email": "a@b.org",
                "score": 11,
                "at": "2024-01-01T00:00:00Z",
            }
        ),
        "",
        *_lines(BUNDLE[3:5]),
    ]
    report = bundle_import(lines=lines)
    assert [e.line for e in report.errors] == [4, 5, 6, 7, 8]
    assert "not valid JSON" in report.errors[0].message
    assert "created_at" in report.errors[2].message
    assert "between 0 and 10" in report.errors[4].message
    assert Ticket.objects.filter(external_id="tic-1").exists()
    assert Customer.objects.filter(external_id="cus-1").exists()


def test_export_then_import_into_empty_database_round_trips() -> None:
    bundle_import(lines=_lines(BUNDLE))

    phone_only = customer_create(name="Phone Only", phones=["+4930123456"])
    ticket_make(requester=phone_only, subject="Called about the router")
    first = list(bundle_export())
    for model in (SurveyResponse, Message, Ticket, Purchase, Customer, Organization):
        model.objects.all().delete()

    User.objects.all().delete()
    report = bundle_import(lines=first)
    assert report.errors == []
    assert list(bundle_export()) == first


def test_nul_characters_in_a_bundle_are_dropped_not_fatal() -> None:
    line = dict(
        BUNDLE[4],
        external_id="tic-nul",
        subject="Nul\u0000 subject",
        events=[
            {
                "at": "2024-02-01T08:00:00Z",
                "type": "message",
                "from": "customer",
                "author": "ana@northwind.example",
                "text": "bad\u0000byte",
            }
        ],
        csat=None,
    )
    report = bundle_import(lines=_lines([line]))
    assert report.errors == []
    ticket = Ticket.objects.get(external_id="tic-nul")
    assert ticket.subject == "Nul subject"
    assert ticket.messages.get().text == "badbyte"


def test_a_changed_record_is_reported_updated() -> None:
    bundle_import(lines=_lines(BUNDLE))
    renamed = [dict(BUNDLE[2], name="Ana Silva-Costa"), dict(BUNDLE[0], shared_tickets=True)]
    report = bundle_import(lines=_lines(renamed))
    assert dict(report.updated) == {"customer": 1, "organization": 1}
    assert Customer.objects.get(external_id="cus-1").name == "Ana Silva-Costa"
