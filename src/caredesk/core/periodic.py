"""What a periodic job is (the table itself is the composition root's: config/schedule.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodicJob:
    task: str  # dotted name of a Celery task
    seconds: int
    what: str
