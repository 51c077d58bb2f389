"""Vendor time formats to timezone-aware UTC datetimes.

Each function raises ``ValueError`` with a short reason; plugins turn that into
a :class:`~smsstatus.PayloadError` naming the field (see :mod:`smsstatus.fields`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo

__all__ = [
    "OutOfRange",
    "from_epoch_seconds",
    "from_epoch_millis",
    "parse_rfc3339",
    "parse_local",
    "zone",
    "SHANGHAI",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Far enough to reject garbage (a seconds value sent as millis lands in the
# year 50000+), near enough for any real SMS: 2000-01-01 .. 2100-01-01.
_MIN_S = 946_684_800
_MAX_S = 4_102_444_800


def zone(name: str) -> tzinfo:
    """A named zone; falls back to a fixed offset for the few we assume when
    the system has no tz database (Windows without ``tzdata``)."""
    from zoneinfo import (
        ZoneInfo,
        ZoneInfoNotFoundError,
    )  # ~2 ms of start-up, needed only by plugins that name a zone

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        fixed = _FIXED.get(name)
        if fixed is None:
            raise
        return fixed


#: Beijing time, which Chinese vendors use for zone-less local times (no DST since 1991).
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

_FIXED: dict[str, tzinfo] = {
    "Asia/Shanghai": SHANGHAI,
    "America/Mexico_City": timezone(timedelta(hours=-6), "America/Mexico_City"),
    "UTC": UTC,
}


class OutOfRange(ValueError):
    """A readable value outside what a real report can hold (a time outside
    2000..2100). :mod:`smsstatus.fields` reports it as ``out_of_range``
    rather than ``unreadable``; plugin parsers may raise it too."""


def _check_range(seconds: float, what: str) -> None:
    if not _MIN_S <= seconds < _MAX_S:
        raise OutOfRange(f"{what} {seconds!r} is outside 2000..2100")


def _as_number(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError("expected an integer timestamp, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise ValueError(f"expected an integer timestamp, got {value!r}")


def from_epoch_seconds(value: object) -> datetime:
    """Unix seconds (int or digit string) to UTC."""
    seconds = _as_number(value)
    _check_range(seconds, "Unix seconds")
    return _EPOCH + timedelta(seconds=seconds)


def from_epoch_millis(value: object) -> datetime:
    """Unix milliseconds (int or digit string) to UTC, exact to the millisecond."""
    millis = _as_number(value)
    _check_range(millis / 1000, "Unix milliseconds")
    return _EPOCH + timedelta(milliseconds=millis)  # exact integer arithmetic, no float rounding


def parse_rfc3339(value: object) -> datetime:
    """An ISO 8601 / RFC 3339 instant with an offset (``Z`` accepted) to UTC."""
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 string, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} carries no time zone")
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 lands before year 1
        raise ValueError(f"{value!r} is out of range") from None


# All-digit layouts vendors use (SMPP, Chinese gateways), parsed by slicing:
# strptime costs about 8 µs a call, a slice-and-int parse under 1 µs, and
# these run once per report on the push hot path.
_COMPACT: dict[str, tuple[bool, int]] = {
    "%y%m%d%H%M": (False, 10),
    "%y%m%d%H%M%S": (False, 12),
    "%Y%m%d%H%M%S": (True, 14),
}


def _compact(value: str, four_digit_year: bool) -> datetime:
    if four_digit_year:
        year, rest = int(value[:4]), value[4:]
    else:
        # strptime's %y rule: 69-99 are 1900s, 00-68 are 2000s.
        short = int(value[:2])
        year, rest = (1900 + short if short >= 69 else 2000 + short), value[2:]
    second = int(rest[8:10]) if len(rest) > 8 else 0
    return datetime(year, int(rest[0:2]), int(rest[2:4]), int(rest[4:6]), int(rest[6:8]), second)


#: Dashed layouts read by slicing when the value is zero-padded (what
#: vendors send); anything else goes to strptime, which also takes 1-digit fields.
_DASHED: dict[str, str] = {"%Y-%m-%d %H:%M:%S": " ", "%Y-%m-%dT%H:%M:%S": "T"}


def _dashed(value: str, separator: str) -> datetime | None:
    if not (
        len(value) == 19
        and value[4] == value[7] == "-"
        and value[10] == separator
        and value[13] == value[16] == ":"
        and value.isascii()
    ):
        return None
    if not (value[0:4] + value[5:7] + value[8:10] + value[11:13] + value[14:16] + value[17:19]).isdigit():
        return None
    # ValueError for a month, day or hour out of range, as strptime.
    return datetime(
        int(value[0:4]),
        int(value[5:7]),
        int(value[8:10]),
        int(value[11:13]),
        int(value[14:16]),
        int(value[17:19]),
    )


def parse_local(value: object, fmt: str, tz: tzinfo) -> datetime:
    """A zone-less local time in ``fmt`` (strptime), read in ``tz``, to UTC."""
    if not isinstance(value, str):
        raise ValueError(f"expected a time string, got {value!r}")
    compact = _COMPACT.get(fmt)
    separator = _DASHED.get(fmt)
    try:
        naive_dashed = None if separator is None else _dashed(value, separator)
        if naive_dashed is not None:
            naive = naive_dashed
        elif compact is not None:
            if len(value) != compact[1] or not (value.isascii() and value.isdigit()):
                raise ValueError
            naive = _compact(value, compact[0])
        else:
            naive = datetime.strptime(value, fmt)
    except ValueError:
        raise ValueError(f"{value!r} does not match {fmt}") from None
    try:
        return naive.replace(tzinfo=tz).astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{value!r} is out of range") from None
