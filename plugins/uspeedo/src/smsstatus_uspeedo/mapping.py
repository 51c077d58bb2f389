"""uSpeedo ``ReceiptResult`` / ``ReceiptCode`` to canonical status and reason.

``ReceiptResult`` decides the status; ``ReceiptCode`` (free carrier/platform
text) refines the reason of a failure, and for ``Fail`` the two SMPP words
``EXPIRED`` and ``REJECTD`` also refine the status. Both are matched
case-insensitively (the docs spell ``Delivrd``, ``UNKNOWN``, ``Unknow``...);
the report keeps the raw values verbatim.
"""

from __future__ import annotations

from smsstatus.plugin import (
    CARRIER_CODES,
    DocumentedStatus,
    MappedStatus,
    MappingKind,
    Reason,
    Status,
    map_carrier_code,
    short_value_cache,
)

__all__ = ["DOCUMENTED_MEANINGS", "DOCUMENTED_STATUSES", "map_receipt"]

_SUCCESS = "success"
_FAIL = "fail"
_UNKNOWN = "unknown"
_SUBMIT_FAIL = "submit_fail"

#: Every documented spelling of ``ReceiptResult`` (casefolded) -> its kind.
RESULTS: dict[str, str] = {
    # uSpeedo pull + callback pages
    "success": _SUCCESS,
    "fail": _FAIL,
    "unknow": _UNKNOWN,  # (sic) pull page
    "unknown": _UNKNOWN,  # callback page: UNKNOWN
    "submitfail": _SUBMIT_FAIL,  # pull page only
    # UCloud USMS callback page (same interface): Chinese values
    "发送成功": _SUCCESS,
    "发送失败": _FAIL,
    "状态未知": _UNKNOWN,
    # UCloud USMS English callback page, translating the Chinese values
    "sent successfully": _SUCCESS,
    "sending failed": _FAIL,
    "unknown state": _UNKNOWN,
}

#: ``ReceiptCode`` (upper-cased) of a failure that is an SMPP ``stat`` word ->
#: (status for ``Fail`` or None to keep ``undelivered``, reason, description).
#: Carrier gateway codes (``MSBLACK``, ``MILIMIT``, ``KEYWORD``, ``DB:0141``...)
#: are the core's carrier-code table (``smsstatus.plugin.map_carrier_code``),
#: which gives each one meaning whichever vendor relays it.
CODES: dict[str, tuple[Status | None, Reason, str]] = {
    "EXPIRED": (Status.EXPIRED, Reason.EXPIRED, "validity period expired before delivery"),
    "UNDELIV": (None, Reason.UNKNOWN, "undeliverable"),
    "REJECTD": (Status.REJECTED, Reason.UNKNOWN, "rejected"),
    "DELETED": (None, Reason.CANCELLED, "deleted before delivery"),
    "UNKNOWN": (None, Reason.UNKNOWN, "unknown error"),
}

#: Code families matched by substring when the code is in no table: the
#: carriers spell block lists many ways (``XXBLACK``), and a keyword filter is
#: a spam filter (docs/canonical-model.md).
FAMILIES: tuple[tuple[str, Reason, str], ...] = (
    ("BLACK", Reason.BLOCKED, "blacklist"),
    ("KEYWORD", Reason.SPAM_FILTERED, "keyword filter"),
)


def _code_entry(code: str | None) -> tuple[Status | None, Reason]:
    if not code:
        return None, Reason.UNKNOWN
    key = code.strip().upper()
    entry = CODES.get(key)
    if entry is not None:
        return entry[0], entry[1]
    carrier = map_carrier_code(key)
    if carrier is not None:
        return carrier.status, carrier.reason or Reason.UNKNOWN
    for fragment, reason, _description in FAMILIES:
        if fragment in key:
            return None, reason
    return None, Reason.UNKNOWN


