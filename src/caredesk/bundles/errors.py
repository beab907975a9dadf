"""Error codes of the bundles domain."""

from enum import StrEnum


class BundleErrorCode(StrEnum):
    """The codes of the bundles domain's refusals, as problem bodies carry them."""

    CUSTOMER_REQUIRED = "customer_required"
    REQUESTER_REQUIRED = "requester_required"
    UNKNOWN_CUSTOMER = "unknown_customer"
    UNKNOWN_ORGANIZATION = "unknown_organization"
    UNKNOWN_TICKET = "unknown_ticket"
