"""The base of every API input schema."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import field_validator


def strip_nul(value: Any) -> Any:
    """Remove NUL characters from every string, however nested: PostgreSQL cannot store
    them in text, and no legitimate input needs them."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, list):
        return [strip_nul(v) for v in value]
    if isinstance(value, dict):
        return {strip_nul(k): strip_nul(v) for k, v in value.items()}
    return value


class InputSchema(Schema):
    """Request bodies and query parameters: strings arrive without NUL characters."""

    @field_validator("*", mode="before")
    @classmethod
    def _without_nul(cls, value: Any) -> Any:
        return strip_nul(value)
