"""Write the search index: one entry per (kind, object). The domains decide what text an
entry holds (tickets/indexing.py, customers/indexing.py); this module only stores it."""

from __future__ import annotations

from caredesk.search.models import SearchEntry

MAX_BODY = 200_000


def search_entry_put(
    *,
    kind: str,
    object_id: int,
    customer_id: int | None,
    organization_id: int | None,
    title: str,
    body: str,
) -> None:
    """Create or replace the entry of an object."""
    values = {
        "customer_id": customer_id,
        "organization_id": organization_id,
        "title": title[:250],
        "body": body[:MAX_BODY],
    }
    # UPDATE first, INSERT when there was nothing: no savepoints, unlike update_or_create.
    if not SearchEntry.objects.filter(kind=kind, object_id=object_id).update(**values):
        SearchEntry.objects.create(kind=kind, object_id=object_id, **values)


def search_entry_add(
    *,
    kind: str,
    object_id: int,
    customer_id: int | None,
    organization_id: int | None,
    title: str,
    body: str,
) -> None:
    """The entry of an object that has none yet (a new ticket): a single INSERT."""
    SearchEntry.objects.create(
        kind=kind,
        object_id=object_id,
        customer_id=customer_id,
        organization_id=organization_id,
        title=title[:250],
        body=body[:MAX_BODY],
    )


def search_entry_drop(*, kind: str, object_id: int) -> None:
    """Remove an object's entry (nothing to search any more)."""
    SearchEntry.objects.filter(kind=kind, object_id=object_id).delete()
