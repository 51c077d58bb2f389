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
#: The report's fields in the order _direct unpacks them into names: a field
#: added to the report, or moved, without _direct learning it turns the direct
#: path off.
_UNPACKED = (
    *("vendor", "message_id", "batch_id", "recipient", "recipient_raw", "sender", "status", "final"),
    *("mapping", "reason", "vendor_status", "vendor_code", "vendor_description", "client_ref"),
    *("segments", "part", "price", "country", "operator", *_TIMES, "channel", "extra", "raw"),
    *("warnings", "part_ref"),
)
_COVERED = tuple(FAST_FIELDS[StatusReport]) == _UNPACKED
_KEYS = list(FAST_FIELDS[StatusReport])
_DIRECT = _FAST_PATH_MATCHES and _COVERED
_NONE = type(None)
_OPT_STR = frozenset({str, _NONE})
_JSON_SCALARS = frozenset({str, int, float, bool, _NONE})


def _direct(report: StatusReport) -> str | None:
    """msgspec's text of the report's fields when it is sure to be
    ``to_dict``'s, else ``None``.

    The fields are unpacked into locals once (the dict's order is checked
    first, so each lands in its own name) and checked there: a dict lookup
    per check, and a loop over the field names, cost about as much as the
    checks themselves, on every stored report."""
    if type(report) is not StatusReport or not _DIRECT:
        return None
    d = report.__dict__
    try:
        if list(d) != _KEYS:  # the dict's order is the text's
            return None
        (
            vendor,
            message_id,
            batch_id,
            recipient,
            recipient_raw,
            sender,
            status,
            final,
            mapping,
            reason,
            vendor_status,
            vendor_code,
            vendor_description,
            client_ref,
            segments,
            part,
            price,
            country,
            operator,
            submitted_at,
            status_at,
            notified_at,
            received_at,
            channel,
            extra,
            raw,
            warnings,
            part_ref,
        ) = d.values()
        opt_str = _OPT_STR
        if (
            type(vendor) is not str
            or type(status) is not Status
            or type(final) is not bool
            or type(mapping) is not MappingKind
            or type(channel) is not Channel
            or (reason is not None and type(reason) is not Reason)
            or (segments is not None and type(segments) is not int)
            or type(message_id) not in opt_str
            or type(batch_id) not in opt_str
            or type(recipient) not in opt_str
            or type(recipient_raw) not in opt_str
            or type(sender) not in opt_str
            or type(vendor_status) not in opt_str
            or type(vendor_code) not in opt_str
            or type(vendor_description) not in opt_str
            or type(client_ref) not in opt_str
            or type(country) not in opt_str
            or type(part_ref) not in opt_str
            or type(extra) is not dict
            or type(raw) is not dict
            or type(warnings) is not tuple
            or (extra and not _plain_json(extra))  # nearly always empty
            or not _plain_json(raw)
        ):
            return None
        whole_ms = False
        for value in (submitted_at, status_at, notified_at, received_at):
            if value is None:
                continue
            if type(value) is not datetime or value.tzinfo is not UTC:
                return None
            micro = value.microsecond
            whole_ms = whole_ms or (micro % 1000 == 0 and micro != 0)
        replaced: dict[str, Any] = {}
        if whole_ms:
            for name in _TIMES:
                value = d[name]
                if value is not None and value.microsecond % 1000 == 0 and value.microsecond:
                    replaced[name] = format_instant(value)
        if part is not None or price is not None or operator is not None or warnings:
            # Slotted attrs classes: msgspec need not keep their field order.
            nested = nested_dicts(part, price, operator, warnings)
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
