"""MessageBird's SMS statuses, status reasons and error codes, and their
canonical meaning.

MessageBird reports a message at three levels (Bird docs "SMS errors & error
codes"): the ``status`` (scheduled, sent, buffered, delivered, expired,
delivery_failed), a ``statusReason`` that says more, and, only when a
downstream provider gave one, a numeric ``statusErrorCode``. The status
decides the canonical status; on a failure the error code, else the status
reason, decides the canonical reason.

Sources: MessageBird SMS API reference (statuses); Bird docs "SMS Platform
Extended Error Codes" (status reasons, and the GSM MAP error codes grouped
under each: 1, 2, 3, 5, 9, 10, 11, 12 unknown subscriber; 0 generic delivery
failure; 8, 26, 27, 31 unavailable subscriber; 34 received network error).
Codes the page does not group are read by their GSM MAP name (3GPP TS 29.002)
and marked as such; 103 (the recipient replied STOP) is from nyaruka/courier
``handlers/messagebird/handler.go``.
"""

from __future__ import annotations

from smsstatus.plugin import DocumentedStatus, MappedStatus, MappingKind, Reason, Status, short_value_cache

__all__ = [
    "CODES",
    "DOCUMENTED",
    "REASONS",
    "SETTLED",
    "STATUSES",
    "UNMAPPED",
    "code_key",
    "map_code",
    "map_value",
]

#: status -> (canonical status, reason without detail, MessageBird's description)
STATUSES: dict[str, tuple[Status, Reason | None, str]] = {
    "scheduled": (Status.SCHEDULED, None, "Scheduled for a later time"),
    "sent": (Status.SENT, None, "Sent to the carrier, no delivery report yet"),
    "buffered": (Status.SENT, None, "Buffered by the carrier (the handset may be off), still being tried"),
    "delivered": (Status.DELIVERED, None, "Delivered to the recipient"),
    "expired": (Status.EXPIRED, Reason.EXPIRED, "Not delivered within the validity period"),
    "delivery_failed": (Status.UNDELIVERED, Reason.UNKNOWN, "Could not be delivered"),
}

#: statusReason -> (reason, MessageBird's description). Reasons name why a
#: message expired or failed; "successfully delivered" and "pending DLR" come
#: with delivered and in-flight statuses and carry no reason.
REASONS: dict[str, tuple[Reason | None, str]] = {
    "successfully delivered": (None, "Delivered (with a delivered status)"),
    "pending DLR": (None, "Sent; the delivery report is pending"),
    "DLR not received": (
        Reason.UNKNOWN,
        "Sent to the operator, but no delivery report came before the validity period ended",
    ),
    "expired": (Reason.EXPIRED, "Expired before it could be sent to an operator"),
    "unknown subscriber": (Reason.INVALID_NUMBER, "The number is not associated with an active line"),
    "unavailable subscriber": (
        Reason.UNREACHABLE,
        "The receiver was temporarily unavailable (out of coverage)",
    ),
    "generic delivery failure": (Reason.UNKNOWN, "No detail came from the downstream supplier"),
    "received network error": (Reason.CARRIER_ERROR, "A network or system error downstream"),
    "opted out": (Reason.OPTED_OUT, "The recipient opted out"),
    "carrier rejected": (Reason.BLOCKED, "The carrier rejected the message"),
    "insufficient balance": (Reason.INSUFFICIENT_FUNDS, "The account's balance was insufficient"),
    "capacity limit reached": (Reason.RATE_LIMITED, "A capacity limit was reached"),
}

_UNKNOWN_SUBSCRIBER = "unknown subscriber (Bird's grouping)"
_UNAVAILABLE = "unavailable subscriber (Bird's grouping)"
_MAP = "GSM MAP name, not grouped by Bird"

