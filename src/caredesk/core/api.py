"""Helpers shared by the domain routers: the acting user and page envelopes."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet
from ninja import Schema

from caredesk.core.errors import NotFound

T = TypeVar("T")


M = TypeVar("M", bound=Model)


def found_or_404(objects: QuerySet[M], pk: int, entity: str) -> M:
    """The row with this id, or NotFound (a 404 problem body) naming the entity."""

    row = objects.filter(pk=pk).first()
    if row is None:
        raise NotFound(entity, pk)
    return row


class PageOut(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None


def page(items: list[Any], next_cursor: str | None) -> dict[str, Any]:
    return {"items": items, "next_cursor": next_cursor}
