"""JSON form of the canonical model, through one cattrs converter.

* instants are RFC 3339 strings in UTC with a ``Z`` suffix; structuring accepts
  any offset and converts to UTC, and rejects naive times;
* money amounts are decimal strings; floats are rejected so no binary
  rounding ever reaches an amount;
* enums are their values.

cattrs is imported here only, so parsing a push never pays for it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import cattrs
from cattrs.gen import make_dict_unstructure_fn
from cattrs.preconf.json import make_converter

from .errors import SmsStatusError
from .model import StatusReport

__all__ = [
    "InvalidReportError",
    "converter",
    "to_dict",
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


def to_dict(report: StatusReport) -> dict[str, Any]:
    """The report as JSON-ready data (the public contract's field names)."""
    data: dict[str, Any] = converter.unstructure(report)
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
