"""Ordered reactions to a domain change, run in the writer's transaction or after commit.

A domain describes what happened once (a change object) and hands it to one dispatcher;
the dispatcher runs the reactions of a list declared in one place (a composition root,
named by a setting), in their order. Writers never call a reaction themselves, so every
door that makes the same change has the same effects, and a new domain that must follow
a change adds one line to the list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

C = TypeVar("C")


class Phase(StrEnum):
    IN_TRANSACTION = "in the transaction"  # its writes commit or roll back with the change
    AFTER_COMMIT = "after commit"  # runs only once the change is committed (jobs, I/O)


@dataclass(frozen=True)
class Reaction(Generic[C]):
    """One thing that follows a change: ``run(change)``, in ``phase``."""

    name: str
    run: Callable[[C], None]
    phase: Phase = Phase.IN_TRANSACTION


@cache
def reactions_of(setting: str) -> tuple[Reaction[Any], ...]:
    """The reaction list a setting names (a dotted path), loaded once."""
    reactions: Sequence[Reaction[Any]] = import_string(getattr(settings, setting))
    return tuple(reactions)


def reactions_run(reactions: Sequence[Reaction[C]], change: C) -> None:
    """Run each reaction in order: now, or once the current transaction commits."""
    for reaction in reactions:
        if reaction.phase is Phase.AFTER_COMMIT:
            transaction.on_commit(_later(reaction, change))
        else:
            reaction.run(change)


def _later(reaction: Reaction[C], change: C) -> Callable[[], None]:
    return lambda: reaction.run(change)
