"""Configuration that hot paths read on every call (custom-field definitions, SLA
policies), kept in the shared cache and dropped whenever a row of the models it is built
from is saved or deleted, by any code path (services, admin screens, Django's admin).

The cache is Redis in production and a file cache in the data directory otherwise, so
every process on the machine sees a clear at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")
CACHE_SECONDS = 300


def cached(key: str, load: Callable[[], T], seconds: int = CACHE_SECONDS) -> T:
    """The cached value of ``key``, loaded (and stored) when the cache lacks it."""
    found: T | None = cache.get_or_set(key, load, seconds)
    return found if found is not None else load()


def cache_clear_now_and_on_commit(clear: Callable[[], None]) -> None:
    """This transaction sees the change at once; other processes, which might cache the
    old state before the commit, are cleared again after it."""
    clear()
    transaction.on_commit(clear)


def clear_when_changed(*sources: type[models.Model], keys: Callable[[], list[str]]) -> None:
    """Drop the cache ``keys`` whenever a row of one of ``sources`` is saved or deleted
    (connected once, from an app's ``ready``)."""

    def clear() -> None:
        cache.delete_many(keys())

    def receiver(**_: Any) -> None:
        cache_clear_now_and_on_commit(clear)

    for model in sources:
        uid = f"caredesk.cache:{model._meta.label}:{id(keys)}"
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=uid + ":save")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=uid + ":delete")
