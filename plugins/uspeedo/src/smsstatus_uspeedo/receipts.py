"""One uSpeedo receipt record (``ReceiptPerPhone`` / a callback ``Data`` item) to a report.

The pull API and the callback carry the same fields; the callback item also
carries its ``SessionNo``, the pull record gets it from its ``ReceiptPerSession``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from smsstatus.fields import Record
from smsstatus.model import Channel, JSONValue, StatusReport
from smsstatus.phone import to_e164
from smsstatus.times import from_epoch_seconds

from .mapping import map_receipt

__all__ = ["build_report", "receipt_time", "session_key"]


def receipt_time(rec: Record) -> datetime | None:
    """``ReceiptTime``: Unix seconds as an int (or a digit string, as the MMS twin
    API types it). ``0`` is read as "no time" (the zero value of an unset int in
    the vendor's Go backend), anything else outside 2000..2100 is an error."""
    value = rec.data.get("ReceiptTime")
    if (type(value) is int and value == 0) or value == "0":
        return None
    return rec.time("ReceiptTime", from_epoch_seconds)


def session_key(item: Any) -> str | None:
    """The ``SessionNo`` of a raw item, where it can be read (for item errors)."""
    if isinstance(item, Mapping):
        value = item.get("SessionNo")
        if isinstance(value, str) and value:
            return value
    return None


def build_report(
    vendor: str,
    item: Any,
    path: str,
    *,
    channel: Channel,
    received_at: datetime,
    session_no: str | None = None,
) -> StatusReport:
    """Normalise one receipt; raises :class:`PayloadError` naming the bad field.

    ``session_no`` is given for pull records (which have no ``SessionNo`` of
    their own); callback items must carry it.
    """
    rec = Record(vendor, item, path)
    if session_no is None:
        session_no = rec.string("SessionNo")
        if not session_no:
            raise rec.error("SessionNo", "must not be empty")
    phone = rec.string("Phone")
    if not phone:
        raise rec.error("Phone", "must not be empty")
    result = rec.string("ReceiptResult")
    code = rec.opt_string("ReceiptCode")
    description = rec.opt_string("ReceiptDesc")
    status_at = receipt_time(rec)
    segments = rec.integer("CostCount", required=False, minimum=0)
    client_ref = rec.opt_string("UserId")
    extra: dict[str, JSONValue] = {}
    brevity = rec.opt_string("BrevityCode")
    if brevity is not None:
        extra["brevity_code"] = brevity
    country_code = rec.opt_string("CountryCode")
    if country_code is not None:
        extra["country_code"] = country_code
    account_id = rec.integer("AccountId", required=False)
    if account_id is not None:
        extra["account_id"] = account_id
    mapped = map_receipt(result, code)
    return StatusReport(
        vendor=vendor,
        message_id=session_no,
        batch_id=session_no,
        recipient=to_e164(phone),
        recipient_raw=phone,
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=result,
        vendor_code=code,
        vendor_description=description,
        client_ref=client_ref,
        segments=segments,
        status_at=status_at,
        received_at=received_at,
        channel=channel,
        extra=extra,
        raw=item,
    )
