"""Fill {{placeholders}} in canned replies; pure, no template engine (agents' text must
never be able to run template code)."""

from __future__ import annotations

import re
from collections.abc import Mapping

PLACEHOLDER = re.compile(r"\{\{\s*([a-z]+\.[a-z_]+)\s*\}\}")

KNOWN = (
    "customer.first_name",
    "customer.name",
    "customer.email",
    "ticket.id",
    "ticket.subject",
    "agent.first_name",
    "agent.name",
)


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace each known placeholder by its value; unknown ones stay as written so the
    agent sees them before sending."""

    def one(match: re.Match[str]) -> str:
        key = match.group(1)
        return values[key] if key in values else match.group(0)

    return PLACEHOLDER.sub(one, text)
