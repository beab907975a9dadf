from __future__ import annotations

from enum import StrEnum


class ChatErrorCode(StrEnum):
    CHAT_ENDED = "chat_ended"
    EMPTY_MESSAGE = "empty_message"
    INVALID_CLIENT_ID = "invalid_client_id"
    INVALID_COLOR = "invalid_color"
    INVALID_EMAIL = "invalid_email"
    INVALID_FIELD = "invalid_field"
    INVALID_ORIGINS = "invalid_origins"
    INVALID_QUERY = "invalid_query"
    INVALID_TOKEN = "invalid_token"  # noqa: S105  # an error code
    INVALID_TOPICS = "invalid_topics"
    MALFORMED_JSON = "malformed_json"
    MESSAGE_TOO_LONG = "message_too_long"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_FOUND = "not_found"
    NOT_OFFLINE = "not_offline"
    NOT_WAITING = "not_waiting"
    TOO_LARGE = "too_large"
    UNKNOWN_WIDGET = "unknown_widget"