#: statusErrorCode -> (reason, name, where the meaning comes from)
CODES: dict[str, tuple[Reason, str, str]] = {
    "0": (Reason.UNKNOWN, "EC_NO_ERROR", "generic delivery failure (Bird's grouping)"),
    "1": (Reason.INVALID_NUMBER, "EC_UNKNOWN_SUBSCRIBER", _UNKNOWN_SUBSCRIBER),
    "2": (Reason.INVALID_NUMBER, "EC_UNKNOWN_BASE_STATION", _UNKNOWN_SUBSCRIBER),
    "3": (Reason.INVALID_NUMBER, "EC_UNKNOWN_MSC", _UNKNOWN_SUBSCRIBER),
    "5": (Reason.INVALID_NUMBER, "EC_UNIDENTIFIED_SUBSCRIBER", _UNKNOWN_SUBSCRIBER),
    "6": (Reason.UNREACHABLE, "EC_ABSENT_SUBSCRIBER_SM", _MAP),
    "7": (Reason.INVALID_NUMBER, "EC_UNKNOWN_EQUIPMENT", _MAP),
    "8": (Reason.UNREACHABLE, "EC_ROAMING_NOT_ALLOWED", _UNAVAILABLE),
    "9": (Reason.INVALID_NUMBER, "EC_ILLEGAL_SUBSCRIBER", _UNKNOWN_SUBSCRIBER),
    "10": (Reason.INVALID_NUMBER, "EC_BEARERSERVICE_NOT_PROVISIONED", _UNKNOWN_SUBSCRIBER),
    "11": (Reason.INVALID_NUMBER, "EC_TELESERVICE_NOT_PROVISIONED", _UNKNOWN_SUBSCRIBER),
    "12": (Reason.INVALID_NUMBER, "EC_CALL_BARRED", _UNKNOWN_SUBSCRIBER),
    "13": (Reason.BLOCKED, "EC_CALL_BARRED (MAP callBarred)", _MAP),
    "21": (Reason.UNSUPPORTED_DESTINATION, "EC_FACILITY_NOT_SUPPORTED", _MAP),
    "26": (Reason.UNREACHABLE, "EC_SUBSEQUENT_HANDOVER_FAILURE", _UNAVAILABLE),
    "27": (Reason.UNREACHABLE, "EC_ABSENT_SUBSCRIBER", _UNAVAILABLE),
    "31": (Reason.UNREACHABLE, "EC_SUBSCRIBER_BUSY_FOR_MT_SMS", _UNAVAILABLE),
    "32": (Reason.CARRIER_ERROR, "EC_SM_DELIVERY_FAILURE", _MAP),
    "33": (Reason.UNREACHABLE, "EC_MESSAGE_WAITING_LIST_FULL", _MAP),
    "34": (Reason.CARRIER_ERROR, "EC_SYSTEM_FAILURE", "received network error (Bird's example)"),
    "35": (Reason.CARRIER_ERROR, "EC_DATA_MISSING", _MAP),
    "36": (Reason.CARRIER_ERROR, "EC_UNEXPECTED_DATA_VALUE", _MAP),
    "51": (Reason.CARRIER_ERROR, "EC_RESOURCE_LIMITATION", _MAP),
    "71": (Reason.CONTENT_REJECTED, "EC_UNKNOWN_ALPHABET", _MAP),
    "103": (Reason.OPTED_OUT, "The recipient replied STOP (opted out)", "nyaruka/courier"),
    "255": (Reason.UNKNOWN, "EC_UNKNOWN_ERROR", _MAP),
}

UNMAPPED = MappedStatus(Status.UNKNOWN, None, MappingKind.UNMAPPED, None)
_FAILURES = frozenset({Status.UNDELIVERED, Status.EXPIRED, Status.REJECTED})
_REASONS_FOLDED = {name.lower(): name for name in REASONS}


def code_key(code: str | None) -> str | None:
    """An error code as a table key (``"034"`` is ``"34"``), or ``None`` when
    it is not a number of at most six digits."""
    text = (code or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        return None
    return str(int(text))


# Pure, and on every push's path: pushes repeat a few (status, code) pairs, and a
# MappedStatus is immutable.
@short_value_cache(1024)  # bounded in count and in key size: the keys are vendor-sent text
def map_code(status: str, error_code: str | None, status_reason: str | None) -> MappedStatus:
    """The canonical meaning of a status with its error code and status
    reason. Unknown statuses are unmapped (never an error); an unknown code
    or reason on a failure keeps the status's own reason."""
    row = STATUSES.get(status) or STATUSES.get(status.strip().lower())
    if row is None:
        return UNMAPPED
    canonical, reason, description = row
    if canonical in _FAILURES:
        code = CODES.get(code_key(error_code) or "")
        if code is not None:
            return MappedStatus(canonical, code[0], MappingKind.EXACT, code[1])
        name = _REASONS_FOLDED.get((status_reason or "").strip().lower())
        if name is not None and REASONS[name][0] is not None:
            return MappedStatus(canonical, REASONS[name][0], MappingKind.EXACT, REASONS[name][1])
    return MappedStatus(canonical, reason, MappingKind.EXACT, description)


#: ``map_code``'s answer for each documented status that is not a failure, whose
#: meaning no error code or status reason changes: the lean path reads it with
#: one dict lookup, where the memo (``short_value_cache``, a Python wrapper
#: round ``lru_cache``) costs about 0.6 µs a call, a quarter of a ``json.loads``
#: of the whole push.
SETTLED: dict[str, MappedStatus] = {
    status: map_code(status, None, None) for status, row in STATUSES.items() if row[0] not in _FAILURES
}


def map_value(status: str, code: str | None = None) -> MappedStatus:
    """``map_status``: ``code`` is a ``statusErrorCode`` when it is digits,
    else a ``statusReason``."""
    if code is not None and code.strip().isdigit():
        return map_code(status, code, None)
    return map_code(status, None, code)


DOCUMENTED: tuple[DocumentedStatus, ...] = (
    tuple(DocumentedStatus(value, map_value(value), None, text) for value, (_, _, text) in STATUSES.items())
    + tuple(
        DocumentedStatus(status, map_value(status, reason), reason, text)
        for reason, (meaning, text) in REASONS.items()
        if meaning is not None
        for status in ("expired", "delivery_failed")
    )
    + tuple(
        DocumentedStatus("delivery_failed", map_value("delivery_failed", code), code, f"{name}: {source}")
        for code, (_, name, source) in CODES.items()
    )
)
