"""Contacta's zone-less local times.

``added_on`` (and the older shape's ``send_date`` / ``received_date``) look
like ``2023-09-20 16:47:15`` with no zone. Contacta is a Mexican company and
its documented number is Mexican, so they are read as America/Mexico_City
wall-clock time (UTC-6 all year since Mexico dropped daylight saving time on
2022-10-30; earlier summer dates are UTC-5). This is an assumption [U].

Also accepted, since the vendor's schema calls the field "date-time": a ``T``
separator, fractional seconds and an explicit offset (then the offset wins).
The MySQL zero date ``0000-00-00 00:00:00``, ``""`` and ``null`` mean "no
time".
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from smsstatus.plugin import Record, zone

__all__ = ["MEXICO_CITY", "format_utc", "opt_time", "parse_time"]

#: The zone assumed for zone-less vendor times.
MEXICO_CITY = zone("America/Mexico_City")

_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:?\d{2})?")
_ZERO_DATE = re.compile(r"0000-00-00(?:[ T]00:00:00)?")


def parse_time(value: Any) -> datetime:
    """A Contacta time to an aware UTC datetime (``ValueError`` with a reason)."""
    if not isinstance(value, str):
        raise ValueError(f"expected a time string, got {type(value).__name__}")
    if not _TIME.fullmatch(value):
        raise ValueError(f"{value!r} is not YYYY-MM-DD HH:MM:SS")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a valid date and time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=MEXICO_CITY)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 shifted past the datetime range
        raise ValueError(f"{value!r} is out of range") from None


def opt_time(record: Record, name: str) -> datetime | None:
    """An optional time field; absent, null, empty and the zero date give ``None``."""
    value = record.get(name)
    if isinstance(value, str) and _ZERO_DATE.fullmatch(value):
        return None
    return record.time(name, parse_time, required=False)


def format_utc(value: datetime) -> str:
    """RFC 3339 in UTC with a ``Z`` (for ``extra``, which holds JSON values only)."""
    utc = value.astimezone(UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="microseconds" if utc.microsecond else "seconds") + "Z"
