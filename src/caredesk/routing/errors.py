"""Error codes of the routing domain."""

from enum import StrEnum


class RoutingErrorCode(StrEnum):
    """The codes of the routing domain's refusals, as problem bodies carry them."""

    INVALID_AVAILABILITY = "invalid_availability"
    INVALID_CAPACITY = "invalid_capacity"
    INVALID_SKILL = "invalid_skill"
    INVALID_SKILL_KIND = "invalid_skill_kind"
    INVALID_STRATEGY = "invalid_strategy"
    NOT_STAFF = "not_staff"
    SKILL_TAKEN = "skill_taken"
    UNKNOWN_SKILL = "unknown_skill"
