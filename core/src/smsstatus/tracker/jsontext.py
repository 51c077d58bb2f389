"""Compact JSON text for what the store keeps (each event's canonical report,
dead letters' items and headers): msgspec's encoder when it is installed
(``smsstatus[fast]``), about eight times faster than the standard library's
for a report, else :mod:`json` with the same output (UTF-8 kept as is, no
spaces). Anything msgspec refuses is encoded by :mod:`json`, so both accept
the same values; nesting too deep for either raises ``RecursionError``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["dumps", "encoder_name"]

_standard = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _choose() -> tuple[str, Callable[[Any], str]]:
    try:
        from msgspec import EncodeError
        from msgspec.json import Encoder
    except ImportError:
        return "json", _standard
    encode = Encoder().encode

    def fast(value: Any) -> str:
        try:
            return encode(value).decode("utf-8")
        except (TypeError, EncodeError):
            return _standard(value)

    return "msgspec", fast


encoder_name, dumps = _choose()
