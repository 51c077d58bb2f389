"""uSpeedo ``ReceiptResult`` / ``ReceiptCode`` to canonical status and reason.

``ReceiptResult`` decides the status; ``ReceiptCode`` (free carrier/platform
text) refines the reason of a failure, and for ``Fail`` the two SMPP words
``EXPIRED`` and ``REJECTD`` also refine the status. Both are matched
case-insensitively (the docs spell ``Delivrd``, ``UNKNOWN``, ``Unknow``...);
the report keeps the raw values verbatim.
"""

from __future__ import annotations

import functools

from smsstatus.plugin import DocumentedStatus, MappedStatus, MappingKind, Reason, Status

__all__ = ["DOCUMENTED_STATUSES", "map_receipt"]

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

#: ``ReceiptCode`` (upper-cased) of a failure -> (status for ``Fail`` or None to
#: keep ``undelivered``, reason, description).
CODES: dict[str, tuple[Status | None, Reason, str]] = {
    "MSBLACK": (None, Reason.BLOCKED, "recipient on the carrier's anti-harassment blacklist"),
    "BLACK": (None, Reason.BLOCKED, "recipient number blacklisted"),
    "TDBLACK": (None, Reason.BLOCKED, "recipient number blacklisted"),
    "TSBLACK": (None, Reason.BLOCKED, "recipient number blacklisted"),
    "MBBLACK": (None, Reason.BLOCKED, "recipient number blacklisted"),
    "KEYWORD": (None, Reason.CONTENT_REJECTED, "content stopped by a keyword filter"),
    "MILIMIT": (None, Reason.RATE_LIMITED, "per-minute sending limit reached"),
    "LIMIT": (None, Reason.RATE_LIMITED, "sending limit for the number reached"),
    "BEYONDN": (None, Reason.RATE_LIMITED, "sending limit for the number reached"),
    "CTLIMIT": (None, Reason.RATE_LIMITED, "sending limit for the number reached"),
    "EXPIRED": (Status.EXPIRED, Reason.EXPIRED, "validity period expired before delivery"),
    "UNDELIV": (None, Reason.UNKNOWN, "undeliverable"),
    "REJECTD": (Status.REJECTED, Reason.UNKNOWN, "rejected"),
    "DELETED": (None, Reason.CANCELLED, "deleted before delivery"),
    "UNKNOWN": (None, Reason.UNKNOWN, "unknown error"),
}

#: Code families matched by substring when the exact code is not in CODES.
FAMILIES: tuple[tuple[str, Reason, str], ...] = (
    ("BLACK", Reason.BLOCKED, "blacklist"),
    ("KEYWORD", Reason.CONTENT_REJECTED, "keyword filter"),
)


def _code_entry(code: str | None) -> tuple[Status | None, Reason]:
    if not code:
        return None, Reason.UNKNOWN
    key = code.strip().upper()
    entry = CODES.get(key)
    if entry is not None:
        return entry[0], entry[1]
    for fragment, reason, _description in FAMILIES:
        if fragment in key:
            return None, reason
    return None, Reason.UNKNOWN


@functools.lru_cache(maxsize=1024)
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
    _doc("Fail", "MSBLACK", _U, Reason.BLOCKED, "anti-harassment blacklist (callback example)"),
    _doc("发送失败", "MSBLACK", _U, Reason.BLOCKED, "the same, Chinese spelling (UCloud callback page)"),
    _doc("Sending failed", None, _U, Reason.UNKNOWN, "failed, UCloud English page's wording"),
    _doc("Fail", "BLACK", _U, Reason.BLOCKED, "carrier number blacklist"),
    _doc("Fail", "TDBLACK", _U, Reason.BLOCKED, "carrier number blacklist"),
    _doc("Fail", "TSBLACK", _U, Reason.BLOCKED, "carrier number blacklist"),
    _doc("Fail", "MBBLACK", _U, Reason.BLOCKED, "carrier number blacklist"),
    _doc("Fail", "KEYWORD", _U, Reason.CONTENT_REJECTED, "carrier keyword interception"),
    _doc("Fail", "MILIMIT", _U, Reason.RATE_LIMITED, "carrier per-minute limit"),
    _doc("Fail", "LIMIT", _U, Reason.RATE_LIMITED, "carrier per-number limit"),
    _doc("Fail", "BEYONDN", _U, Reason.RATE_LIMITED, "carrier per-number limit"),
    _doc("Fail", "CTLIMIT", _U, Reason.RATE_LIMITED, "carrier per-number limit"),
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
)