@short_value_cache(1024)  # bounded in count and in key size: the keys are vendor-sent text
def map_receipt(result: str, code: str | None) -> MappedStatus:
    """Map one ``ReceiptResult`` (and ``ReceiptCode``). Never raises."""
    kind = RESULTS.get(result.strip().casefold())
    if kind is None:
        return MappedStatus(Status.UNKNOWN, None, MappingKind.UNMAPPED)
    if kind == _SUCCESS:
        return MappedStatus(Status.DELIVERED, None, MappingKind.EXACT)
    if kind == _UNKNOWN:
        return MappedStatus(Status.UNKNOWN, None, MappingKind.EXACT)
    override, reason = _code_entry(code)
    if kind == _SUBMIT_FAIL:
        return MappedStatus(Status.REJECTED, reason, MappingKind.EXACT)
    return MappedStatus(override or Status.UNDELIVERED, reason, MappingKind.EXACT)


def _doc(
    value: str, code: str | None, status: Status, reason: Reason | None, description: str
) -> DocumentedStatus:
    return DocumentedStatus(
        value=value,
        code=code,
        expected=MappedStatus(status, reason, MappingKind.EXACT),
        description=description,
    )


_D, _U, _X, _R = Status.DELIVERED, Status.UNDELIVERED, Status.EXPIRED, Status.REJECTED

#: Every documented ReceiptResult value, and the documented / known ReceiptCodes
#: with the ReceiptResult they come with.
DOCUMENTED_STATUSES: tuple[DocumentedStatus, ...] = (
    _doc("Success", None, _D, None, "delivered (uSpeedo pull and callback pages)"),
    _doc("Success", "Delivrd", _D, None, "delivered; ReceiptCode of the callback example"),
    _doc("Success", "0", _D, None, "delivered; ReceiptCode of the pull examples"),
    _doc("发送成功", "Delivrd", _D, None, "delivered, Chinese spelling (UCloud callback page)"),
    _doc("Sent successfully", None, _D, None, "delivered, UCloud English page's wording"),
    _doc("Fail", None, _U, Reason.UNKNOWN, "failed, no code"),
    _doc("Fail", "MSBLACK", _R, Reason.BLOCKED, "anti-harassment blacklist (callback example)"),
    _doc("发送失败", "MSBLACK", _R, Reason.BLOCKED, "the same, Chinese spelling (UCloud callback page)"),
    _doc("Sending failed", None, _U, Reason.UNKNOWN, "failed, UCloud English page's wording"),
    _doc("Fail", "EXPIRED", _X, Reason.EXPIRED, "SMPP stat EXPIRED"),
    _doc("Fail", "UNDELIV", _U, Reason.UNKNOWN, "SMPP stat UNDELIV"),
    _doc("Fail", "REJECTD", _R, Reason.UNKNOWN, "SMPP stat REJECTD"),
    _doc("Fail", "DELETED", _U, Reason.CANCELLED, "SMPP stat DELETED"),
    _doc("Fail", "UNKNOWN", _U, Reason.UNKNOWN, "SMPP stat UNKNOWN"),
    _doc("Unknow", None, Status.UNKNOWN, None, "carrier has not reported (pull page spelling)"),
    _doc("UNKNOWN", None, Status.UNKNOWN, None, "carrier has not reported (callback page spelling)"),
    _doc("状态未知", None, Status.UNKNOWN, None, "carrier has not reported (UCloud Chinese spelling)"),
    _doc("Unknown state", None, Status.UNKNOWN, None, "UCloud English page's wording"),
    _doc("SubmitFail", None, _R, Reason.UNKNOWN, "submission failed (pull page only)"),
    # Every carrier gateway code, as the ReceiptCode of a failed receipt: the core table's meaning.
    *(
        _doc("Fail", code.value, code.expected.status, code.expected.reason, code.description)
        for code in CARRIER_CODES
        if code.value != "MSBLACK"  # listed above, with the callback example it comes from
    ),
)

#: ``map_receipt``'s answer for every documented (ReceiptResult, ReceiptCode)
#: pair, as the callbacks spell them: every report of a push is mapped, and the
#: memo (``short_value_cache``, a Python wrapper round ``lru_cache``) costs
#: about 0.4 µs a call where one dict lookup costs 0.08.
DOCUMENTED_MEANINGS: dict[tuple[str, str | None], MappedStatus] = {
    (documented.value, documented.code): map_receipt(documented.value, documented.code)
    for documented in DOCUMENTED_STATUSES
}
