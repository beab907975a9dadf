"""Error codes of the knowledge domain."""

from enum import StrEnum

from caredesk.core.errors import DomainError


class KnowledgeErrorCode(StrEnum):
    """The codes of the knowledge domain's refusals, as problem bodies carry them."""

    EMPTY_TITLE = "empty_title"
    EMPTY_QUERY = "empty_query"
    EXTERNAL_ID_TAKEN = "external_id_taken"
    INVALID_IMAGE = "invalid_image"
    INVALID_LOCALE = "invalid_locale"
    INVALID_STATUS_CHANGE = "invalid_status_change"
    INVALID_TRANSLATION = "invalid_translation"
    INVALID_VISIBILITY = "invalid_visibility"
    NO_SUCH_VERSION = "no_such_version"
    NOT_REVIEWER = "not_reviewer"


class KnowledgeError(DomainError):
    status = 422
