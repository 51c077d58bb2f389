"""One uSpeedo receipt record (``ReceiptPerPhone`` / a callback ``Data`` item) to a report.

The pull API and the callback carry the same fields; the callback item also
carries its ``SessionNo``, the pull record gets it from its ``ReceiptPerSession``.

This is the push hot path, so fields are read with plain dict access and
exact type checks; every problem is still a :class:`PayloadError` naming the
field's JSON path (``$.Data[2].ReceiptTime``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from smsstatus.plugin import Channel, JSONValue, PayloadError, Record, StatusReport, kind_of, to_e164

from .mapping import map_receipt

__all__ = ["build_report", "session_key"]

# 2000-01-01T00:00:00Z .. 2100-01-01T00:00:00Z, as the smsstatus.plugin time helpers check.
_MIN_S = 946_684_800
_MAX_S = 4_102_444_800
_MISSING: Any = object()


def _required_str(vendor: str, path: str, item: Mapping[str, Any], name: str, *, empty: bool) -> str:
    value = item.get(name)
    if type(value) is str and (empty or value):
        return value
    if value is None:
        reason = "required field is missing"
    elif isinstance(value, str):
        reason = "must not be empty"
    else:
        reason = f"expected a string, got {kind_of(value)}"
    raise PayloadError(vendor, f"{path}.{name}", reason)


def _opt_str(vendor: str, path: str, item: Mapping[str, Any], name: str) -> str | None:
    """Absent, null and "" give None."""
    value = item.get(name)
    if value is None or type(value) is str:
        return value or None
    raise PayloadError(vendor, f"{path}.{name}", f"expected a string, got {kind_of(value)}")


def _opt_int(
    vendor: str, path: str, item: Mapping[str, Any], name: str, minimum: int | None = None
) -> int | None:
    value = item.get(name)
    if value is None:
        return None
    if type(value) is not int:
        raise PayloadError(vendor, f"{path}.{name}", f"expected an integer, got {kind_of(value)}")
    if minimum is not None and value < minimum:
        raise PayloadError(vendor, f"{path}.{name}", f"must be at least {minimum}, got {value}")
    return value


def _receipt_time(vendor: str, path: str, item: Mapping[str, Any]) -> datetime | None:
    """``ReceiptTime``: Unix seconds as an int, or a digit string (the MMS twin
    API types it string). ``0`` means "no time" (the zero value of an unset int
    in the vendor's Go backend); anything else outside 2000..2100 is an error."""
    value = item.get("ReceiptTime", _MISSING)
    if type(value) is int:
        seconds = value
    elif type(value) is str and value.isascii() and value.isdigit():
        seconds = int(value)
    elif value is _MISSING or value is None:
        raise PayloadError(vendor, f"{path}.ReceiptTime", "required field is missing")
    else:
        raise PayloadError(vendor, f"{path}.ReceiptTime", f"expected Unix seconds, got {value!r}")
    if seconds == 0:
        return None
    if not _MIN_S <= seconds < _MAX_S:
        raise PayloadError(vendor, f"{path}.ReceiptTime", f"Unix seconds {seconds} is outside 2000..2100")
    return datetime.fromtimestamp(seconds, UTC)


def _recipient(phone: str) -> str | None:
    # Fast path for the usual international digits ("8618512345678"); the
    # same rule as smsstatus.plugin.to_e164, which handles everything else.
    if phone.isascii() and phone.isdigit() and phone[0] != "0" and 8 <= len(phone) <= 15:
        return "+" + phone
    return to_e164(phone)


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
    if type(item) is not dict:
        Record(vendor, item, path)  # raises the standard "expected an object" error
    if session_no is None:
        session_no = _required_str(vendor, path, item, "SessionNo", empty=False)
    phone = _required_str(vendor, path, item, "Phone", empty=False)
    result = _required_str(vendor, path, item, "ReceiptResult", empty=True)
    code = _opt_str(vendor, path, item, "ReceiptCode")
    description = _opt_str(vendor, path, item, "ReceiptDesc")
    status_at = _receipt_time(vendor, path, item)
    segments = _opt_int(vendor, path, item, "CostCount", 0)
    client_ref = _opt_str(vendor, path, item, "UserId")
    extra: dict[str, JSONValue] = {}
    if "BrevityCode" in item or "CountryCode" in item or "AccountId" in item:
        brevity = _opt_str(vendor, path, item, "BrevityCode")
        if brevity is not None:
            extra["brevity_code"] = brevity
        country_code = _opt_str(vendor, path, item, "CountryCode")
        if country_code is not None:
            extra["country_code"] = country_code
        account_id = _opt_int(vendor, path, item, "AccountId")
        if account_id is not None:
            extra["account_id"] = account_id
    mapped = map_receipt(result, code)
    return StatusReport(
        vendor=vendor,
        message_id=session_no,
        batch_id=session_no,
        recipient=_recipient(phone),
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
