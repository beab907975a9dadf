"""Error codes of the channels domain, and the refusals of the messaging webhooks."""

from enum import StrEnum

from caredesk.core.errors import DomainError


class ChannelErrorCode(StrEnum):
    """The codes of the channels domain's refusals, as problem bodies carry them."""

    ADDRESS_TAKEN = "address_taken"
    CHANNEL_NOT_READY = "channel_not_ready"
    INVALID_ADDRESS = "invalid_address"
    INVALID_BODY = "invalid_body"
    INVALID_ENV_NAME = "invalid_env_name"
    INVALID_NAME = "invalid_name"
    INVALID_SECURITY = "invalid_security"
    INVALID_SIGNATURE = "invalid_signature"
    INVALID_UNPROVEN_REPLIES = "invalid_unproven_replies"
    INVALID_URL = "invalid_url"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_HELD = "not_held"
    STALE_SIGNATURE = "stale_signature"
    TOO_LARGE = "too_large"
    UNKNOWN_CHANNEL = "unknown_channel"
    UNKNOWN_TEAM = "unknown_team"


class SignatureRefused(DomainError):
    """A webhook whose signature is missing, wrong or too old."""

    status = 401


class ChannelUnknown(DomainError):
    """No active messaging channel has this key (an inactive one looks the same)."""

    status = 404


class BodyTooLarge(DomainError):
    status = 413


class ChannelNotReady(DomainError):
    """The channel cannot check what is posted to it: its token is not on the server."""

    status = 503
