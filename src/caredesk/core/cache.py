"""Configuration that hot paths read on every call (custom-field definitions, SLA
policies), kept in the shared cache and dropped whenever a row of the models it is built
from is saved or deleted, by any code path (services, admin screens, Django's admin).

The cache is Redis in production and a file cache in the data directory otherwise, so
every process on the machine sees a clear at once. Values that nobody changes after
reading them (frozen sets, rules) may also be kept in the process for a second
(``local``): a mail batch asks for them hundreds of times a second; a clear in this
process drops them at once, one in another process is seen within the second.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")
CACHE_SECONDS = 300


LOCAL_SECONDS = 1.0
_local: dict[str, tuple[float, Any]] = {}


def cached(
    key: str, load: Callable[[], T], seconds: int = CACHE_SECONDS, *, local: bool = False
) -> T:
    """The cached value of ``key``, loaded (and stored) when the cache lacks it;
    ``local``: also kept in this process for LOCAL_SECONDS (only for values no caller
    changes)."""
    if local:
        hit = _local.get(key)
        if hit is not None and time.monotonic() - hit[0] < LOCAL_SECONDS:
            value: T = hit[1]
            return value
    found: T | None = cache.get_or_set(key, load, seconds)
    result = found if found is not None else load()
    if local:
        _local[key] = (time.monotonic(), result)
    return result


def cache_local_clear() -> None:
    """Forget what this process keeps (the tests do, between tests)."""
    _local.clear()


def cache_forget(keys: Iterable[str]) -> None:
    """Drop ``keys`` from the shared cache and from this process."""
    keys = list(keys)
    cache.delete_many(keys)
    for key in keys:
        _local.pop(key, None)


def cache_clear_now_and_on_commit(clear: Callable[[], None]) -> None:
    """This transaction sees the change at once; other processes, which might cache the
    old state before the commit, are cleared again after it."""
    clear()
    transaction.on_commit(clear)


def clear_when_changed(*sources: type[models.Model], keys: Callable[[], list[str]]) -> None:
    """Drop the cache ``keys`` whenever a row of one of ``sources`` is saved or deleted
    (connected once, from an app's ``ready``)."""

    def clear() -> None:
        cache_forget(keys())

    def receiver(**_: Any) -> None:
        cache_clear_now_and_on_commit(clear)

    for model in sources:
        uid = f"caredesk.cache:{model._meta.label}:{id(keys)}"
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=uid + ":save")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=uid + ":delete")
