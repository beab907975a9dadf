"""Error codes of the customer360 domain."""

from enum import StrEnum


class TimelineErrorCode(StrEnum):
    """The codes of the customer360 domain's refusals, as problem bodies carry them."""

    INVALID_LIMIT = "invalid_limit"
