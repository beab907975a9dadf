"""Error codes of the analytics domain."""

from enum import StrEnum


class AnalyticsErrorCode(StrEnum):
    """The codes of the analytics domain's refusals, as problem bodies carry them."""

    INVALID_MEASURE = "invalid_measure"
    INVALID_NAME = "invalid_name"
    INVALID_RECIPIENT = "invalid_recipient"
    NO_RECIPIENTS = "no_recipients"
