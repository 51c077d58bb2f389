"""Vonage's status values and error codes, and their canonical meaning.

Two APIs, one table: their status words and code ranges do not collide.

* **SMS API** delivery receipts: ``status`` (accepted, buffered, delivered,
  expired, failed, rejected, unknown) with ``err-code`` 0-99 (Nexmo/station
  ``messaging/sms/guides/delivery-receipts.md``; 16 and 50-54 from
  nyaruka/courier ``handlers/nexmo/handler.go``). The Reports API uses the
  same words and codes.
* **Messages API** status webhooks: ``status`` (submitted, delivered, read,
  rejected, undeliverable) with the 1000-1382 error codes of
  Nexmo/api-specification ``definitions/messages-olympus.yml``.

The status word gives the canonical status; the code refines the reason of a
failure (never of a success), and a Messages ``rejected`` with code 1360 ("TTL
was activated") is an expiry. Words match case-insensitively after trimming;
an unknown word is ``unmapped``, an unknown code leaves the word's own reason.
"""

from __future__ import annotations

from smsstatus.plugin import DocumentedStatus, MappedStatus, MappingKind, Reason, Status, short_value_cache

__all__ = ["STATUSES", "SETTLED", "CODES", "DOCUMENTED", "map_value"]

#: word -> (canonical status, default reason, what Vonage says)
_WORDS: dict[str, tuple[Status, Reason | None, str]] = {
    # SMS API (and the Reports API)
    "accepted": (Status.SENT, None, "Accepted for delivery, not yet delivered"),
    "buffered": (Status.SENT, None, "Buffered for later delivery (intermediate)"),
    "delivered": (Status.DELIVERED, None, "Delivered"),
    "expired": (Status.EXPIRED, Reason.EXPIRED, "Held in the carrier's retry scheme until it expired"),
    "failed": (Status.UNDELIVERED, Reason.UNKNOWN, "Not delivered"),
    "rejected": (
        Status.REJECTED,
        Reason.UNKNOWN,
        "Refused by the downstream carrier (Messages: by the provider)",
    ),
    "unknown": (Status.UNKNOWN, Reason.UNKNOWN, "No useful information available"),
    # Messages API
    "submitted": (Status.SENT, None, "Submitted to the provider (the SMS charge point)"),
    "read": (Status.DELIVERED, None, "Read by the recipient (OTT channels only)"),
    "undeliverable": (Status.UNDELIVERED, Reason.UNKNOWN, "Vonage could not reach the provider"),
}

