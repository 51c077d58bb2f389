"""JSON form of the canonical model, through one cattrs converter.

* instants are RFC 3339 strings in UTC with a ``Z`` suffix; structuring accepts
  any offset and converts to UTC, and rejects naive times;
* money amounts are decimal strings; floats are rejected so no binary
  rounding ever reaches an amount;
* enums are their values.

cattrs is imported here only, so parsing a push never pays for it.

:func:`to_dict` of a :class:`~smsstatus.StatusReport` takes a hand-written
path (:func:`fast_report_dict`) that gives exactly the converter's output: the
converter dispatches on each optional field's type at run time, about 11 µs a
report, the largest single cost of storing a push. The converter stays the
reference: a report holding anything the fast path does not expect goes
through it, and the tests compare both on every fixture report.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_unstructure_fn
from cattrs.preconf.json import make_converter

from .errors import SmsStatusError
from .model import (
    Channel,
    MappingKind,
    Money,
    Operator,
    Part,
    Reason,
    ReportWarning,
    Status,
    StatusReport,
    WarningCode,
)

__all__ = [
    "InvalidReportError",
    "converter",
    "to_dict",
    "fast_report_dict",
    "from_dict",
    "dumps",
    "format_instant",
    "parse_instant",
]


def format_instant(value: datetime) -> str:
    """RFC 3339 in UTC, ``Z`` suffix, millisecond or microsecond precision as needed."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: canonical times are timezone-aware")
    value = value.astimezone(UTC)
    spec = (
        "seconds"
        if value.microsecond == 0
        else "milliseconds"
        if value.microsecond % 1000 == 0
        else "microseconds"
    )
    return value.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def parse_instant(value: object) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"expected an RFC 3339 string, got {type(value).__name__}")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone offset")
    return parsed.astimezone(UTC)


def _parse_decimal(value: object) -> Decimal:
    if not isinstance(value, str):
        raise TypeError(f"expected a decimal string, got {type(value).__name__}")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a decimal number") from None
    if not amount.is_finite():
        raise ValueError(f"{value!r} is not a finite amount")
    return amount


def _make() -> cattrs.Converter:
    conv = make_converter(forbid_extra_keys=False)
    conv.register_unstructure_hook(datetime, format_instant)
    conv.register_structure_hook(datetime, lambda v, _: parse_instant(v))
    # Fixed-point text: str() would give "1E-7", which the schema (and people) reject.
    conv.register_unstructure_hook(Decimal, lambda value: format(value, "f"))
    conv.register_structure_hook(Decimal, lambda v, _: _parse_decimal(v))
    # ``final`` is init=False (derived from ``status``) but part of the JSON contract.
    conv.register_unstructure_hook(
        StatusReport, make_dict_unstructure_fn(StatusReport, conv, _cattrs_include_init_false=True)
    )
    return conv


#: The converter for every canonical type.
converter = _make()


#: The fields :func:`fast_report_dict` writes, in the converter's key order
#: (attrs' field order). A field added to one of these classes without the fast
#: path learning it turns the fast path off (see ``_FAST_PATH_MATCHES``), and a
#: test fails.
FAST_FIELDS: dict[type, tuple[str, ...]] = {
    StatusReport: (
        "vendor",
        "message_id",
        "batch_id",
        "recipient",
        "recipient_raw",
        "sender",
        "status",
        "final",
        "mapping",
        "reason",
        "vendor_status",
        "vendor_code",
        "vendor_description",
        "client_ref",
        "segments",
        "part",
        "price",
        "country",
        "operator",
        "submitted_at",
        "status_at",
        "notified_at",
        "received_at",
        "channel",
        "extra",
        "raw",
        "warnings",
        "part_ref",
    ),
    Part: ("index", "total"),
    Money: ("amount", "currency"),
    Operator: ("mcc", "mnc", "name"),
    ReportWarning: ("field", "code", "reason"),
}

_FAST_PATH_MATCHES = all(
    tuple(f.name for f in attrs.fields(cls)) == names for cls, names in FAST_FIELDS.items()
)


class _Unsure(Exception):
    """A value the fast path does not know how the converter writes."""


_NONE = type(None)
_OPT_STR = frozenset({str, _NONE})
#: What the converter passes through unchanged inside ``extra`` and ``raw``.
_JSON_SCALARS = frozenset({str, int, float, bool, _NONE})


def _instant(value: Any) -> str:
    """:func:`format_instant` in a third of the time for the usual UTC time."""
    if type(value) is not datetime:
        raise _Unsure
    if value.tzinfo is not UTC:
        return format_instant(value)
    # isoformat() already picks seconds or microseconds as format_instant does;
    # only whole milliseconds need asking. "+00:00" becomes "Z".
    micro = value.microsecond
    text = value.isoformat() if micro % 1000 or not micro else value.isoformat(timespec="milliseconds")
    return text[:-6] + "Z"


def _json_copy(value: Any) -> Any:
    """What the converter makes of an ``Any`` value: a fresh copy, tuples as lists."""
    kind = type(value)
    if kind in _JSON_SCALARS:
        return value
    if kind is dict:
        return _json_dict(value)
    if kind is list or kind is tuple:
        return [item if type(item) in _JSON_SCALARS else _json_copy(item) for item in value]
    raise _Unsure


def _json_dict(value: Any) -> dict[str, Any]:
    if type(value) is not dict:
        raise _Unsure
    out: dict[str, Any] = {}
    for key, item in value.items():
        if type(key) is not str:
            raise _Unsure
        out[key] = item if type(item) in _JSON_SCALARS else _json_copy(item)
    return out


