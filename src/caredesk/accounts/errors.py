from enum import StrEnum


class AccountErrorCode(StrEnum):
    EMAIL_TAKEN = "email_taken"
    INVALID_ROLE = "invalid_role"
    INVALID_EMAIL = "invalid_email"
    WEAK_PASSWORD = "weak_password"  # noqa: S105  # an error code, not a password
    NOT_STAFF = "not_staff"
    LAST_ADMIN = "last_admin"