#: code -> (reason, Vonage's name for it)
CODES: dict[str, tuple[Reason, str]] = {
    # SMS API err-code
    "1": (Reason.UNKNOWN, "Unknown"),
    "2": (Reason.UNREACHABLE, "Absent Subscriber - Temporary"),
    "3": (Reason.INVALID_NUMBER, "Absent Subscriber - Permanent"),
    "4": (Reason.BLOCKED, "Call Barred by User"),
    "5": (Reason.CARRIER_ERROR, "Portability Error"),
    "6": (Reason.SPAM_FILTERED, "Anti-Spam Rejection"),
    "7": (Reason.UNREACHABLE, "Handset Busy"),
    "8": (Reason.CARRIER_ERROR, "Network Error"),
    "9": (Reason.OPTED_OUT, "Illegal Number (the user asked not to receive messages)"),
    "10": (Reason.CONTENT_REJECTED, "Illegal Message"),
    "11": (Reason.UNSUPPORTED_DESTINATION, "Unroutable"),
    "12": (Reason.UNSUPPORTED_DESTINATION, "Destination Unreachable"),
    "13": (Reason.CONTENT_REJECTED, "Subscriber Age Restriction"),
    "14": (Reason.BLOCKED, "Number Blocked by Carrier"),
    "15": (Reason.UNREACHABLE, "Prepaid Insufficient Funds (the recipient's)"),
    "16": (Reason.RATE_LIMITED, "Gateway Quota Exceeded"),
    "50": (Reason.CONFIGURATION, "Entity Filter"),
    "51": (Reason.CONFIGURATION, "Header Filter"),
    "52": (Reason.SPAM_FILTERED, "Content Filter"),
    "53": (Reason.CONFIGURATION, "Consent Filter"),
    "54": (Reason.CONFIGURATION, "Regulation Error"),
    "99": (Reason.UNKNOWN, "General Error"),
    # Messages API
    "1000": (Reason.RATE_LIMITED, "Throttled"),
    "1020": (Reason.CONFIGURATION, "Invalid params"),
    "1040": (Reason.INVALID_NUMBER, "Invalid message (e.g. an unrecognised number prefix)"),
    "1050": (Reason.BLOCKED, "Number barred"),
    "1060": (Reason.CONFIGURATION, "Partner account barred"),
    "1070": (Reason.INSUFFICIENT_FUNDS, "Partner quota exceeded"),
    "1120": (Reason.CONFIGURATION, "Illegal Sender Address - rejected"),
    "1160": (Reason.CONFIGURATION, "Non White-listed Destination"),
    "1170": (Reason.INVALID_NUMBER, "Invalid or Missing Msisdn Param"),
    "1180": (Reason.UNREACHABLE, "Absent Subscriber Temporary"),
    "1190": (Reason.INVALID_NUMBER, "Absent Subscriber Permanent"),
    "1200": (Reason.CARRIER_ERROR, "Portability Error"),
    "1210": (Reason.SPAM_FILTERED, "Anti-Spam Rejection"),
    "1220": (Reason.UNREACHABLE, "Handset Busy"),
    "1230": (Reason.CARRIER_ERROR, "Network Error"),
    "1240": (Reason.OPTED_OUT, "Illegal Number (the user sent STOP)"),
    "1250": (Reason.UNSUPPORTED_DESTINATION, "Unroutable"),
    "1260": (Reason.UNREACHABLE, "Destination unreachable"),
    "1270": (Reason.CONTENT_REJECTED, "Subscriber Age Restriction"),
    "1280": (Reason.BLOCKED, "Number Blocked by Carrier"),
    "1290": (Reason.UNREACHABLE, "Pre-Paid - Insufficient funds (the recipient's)"),
    "1300": (Reason.INVALID_NUMBER, "Not part of the provider network"),
    "1330": (Reason.UNKNOWN, "Unknown"),
    "1331": (Reason.CARRIER_ERROR, "Provider error"),
    "1360": (Reason.EXPIRED, "TTL was activated"),
}

_TTL = "1360"

STATUSES: dict[str, MappedStatus] = {
    word: MappedStatus(status, reason, MappingKind.EXACT, description)
    for word, (status, reason, description) in _WORDS.items()
}

UNMAPPED = MappedStatus(Status.UNKNOWN, None, MappingKind.UNMAPPED, None)

#: The codes documented with a failure word, as ``map_status`` must answer them.
_CODED = (
    *(("failed", code) for code in CODES if len(code) <= 2),
    *(("rejected", code) for code in CODES if len(code) == 4),
)


# Pure, and on every push's path: pushes repeat a few (status, code) pairs, and a
# MappedStatus is immutable.
@short_value_cache(1024)  # bounded in count and in key size: the keys are vendor-sent text
def map_value(status: str, code: str | None) -> MappedStatus:
    """The canonical meaning of a Vonage status word and error code; never raises."""
    mapped = STATUSES.get(status) or STATUSES.get(status.strip().lower())
    if mapped is None:
        return UNMAPPED
    key = code.strip() if code is not None else ""
    if not key or key == "0" or not mapped.status.final or mapped.status is Status.DELIVERED:
        return mapped
    if key == _TTL and mapped.status is Status.REJECTED:
        return MappedStatus(Status.EXPIRED, Reason.EXPIRED, MappingKind.EXACT, CODES[_TTL][1])
    found = CODES.get(key)
    if found is None:
        return mapped
    reason, name = found
    return MappedStatus(mapped.status, reason, MappingKind.EXACT, name)


#: ``map_value``'s answer for each documented word whose meaning no error code
#: changes (in flight, or delivered): the lean paths read it with one dict
#: lookup, where the memo (``short_value_cache``, a Python wrapper round
#: ``lru_cache``) costs about 0.5 µs a call, a fifth of a ``json.loads`` of a
#: receipt.
SETTLED: dict[str, MappedStatus] = {
    word: mapped
    for word, mapped in STATUSES.items()
    if not mapped.status.final or mapped.status is Status.DELIVERED
}

DOCUMENTED: tuple[DocumentedStatus, ...] = (
    *(DocumentedStatus(word, mapped, None, mapped.description or "") for word, mapped in STATUSES.items()),
    *(DocumentedStatus(word, map_value(word, code), code, CODES[code][1]) for word, code in _CODED),
)
