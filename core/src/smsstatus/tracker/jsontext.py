"""Compact JSON text for what the store keeps (each event's canonical report,
dead letters' items and headers): msgspec's encoder when it is installed
(``smsstatus[fast]``), about eight times faster than the standard library's
for a report, else :mod:`json` with the same output (UTF-8 kept as is, no
spaces). Anything msgspec refuses is encoded by :mod:`json`, so both accept
the same values; nesting too deep for either raises ``RecursionError``.

:func:`report_text` is the stored text of one canonical report, the text
``dumps(to_dict(report))`` gives, in a quarter of its cost for the usual
report: see there."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ..model import (
    Channel,
    MappingKind,
    Reason,
    Status,
    StatusReport,
)
from ..serialize import _FAST_PATH_MATCHES, FAST_FIELDS, format_instant, nested_dicts, to_dict

__all__ = ["dumps", "encode_bytes", "encoder_name", "report_text"]

_standard = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _choose() -> tuple[str, Callable[[Any], str], Callable[[Any], bytes] | None]:
    try:
        from msgspec import EncodeError
        from msgspec.json import Encoder
    except ImportError:
        return "json", _standard, None
    encode = Encoder().encode

    def fast(value: Any) -> str:
        try:
            return encode(value).decode("utf-8")
        except (TypeError, EncodeError):
            return _standard(value)

    return "msgspec", fast, encode


encoder_name, dumps, _encode = _choose()
#: msgspec's encoder to bytes, ``None`` without msgspec.
encode_bytes = _encode


def report_text(report: StatusReport) -> str:
    """``dumps(to_dict(report))``: the report's stored JSON text.

    The tracker stores one per event, and building the dict (a copy of every
    field, each checked and converted in Python) cost three times what
    encoding it did. msgspec writes the report's own ``__dict__`` (its fields
    in field order) as ``to_dict`` would, enums as their values, where every
    value is one both write alike: so the usual report is checked and
    encoded as it stands, and only the few values ``to_dict`` converts (a
    part, price, operator or warning; an instant of whole milliseconds,
    which ``format_instant`` writes ``.120Z`` and msgspec ``.120000Z``) are
    replaced first, in a copy. Anything else (a subclass, a ``str`` subclass,
    a non-UTC or naive time, a value in ``extra``/``raw`` that is not plain
    JSON, no msgspec) takes ``dumps(to_dict(report))`` itself.
    """
    text = _direct(report) if _encode is not None else None
    return dumps(to_dict(report)) if text is None else text


_TIMES = ("submitted_at", "status_at", "notified_at", "received_at")
#: Fields msgspec writes as to_dict does when each is a plain str or None.
_TEXTS = (
    "message_id",
    "batch_id",
    "recipient",
    "recipient_raw",
    "sender",
    "vendor_status",
    "vendor_code",
    "vendor_description",
    "client_ref",
    "country",
    "part_ref",
)
#: Every field is checked in _direct or _TEXTS: a field added to the report
#: without this module learning it turns the direct path off.
_COVERED = set(FAST_FIELDS[StatusReport]) == {
    *_TEXTS,
    *_TIMES,
    *("vendor", "status", "final", "mapping", "reason", "segments", "part", "price", "operator"),
    *("channel", "extra", "raw", "warnings"),
}
_KEYS = list(FAST_FIELDS[StatusReport])
_DIRECT = _FAST_PATH_MATCHES and _COVERED
_NONE = type(None)
_OPT_STR = frozenset({str, _NONE})
_JSON_SCALARS = frozenset({str, int, float, bool, _NONE})


def _direct(report: StatusReport) -> str | None:
    """msgspec's text of the report's fields when it is sure to be
    ``to_dict``'s, else ``None``."""
    if type(report) is not StatusReport or not _DIRECT:
        return None
    d = report.__dict__
    try:
        if (
            list(d) != _KEYS  # the dict's order is the text's
            or type(d["vendor"]) is not str
            or type(d["status"]) is not Status
            or type(d["final"]) is not bool
            or type(d["mapping"]) is not MappingKind
            or type(d["channel"]) is not Channel
            or (d["reason"] is not None and type(d["reason"]) is not Reason)
            or (d["segments"] is not None and type(d["segments"]) is not int)
            or type(d["extra"]) is not dict
            or type(d["raw"]) is not dict
            or type(d["warnings"]) is not tuple
            or not _plain_json(d["extra"])
            or not _plain_json(d["raw"])
        ):
            return None
        for name in _TEXTS:
            if type(d[name]) not in _OPT_STR:
                return None
        replaced: dict[str, Any] = {}
        for name in _TIMES:
            value = d[name]
            if value is None:
                continue
            if type(value) is not datetime or value.tzinfo is not UTC:
                return None
            micro = value.microsecond
            if micro % 1000 == 0 and micro:
                replaced[name] = format_instant(value)
        if d["part"] is not None or d["price"] is not None or d["operator"] is not None or d["warnings"]:
            # Slotted attrs classes: msgspec need not keep their field order.
            nested = nested_dicts(d["part"], d["price"], d["operator"], d["warnings"])
            if nested is None:
                return None
            replaced.update(nested)
        assert _encode is not None
        if replaced:
            copied = d.copy()
            copied.update(replaced)
            return _encode(copied).decode("utf-8")
        return _encode(d).decode("utf-8")
    except Exception:  # noqa: BLE001 -- unsure (deep nesting, a huge int): to_dict decides, raising what it raises today
        return None


def _plain_json(value: Any) -> bool:
    """Whether ``value`` holds only JSON scalars, lists, tuples and dicts with
    str keys: what ``to_dict`` copies unchanged (tuples become lists, which
    msgspec writes alike)."""
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or (type(item) not in _JSON_SCALARS and not _plain_json(item)):
                return False
        return True
    if kind is list or kind is tuple:
        return all(type(item) in _JSON_SCALARS or _plain_json(item) for item in value)
    return kind in _JSON_SCALARS
