"""Error codes of the channels domain."""

from enum import StrEnum


class ChannelErrorCode(StrEnum):
    """The codes of the channels domain's refusals, as problem bodies carry them."""

    ADDRESS_TAKEN = "address_taken"
    INVALID_ADDRESS = "invalid_address"
    INVALID_ENV_NAME = "invalid_env_name"
    INVALID_NAME = "invalid_name"
    INVALID_SECURITY = "invalid_security"
    INVALID_UNPROVEN_REPLIES = "invalid_unproven_replies"
    NOT_HELD = "not_held"
    UNKNOWN_TEAM = "unknown_team"
