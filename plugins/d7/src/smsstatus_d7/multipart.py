"""D7's multipart postback, read for the lean path.

:func:`fields` gives what :func:`smsstatus.plugin.fast_multipart` gives for
the same body (tested against it) at a fraction of its cost for the shape
form libraries send: ``multipart/form-data; boundary=TOKEN`` and, per field,
the delimiter line, one ``Content-Disposition: form-data; name="..."`` line,
a blank line and a one-line value, then the closing delimiter::

    --B\\r\\nContent-Disposition: form-data; name="msg_id"\\r\\n\\r\\nabc\\r\\n ... --B--\\r\\n

``fast_multipart`` splits the body at the boundary and each part in Python;
here the body is split into its lines once (in C) and the four kinds of line
are checked as slices of that list. The answer is the same because the
boundary must occur exactly once per field plus the closing delimiter, each
time as a whole line (so splitting at it, as ``fast_multipart`` does, gives
the same parts), and no value holds a lone CR or LF. Anything else gets
``fast_multipart``'s own answer. Like ``plivo``'s form reader, this belongs
in core's ``fast_multipart``; it is here until core has it.
"""

from __future__ import annotations

import re

from smsstatus.plugin import fast_multipart

__all__ = ["fields"]

_PREFIX = "multipart/form-data; boundary="
#: An unquoted boundary: a token of RFC 2046's characters without tspecials (fast_multipart's rule).
_TOKEN = re.compile(r"[0-9A-Za-z+_.-]{1,70}")
#: A part's one header line is this, the field's name and a closing quote.
_HEAD = b'Content-Disposition: form-data; name="'
#: The characters fast_multipart takes in a name.
_NAME_CHARS = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_.[]-"


def fields(content_type: str, body: bytes) -> dict[str, str] | None:
    """``fast_multipart(content_type, body)``: the fields of a multipart body
    as ``{name: value}``, or ``None`` when it is not the plain shape or a
    name is repeated. ``content_type`` is the whole header."""
    boundary = content_type[len(_PREFIX) :]
    if not content_type.startswith(_PREFIX) or _TOKEN.fullmatch(boundary) is None:
        return fast_multipart(content_type, body)
    delimiter = b"--" + boundary.encode()
    lines = body.split(b"\r\n")
    if lines[-1] == b"":
        del lines[-1]  # the closing delimiter's own line end
    count, rest = divmod(len(lines) - 1, 4)
    end = 4 * count
    if (
        rest
        or not count
        or lines[-1] != delimiter + b"--"
        or lines[0:end:4].count(delimiter) != count
        or body.count(delimiter) != count + 1
        or lines[2:end:4].count(b"") != count
    ):
        return fast_multipart(content_type, body)
    size = len(_HEAD)
    names = [head[size:-1] for head in lines[1:end:4] if head[:size] == _HEAD and head[-1:] == b'"']
    # Joined by LF, which no name or value holds: one check and one decode for all of them.
    name_text, value_text = b"\n".join(names), b"\n".join(lines[3:end:4])
    if (
        len(names) != count
        or b"".join(names).translate(None, _NAME_CHARS)  # a character a name may not hold
        or b"\r" in value_text
        or value_text.count(b"\n") != count - 1  # a value's own LF
    ):
        return fast_multipart(content_type, body)
    try:
        values = value_text.decode().split("\n")
    except UnicodeDecodeError:
        return None  # as fast_multipart: a value that is not UTF-8
    data = dict(zip(name_text.decode().split("\n"), values, strict=True))
    return data if len(data) == count else None  # fewer: a name given twice
