"""Full-text search over tickets and customers, restricted to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection

from caredesk.accounts.models import User
from caredesk.search.models import DocKind
from caredesk.search.query import fts5_match, terms, tsquery_text

MAX_RESULTS = 50


@dataclass
class Hits:
    ticket_ids: list[int]
    customer_ids: list[int]


def _sqlite_ids(
    words: list[str], kinds: list[str], scope: tuple[int | None, int | None] | None, limit: int
) -> list[int]:
    sql = (
        "SELECT e.object_id FROM search_fts JOIN search_searchentry e "
        "ON e.id = search_fts.rowid WHERE search_fts MATCH %s"
    )
    params: list[Any] = [fts5_match(words, kinds=kinds)]
    if scope is not None:
        customer_id, organization_id = scope
        sql += " AND (e.customer_id = %s OR e.organization_id = %s)"
        params += [customer_id, organization_id if organization_id is not None else -1]
    # Newest documents first: FTS5 walks its doclists in rowid order and stops at LIMIT.
    sql += " ORDER BY search_fts.rowid DESC LIMIT %s"
    params.append(limit * 2)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [int(r[0]) for r in cursor.fetchall()]
    return _distinct(rows, limit)


def _postgres_ids(
    words: list[str], kinds: list[str], scope: tuple[int | None, int | None] | None, limit: int
) -> list[int]:
    # "document" is the stored tsvector column (migration search/0002), not on the model.
    sql = (
        "SELECT object_id FROM search_searchentry "
        "WHERE document @@ plainto_tsquery('english'::regconfig, %s) AND kind = ANY(%s)"
    )
    params: list[Any] = [tsquery_text(words), kinds]
    if scope is not None:
        customer_id, organization_id = scope
        if organization_id is None:
            sql += " AND customer_id = %s"
            params.append(customer_id)
        else:
            sql += " AND (customer_id = %s OR organization_id = %s)"
            params += [customer_id, organization_id]
    sql += " ORDER BY id DESC LIMIT %s"
    params.append(limit * 2)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [int(r[0]) for r in cursor.fetchall()]
    return _distinct(rows, limit)


def _distinct(ids: list[int], limit: int) -> list[int]:
    return list(dict.fromkeys(ids))[:limit]


def search_ids(*, user: User, q: str, limit: int = 20) -> Hits:
    """Ids of matching tickets and customers, newest first.

    Staff search ticket subjects, public messages, internal notes and customers. A
    customer searches only the tickets they may see (their own, and their organisation's
    where it shares tickets), never internal notes, and no other customers.
    """
    words = terms(q)
    limit = max(1, min(limit, MAX_RESULTS))
    if not words:
        return Hits(ticket_ids=[], customer_ids=[])
    find = _sqlite_ids if connection.vendor == "sqlite" else _postgres_ids
    if user.is_staff_member:
        ticket_ids = find(words, [DocKind.TICKET, DocKind.NOTE], None, limit)
        customer_ids = find(words, [DocKind.CUSTOMER], None, limit)
        return Hits(ticket_ids=ticket_ids, customer_ids=customer_ids)
    customer = user.customer
    if customer is None:
        return Hits(ticket_ids=[], customer_ids=[])
    org_id = customer.organization_id
    shared = bool(org_id and customer.organization and customer.organization.shared_tickets)
    scope = (customer.pk, org_id if shared else None)
    return Hits(ticket_ids=find(words, [DocKind.TICKET], scope, limit), customer_ids=[])
