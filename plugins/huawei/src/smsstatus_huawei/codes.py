"""Huawei MSGSMS status codes and their canonical meaning.

The ``status`` of a Huawei report is one of several kinds of code ("SMS Status
Error Codes", ``api-msgsms/sms_05_0051``):

* SMPP ``stat`` words relayed from the carrier's SMSC (``DELIVRD``, ``UNDELIV``...);
* Huawei platform codes (``E2000nn``, ``E0006nn``): refused by Huawei before any
  carrier saw the message (and not billed);
* review interceptions ``SC:nnnn``;
* carrier/supplier codes, some whole words (``MILIMIT``, ``KEYWORD``, ``BLACK``...)
  and some prefixed families (``DA:nnnn``, ``MK:nnnn``, ``SMGPERR:nn``...) that
  are matched by their prefix. These are the Chinese carriers' gateway codes
  other vendors relay too, so their meaning is the core's carrier-code table
  (``smsstatus.plugin.map_carrier_code``), not this module's.

Huawei's console rule ("Viewing Sending Details") is that a report whose code is
not ``DELIVRD`` means the message failed; ``ACCEPTD`` is documented as a
temporary status. So a code in none of the tables below is a final failure
(``undelivered``, reason ``unknown``, mapping ``vendor_default``); an
``E`` + six digits code, Huawei's own platform-code shape, is ``rejected``.
Only an empty value is ``unmapped``. Codes are matched case-insensitively
after trimming blanks; callers keep the raw value verbatim.
"""

from __future__ import annotations

import re

from smsstatus.plugin import (
    CARRIER_CODES,
    DocumentedStatus,
    MappedStatus,
    MappingKind,
    Reason,
    Status,
    map_carrier_code,
)

__all__ = ["DOCUMENTED", "TABLE", "FAMILIES", "UNMAPPED", "map_code"]

_D, _U, _E, _R = Status.DELIVERED, Status.UNDELIVERED, Status.EXPIRED, Status.REJECTED
_S, _UNK = Status.SENT, Status.UNKNOWN
R = Reason

#: (code, canonical status, reason, description) for every documented whole code.
_ROWS: tuple[tuple[str, Status, Reason | None, str], ...] = (
    # -- SMPP stat words relayed from the SMSC --------------------------------
    ("DELIVRD", _D, None, "Sent successfully and received by the user"),
    ("UNDELIV", _U, R.UNKNOWN, "Delivery failed (from Huawei or the supplier: see source)"),
    ("EXPIRED", _E, R.EXPIRED, "Timed out: phone off or out of coverage, or no SMSC report within 72 h"),
    ("DELETED", _U, R.CANCELLED, "Deleted"),
    ("REJECTD", _R, R.UNKNOWN, "Rejected"),
    ("UNKNOWN", _UNK, None, "The SMS status is unknown"),
    # "Temporary SMS status. Generally, this value is not displayed." The SMSC
    # (a carrier system) sends it, so the message has left Huawei: sent.
    ("ACCEPTD", _S, None, "Accepted; a temporary status, a final report follows"),
    # -- Huawei platform codes (source 3; not billed) ----------------------------
    ("E200018", _R, R.CONFIGURATION, "Chinese mainland sender channel verification failed"),
    ("E200019", _R, R.CONFIGURATION, "Chinese mainland sender channel match failed"),
    ("E200020", _R, R.CONFIGURATION, "Chinese mainland signature channel verification failed"),
    ("E200021", _R, R.CONFIGURATION, "Chinese mainland signature channel match failed"),
    ("E200022", _R, R.UNSUPPORTED_DESTINATION, "Chinese mainland recipient channel verification failed"),
    ("E200023", _R, R.UNSUPPORTED_DESTINATION, "Chinese mainland recipient channel match failed"),
    ("E200024", _R, R.UNSUPPORTED_DESTINATION, "International SMS capability not enabled"),
    ("E200025", _R, R.UNSUPPORTED_DESTINATION, "International recipient channel verification failed"),
    ("E200026", _R, R.UNSUPPORTED_DESTINATION, "International recipient channel match failed"),
    ("E200027", _R, R.CONFIGURATION, "Failed to match a gateway (no gateway routing configured)"),
    ("E200032", _R, R.CONFIGURATION, "An SMS template is required"),
    ("E200034", _R, R.CARRIER_ERROR, "SMS retransmission timed out (gateway fault)"),
    ("E200035", _R, R.CARRIER_ERROR, "Protocol field replacement failed"),
    ("E200036", _R, R.RATE_LIMITED, "Southbound rate control (channel weight configured as 0)"),
    ("E200038", _R, R.CARRIER_ERROR, "Long SMS reception timed out (not all parts within 3 min)"),
    ("E200051", _R, R.CONTENT_REJECTED, "International verification-code content invalid"),
    ("E000628", _R, R.CONFIGURATION, "Review interception: country/region not in the console whitelist"),
    ("E000629", _R, R.INSUFFICIENT_FUNDS, "Review interception: resource package used up or absent"),
    ("E000632", _R, R.BLOCKED, "Recipient is in a configured country number blacklist"),
    # -- Send-API codes (not DLR codes; mapped in case they appear) ---------------
    ("000000", Status.ACCEPTED, None, "Send API success code (accepted; not a DLR code)"),
    ("E200015", _R, R.RATE_LIMITED, "Send API: too many SMSs to send"),
    ("E200028", _R, R.CONTENT_REJECTED, "Send API: template variable verification failed"),
    ("E200029", _R, R.CONFIGURATION, "Send API: template type verification failed"),
    ("E200030", _R, R.CONFIGURATION, "Send API: template not activated"),
    ("E200031", _R, R.CONFIGURATION, "Send API: protocol verification failed"),
    ("E200033", _R, R.CONFIGURATION, "Send API: incorrect template type"),
    ("E200041", _R, R.RATE_LIMITED, "Send API: duplicate recipient for the same content"),
    # -- Review interceptions ----------------------------------------------------
    ("SC:0001", _R, R.CONTENT_REJECTED, "Manual review interception (content judged non-compliant)"),
    ("SC:0004", _R, R.BLOCKED, "Red-list interception"),
    ("SC:0005", _R, R.BLOCKED, "Complaint blacklist interception"),
    ("SC:0013", _R, R.CONTENT_REJECTED, "Signature blacklist interception"),
    ("SC:0015", _R, R.CONTENT_REJECTED, "Interception template matched"),
    ("SC:0016", _R, R.OPTED_OUT, "Unsubscribe blacklist interception"),
    ("SC:0017", _R, R.CONTENT_REJECTED, "Unregistered template interception"),
    ("SC:0018", _R, R.CONFIGURATION, "Unregistered signature interception"),
    # Carrier / supplier codes (MILIMIT, KEYWORD, DA:xxxx...) are the core's
    # carrier-code table (smsstatus.plugin.map_carrier_code): one meaning each,
    # whichever vendor relays them.
)

