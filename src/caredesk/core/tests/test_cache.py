"""Cached configuration is dropped whenever it changes, by whatever path; blobs are
written whole or not at all."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from caredesk.core.custom_fields import custom_fields_clean
from caredesk.core.errors import ValidationFailed
from caredesk.core.models import CustomField
from caredesk.core.storage import blob_open, blob_store
from caredesk.customers.models import Organization
from caredesk.customers.services import customer_get_or_create_by_email
from caredesk.sla.models import SlaPolicy, TicketSla
from caredesk.tickets.factories import ticket_make

pytestmark = pytest.mark.django_db


def test_a_new_sla_policy_applies_to_the_next_ticket_at_once() -> None:
    assert not TicketSla.objects.filter(ticket=ticket_make()).exists()  # cached: no policy
    SlaPolicy.objects.create(name="Everyone", first_response_minutes=60)
    assert TicketSla.objects.get(ticket=ticket_make()).policy.name == "Everyone"
    SlaPolicy.objects.update(active=False)  # a bulk update sends no signal…
    SlaPolicy.objects.get().save()  # …but the next save through the model clears it
    assert not TicketSla.objects.filter(ticket=ticket_make()).exists()


def test_custom_field_definitions_are_read_again_after_a_change() -> None:
    assert custom_fields_clean(entity="ticket", values={}) == {}
    field = CustomField.objects.create(entity="ticket", key="plan", label="Plan", required=True)
    with pytest.raises(ValidationFailed, match="plan"):
        custom_fields_clean(entity="ticket", values={})
    field.delete()
    assert custom_fields_clean(entity="ticket", values={}) == {}


def test_a_new_organisation_domain_takes_the_next_new_customer() -> None:
    assert customer_get_or_create_by_email(email="a@acme.example").organization is None
    acme = Organization.objects.create(name="ACME", domains=["acme.example"])
    assert customer_get_or_create_by_email(email="b@acme.example").organization == acme
    assert customer_get_or_create_by_email(email="c@ACME.example").organization == acme


def test_a_blob_is_stored_once_and_a_failed_write_leaves_nothing_behind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = blob_store(data=b"hello", namespace="test")
    again = blob_store(data=b"hello", namespace="test")
    assert first == again
    assert blob_open(first.path) == b"hello"
    folder = Path(default_storage.path(first.path)).parent
    assert [p.name for p in folder.iterdir()] == [first.sha256]

    def broken(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="No space"):
        blob_store(data=b"never whole", namespace="test")
    monkeypatch.undo()
    target = Path(default_storage.path(blob_store(data=b"whole", namespace="test").path))
    assert target.read_bytes() == b"whole"
    leftovers = list(target.parent.parent.rglob(".*"))
    assert leftovers == []  # no temporary file
    never = hashlib.sha256(b"never whole").hexdigest()
    assert not list(target.parent.parent.rglob(never))  # nothing under its final name
