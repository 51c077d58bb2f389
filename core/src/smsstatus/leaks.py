"""Finding a secret in text, verbatim or encoded (used by the HTTP client to
mask echoed credentials and by the conformance kit to find leaks).

A secret leaks as often encoded as verbatim: in a logged ``Authorization:
Basic`` header (base64 of ``user:secret``), a logged URL (percent-encoded), a
hex dump. :func:`spellings` lists the ways a value can appear: verbatim,
percent-encoded, JSON-escaped (also with ``\\/``), HTML-escaped, hex, and base64
(standard and URL-safe) at each
of the three byte alignments it can have inside a longer encoded string (the
part of the encoding that depends on the secret's bytes alone), so
``base64("1735689600:token")`` is found from ``token`` without decoding
anything.
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Iterable, Mapping
from urllib.parse import quote, quote_plus

__all__ = ["MIN_ENCODED", "spellings", "find_secrets", "found_in"]

#: Encoded spellings of values shorter than this are not searched (a 4-character
#: base64 fragment is found by chance in random text).
MIN_ENCODED = 8


def _base64_fragments(data: bytes) -> Iterable[str]:
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + data).decode("ascii")
        # Characters that depend only on ``data``'s bits: skip the ones mixing
        # in the padding bytes before it and the partial group after it.
        start = (8 * offset + 5) // 6
        end = (8 * (offset + len(data))) // 6
        fragment = encoded[start:end]
        yield fragment
        yield fragment.replace("+", "-").replace("/", "_")


def _html_escaped(text: str) -> str:
    # html.escape's replacements, without importing html's entity tables.
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;")):
        text = text.replace(char, entity)
    return text


@functools.lru_cache(maxsize=256)
def spellings(value: str) -> tuple[tuple[str, str], ...]:
    """``(encoding, needle)`` for every way ``value`` is searched for."""
    found: dict[str, str] = {value: "verbatim"}
    if len(value) >= MIN_ENCODED:
        data = value.encode("utf-8")
        for needle in (quote(value, safe=""), quote(value), quote_plus(value), quote(value, safe="").lower()):
            found.setdefault(needle, "percent-encoded")
        for escaped in (json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]):
            found.setdefault(escaped, "JSON-escaped")
            found.setdefault(escaped.replace("/", "\\/"), "JSON-escaped")  # as PHP's json_encode writes it
        found.setdefault(_html_escaped(value), "HTML-escaped")
        found.setdefault(data.hex(), "hex")
        found.setdefault(data.hex().upper(), "hex")
        for fragment in _base64_fragments(data):
            if len(fragment) >= MIN_ENCODED:
                found.setdefault(fragment, "base64")
    return tuple((encoding, needle) for needle, encoding in found.items())


def found_in(text: str, value: str) -> str | None:
    """How ``value`` appears in ``text`` (``"verbatim"``, ``"base64"``...), or ``None``."""
    for encoding, needle in spellings(value):
        if needle in text:
            return encoding
    return None


def find_secrets(text: str, secrets: Mapping[str, str]) -> list[tuple[str, str]]:
    """``(name, encoding)`` of every secret in ``secrets`` (name -> value) found in ``text``."""
    hits = []
    for name, value in secrets.items():
        if value:
            encoding = found_in(text, value)
            if encoding is not None:
                hits.append((name, encoding))
    return hits
