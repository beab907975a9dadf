"""The reaction runner: order, and reactions held until the transaction commits."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from caredesk.core.reactions import Phase, Reaction, reactions_run


@pytest.mark.django_db(transaction=True)
def test_reactions_run_in_order_and_after_commit_ones_wait_for_the_commit() -> None:
    seen: list[str] = []
    reactions: list[Reaction[Any]] = [
        Reaction("first", lambda c: seen.append(f"first {c}")),
        Reaction("later", lambda c: seen.append(f"later {c}"), Phase.AFTER_COMMIT),
        Reaction("second", lambda c: seen.append(f"second {c}")),
    ]
    with transaction.atomic():
        reactions_run(reactions, "a")
        assert seen == ["first a", "second a"]
    assert seen == ["first a", "second a", "later a"]


@pytest.mark.django_db(transaction=True)
def test_an_after_commit_reaction_of_a_rolled_back_change_never_runs() -> None:
    seen: list[str] = []
    later: Reaction[str] = Reaction("later", seen.append, Phase.AFTER_COMMIT)

    def failing_change() -> None:
        with transaction.atomic():
            reactions_run([later], "b")
            raise RuntimeError("the change fails")

    with pytest.raises(RuntimeError):
        failing_change()
    assert seen == []
