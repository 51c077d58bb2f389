"""Chinese carrier gateway codes that SMS vendors pass through, with one meaning each.

Vendors that route through China's carriers relay the carriers' gateway
result codes unchanged: China Mobile's CMPP gateways, China Unicom's SGIP
and China Telecom's SMGP. The same code then reaches several vendors'
reports (as Huawei's ``status``, as uSpeedo's ``ReceiptCode``...) and must
mean the same thing in each: this table is the one place that says what.

Two kinds of entry, as the vendors document them ("SMS Status Error Codes",
the carrier/supplier section; uSpeedo's callback example):

* whole codes, one word each (``MILIMIT``, ``KEYWORD``, ``TDBLACK``...);
* families that share a prefix up to its ``:`` (``DA:0001``, ``MK:0057``,
  ``SMGPERR:53``), matched by that prefix when the whole code has no row.

Every code here is a final failure: either the carrier's gateway refused
the message before it reached the handset (``rejected``: limits, filters,
block lists, gateway errors) or the network tried and failed
(``undelivered``). Codes are matched case-insensitively after trimming
blanks; the report keeps the raw value.
"""

from __future__ import annotations

from collections.abc import Mapping

from .model import MappedStatus, MappingKind, Reason, Status
from .vendor import DocumentedStatus

__all__ = ["CARRIER_CODES", "CODES", "FAMILIES", "map_carrier_code"]

_R, _U = Status.REJECTED, Status.UNDELIVERED

#: (code, status, reason, what the code means)
_CODE_ROWS: tuple[tuple[str, Status, Reason, str], ...] = (
    # Sending limits of the carrier, per number: the gateway refuses, retry later.
    ("MILIMIT", _R, Reason.RATE_LIMITED, "per-minute sending limit for the number reached"),
    ("LIMIT", _R, Reason.RATE_LIMITED, "sending limit for the number reached"),
    ("BEYONDN", _R, Reason.RATE_LIMITED, "sending limit for the number reached"),
    ("CTLIMIT", _R, Reason.RATE_LIMITED, "sending limit for the number reached (China Telecom)"),
    # A keyword filter is a spam filter (docs/canonical-model.md: spam_filtered).
    ("KEYWORD", _R, Reason.SPAM_FILTERED, "content stopped by the carrier's keyword filter"),
    ("DJ:0255", _R, Reason.SPAM_FILTERED, "intercepted by the carrier"),
    # Block lists: TD is the unsubscribe keyword (退订), so TDBLACK is an opt-out;
    # the others are lists kept by the carrier (complaints, anti-harassment).
    ("BLACK", _R, Reason.BLOCKED, "number on the carrier's block list"),
    ("MBBLACK", _R, Reason.BLOCKED, "number on the carrier's block list"),
    ("TSBLACK", _R, Reason.BLOCKED, "number on the carrier's complaint block list"),
    ("MSBLACK", _R, Reason.BLOCKED, "number on the carrier's anti-harassment block list"),
    ("TDBLACK", _R, Reason.OPTED_OUT, "number unsubscribed (TD) from this sender"),
    # Whole codes of the families below with a meaning of their own.
    ("MK:0057", _U, Reason.CARRIER_ERROR, "MSC system error"),
    ("LT:0001", _U, Reason.INVALID_NUMBER, "number vacant, switched off or suspended"),
)

#: (prefix up to and including ":", status, reason, what the family means)
_FAMILY_ROWS: tuple[tuple[str, Status, Reason, str], ...] = (
    ("DA:", _U, Reason.CARRIER_ERROR, "the DSMP did not respond (CMPP)"),
    ("DB:", _R, Reason.CARRIER_ERROR, "the DSMP answered with an error (CMPP)"),
    ("ID:", _R, Reason.CARRIER_ERROR, "the ISMG's internal check failed (CMPP)"),
    ("MA:", _U, Reason.CARRIER_ERROR, "the SMSC did not respond (CMPP)"),
    ("MB:", _R, Reason.CARRIER_ERROR, "the SMSC answered with an error (CMPP)"),
    ("MK:", _U, Reason.UNKNOWN, "delivery error in the SMSC or MSC (CMPP)"),
    ("MN:", _U, Reason.UNKNOWN, "delivery error in the SMSC or MSC (CMPP)"),
    ("LT:", _U, Reason.UNKNOWN, "delivery error (SGIP)"),
    ("UT:", _U, Reason.UNKNOWN, "delivery error reported by the supplier"),
    ("SMGPERR:", _R, Reason.CARRIER_ERROR, "the gateway answered with an error (SMGP)"),
)

#: Upper-cased whole code -> its one canonical meaning.
CODES: Mapping[str, MappedStatus] = {
    code: MappedStatus(status, reason, MappingKind.EXACT, meaning)
    for code, status, reason, meaning in _CODE_ROWS
}

#: Upper-cased family prefix (up to and including ``:``) -> its canonical meaning.
FAMILIES: Mapping[str, MappedStatus] = {
    prefix: MappedStatus(status, reason, MappingKind.EXACT, f"{meaning} ({prefix}xxxx family)")
    for prefix, status, reason, meaning in _FAMILY_ROWS
}

#: Every code and family, for the ``VendorInfo.statuses`` of a plugin that
#: relays them (a family appears as an example member, ``DA:xxxx``), so
#: conformance checks each and the vendor page lists each.
CARRIER_CODES: tuple[DocumentedStatus, ...] = tuple(
    DocumentedStatus(code, CODES[code], None, meaning) for code, _, _, meaning in _CODE_ROWS
) + tuple(
    DocumentedStatus(
        prefix + ("nn" if prefix == "SMGPERR:" else "xxxx"), FAMILIES[prefix], None, f"{meaning} (by prefix)"
    )
    for prefix, _, _, meaning in _FAMILY_ROWS
)

_LONGEST_PREFIX = max(len(prefix) for prefix in FAMILIES)


def map_carrier_code(code: str) -> MappedStatus | None:
    """The canonical meaning of a carrier code, or ``None`` when it is not one.

    Matched case-insensitively after trimming blanks: the whole code first,
    then its family (the prefix up to its first ``:``). Never raises. A plugin
    asks this before its own table's catch-all, so a carrier code means the
    same whichever vendor relays it.
    """
    found = CODES.get(code)
    if found is not None:
        return found
    key = code.strip().upper()
    found = CODES.get(key)
    if found is not None:
        return found
    colon = key.find(":", 0, _LONGEST_PREFIX)
    return FAMILIES.get(key[: colon + 1]) if colon > 0 else None
