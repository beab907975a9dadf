"""Error codes of the customers domain."""

from enum import StrEnum


class CustomerErrorCode(StrEnum):
    """The codes of the customers domain's refusals, as problem bodies carry them."""

    CONTACT_TAKEN = "contact_taken"
    EMPTY_NOTE = "empty_note"
    EXTERNAL_ID_TAKEN = "external_id_taken"
    INVALID_AMOUNT = "invalid_amount"
    INVALID_CONTACT = "invalid_contact"
    INVALID_CURRENCY = "invalid_currency"
    INVALID_DATE = "invalid_date"
    INVALID_KIND = "invalid_kind"
    INVALID_NAME = "invalid_name"
    INVALID_PRODUCT = "invalid_product"
    INVALID_SEGMENT = "invalid_segment"
    INVALID_WINDOW = "invalid_window"
    SEGMENT_EXISTS = "segment_exists"
