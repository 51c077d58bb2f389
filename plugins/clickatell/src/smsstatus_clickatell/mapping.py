"""Clickatell's two status tables and their canonical meaning; never mixed.

* **Numeric** (legacy Developers' Central ``status``, zero-padded ``"004"``,
  and the Platform callback's ``statusCode``, ``4``): the message status
  codes of Clickatell's HTTP API specification. ``003`` (delivered to the
  upstream gateway) is ``sent``; only ``004`` (received by the recipient's
  handset) is ``delivered``.
* **Clickatell One** (the ``status`` word of ``messageStatusUpdate`` and of
  the message status query): ``SENT_TO_SUPPLIER`` is ``sent``,
  ``DEVICE_ACK`` (and ``READ``) ``delivered``. Its own numeric ``statusCode``
  (4 = SENT_TO_SUPPLIER, 5 = DEVICE_ACK) is never looked up in the numeric
  table: a One report maps by its word.

``map_value`` tells them apart by shape: digits are the numeric table, a word
is One's. Sources: Clickatell HTTP API specification v2.4, "Message status
codes" (001 to 012, 014); Clickatell One API, "Message status table"
(docs.clickatell.com, One API message status codes and descriptions);
farrel/clickatell-rust-tools ``clickatell-api/src/one_api/message_status/status.rs``
(the 44 words the query answers); vendor-facts-more.md section 9 and
Corrections 1.
"""

from __future__ import annotations

from smsstatus.plugin import DocumentedStatus, MappedStatus, MappingKind, Reason, Status, short_value_cache

__all__ = ["DOCUMENTED", "NUMERIC", "ONE", "SETTLED", "UNMAPPED", "map_value"]

#: numeric code -> (canonical status, reason, Clickatell's description)
NUMERIC: dict[int, tuple[Status, Reason | None, str]] = {
    1: (Status.UNKNOWN, None, "Message unknown: the message ID is incorrect or reporting is delayed"),
    2: (Status.ACCEPTED, None, "Message queued: could not be delivered yet, queued for attempted redelivery"),
    3: (Status.SENT, None, "Delivered to gateway: delivered to the upstream gateway or network"),
    4: (Status.DELIVERED, None, "Received by recipient: confirmation of receipt on the handset"),
    5: (Status.REJECTED, Reason.CONTENT_REJECTED, "Error with message, probably caused by its content"),
    6: (
        Status.REJECTED,
        Reason.CANCELLED,
        "User cancelled message delivery: terminated by an internal mechanism",
    ),
    7: (Status.UNDELIVERED, Reason.CARRIER_ERROR, "Error delivering message to the handset"),
    8: (Status.ACCEPTED, None, "OK: message received by gateway"),
    9: (
        Status.REJECTED,
        Reason.UNSUPPORTED_DESTINATION,
        "Routing error: the gateway or network could not route it",
    ),
    10: (Status.EXPIRED, Reason.EXPIRED, "Message expired before reaching the upstream gateway (no charge)"),
    11: (Status.SCHEDULED, None, "Message queued for later delivery (delayed delivery)"),
    12: (Status.REJECTED, Reason.INSUFFICIENT_FUNDS, "Out of credit: not enough funds in the account"),
    14: (Status.REJECTED, Reason.RATE_LIMITED, "Maximum MT limit exceeded"),
}