_REPORT_KEYS = list(FAST_FIELDS[StatusReport])


def _fast(d: dict[str, Any]) -> dict[str, Any]:
    # The instance dict already holds every field in the converter's key order
    # (StatusReport.__init__ stores them in field order): copy it in C and
    # replace only the values that are not JSON as they stand, after checking
    # that every value has the type the converter would pass through.
    out = d.copy()
    if list(out) != _REPORT_KEYS:
        raise _Unsure
    status = out["status"]
    mapping = out["mapping"]
    reason = out["reason"]
    channel = out["channel"]
    segments = out["segments"]
    opt_str = _OPT_STR
    if (
        type(status) is not Status
        or type(mapping) is not MappingKind
        or (reason is not None and type(reason) is not Reason)
        or type(channel) is not Channel
        or type(out["final"]) is not bool
        or (segments is not None and type(segments) is not int)
        or type(out["vendor"]) is not str
        or type(out["message_id"]) not in opt_str
        or type(out["batch_id"]) not in opt_str
        or type(out["recipient"]) not in opt_str
        or type(out["recipient_raw"]) not in opt_str
        or type(out["sender"]) not in opt_str
        or type(out["vendor_status"]) not in opt_str
        or type(out["vendor_code"]) not in opt_str
        or type(out["vendor_description"]) not in opt_str
        or type(out["client_ref"]) not in opt_str
        or type(out["country"]) not in opt_str
        or type(out["part_ref"]) not in opt_str
    ):
        raise _Unsure
    # The members' own attribute: ``.value`` is a Python-level descriptor.
    out["status"] = status._value_
    out["mapping"] = mapping._value_
    if reason is not None:
        out["reason"] = reason._value_
    out["channel"] = channel._value_
    nested = nested_dicts(out["part"], out["price"], out["operator"], out["warnings"])
    if nested is None:
        raise _Unsure
    out.update(nested)
    if out["submitted_at"] is not None:
        out["submitted_at"] = _instant(out["submitted_at"])
    if out["status_at"] is not None:
        out["status_at"] = _instant(out["status_at"])
    if out["notified_at"] is not None:
        out["notified_at"] = _instant(out["notified_at"])
    out["received_at"] = _instant(out["received_at"])
    out["extra"] = _json_dict(out["extra"])
    out["raw"] = _json_dict(out["raw"])
    return out


def nested_dicts(part: Any, price: Any, operator: Any, warnings: Any) -> dict[str, Any] | None:
    """The report's nested values as the converter writes them (part, price
    and operator when set, warnings always), or ``None`` when one is not the
    plain class holding plain values."""
    opt_str = _OPT_STR
    out: dict[str, Any] = {}
    if part is not None:
        if type(part) is not Part or type(part.index) is not int or type(part.total) is not int:
            return None
        out["part"] = {"index": part.index, "total": part.total}
    if price is not None:
        if (
            type(price) is not Money
            or type(price.amount) is not Decimal
            or type(price.currency) not in opt_str
        ):
            return None
        out["price"] = {"amount": format(price.amount, "f"), "currency": price.currency}
    if operator is not None:
        if (
            type(operator) is not Operator
            or type(operator.mcc) not in opt_str
            or type(operator.mnc) not in opt_str
            or type(operator.name) not in opt_str
        ):
            return None
        out["operator"] = {"mcc": operator.mcc, "mnc": operator.mnc, "name": operator.name}
    if type(warnings) is not tuple:
        return None
    listed = []
    for warning in warnings:
        if (
            type(warning) is not ReportWarning
            or type(warning.field) is not str
            or type(warning.code) is not WarningCode
            or type(warning.reason) is not str
        ):
            return None
        listed.append({"field": warning.field, "code": warning.code._value_, "reason": warning.reason})
    out["warnings"] = listed
    return out


def fast_report_dict(report: StatusReport) -> dict[str, Any] | None:
    """``converter.unstructure(report)`` without the converter, or ``None``
    when the report holds a value whose conversion the fast path does not know
    (a subclass, a ``str`` subclass, a non-JSON value in ``raw``...)."""
    if not _FAST_PATH_MATCHES or type(report) is not StatusReport:
        return None
    try:
        return _fast(report.__dict__)
    except Exception:  # noqa: BLE001 - whatever trips the fast path (a naive time, deep nesting), the converter decides, raising what it raises today
        return None


def to_dict(report: StatusReport) -> dict[str, Any]:
    """The report as JSON-ready data (the public contract's field names)."""
    data = fast_report_dict(report)
    if data is None:
        data = converter.unstructure(report)
    return data


class InvalidReportError(SmsStatusError, ValueError):
    """Stored or received canonical JSON that is not a valid report.

    ``problems`` lists each problem with its path (``$.price.amount``)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid status report: " + "; ".join(problems))


def from_dict(data: Any) -> StatusReport:
    """Build a report from JSON data; errors carry each field's path."""
    try:
        report: StatusReport = converter.structure(data, StatusReport)
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError) as exc:
        problems = cattrs.transform_error(exc) if isinstance(exc, cattrs.BaseValidationError) else [str(exc)]
        raise InvalidReportError(problems) from None
    if isinstance(data, dict) and "final" in data and data["final"] != report.final:
        raise InvalidReportError([f"$.final: {data['final']!r} contradicts status {report.status.value!r}"])
    return report


def dumps(report: StatusReport, *, indent: int | None = None) -> str:
    return json.dumps(to_dict(report), ensure_ascii=False, indent=indent)
