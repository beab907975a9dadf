"""Error codes of the sla domain."""

from enum import StrEnum


class SlaErrorCode(StrEnum):
    """The codes of the sla domain's refusals, as problem bodies carry them."""

    CALENDAR_IN_USE = "calendar_in_use"
    INVALID_CALENDAR = "invalid_calendar"
    INVALID_CONDITIONS = "invalid_conditions"
    INVALID_NAME = "invalid_name"
    INVALID_WARNING = "invalid_warning"
    NAME_TAKEN = "name_taken"
    NO_TARGET = "no_target"
