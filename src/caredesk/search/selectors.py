"""Full-text search over tickets and customers, restricted to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection

from caredesk.accounts.models import User
from caredesk.search.models import DocKind, SearchEntry
from caredesk.search.query import (
    fts5_match,
    fts5_match_any,
    meaningful,
    terms,
    tsquery_any,
    tsquery_text,
)

MAX_RESULTS = 50


@dataclass
class Hits:
    ticket_ids: list[int]
    customer_ids: list[int]


Scope = tuple[int | None, int | None] | None  # (customer id, shared organisation id)


def _sqlite_ids(
    words: list[str], kinds: list[str], scope: Scope, limit: int, by_rank: bool = False
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
    # Newest first: FTS5 walks its doclists in rowid order and stops at LIMIT. By rank:
    # bm25 over every match, for small families such as customers.
    sql += " ORDER BY rank, search_fts.rowid DESC" if by_rank else " ORDER BY search_fts.rowid DESC"
    sql += " LIMIT %s"
    params.append(limit * 2)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [int(r[0]) for r in cursor.fetchall()]
    return _distinct(rows, limit)


RECENT_WINDOW = 20_000  # documents searched first, newest first, on PostgreSQL


def _postgres_ids(
    words: list[str], kinds: list[str], scope: Scope, limit: int, by_rank: bool = False
) -> list[int]:
    """Matches from the stored tsvector column "document" (migration search/0002).

    Newest first in two bounded steps, because PostgreSQL cannot read a GIN index in id
    order and its row estimates ignore that a word common among customers may be rare in
    tickets: left alone it walks the primary key backwards over the whole table hoping
    to stop early. So: (1) the newest RECENT_WINDOW documents, walking back; (2) only if
    that found too few, the older ones through the GIN index (``id + 0`` keeps the
    planner from walking the key), sorted. Common words end in step 1, rare ones are
    cheap in step 2. Ranked searches (customers) take every match from the GIN index.
    """
    # The kinds are our own constants, written into the SQL so that the planner can match
    # the partial index for customers.
    assert set(kinds) <= set(DocKind.values)
    kind_list = ", ".join(f"'{k}'" for k in kinds)
    query = tsquery_text(words)
    where = f"document @@ plainto_tsquery('english'::regconfig, %s) AND kind IN ({kind_list})"
    params: list[Any] = [query]
    if scope is not None:
        customer_id, organization_id = scope
        if organization_id is None:
            where += " AND customer_id = %s"
            params.append(customer_id)
        else:
            where += " AND (customer_id = %s OR organization_id = %s)"
            params += [customer_id, organization_id]
    base = f"SELECT object_id FROM search_searchentry WHERE {where}"  # noqa: S608  # constants
    want = limit * 2
    with connection.cursor() as cursor:
        if by_rank:
            cursor.execute(
                f"{base} ORDER BY ts_rank(document, plainto_tsquery('english'::regconfig, %s))"
                " DESC, id DESC LIMIT %s",
                [*params, query, want],
            )
            return _distinct([int(r[0]) for r in cursor.fetchall()], limit)
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM search_searchentry")
        boundary = int(cursor.fetchone()[0]) - RECENT_WINDOW
        cursor.execute(f"{base} AND id > %s ORDER BY id DESC LIMIT %s", [*params, boundary, want])
        rows = [int(r[0]) for r in cursor.fetchall()]
        if len(rows) < want:
            cursor.execute(
                f"{base} AND id <= %s ORDER BY id + 0 DESC LIMIT %s",
                [*params, boundary, want - len(rows)],
            )
            rows += [int(r[0]) for r in cursor.fetchall()]
    return _distinct(rows, limit)


def _distinct(ids: list[int], limit: int) -> list[int]:
    return list(dict.fromkeys(ids))[:limit]


def search_ids(*, user: User, q: str, limit: int = 20) -> Hits:
    """Ids of matching tickets (newest first) and customers (best match first).

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
        customer_ids = find(words, [DocKind.CUSTOMER], None, limit, by_rank=True)
        return Hits(ticket_ids=ticket_ids, customer_ids=customer_ids)
    customer = user.customer
    if customer is None:
        return Hits(ticket_ids=[], customer_ids=[])
    org_id = customer.organization_id
    shared = bool(
        org_id
        and customer.organization
        and (customer.organization.shared_tickets or customer.org_admin)
    )
    scope = (customer.pk, org_id if shared else None)
    return Hits(ticket_ids=find(words, [DocKind.TICKET], scope, limit), customer_ids=[])


def documents_of_kind(*, kind: str) -> int:
    """How many documents of one kind the index holds."""
    assert kind in DocKind.values
    return SearchEntry.objects.filter(kind=kind).count()


def documents_with(*, kind: str, word: str, limit: int) -> list[int]:
    """Ids of the documents of one kind that hold ``word`` (by its stem; none for a
    stop word), unranked, at most ``limit``: a word's postings, for callers that rank
    among few documents themselves, such as the knowledge base's articles."""
    assert kind in DocKind.values
    words = meaningful(terms(word))
    if len(words) != 1:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT e.object_id FROM search_fts JOIN search_searchentry e "
                "ON e.id = search_fts.rowid WHERE search_fts MATCH %s LIMIT %s",
                [fts5_match_any(words, kind=kind), limit],
            )
        else:
            cursor.execute(
                "SELECT object_id FROM search_searchentry "
                "WHERE kind = %s AND document @@ to_tsquery('english'::regconfig, %s) LIMIT %s",
                [kind, tsquery_any(words), limit],
            )
        return [int(r[0]) for r in cursor.fetchall()]
