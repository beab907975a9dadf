from enum import StrEnum


class TicketErrorCode(StrEnum):
    INVALID_SUBJECT = "invalid_subject"
    INVALID_STATUS = "invalid_status"
    INVALID_TRANSITION = "invalid_transition"
    EMPTY_MESSAGE = "empty_message"
    TICKET_CLOSED = "ticket_closed"
    MERGE_SELF = "merge_self"
    MERGE_MERGED = "merge_merged"
    ATTACHMENT_TOO_LARGE = "attachment_too_large"
    STALE_VERSION = "stale_version"
    COMMITMENT_RESOLVED = "commitment_resolved"
    INVALID_DUE = "invalid_due"
    NOT_STAFF = "not_staff"
    INVALID_TAG = "invalid_tag"