#: (prefix, canonical status, reason, description) of the prefixed families.
_FAMILY_ROWS: tuple[tuple[str, Status, Reason, str], ...] = (("SC:", _R, R.UNKNOWN, "Review interception"),)

#: Upper-cased code -> canonical meaning.
TABLE: dict[str, MappedStatus] = {
    code: MappedStatus(status, reason, MappingKind.EXACT, description)
    for code, status, reason, description in _ROWS
}

#: Upper-cased family prefix (up to and including ``:``) -> canonical meaning.
FAMILIES: dict[str, MappedStatus] = {
    prefix: MappedStatus(status, reason, MappingKind.EXACT, f"{description} ({prefix}xxxx family)")
    for prefix, status, reason, description in _FAMILY_ROWS
}

#: Family examples for the documented list (``SC:xxxx``).
_FAMILY_EXAMPLES = {prefix: prefix + "xxxx" for prefix in FAMILIES}

UNMAPPED = MappedStatus(Status.UNKNOWN, None, MappingKind.UNMAPPED, None)

#: Huawei's console rule: a report came back and is not DELIVRD -> failed.
DEFAULT_FAILURE = MappedStatus(
    Status.UNDELIVERED, Reason.UNKNOWN, MappingKind.VENDOR_DEFAULT, "not DELIVRD: failed (console rule)"
)
#: An undocumented ``E`` + six digits code: a Huawei platform code, refused before any carrier.
DEFAULT_PLATFORM = MappedStatus(
    Status.REJECTED, Reason.UNKNOWN, MappingKind.VENDOR_DEFAULT, "Huawei platform code (console rule)"
)

_PLATFORM_CODE = re.compile(r"E\d{6}")

#: Every documented code and family with what ``map_status`` must answer for it.
DOCUMENTED: tuple[DocumentedStatus, ...] = (
    tuple(DocumentedStatus(code, TABLE[code], None, description) for code, _, _, description in _ROWS)
    + CARRIER_CODES
    + tuple(
        DocumentedStatus(
            _FAMILY_EXAMPLES[prefix], FAMILIES[prefix], None, f"{description} (matched by prefix)"
        )
        for prefix, _, _, description in _FAMILY_ROWS
    )
)


def map_code(value: str) -> MappedStatus:
    """The canonical meaning of one Huawei ``status`` code; never raises."""
    found = TABLE.get(value)
    if found is not None:
        return found
    key = value.strip().upper()
    if not key:
        return UNMAPPED
    found = TABLE.get(key)
    if found is not None:
        return found
    found = map_carrier_code(key)
    if found is not None:
        return found
    colon = key.find(":")
    if colon > 0:
        family = FAMILIES.get(key[: colon + 1])
        if family is not None:
            return family
    if _PLATFORM_CODE.fullmatch(key):
        return DEFAULT_PLATFORM
    return DEFAULT_FAILURE
