"""Keyset (cursor) pagination: deep pages cost what the first page costs."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Field, Model, Q, QuerySet
from django.utils.translation import gettext as _

from caredesk.core.errors import CoreErrorCode, ValidationFailed

M = TypeVar("M", bound=Model)
MAX_LIMIT = 200


@dataclass
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


def cursor_encode(values: Sequence[Any]) -> str:
    """An opaque cursor for a position given as a list of values (datetimes allowed)."""
    plain = [v.isoformat() if isinstance(v, dt.datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def cursor_values(cursor: str, length: int) -> list[Any]:
    """The raw values of a cursor, which must hold ``length`` of them; the caller checks
    their types and raises ValueError/TypeError, which cursor_invalid() turns into 422."""
    values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    if not isinstance(values, list) or len(values) != length:
        raise ValueError("wrong shape")
    return values


def cursor_invalid() -> ValidationFailed:
    return ValidationFailed(
        CoreErrorCode.INVALID_CURSOR, _("The cursor is not valid."), field="cursor"
    )


def _decode(cursor: str, fields: Sequence[str], model: type[Model]) -> list[Any]:
    try:
        values = cursor_values(cursor, len(fields))
        out: list[Any] = []
        for name, value in zip(fields, values, strict=True):
            field = model._meta.get_field(name.lstrip("-"))
            kind = field.get_internal_type() if isinstance(field, Field) else ""
            if kind == "DateTimeField":
                value = dt.datetime.fromisoformat(value)
            elif kind.endswith(("AutoField", "IntegerField")):
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ValueError("expected an integer")
            elif not isinstance(value, str):
                raise ValueError("expected a string")
            out.append(value)
        return out
    except (ValueError, TypeError):  # JSONDecodeError and binascii.Error are ValueErrors
        raise cursor_invalid() from None


def keyset_page(
    qs: QuerySet[M], *, ordering: Sequence[str], cursor: str | None, limit: int
) -> Page[M]:
    """One page of ``qs`` ordered by ``ordering`` (the last field must be unique, e.g. -id).

    All fields must sort the same way (all ascending or all descending), which is what a
    composite index serves best.
    """
    if limit < 1 or limit > MAX_LIMIT:
        raise ValidationFailed(
            CoreErrorCode.INVALID_LIMIT,
            _("limit must be between 1 and %(MAX_LIMIT)s.") % {"MAX_LIMIT": MAX_LIMIT},
            field="limit",
        )
    descending = ordering[0].startswith("-")
    names = [o.lstrip("-") for o in ordering]
    if cursor:
        values = _decode(cursor, ordering, qs.model)
        op = "lt" if descending else "gt"
        condition = Q()
        for i, name in enumerate(names):
            step = Q(**{f"{n}": values[j] for j, n in enumerate(names[:i])})
            step &= Q(**{f"{name}__{op}": values[i]})
            condition |= step
        # The redundant bound on the first field gives the planner an index range to scan.
        bound = Q(**{f"{names[0]}__{op}e": values[0]})
        qs = qs.filter(bound & condition)
    # Two phases in one query: the page's ids from the index alone, then the rows with
    # their joins. SQLite otherwise may reorder the joins and sort the whole table.
    ids = qs.order_by(*ordering).values("pk")[: limit + 1]
    rows = list(qs.filter(pk__in=ids).order_by(*ordering))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = cursor_encode([getattr(last, n) for n in names])
    return Page(items=rows, next_cursor=next_cursor)
