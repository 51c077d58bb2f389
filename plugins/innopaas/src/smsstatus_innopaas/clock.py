"""InnoPaaS time strings to UTC datetimes.

InnoPaaS writes times many ways across its pages and calls them "timestamp
format" or "mainland China 24-hour format"; every time field is read the same
way. Zone-less wall clocks are Beijing time (UTC+8, no daylight saving):

* 13 digits: Unix epoch **milliseconds** (the current push: ``"1749545540967"``);
* 14 digits: ``yyyyMMddHHmmss`` (``"20250610165218"``);
* 12 digits: ``yyMMddHHmmss`` (the legacy GET push's ``requestTime``/``notifyTime``);
* 10 digits: **either** Unix epoch **seconds** (``"1712011530"``) **or**
  ``yyMMddHHmm`` (how the legacy doc describes ``reportTime``). Where both
  readings are valid times, the one nearest the receive time wins: a report
  is about a message sent minutes or days ago, and the two readings of one
  string are years apart (``1712011530`` is 2024-04-01T22:45:30Z as seconds,
  2017-12-01 15:30 Beijing as yyMMddHHmm);
* ``yyyy-MM-dd HH:mm:ss`` (the "mainland China 24-hour format",
  ``"2025-06-10 16:52:18"``), also with ``/`` between the date's parts, a
  ``T`` instead of the space, without seconds or with a fraction;
* ISO 8601 with a zone (the legacy GET example ``2024-02-01T00:11:15.130Z``).
  An explicit offset (``+08:00``) is honoured. A bare ``Z`` is read as a
  **Beijing wall clock**: in the doc's example the ``Z`` time equals the Beijing
  wall clock of the other two fields of the same push (read as real UTC, the
  gateway's report would come 8 hours after the push carrying it), the mark of
  a formatter writing local time with a literal ``'Z'``.

Two-digit years are 2000 + yy; every time must fall in 2000..2100
(:class:`~smsstatus.plugin.OutOfRange` otherwise). Anything else raises
``ValueError``; the push reads every time as optional, so such a value is null
in the report, with a warning, and stays in ``raw``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from smsstatus.plugin import SHANGHAI, OutOfRange, shown

__all__ = ["ISO_PATTERN", "LOCAL_PATTERN", "parse_time"]

#: The ISO 8601 forms with a zone (mirrors the payload schemas' pattern).
ISO_PATTERN = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?(?:Z|[+-][0-9]{2}:[0-9]{2})"
)
#: Zone-less wall clocks, "mainland China 24-hour format" (``2025-06-10 16:52:18``).
LOCAL_PATTERN = re.compile(
    r"([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,6}))?)?"
)

# 2000-01-01 and 2100-01-01 (the core's plausibility window).
_MIN_S = 946_684_800
_MAX_S = 4_102_444_800
_MIN_MS = _MIN_S * 1000
_MAX_MS = _MAX_S * 1000

_from_iso = datetime.fromisoformat
_from_timestamp = datetime.fromtimestamp
#: Beijing's offset from UTC (SHANGHAI is a fixed UTC+8: no daylight saving since 1991).
_BEIJING = timedelta(hours=8)


def _epoch_millis(value: str) -> datetime:
    millis = int(value)
    if not _MIN_MS <= millis < _MAX_MS:
        raise OutOfRange(f"epoch milliseconds {value!r} are outside 2000..2100")
    # Exact: below 2100 a float's error is under 0.5 us, and fromtimestamp rounds
    # to the nearest microsecond, so whole milliseconds come out exact (the tests
    # compare with integer arithmetic). Four times faster than the integer route.
    return datetime.fromtimestamp(millis / 1000, UTC)


def _epoch_seconds(value: str) -> datetime:
    seconds = int(value)
    if not _MIN_S <= seconds < _MAX_S:
        raise OutOfRange(f"epoch seconds {value!r} are outside 2000..2100")
    return datetime.fromtimestamp(seconds, UTC)


def _beijing(value: str, shape: str, *fields: int) -> datetime:
    """A Beijing wall clock (year, month, day, hour, minute[, second[, microsecond]]) in UTC."""
    year, month, day, hour, minute, *rest = fields
    if not 2000 <= year < 2100:
        raise OutOfRange(f"{shown(value)} is outside 2000..2100")
    second = rest[0] if rest else 0
    micro = rest[1] if len(rest) > 1 else 0
    try:
        local = datetime(year, month, day, hour, minute, second, micro, tzinfo=SHANGHAI)
    except ValueError:
        raise ValueError(f"{shown(value)} is not a valid {shape} time") from None
    return local.astimezone(UTC)


def _compact(value: str, year_digits: int, seconds: bool) -> datetime:
    """``yyMMddHHmm[ss]`` or ``yyyyMMddHHmmss`` digits (already checked)."""
    year = int(value[:year_digits]) + (2000 if year_digits == 2 else 0)
    rest = value[year_digits:]
    shape = ("yy" if year_digits == 2 else "yyyy") + "MMddHHmm" + ("ss" if seconds else "")
    return _beijing(
        value,
        shape,
        year,
        int(rest[0:2]),
        int(rest[2:4]),
        int(rest[4:6]),
        int(rest[6:8]),
        int(rest[8:10]) if seconds else 0,
    )


def _basic_iso(digits: str, value: str, year_digits: int) -> datetime:
    """``yyyyMMddHHmmss`` digits of a year in 2000..2099 as a Beijing wall clock:
    read by the C ISO 8601 parser in its basic format, which takes exactly the
    valid dates and times (three times faster than six ``int()`` and the
    constructor); :func:`_compact` explains a value it refuses."""
    try:
        # Read as UTC ('Z'), then moved back by Beijing's 8 hours: what
        # astimezone(UTC) gives for a fixed offset, at half its cost.
        return _from_iso(digits[:8] + "T" + digits[8:] + "Z") - _BEIJING
    except ValueError:
        return _compact(value, year_digits, seconds=True)  # raises, saying which part is wrong


def _ten_digits(value: str, received_at: datetime) -> datetime:
    """Unix seconds or yyMMddHHmm: the valid reading nearest the receive time."""
    readings: list[datetime] = []
    for read in (_epoch_seconds, _short_local):
        try:
            readings.append(read(value))
        except ValueError:
            continue
    if not readings:
        raise ValueError(f"{shown(value)} is neither Unix seconds nor a yyMMddHHmm time")
    return min(readings, key=lambda at: abs(at - received_at))


def _short_local(value: str) -> datetime:
    return _compact(value, 2, seconds=False)


def _iso(value: str) -> datetime:
    try:
        parsed = _from_iso(value)
    except ValueError:
        raise ValueError(f"{shown(value)} is not a valid ISO 8601 time") from None
    if not 2000 <= parsed.year < 2100:
        raise OutOfRange(f"{shown(value)} is outside 2000..2100")
    if value[-1] == "Z":
        # A literal 'Z' on a Beijing wall clock (see the module docstring): parsed
        # as UTC, it is 8 hours ahead of the real instant.
        return parsed - _BEIJING
    return parsed.astimezone(UTC)


def _local(value: str, match: re.Match[str]) -> datetime:
    year, month, day, hour, minute, second, fraction = match.groups()
    return _beijing(
        value,
        "yyyy-MM-dd HH:mm:ss",
        int(year),
        int(month),
        int(day),
        int(hour),
        int(minute),
        int(second or 0),
        int(fraction.ljust(6, "0")) if fraction else 0,
    )


def parse_time(value: str, received_at: datetime) -> datetime:
    """One InnoPaaS time string (non-empty) to an aware UTC datetime.

    ``received_at`` decides between the two readings of a 10-digit value.
    Raises ``ValueError`` (:class:`OutOfRange` for a time outside 2000..2100).
    """
    if value.isascii() and value.isdigit():
        size = len(value)
        if size == 13:
            millis = int(value)  # _epoch_millis, written out: the current push has three of these
            if _MIN_MS <= millis < _MAX_MS:
                return _from_timestamp(millis / 1000, UTC)
            return _epoch_millis(value)  # raises OutOfRange
        if size == 12:  # yyMMddHHmmss: _basic_iso("20" + value, ...) written out (the legacy push has two)
            try:
                return _from_iso(f"20{value[:6]}T{value[6:]}Z") - _BEIJING
            except ValueError:
                return _compact(value, 2, seconds=True)  # raises, saying which part is wrong
        if size == 10:
            return _ten_digits(value, received_at)
        if size == 14:
            return _basic_iso(value, value, 4) if value[:2] == "20" else _compact(value, 4, seconds=True)
        raise ValueError(
            f"{shown(value)}: {size} digits is none of epoch ms (13), yyyyMMddHHmmss (14),"
            " yyMMddHHmmss (12), or epoch seconds or yyMMddHHmm (10)"
        )
    if len(value) == 24 and value[4:20:3] == "--T::." and value[23] == "Z" and value.isascii():
        # The legacy push's ISO time (``2024-02-01T00:11:15.130Z``) without the
        # pattern's match (0.25 of this function's 0.6 µs): with the separators
        # in place and ASCII only, the C parser accepts exactly the digits the
        # pattern asks for (it reads each field with a strict 0-9 check; the
        # tests compare every character at every place with the pattern route).
        try:
            parsed = _from_iso(value)
        except ValueError:
            pass  # the pattern route below explains
        else:
            if 2000 <= parsed.year < 2100:
                return parsed - _BEIJING  # a Beijing wall clock with a literal 'Z', as _iso reads it
    if ISO_PATTERN.fullmatch(value):
        return _iso(value)
    match = LOCAL_PATTERN.fullmatch(value)
    if match is not None:
        return _local(value, match)
    raise ValueError(f"{shown(value)} is not a documented InnoPaaS time format")
