"""uSpeedo API request signature (``X-Signature``).

Per uSpeedo's "How to construct api signature" page and its Go SDK
(``uspeedo/auth``): sort the body's keys ascending, concatenate ``key`` and
``value`` with no separator (an array contributes the concatenation of its
elements, a nested object is flattened the same way, recursively), append the
AccessKeySecret, and take the lowercase hex SHA-1 of the UTF-8 bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

__all__ = ["plaintext", "sign"]


def _value(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Go's strconv.FormatFloat(v, 'f', -1, 64): shortest digits, never an exponent.
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, Mapping):
        return _object(value)
    if isinstance(value, (list, tuple)):
        return "".join(_value(v) for v in value)
    return ""  # null: the SDK contributes nothing for it


def _object(params: Mapping[str, Any]) -> str:
    return "".join(key + _value(params[key]) for key in sorted(params))


def plaintext(params: Mapping[str, Any]) -> str:
    """The string that is hashed, without the secret appended."""
    return _object(params)


def sign(params: Mapping[str, Any], secret: str) -> str:
    """The ``X-Signature`` of a JSON request body."""
    text = (_object(params) + secret).encode("utf-8")
    # SHA-1 is the vendor's protocol, not our choice.
    return hashlib.sha1(text).hexdigest()  # noqa: S324
