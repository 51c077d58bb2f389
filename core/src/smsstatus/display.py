"""Text for people: control characters escaped.

Vendor data (a status, an error message) reaches terminals and log files. Raw,
a carriage return and a newline forge a line of output (``DELIVRD\\r\\nd7 m-1
delivered (final)``), an escape sequence retitles or clears the operator's
terminal, and Unicode's bidirectional overrides make text read differently
from what it is. :func:`printable` escapes them Python-style (``\\r``,
``\\x1b``, ``\\u202e``) so every value stays on its line and shows what it
holds. Backslashes are left alone: the result is for reading, not parsing
(JSON output, which is for parsing, is exact and never goes through here).
"""

from __future__ import annotations

import re

__all__ = ["printable"]

#: C0 and C1 controls, DEL, the line and paragraph separators, and the
#: bidirectional marks, embeddings, overrides and isolates.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    short = _SHORT.get(char)
    if short is not None:
        return short
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control character escaped, on one line."""
    if text.isprintable():  # the common case: nothing to look for
        return text
    return _UNSAFE.sub(_escape, text)
