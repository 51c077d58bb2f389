"""Sinch's delivery-report statuses and status codes, and their canonical meaning.

Statuses (SMS REST API, "Delivery reports": Queued and Dispatched are
intermediate, the rest final): Queued, Dispatched, Aborted, Cancelled,
Rejected, Deleted, Delivered, Failed, Expired, Unknown. Codes
(sinch/sinch-sdk-java ``DeliveryReceiptStatusCode``, sinch/sinch-sdk-dotnet
``DeliveryReceiptStatusCode``): 400-413 are Sinch's own; any other value is
the SMPP error code the operator returned (0 with Delivered).

``Deleted`` means the remote SMSC deleted the message (invalid or opted-out
number): a failure, but Sinch does not say which of the two. A code decides the
reason of a failure and, for 406 (internal expiry), the status.
"""

from __future__ import annotations

from smsstatus.plugin import DocumentedStatus, MappedStatus, MappingKind, Reason, Status, short_value_cache

__all__ = ["CODES", "DOCUMENTED", "MAX_RECIPIENTS", "STATUSES", "UNMAPPED", "map_value"]

#: Twice the most recipients Sinch lets one batch have (1000): a batch report
#: listing more is refused before any recipient is read.
MAX_RECIPIENTS = 2000

#: lower-cased value -> (canonical status, reason without a code, Sinch's spelling, description)
STATUSES: dict[str, tuple[Status, Reason | None, str, str]] = {
    "queued": (Status.ACCEPTED, None, "Queued", "Queued within Sinch, not yet dispatched"),
    "dispatched": (Status.SENT, None, "Dispatched", "Dispatched to the operator (may be skipped)"),
    "aborted": (Status.REJECTED, Reason.UNKNOWN, "Aborted", "Aborted before reaching the operator"),
    "cancelled": (Status.REJECTED, Reason.CANCELLED, "Cancelled", "Cancelled before dispatch"),
    "rejected": (Status.REJECTED, Reason.UNKNOWN, "Rejected", "Rejected by Sinch or the operator"),
    "deleted": (
        Status.UNDELIVERED,
        Reason.UNKNOWN,
        "Deleted",
        "Deleted by the remote SMSC (invalid or opted-out number)",
    ),
    "delivered": (Status.DELIVERED, None, "Delivered", "Delivered to the handset"),
    "failed": (Status.UNDELIVERED, Reason.UNKNOWN, "Failed", "Delivery failed"),
    "expired": (Status.EXPIRED, Reason.EXPIRED, "Expired", "Not delivered within its validity"),
    "unknown": (Status.UNKNOWN, None, "Unknown", "The operator reported no conclusive status"),
}

#: code -> (reason, status it overrides to or None, the status it comes with, Sinch's name)
CODES: dict[str, tuple[Reason, Status | None, str, str]] = {
    "402": (Reason.UNSUPPORTED_DESTINATION, None, "Rejected", "Unroutable"),
    "403": (Reason.UNKNOWN, None, "Failed", "InternalError"),
    "404": (Reason.CARRIER_ERROR, None, "Failed", "TemporaryDeliveryFailure"),
    "405": (Reason.CONFIGURATION, None, "Rejected", "UnmatchedParameter"),
    "406": (Reason.EXPIRED, Status.EXPIRED, "Expired", "InternalExpiry"),
    "407": (Reason.CANCELLED, None, "Cancelled", "Cancelled"),
    "408": (Reason.BLOCKED, None, "Rejected", "InternalReject"),
    "410": (Reason.CONFIGURATION, None, "Rejected", "UnmatchedDefaultOriginator"),
    "411": (Reason.CONTENT_REJECTED, None, "Rejected", "ExceededPartsLimit"),
    "412": (Reason.UNSUPPORTED_DESTINATION, None, "Rejected", "UnprovisionedRegion"),
    "413": (Reason.CONFIGURATION, None, "Rejected", "Blocked (the account is blocked)"),
}

UNMAPPED = MappedStatus(Status.UNKNOWN, None, MappingKind.UNMAPPED, None)

_FAILURES = frozenset({Status.UNDELIVERED, Status.REJECTED, Status.EXPIRED})


# Pure, and on every push's path: pushes repeat a few (status, code) pairs, and a
# MappedStatus is immutable.
@short_value_cache(1024)  # bounded in count and in key size: the keys are vendor-sent text
def map_value(status: str, code: str | None = None) -> MappedStatus:
    """The canonical meaning of a Sinch status and code; statuses match
    case-insensitively, unknown ones are unmapped (never an error)."""
    row = STATUSES.get(status.strip().lower())
    if row is None:
        return UNMAPPED
    canonical, reason, _, description = row
    key = code.strip() if code else None
    if key and canonical in _FAILURES:
        known = CODES.get(key)
        if known is not None:
            return MappedStatus(known[1] or canonical, known[0], MappingKind.EXACT, known[3])
    return MappedStatus(canonical, reason, MappingKind.EXACT, description)


DOCUMENTED: tuple[DocumentedStatus, ...] = tuple(
    DocumentedStatus(spelling, map_value(spelling), None, description)
    for _status, _reason, spelling, description in STATUSES.values()
) + tuple(
    DocumentedStatus(status, map_value(status, code), code, name)
    for code, (_, _, status, name) in CODES.items()
)
