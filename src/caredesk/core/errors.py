"""Error types shared by every domain; config.api turns them into problem bodies."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class CoreErrorCode(StrEnum):
    """The codes of the core domain's refusals, as problem bodies carry them."""

    CUSTOM_FIELD_REQUIRED = "custom_field_required"
    FORBIDDEN = "forbidden"
    INVALID_CHOICES = "invalid_choices"
    INVALID_CURSOR = "invalid_cursor"
    INVALID_CUSTOM_FIELD = "invalid_custom_field"
    INVALID_CUSTOM_FIELDS = "invalid_custom_fields"
    INVALID_DAYS = "invalid_days"
    INVALID_ENTITY = "invalid_entity"
    INVALID_FIELD_TYPE = "invalid_field_type"
    INVALID_KEY = "invalid_key"
    INVALID_LABEL = "invalid_label"
    INVALID_LANGUAGE = "invalid_language"
    INVALID_LIMIT = "invalid_limit"
    INVALID_PERIOD = "invalid_period"
    INVALID_POSITION = "invalid_position"
    INVALID_TZ = "invalid_tz"
    KEY_TAKEN = "key_taken"
    NOT_FOUND = "not_found"


class DomainError(Exception):
    """A request that the domain refuses; carries a machine-readable code and an HTTP status."""

    status: int = 400

    def __init__(
        self,
        code: StrEnum | str,
        message: str,
        *,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.extra = extra or {}


class ValidationFailed(DomainError):
    status = 422


class Conflict(DomainError):
    status = 409


class PermissionDenied(DomainError):
    status = 403

    def __init__(self, message: str = "You are not allowed to do this.") -> None:
        super().__init__(CoreErrorCode.FORBIDDEN, message)


class NotFound(DomainError):
    """Missing and forbidden look alike: both answer 404 with the same text."""

    status = 404

    def __init__(self, entity: str, ident: object) -> None:
        super().__init__(CoreErrorCode.NOT_FOUND, f"No {entity} with id {ident}.")
        self.entity = entity


class ConfigurationError(RuntimeError):
    """A setting is missing or malformed; start-up stops with this message."""
