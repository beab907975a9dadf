from enum import StrEnum


class CustomerErrorCode(StrEnum):
    CONTACT_TAKEN = "contact_taken"
    INVALID_CONTACT = "invalid_contact"
    INVALID_NAME = "invalid_name"
    INVALID_AMOUNT = "invalid_amount"
    INVALID_SEGMENT = "invalid_segment"
    EXTERNAL_ID_TAKEN = "external_id_taken"
