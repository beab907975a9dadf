"""Error codes of the staffing domain."""

from enum import StrEnum


class StaffingErrorCode(StrEnum):
    """The codes of the staffing domain's refusals, as problem bodies carry them."""

    INVALID_CHANNEL = "invalid_channel"
    INVALID_DAYS = "invalid_days"
    INVALID_EVENT = "invalid_event"
    INVALID_INTERVAL = "invalid_interval"
    NO_HISTORY = "no_history"
