"""Error codes of the automation domain."""

from enum import StrEnum


class AutomationErrorCode(StrEnum):
    """The codes of the automation domain's refusals, as problem bodies carry them."""

    ADMIN_ONLY = "admin_only"
    INVALID_ACTIONS = "invalid_actions"
    INVALID_CONDITIONS = "invalid_conditions"
    INVALID_EVENTS = "invalid_events"
    INVALID_NAME = "invalid_name"
    INVALID_TRIGGER = "invalid_trigger"
    INVALID_URL = "invalid_url"
    TIME_RULE_NEEDS_HOURS = "time_rule_needs_hours"
    UNKNOWN_FIELD = "unknown_field"