_CONFIG = Reason.CONFIGURATION
_CONTENT = Reason.CONTENT_REJECTED
#: One status word -> (canonical status, reason, Clickatell's code, Clickatell's description)
ONE: dict[str, tuple[Status, Reason | None, int | None, str]] = {
    "UNKNOWN": (Status.UNKNOWN, None, 1, "Unknown status (message not found)"),
    "QUEUED": (Status.ACCEPTED, None, 2, "Queued"),
    "SCHEDULED": (Status.SCHEDULED, None, 3, "Scheduled for later delivery"),
    "SENT_TO_SUPPLIER": (Status.SENT, None, 4, "Sent to supplier"),
    "DEVICE_ACK": (Status.DELIVERED, None, 5, "Device acknowledged delivery"),
    "READ": (Status.DELIVERED, None, 6, "Read receipt"),
    "EXPIRED": (Status.EXPIRED, Reason.EXPIRED, 20, "The message has expired"),
    "STOPPED_BY_USER": (Status.REJECTED, Reason.CANCELLED, 21, "Message stopped by user"),
    "STOPPED_BY_ADMIN": (Status.REJECTED, Reason.CANCELLED, 22, "Message stopped by admin"),
    "DELIVERY_FAILURE": (Status.UNDELIVERED, Reason.UNKNOWN, 23, "Error delivering message"),
    "EMULATED": (Status.REJECTED, _CONFIG, 24, "Emulated: a test delivery, nothing was sent"),
    "INSUFFICIENT_ACCOUNT_BALANCE": (
        Status.REJECTED,
        Reason.INSUFFICIENT_FUNDS,
        25,
        "Insufficient account balance",
    ),
    "VOLUME_LIMIT": (Status.REJECTED, Reason.RATE_LIMITED, 26, "Volume limit exceeded"),
    "VOLUME_LIMIT_DAILY": (Status.REJECTED, Reason.RATE_LIMITED, 27, "Daily volume limit exceeded"),
    "VOLUME_LIMIT_MONTHLY": (Status.REJECTED, Reason.RATE_LIMITED, 28, "Monthly volume limit exceeded"),
    "RECIPIENT_DOES_NOT_EXIST": (
        Status.REJECTED,
        Reason.INVALID_NUMBER,
        29,
        "Recipient does not exist on channel",
    ),
    "ENCRYPTION_ACCESS_DENIED": (Status.REJECTED, _CONFIG, 60, "Security access denied"),
    "ENCRYPTION_CONTENT_ERROR": (Status.REJECTED, _CONFIG, 61, "Content decryption failed"),
    "MEDIA_NOT_FOUND": (Status.REJECTED, _CONTENT, 80, "Media not found"),
    "MEDIA_SIZE_ERROR": (Status.REJECTED, _CONTENT, 81, "Media size error"),
    "MEDIA_CHECKSUM_FAILURE": (Status.REJECTED, _CONTENT, 82, "Media checksum failure"),
    "MEDIA_REJECTED_BY_SUPPLIER": (Status.REJECTED, _CONTENT, 83, "Channel supplier rejected media file"),
    "MEDIA_METADATA_ERROR": (
        Status.REJECTED,
        _CONTENT,
        84,
        "Media metadata not found or not matching the request",
    ),
    "MEDIA_ACCESS_ERROR": (
        Status.REJECTED,
        _CONTENT,
        85,
        "Access or permissions error handling the media file",
    ),
    "ROUTING_ERROR": (Status.REJECTED, Reason.UNSUPPORTED_DESTINATION, 100, "Routing error"),
    "WHATSAPP_ACCOUNT_PAYMENT_ISSUE": (
        Status.REJECTED,
        Reason.INSUFFICIENT_FUNDS,
        130,
        "WhatsApp account payment issue",
    ),
    "WHATSAPP_RE_ENGAGEMENT_REQUIRED": (Status.REJECTED, Reason.BLOCKED, 131, "Re-engagement required"),
    "WHATSAPP_SPAM_RATE_LIMIT_REACHED": (
        Status.REJECTED,
        Reason.SPAM_FILTERED,
        132,
        "Spam rate limit reached",
    ),
    "WHATSAPP_SERVER_RATE_LIMIT": (Status.REJECTED, Reason.RATE_LIMITED, 133, "WhatsApp server rate limit"),
    "WHATSAPP_HSM_NOT_AVAILABLE": (
        Status.REJECTED,
        _CONFIG,
        134,
        "WhatsApp HSM request structure not available",
    ),
    "WHATSAPP_HSM_PARAM_COUNT_MISMATCH": (
        Status.REJECTED,
        _CONFIG,
        None,
        "WhatsApp HSM parameter count mismatch",
    ),
    "WHATSAPP_HSM_IS_MISSING": (Status.REJECTED, _CONFIG, None, "WhatsApp HSM is missing"),
    "WHATSAPP_HSM_DOWNLOAD_FAILED": (Status.REJECTED, _CONFIG, None, "WhatsApp HSM download failed"),
    "WHATSAPP_HSM_PACK_IS_MISSING": (Status.REJECTED, _CONFIG, None, "WhatsApp HSM pack is missing"),
    "WHATSAPP_EXPERIMENTAL_NUMBER": (
        Status.UNDELIVERED,
        Reason.BLOCKED,
        139,
        "Not delivered: WhatsApp experimental number",
    ),
    "WHATSAPP_TEMPLATE_TEXT_TOO_LONG": (
        Status.REJECTED,
        _CONTENT,
        140,
        "Template text and parameters too long",
    ),
    "WHATSAPP_TEMPLATE_FORMAT_MISMATCH": (Status.REJECTED, _CONFIG, None, "Template format mismatch"),
    "WHATSAPP_TEMPLATE_FORMATTING_POLICY_VIOLATED": (
        Status.REJECTED,
        _CONTENT,
        None,
        "Template formatting policy violated",
    ),
    "WHATSAPP_TEMPLATE_MEDIA_FORMAT_UNSUPPORTED": (
        Status.REJECTED,
        _CONTENT,
        None,
        "Template media format unsupported",
    ),
    "WHATSAPP_PARAMETER_MISSING": (Status.REJECTED, _CONFIG, None, "Template parameter missing"),
    "WHATSAPP_PARAMETER_INVALID": (Status.REJECTED, _CONFIG, None, "Template parameter invalid"),
    "WHATSAPP_PARAMETER_NOT_REQUIRED": (Status.REJECTED, _CONFIG, None, "Template parameter not required"),
    "WHATSAPP_TEMPLATE_INVALID_URL": (Status.REJECTED, _CONFIG, None, "Template URL invalid"),
    "WHATSAPP_TEMPLATE_INVALID_PHONE_NUMBER": (
        Status.REJECTED,
        _CONFIG,
        None,
        "Template phone number invalid",
    ),
    "WHATSAPP_TEMPLATE_RECEIVER_NO_BUTTON_SUPPORT": (
        Status.REJECTED,
        _CONTENT,
        None,
        "The receiver does not support template buttons",
    ),
}

