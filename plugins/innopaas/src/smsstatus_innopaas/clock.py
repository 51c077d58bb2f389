"""InnoPaaS time strings to UTC datetimes.

InnoPaaS writes times four ways across its pages, and every time field is read
the same way (the lengths never collide: epoch milliseconds have 13 digits
from 2001-09-09 on):

* 13 digits: Unix epoch **milliseconds** (the current push: ``"1749545540967"``);
* 12 digits: ``yyMMddHHmmss`` in Beijing time (the legacy GET push's
  ``requestTime``/``notifyTime``; the current doc's "mainland China 24-hour
  format" for ``requestTime``);
* 10 digits: ``yyMMddHHmm`` in Beijing time (how the legacy doc describes
  ``reportTime``);
* ISO 8601 with a zone (the legacy GET example ``2024-02-01T00:11:15.130Z``).
  An explicit offset (``+08:00``) is honoured. A bare ``Z`` is read as a
  **Beijing wall clock**: in the doc's example the ``Z`` time equals the Beijing
  wall clock of the other two fields of the same push (read as real UTC, the
  gateway's report would come 8 hours after the push carrying it), the mark of
  a formatter writing local time with a literal ``'Z'``.

Two-digit years are 2000 + yy; every time must fall in 2000..2100. Anything
else raises ``ValueError``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from smsstatus.plugin import SHANGHAI

__all__ = ["parse_time", "ISO_PATTERN"]

#: The ISO 8601 forms accepted (mirrors the payload schemas' pattern).
ISO_PATTERN = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?(?:Z|[+-][0-9]{2}:[0-9]{2})"
)


# 2000-01-01 and 2100-01-01 in epoch milliseconds (the core's plausibility window).
_MIN_MS = 946_684_800_000
_MAX_MS = 4_102_444_800_000


def _epoch_millis(value: str) -> datetime:
    millis = int(value)
    if not _MIN_MS <= millis < _MAX_MS:
        raise ValueError(f"epoch milliseconds {value!r} are outside 2000..2100")
    # Exact: below 2100 a float's error is under 0.5 us, and fromtimestamp rounds
    # to the nearest microsecond, so whole milliseconds come out exact (the tests
    # compare with integer arithmetic). Four times faster than the integer route.
    return datetime.fromtimestamp(millis / 1000, UTC)


def _beijing(value: str, seconds: bool) -> datetime:
    try:
        local = datetime(
            2000 + int(value[0:2]),
            int(value[2:4]),
            int(value[4:6]),
            int(value[6:8]),
            int(value[8:10]),
            int(value[10:12]) if seconds else 0,
            tzinfo=SHANGHAI,
        )
    except ValueError:
        shape = "yyMMddHHmmss" if seconds else "yyMMddHHmm"
        raise ValueError(f"{value!r} is not a valid {shape} time") from None
    return local.astimezone(UTC)


def _iso(value: str) -> datetime:
    try:
        if value[-1] == "Z":
            # A literal 'Z' on a Beijing wall clock (see the module docstring).
            parsed = datetime.fromisoformat(value[:-1]).replace(tzinfo=SHANGHAI)
        else:
            parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a valid ISO 8601 time") from None
    if not 2000 <= parsed.year < 2100:
        raise ValueError(f"{value!r} is outside 2000..2100")
    return parsed.astimezone(UTC)


def parse_time(value: str) -> datetime:
    """One InnoPaaS time string (non-empty) to an aware UTC datetime."""
    if value.isascii() and value.isdigit():
        size = len(value)
        if size == 13:
            return _epoch_millis(value)
        if size == 12:
            return _beijing(value, seconds=True)
        if size == 10:
            return _beijing(value, seconds=False)
        raise ValueError(
            f"{value!r}: {size} digits is none of epoch ms (13), yyMMddHHmmss (12) or yyMMddHHmm (10)"
        )
    if ISO_PATTERN.fullmatch(value):
        return _iso(value)
    raise ValueError(f"{value!r} is not a documented InnoPaaS time format")
