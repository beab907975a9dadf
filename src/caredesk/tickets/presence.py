"""Who is looking at a ticket right now, and who is typing a reply: collision detection.

Each open ticket page reports every few seconds; an entry older than STALE_SECONDS is
gone. Kept in the shared cache (Redis in production, a file cache embedded), never in
the database.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache

from caredesk.accounts.models import User

STALE_SECONDS = 25
STATES = ("viewing", "replying")


@dataclass(frozen=True)
class Presence:
    user_id: int
    name: str
    state: str


def _key(ticket_id: int) -> str:
    return f"caredesk:presence:ticket:{ticket_id}"


def presence_report(*, ticket_id: int, user: User, state: str) -> list[Presence]:
    """Record that ``user`` is on the ticket (viewing or replying); return the others."""
    if state not in STATES:
        state = "viewing"
    now = time.time()
    entries: dict[str, list[object]] = cache.get(_key(ticket_id)) or {}
    entries = {k: v for k, v in entries.items() if now - float(str(v[2])) < STALE_SECONDS}
    entries[str(user.pk)] = [user.display_name, state, now]
    cache.set(_key(ticket_id), entries, STALE_SECONDS * 2)
    return [
        Presence(user_id=int(k), name=str(v[0]), state=str(v[1]))
        for k, v in sorted(entries.items())
        if k != str(user.pk)
    ]


def presence_leave(*, ticket_id: int, user: User) -> None:
    entries: dict[str, list[object]] = cache.get(_key(ticket_id)) or {}
    if entries.pop(str(user.pk), None) is not None:
        cache.set(_key(ticket_id), entries, STALE_SECONDS * 2)
