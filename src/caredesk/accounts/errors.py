"""Error codes of the accounts domain."""

from enum import StrEnum


class AccountErrorCode(StrEnum):
    """The codes of the accounts domain's refusals, as problem bodies carry them."""

    AGENT_INACTIVE = "agent_inactive"
    EMAIL_TAKEN = "email_taken"
    INVALID_EMAIL = "invalid_email"
    INVALID_NAME = "invalid_name"
    INVALID_ROLE = "invalid_role"
    LAST_ADMIN = "last_admin"
    NAME_TAKEN = "name_taken"
    NOT_STAFF = "not_staff"
    WEAK_PASSWORD = "weak_password"  # noqa: S105  # an error code, not a password