UNMAPPED = MappedStatus(Status.UNKNOWN, None, MappingKind.UNMAPPED, None)
_MAX_DIGITS = 4


# Pure, and on every push's path: pushes repeat a few (status, code) pairs, and a
# MappedStatus is immutable.
@short_value_cache(1024)  # bounded in count and in key size: the keys are vendor-sent text
def map_value(status: str, code: str | None = None) -> MappedStatus:
    """A numeric status (``"004"``, ``"4"``) from the numeric table, a word
    (``"DEVICE_ACK"``, any case) from One's; ``code`` (One's own number)
    changes nothing. Anything else is unmapped, never an error."""
    text = status.strip()
    if text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS:
        entry = NUMERIC.get(int(text))
        if entry is None:
            return UNMAPPED
        return MappedStatus(entry[0], entry[1], MappingKind.EXACT, entry[2])
    one = ONE.get(text.upper())
    if one is None:
        return UNMAPPED
    return MappedStatus(one[0], one[1], MappingKind.EXACT, one[3])


#: ``map_value``'s answer for every documented status as the callbacks spell it
#: (``"004"`` legacy, ``"4"`` Platform, the One words): no code changes a status's
#: meaning, so the lean paths read it with one dict lookup, where the memo
#: (``short_value_cache``, a Python wrapper round ``lru_cache``) costs about
#: 0.4 µs a call, a sixth of a ``json.loads`` of a callback.
SETTLED: dict[str, MappedStatus] = {
    **{f"{number:03d}": map_value(f"{number:03d}") for number in NUMERIC},
    **{str(number): map_value(str(number)) for number in NUMERIC},
    **{word: map_value(word) for word in ONE},
}

DOCUMENTED: tuple[DocumentedStatus, ...] = tuple(
    DocumentedStatus(f"{number:03d}", map_value(f"{number:03d}"), None, description)
    for number, (_, _, description) in NUMERIC.items()
) + tuple(
    DocumentedStatus(word, map_value(word), None, description) for word, (_, _, _, description) in ONE.items()
)
