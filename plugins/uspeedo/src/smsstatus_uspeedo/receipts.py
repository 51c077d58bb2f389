"""One uSpeedo receipt record (``ReceiptPerPhone`` / a callback ``Data`` item) to a report.

The pull API and the callback carry the same fields; the callback item also
carries its ``SessionNo``, the pull record gets it from its ``ReceiptPerSession``.

Only the identity (``SessionNo`` and ``Phone``: one session covers many
numbers, so the phone tells its receipts apart) and ``ReceiptResult`` may
reject a receipt, as a :class:`PayloadError` naming the field's JSON path
(``$.Data[2].Phone``); any other field that cannot be read is null in the
report, with a warning, and stays in ``raw``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from smsstatus.plugin import (
    MAX_PARTS,
    NO_WARNINGS,
    Channel,
    JSONValue,
    OutOfRange,
    Record,
    StatusReport,
    identity,
    identity_problem,
    new_report,
    shown,
    to_e164,
)

from .mapping import DOCUMENTED_MEANINGS, map_receipt

__all__ = ["build_report", "lean_report", "receipt_time", "session_key"]

# 2000-01-01T00:00:00Z .. 2100-01-01T00:00:00Z, as the smsstatus.plugin time helpers check.
_MIN_S = 946_684_800
_MAX_S = 4_102_444_800


def receipt_time(value: Any) -> datetime | None:
    """``ReceiptTime``: Unix seconds as an int, or a digit string (the MMS twin
    API types it string). ``0`` means "no time" (the zero value of an unset int
    in the vendor's Go backend); anything else outside 2000..2100 is out of range."""
    if type(value) is int:
        seconds = value
    elif type(value) is str and value.isascii() and value.isdigit() and len(value) <= 12:
        seconds = int(value)
    else:
        raise ValueError(f"expected Unix seconds, got {shown(value)}")
    if seconds == 0:
        return None
    if not _MIN_S <= seconds < _MAX_S:
        raise OutOfRange(f"Unix seconds {shown(seconds)} is outside 2000..2100")
    return datetime.fromtimestamp(seconds, UTC)


def session_key(item: Any) -> str | None:
    """The ``SessionNo`` of a raw item, where it can be read (for item errors)."""
    if isinstance(item, Mapping):
        value = item.get("SessionNo")
        if isinstance(value, str) and value:
            return value
    return None


def _ident(vendor: str, path: str, item: Mapping[str, Any], name: str) -> str:
    value = item.get(name)
    if value.__class__ is str and identity_problem(value) is None:
        return value
    return identity(vendor, f"{path}.{name}", value)  # the rule's error, or an integer as text


def lean_report(
    vendor: str, item: Any, channel: Channel, received_at: datetime, session_no: str | None
) -> StatusReport | None:
    """The report of a receipt exactly as uSpeedo documents it, else ``None``
    (then :func:`build_report` reads it field by field and explains).

    This is the push hot path (a callback carries a batch of these): plain
    dict access and exact type checks, positional arguments, no JSON path
    built. It takes an item only when the identity is clean text, every other
    field has its documented type, ``ReceiptTime`` is within 2000..2100 and
    none of the pull API's extra fields is there, so nothing it takes could
    have warned.
    """
    if item.__class__ is not dict:
        return None
    get = item.get
    if session_no is None:
        session_no = get("SessionNo")
        if session_no.__class__ is not str or identity_problem(session_no) is not None:
            return None
    phone = get("Phone")
    result = get("ReceiptResult")
    code = get("ReceiptCode")
    description = get("ReceiptDesc")
    client_ref = get("UserId")
    segments = get("CostCount")
    seconds = get("ReceiptTime")
    if not (
        phone.__class__ is str
        and identity_problem(phone) is None
        and result.__class__ is str
        and (code is None or code.__class__ is str)
        and (description is None or description.__class__ is str)
        and (client_ref is None or client_ref.__class__ is str)
        and (segments is None or (segments.__class__ is int and 0 <= segments <= MAX_PARTS))
        and seconds.__class__ is int
        and _MIN_S <= seconds < _MAX_S
    ) or ("BrevityCode" in item or "CountryCode" in item or "AccountId" in item):
        return None
    code = code or None
    mapped = DOCUMENTED_MEANINGS.get((result, code)) or map_receipt(result, code)
    return new_report(  # StatusReport's fields, positionally
        vendor,
        session_no,  # message_id
        session_no,  # batch_id
        to_e164(phone),
        phone,  # recipient_raw
        None,  # sender
        mapped.status,
        mapped.mapping,
        mapped.reason,
        result,  # vendor_status
        code,  # vendor_code
        description or None,  # vendor_description
        client_ref or None,
        segments,
        None,  # part
        None,  # price
        None,  # country
        None,  # operator
        None,  # submitted_at
        datetime.fromtimestamp(seconds, UTC),  # status_at
        None,  # notified_at
        received_at,
        channel,
        {},  # extra
        item,  # raw
        NO_WARNINGS,
    )


def build_report(
    vendor: str,
    item: Any,
    path: str,
    *,
    channel: Channel,
    received_at: datetime,
    session_no: str | None = None,
) -> StatusReport:
    """Normalise one receipt; raises :class:`PayloadError` naming the bad field
    of its identity or result, and warns about any other.

    ``session_no`` is given for pull records (which have no ``SessionNo`` of
    their own); callback items must carry it. The documented shape is read by
    :func:`lean_report`; anything else goes through
    :class:`~smsstatus.plugin.Record`, which turns each unreadable optional
    field into null and a warning.
    """
    report = lean_report(vendor, item, channel, received_at, session_no)
    if report is not None:
        return report
    if type(item) is not dict:
        Record(vendor, item, path)  # raises the standard "expected an object" error
    if session_no is None:
        session_no = _ident(vendor, path, item, "SessionNo")
    phone = _ident(vendor, path, item, "Phone")
    result = item.get("ReceiptResult")
    record = Record(vendor, item, path)
    if result.__class__ is not str:
        result = record.string("ReceiptResult")
    code = record.opt_string("ReceiptCode")
    description = record.opt_string("ReceiptDesc")
    client_ref = record.opt_string("UserId")
    segments = record.integer("CostCount", required=False, minimum=0, maximum=MAX_PARTS)
    status_at = record.optional("ReceiptTime", receipt_time)
    extra: dict[str, JSONValue] = {}
    brevity = record.opt_string("BrevityCode")
    if brevity is not None:
        extra["brevity_code"] = brevity
    country_code = record.opt_string("CountryCode")
    if country_code is not None:
        extra["country_code"] = country_code
    account_id = record.integer("AccountId", required=False)
    if account_id is not None:
        extra["account_id"] = account_id
    mapped = DOCUMENTED_MEANINGS.get((result, code)) or map_receipt(result, code)
    return new_report(  # StatusReport's fields, positionally
        vendor,
        session_no,  # message_id
        session_no,  # batch_id
        to_e164(phone),
        phone,  # recipient_raw
        None,  # sender
        mapped.status,
        mapped.mapping,
        mapped.reason,
        result,  # vendor_status
        code,  # vendor_code
        description,  # vendor_description
        client_ref,
        segments,
        None,  # part
        None,  # price
        None,  # country
        None,  # operator
        None,  # submitted_at
        status_at,
        None,  # notified_at
        received_at,
        channel,
        extra,
        item,  # raw
        record.warnings,
    )
