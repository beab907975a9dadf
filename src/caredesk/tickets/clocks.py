"""The clocks a ticket shows (due in 3 hours, breached, met …) without tickets knowing
who keeps them: the SLA app answers through the functions a setting names
(``CAREDESK_TICKET_CLOCKS``, by default ``caredesk.sla.selectors``), as the reaction
list is named by ``CAREDESK_TICKET_REACTIONS``. Without the setting a ticket shows no
clocks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

CLOCKS_SETTING = "CAREDESK_TICKET_CLOCKS"


@dataclass(frozen=True)
class Clock:
    target: str
    label: str
    due: dt.datetime | None
    state: str  # "met", "breached", "warning", "running", "paused"
    text: str  # "due in 3 hours", "breached 2 hours ago", "met"


def _provider(name: str) -> Callable[..., Any] | None:
    module = getattr(settings, CLOCKS_SETTING, None)
    return import_string(f"{module}.{name}") if module else None


def ticket_clocks(ticket_id: int) -> list[Clock]:
    """Every clock of one ticket, for the ticket page."""
    provider = _provider("sla_clocks")
    return list(provider(ticket_id=ticket_id)) if provider else []


def next_clocks(ticket_ids: Iterable[int]) -> dict[int, Clock]:
    """For each ticket its most urgent open clock, for a list page."""
    provider = _provider("sla_next")
    return dict(provider(ticket_ids=ticket_ids)) if provider else {}
