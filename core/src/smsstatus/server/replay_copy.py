"""The replay copy of a dead letter: the push exactly as received, minus the
vendor's configured secrets.

A dead letter is shown redacted (:mod:`smsstatus.server.redact`), and the
redacted text is never replayed: redaction rewrites the request (``"pswd":x``
becomes ``"pswd":"***"``, which can turn broken JSON into valid JSON), so
replaying it would forge a push nobody authenticated. Replay works from this
copy instead:

* every occurrence of a configured secret value (as sent, percent-encoded,
  form-encoded or JSON-escaped) is cut out and kept as a *hole* naming the
  credential and the encoding; everything else stays byte for byte, wrong
  passwords included (that is what makes a forged push fail again on replay);
* replay fills the holes from the configuration and parses the request with
  the vendor's full credentials, so push authentication is checked again
  (signatures against the recorded receive time).

A hole only exists where the push carried the configured secret itself, so
the copy cannot be made to authenticate by anything a sender writes: the
document format is structured JSON, not text with markers a sender could
imitate. When a configured secret still shows in another encoding (base64,
hex), no copy is kept at all: the letter is then not replayable.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = ["ReplayCopyError", "make_replay_copy", "restore"]

_VERSION = 1

#: How a secret may appear in a request, and how to write it back.
_ENCODINGS: dict[str, Callable[[str], str]] = {
    "raw": lambda v: v,
    "quote": lambda v: quote(v, safe=""),
    "quote_plus": quote_plus,
    "json": lambda v: json.dumps(v)[1:-1],
}

Piece = str | dict[str, str]

_BASIC = re.compile(r"basic\s+([A-Za-z0-9+/]+=*)", re.IGNORECASE)


class ReplayCopyError(ValueError):
    """The replay copy cannot be restored (unreadable, or a credential it
    needs is not configured any more)."""


def _wire(text: str) -> str:
    """The form a value takes in the request's latin-1 text (bytes as code points)."""
    return text.encode("utf-8").decode("latin-1")


def _other_encodings(value: str) -> list[str]:
    raw = value.encode("utf-8")
    forms = {
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
        binascii.hexlify(raw).decode(),
    }
    return [f for f in forms if len(f) >= 4]


class _Cutter:
    def __init__(self, secrets: Mapping[str, str]) -> None:
        forms: dict[str, tuple[str, str]] = {}
        leftovers: list[str] = []
        for name, value in secrets.items():
            if not value:
                continue
            for encoding, encode in _ENCODINGS.items():
                forms.setdefault(_wire(encode(value)), (name, encoding))
            leftovers += _other_encodings(value)
        self._forms = forms
        self._values = [v.encode("utf-8") for v in secrets.values() if v]
        ordered = sorted(forms, key=len, reverse=True)  # the longest form wins
        self._pattern = re.compile("|".join(re.escape(f) for f in ordered)) if ordered else None
        lower = sorted({f.lower() for f in leftovers}, key=len, reverse=True)
        self._leftover = re.compile("|".join(re.escape(f) for f in lower), re.IGNORECASE) if lower else None

    def cut(self, text: str) -> list[Piece] | None:
        pieces: list[Piece] = []
        at = 0
        if self._pattern is not None:
            for match in self._pattern.finditer(text):
                if match.start() > at:
                    pieces.append(text[at : match.start()])
                name, encoding = self._forms[match.group()]
                pieces.append({"secret": name, "encoding": encoding})
                at = match.end()
        if at < len(text):
            pieces.append(text[at:])
        literal = [p for p in pieces if isinstance(p, str)]
        if self._leftover is not None and any(self._leftover.search(p) for p in literal):
            return None
        if any(self._in_basic(p) for p in literal):
            return None
        return pieces

    def _in_basic(self, text: str) -> bool:
        """A secret inside HTTP Basic credentials (base64 of ``user:secret``)."""
        for match in _BASIC.finditer(text):
            try:
                decoded = base64.b64decode(match.group(1) + "==", validate=False)
            except binascii.Error:
                continue
            if any(value in decoded for value in self._values):
                return True
        return False


def make_replay_copy(
    *, method: str, url: str, headers: Sequence[tuple[str, str]], body: bytes, secrets: Mapping[str, str]
) -> bytes | None:
    """The replay copy (a JSON document), or ``None`` when a configured secret
    shows in an encoding that cannot be cut out safely."""
    cutter = _Cutter(secrets)
    url_pieces = cutter.cut(url)
    body_pieces = cutter.cut(body.decode("latin-1"))
    header_pieces = [(name, cutter.cut(value)) for name, value in headers]
    if url_pieces is None or body_pieces is None or any(p is None for _, p in header_pieces):
        return None
    document = {
        "v": _VERSION,
        "method": method,
        "url": url_pieces,
        "headers": [[name, pieces] for name, pieces in header_pieces],
        "body": body_pieces,
    }
    return json.dumps(document, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def restore(copy: bytes, secrets: Mapping[str, str]) -> tuple[str, str, list[tuple[str, str]], bytes]:
    """(method, url, headers, body) of the push, the holes filled from
    ``secrets`` (credential name -> configured value)."""
    try:
        document = json.loads(copy)
        if document.get("v") != _VERSION:
            raise ReplayCopyError(f"unknown replay copy version {document.get('v')!r}")
        url = _fill(document["url"], secrets)
        headers = [(str(name), _fill(pieces, secrets)) for name, pieces in document["headers"]]
        body = _fill(document["body"], secrets).encode("latin-1")
        return str(document["method"]), url, headers, body
    except ReplayCopyError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ReplayCopyError(f"unreadable replay copy ({type(exc).__name__})") from None


def _fill(pieces: Any, secrets: Mapping[str, str]) -> str:
    out: list[str] = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(piece)
            continue
        name = piece["secret"]
        value = secrets.get(name)
        if not value:
            raise ReplayCopyError(f"credential {name!r} is not configured: the push cannot be rebuilt")
        out.append(_wire(_ENCODINGS[piece["encoding"]](value)))
    return "".join(out)
