"""Africa's Talking delivery-report statuses and failure reasons, and their
canonical meaning.

Sources: the SMS notifications page (docs.africastalking.com/sms/notifications,
"Delivery Report notification contents") and the delivery reports page
(docs.africastalking.com/sms/deliveryreports), which list the statuses and
the ``failureReason`` values; Africa's Talking help centre "Why did my
messages fail?" for ``DeliveryFailure``.

The status decides the canonical status; on ``Rejected`` or ``Failed`` the
``failureReason`` (sent "only where status is Rejected or Failed", and not by
every telco) decides the reason. ``Success`` is the handset's delivery receipt
(the send API's own ``Success`` means accepted; it never arrives here).
``Sent``, ``Submitted`` and ``Buffered`` are in flight. ``Expired`` is not in
Africa's Talking's documentation; nyaruka/courier accepts it from real traffic,
so it is mapped, as the expiry it names.
"""

from __future__ import annotations

from smsstatus.plugin import DocumentedStatus, MappedStatus, MappingKind, Reason, Status, short_value_cache

__all__ = ["DOCUMENTED", "FAILURE_REASONS", "SETTLED", "STATUSES", "UNMAPPED", "map_value"]

#: status -> (canonical status, reason without a failureReason, Africa's Talking's description)
STATUSES: dict[str, tuple[Status, Reason | None, str]] = {
    "Sent": (Status.SENT, None, "The message has successfully been sent by our network"),
    "Submitted": (Status.SENT, None, "The message has successfully been submitted to the MSP"),
    "Buffered": (Status.SENT, None, "The message has been queued by the MSP"),
    "Success": (
        Status.DELIVERED,
        None,
        "The message has successfully been delivered to the receiver's handset",
    ),
    "Rejected": (Status.REJECTED, Reason.UNKNOWN, "The message has been rejected by the MSP"),
    "Failed": (
        Status.UNDELIVERED,
        Reason.UNKNOWN,
        "The message could not be delivered to the receiver's handset",
    ),
    "Expired": (
        Status.EXPIRED,
        Reason.EXPIRED,
        "Expired before delivery (undocumented; seen by nyaruka/courier)",
    ),
}

#: failureReason -> (reason, Africa's Talking's description)
FAILURE_REASONS: dict[str, tuple[Reason, str]] = {
    "InsufficientCredit": (
        Reason.INSUFFICIENT_FUNDS,
        "The subscriber does not have enough airtime for a premium subscription service/message",
    ),
    "InvalidLinkId": (Reason.CONFIGURATION, "Sent with an invalid linkId for an onDemand service"),
    "UserIsInactive": (
        Reason.INVALID_NUMBER,
        "The subscriber is inactive or the account was deactivated by the MSP",
    ),
    "UserInBlackList": (
        Reason.OPTED_OUT,
        "The user is blacklisted from receiving messages from this service (shortcode or keyword)",
    ),
    "UserAccountSuspended": (Reason.BLOCKED, "The subscriber's account was suspended by the MSP"),
    "NotNetworkSubcriber": (
        Reason.CARRIER_ERROR,
        "Passed to an MSP the subscriber does not belong to (spelt so by Africa's Talking)",
    ),
    "UserNotSubscribedToProduct": (
        Reason.OPTED_OUT,
        "Sent for a subscription product the subscriber is not subscribed to",
    ),
    "UserDoesNotExist": (Reason.INVALID_NUMBER, "The number does not exist at the MSP"),
    "DeliveryFailure": (
        Reason.UNKNOWN,
        "Delivery failed for a reason not listed, or the MSP gave none",
    ),
}

UNMAPPED = MappedStatus(Status.UNKNOWN, None, MappingKind.UNMAPPED, None)
_FAILURES = frozenset({Status.REJECTED, Status.UNDELIVERED})
_BY_FOLDED = {name.lower(): name for name in STATUSES}
_REASONS_FOLDED = {name.lower(): name for name in FAILURE_REASONS}


# Pure, and on every push's path: pushes repeat a few (status, code) pairs, and a
# MappedStatus is immutable.
@short_value_cache(1024)  # bounded in count and in key size: the keys are vendor-sent text
def map_value(status: str, failure_reason: str | None = None) -> MappedStatus:
    """The canonical meaning of a status and failure reason; values match
    case-insensitively. Unknown statuses are unmapped (never an error); an
    unknown failure reason keeps the status's own reason."""
    name = status if status in STATUSES else _BY_FOLDED.get(status.strip().lower())
    if name is None:
        return UNMAPPED
    canonical, reason, description = STATUSES[name]
    if failure_reason and canonical in _FAILURES:
        known = _REASONS_FOLDED.get(failure_reason.strip().lower())
        if known is not None:
            return MappedStatus(
                canonical, FAILURE_REASONS[known][0], MappingKind.EXACT, FAILURE_REASONS[known][1]
            )
    return MappedStatus(canonical, reason, MappingKind.EXACT, description)


#: ``map_value``'s answer for each documented status that is not a failure, whose
#: meaning no failure reason changes: the lean path reads it with one dict
#: lookup, where the memo (``short_value_cache``, a Python wrapper round
#: ``lru_cache``) costs about 0.4 µs a call, a fifth of a ``json.loads`` of
#: the whole report.
SETTLED: dict[str, MappedStatus] = {
    status: map_value(status) for status, row in STATUSES.items() if row[0] not in _FAILURES
}

#: Every documented status (without a reason), and every failure reason with
#: both statuses that carry one.
DOCUMENTED: tuple[DocumentedStatus, ...] = tuple(
    DocumentedStatus(value, map_value(value), None, description)
    for value, (_, _, description) in STATUSES.items()
) + tuple(
    DocumentedStatus(status, map_value(status, code), code, description)
    for code, (_, description) in FAILURE_REASONS.items()
    for status in ("Rejected", "Failed")
)
