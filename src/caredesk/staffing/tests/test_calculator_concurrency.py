"""Chat staffing: an agent with several chats at once is that many servers."""

from __future__ import annotations

from fractions import Fraction

import pytest

from caredesk.staffing.calculator import required_figures
from caredesk.staffing.erlang import StaffingInputError


def test_agents_are_the_servers_divided_by_the_chats_each_takes() -> None:
    common = {"volume": Fraction(120), "interval_seconds": Fraction(1800),
              "aht": Fraction(600), "target_seconds": Fraction(30)}  # fmt: skip
    one = required_figures(**common)
    three = required_figures(**common, concurrency=Fraction(3))
    assert one["concurrency"] == 1
    assert one["servers"] == one["agents"]
    assert three["servers"] == one["servers"]  # the queue needs as many chats at once
    assert three["agents"] == -(-one["servers"] // 3)
    assert three["scheduled_staff"] < one["scheduled_staff"]
    with pytest.raises(StaffingInputError):
        required_figures(**common, concurrency=Fraction(0))
    with pytest.raises(StaffingInputError):
        required_figures(**common, concurrency=Fraction(3, 2))
