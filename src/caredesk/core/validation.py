"""Checks shared by the domains whose refusals speak the user's language (core.errors
stays free of Django: the pure modules raise its errors too)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from caredesk.core.errors import ValidationFailed


def choice_check(value: str, choices: list[str], field: str, code: StrEnum) -> str:
    """``value`` when it is one of ``choices``; ValidationFailed naming the field if not."""
    if value not in choices:
        raise ValidationFailed(
            code,
            _("%(field)s must be one of %(choices)s.")
            % {"field": field, "choices": ", ".join(choices)},
            field=field,
        )
    return value


M = TypeVar("M", bound=Model)


def save_unique(row: M, *, taken: Callable[[], ValidationFailed]) -> M:
    """Save ``row`` in a savepoint; a unique constraint it breaks (a name or key taken,
    also by a concurrent request) is the refusal ``taken()`` builds, and nothing is
    written."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise taken() from None
    return row
