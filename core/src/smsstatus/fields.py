"""Typed access to one vendor record, with errors that name the field.

A plugin wraps each decoded record (a JSON object, or form/query parameters)
in a :class:`Record` and reads it with typed getters. No generic schema
validator runs on the hot path: the getters are both the check and the
explanation, and they follow one rule (``docs/canonical-model.md``):

* **only a record's identity and its status may reject it.** A required
  getter (``string``, ``ident``, ``integer``... without ``required=False``)
  raises a :class:`~smsstatus.PayloadError` with the vendor, the JSON path of
  the field (``$.Data[2].ReceiptTime``) and the reason;
* **every optional field that cannot be read becomes null with a warning.** An
  optional getter (``opt_string``, ``required=False``, :meth:`Record.optional`)
  answers ``None`` for an unreadable value and records a
  :class:`~smsstatus.model.ReportWarning` on the record; the plugin passes
  ``record.warnings`` to the report, and the value stays in ``raw``.

Identities (:func:`identity`) are text every store and query can carry; batch
sizes (:func:`check_batch`) and part numbers (:meth:`Record.part`) are bounded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypeVar, overload

from . import times
from .errors import PayloadError
from .model import MAX_ID_LENGTH, MAX_PARTS, Part, ReportWarning, WarningCode, identity_problem

__all__ = [
    "MAX_ID_LENGTH",
    "NO_WARNINGS",
    "Record",
    "check_batch",
    "decode_json_object",
    "identity",
    "identity_problem",
    "kind_of",
    "shown",
    "strip_fields",
]

T = TypeVar("T")

_MISSING: Any = object()

#: The warnings of a report that has none: one shared empty tuple, so the
#: common case allocates nothing.
NO_WARNINGS: tuple[ReportWarning, ...] = ()

_UNREADABLE = WarningCode.UNREADABLE
_OUT_OF_RANGE = WarningCode.OUT_OF_RANGE


def shown(value: Any, limit: int = 40) -> str:
    """``repr(value)`` cut to about ``limit`` characters, for reasons and
    warnings (the whole value stays in ``raw``; a reason never grows with it)."""
    if isinstance(value, int) and value.bit_length() > 128:  # repr of a 5,000-digit int raises
        return f"an integer of about {int(value.bit_length() * 0.30103)} digits"
    text = repr(value) if not isinstance(value, str) or len(value) <= limit else repr(value[:limit]) + "..."
    return text if len(text) <= limit + 8 else text[:limit] + "..."


def identity(vendor: str, field: str, value: Any) -> str:
    """A required identity (a string, or an integer: never a float, which
    loses the digits of long ids) as text; a :class:`PayloadError` naming
    ``field`` otherwise. For plugins that read their hot path without a
    :class:`Record`; :meth:`Record.ident` applies the same rule."""
    if value.__class__ is str:
        text: str = value
    elif isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    elif value is None:
        raise PayloadError(vendor, field, "required field is missing")
    else:
        raise PayloadError(vendor, field, f"expected a string or integer id, got {kind_of(value)}")
    problem = identity_problem(text)
    if problem is not None:
        raise PayloadError(vendor, field, problem)
    return text


def check_batch(vendor: str, field: str, count: int, limit: int) -> None:
    """Refuse a batch of ``count`` items above ``limit`` (the plugin's declared
    :attr:`~smsstatus.VendorInfo.max_batch`) before any item is read: an
    over-long batch is a payload error, never silently truncated."""
    if count > limit:
        raise PayloadError(vendor, field, f"{count} items; at most {limit} are accepted in one batch")


class Record:
    """A read-only view of one vendor record that reports bad fields precisely.

    Required getters raise :class:`PayloadError`; optional ones turn an
    unreadable value into ``None`` and a warning (see the module docstring).
    Records made with :meth:`child` share their parent's warnings.
    """

    __slots__ = ("_root", "_warnings", "data", "path", "vendor")

    def __init__(self, vendor: str, data: Any, path: str = "$", *, parent: Record | None = None) -> None:
        if data.__class__ is not dict and not isinstance(data, Mapping):  # the ABC check costs more
            raise PayloadError(vendor, path, f"expected an object, got {kind_of(data)}")
        self.vendor = vendor
        self.data: Mapping[str, Any] = data
        self.path = path
        self._root: Record | None = None if parent is None else (parent._root or parent)
        self._warnings: list[ReportWarning] | None = None

    def at(self, name: str) -> str:
        return f"{self.path}.{name}"

    def error(self, name: str, reason: str) -> PayloadError:
        return PayloadError(self.vendor, self.at(name), reason)

    # -- warnings ----------------------------------------------------------

    def warn(self, name: str, reason: str, code: WarningCode = _UNREADABLE) -> None:
        """Record that field ``name`` could not be read (the caller uses ``None``)."""
        root = self._root or self
        if root._warnings is None:
            root._warnings = []
        root._warnings.append(ReportWarning(self.at(name), code, reason))

    @property
    def warnings(self) -> tuple[ReportWarning, ...]:
        """Every warning recorded on this record and its children, for
        :attr:`StatusReport.warnings <smsstatus.StatusReport.warnings>`
        (the shared :data:`NO_WARNINGS` when there are none)."""
        found = (self._root or self)._warnings
        return NO_WARNINGS if found is None else tuple(found)

    def _reject(self, name: str, reason: str, required: bool, code: WarningCode = _UNREADABLE) -> None:
        """Raise for a required field; warn for an optional one (the caller returns None)."""
        if required:
            raise self.error(name, reason)
        self.warn(name, reason, code)

    # -- plain access --------------------------------------------------------

    def has(self, name: str) -> bool:
        return name in self.data

    def get(self, name: str, default: Any = None) -> Any:
        return self.data.get(name, default)

    def _value(self, name: str, required: bool) -> Any:
        value = self.data.get(name, _MISSING)
        if value is _MISSING or value is None:
            if required:
                raise self.error(name, "required field is missing")
            return _MISSING
        return value

    def optional(self, name: str, read: Callable[[Any], T]) -> T | None:
        """An optional field read by ``read``, a function of the raw value that
        raises ``ValueError`` (or ``TypeError``) with a reason.

        Absent, ``null`` and ``""`` give ``None``; a value ``read`` refuses
        gives ``None`` and a warning (``out_of_range`` when it raised
        :class:`smsstatus.times.OutOfRange`, else ``unreadable``).
        """
        value = self.data.get(name)
        if value is None or value == "":
            return None
        try:
            return read(value)
        except times.OutOfRange as exc:
            self.warn(name, str(exc), _OUT_OF_RANGE)
        except (ValueError, TypeError) as exc:
            self.warn(name, str(exc) or f"{shown(value)} cannot be read")
        return None

    # -- strings -----------------------------------------------------------

    def string(self, name: str) -> str:
        """A required string (may be empty)."""
        value = self._value(name, True)
        if not isinstance(value, str):
            raise self.error(name, f"expected a string, got {kind_of(value)}")
        return value

    def opt_string(self, name: str) -> str | None:
        """An optional string; absent, ``null`` and ``""`` give ``None``, another
        type gives ``None`` and a warning."""
        value = self.data.get(name)
        if value is None or value.__class__ is str:
            return value or None
        if isinstance(value, str):  # a str subclass
            return str(value) or None
        self.warn(name, f"expected a string, got {kind_of(value)}")
        return None

    @overload
    def ident(self, name: str) -> str: ...
    @overload
    def ident(self, name: str, *, required: Literal[True]) -> str: ...
    @overload
    def ident(self, name: str, *, required: bool) -> str | None: ...
    def ident(self, name: str, *, required: bool = True) -> str | None:
        """An identifier sent as a string or an integer (never a float: long
        ids lose digits as floats), returned as a string, under the rule of
        :func:`identity`. Optional: absent, ``null`` and ``""`` give ``None``,
        a bad value ``None`` and a warning."""
        value = self.data.get(name)
        if value.__class__ is str and identity_problem(value) is None:
            return value
        if required:
            return identity(self.vendor, self.at(name), value)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.warn(name, f"expected a string or integer id, got {kind_of(value)}")
            return None
        text = str(value)
        problem = identity_problem(text)
        if problem is not None:
            self.warn(name, problem, _OUT_OF_RANGE if len(text) > MAX_ID_LENGTH else _UNREADABLE)
            return None
        return text

    # -- numbers -----------------------------------------------------------

    def integer(
        self,
        name: str,
        *,
        required: bool = True,
        strings: bool = False,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:
        """An integer; ``strings=True`` also accepts a digit string (``"1"``).
        Outside ``minimum..maximum`` it is out of range (an error when
        required; ``None`` and a warning when optional)."""
        value = self._value(name, required)
        if value is _MISSING:
            return None
        if isinstance(value, str) and strings:
            if value == "" and not required:
                return None
            # At most 20 digits: int() of a long digit string is quadratic, and
            # Python refuses beyond 4300 digits with a bare ValueError.
            # One optional minus sign: lstrip("-") took "--5", which int() refuses.
            digits = value[1:] if value[:1] == "-" else value
            if not (value.isascii() and digits.isdigit() and len(value) <= 20):
                self._reject(name, f"expected an integer string, got {shown(value)}", required)
                return None
            number = int(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            self._reject(name, f"expected an integer, got {kind_of(value)}", required)
            return None
        if minimum is not None and number < minimum:
            self._reject(name, f"must be at least {minimum}, got {number}", required, _OUT_OF_RANGE)
            return None
        if maximum is not None and number > maximum:
            self._reject(name, f"must be at most {maximum}, got {shown(number)}", required, _OUT_OF_RANGE)
            return None
        return number

    def decimal(self, name: str, *, required: bool = True) -> Decimal | None:
        """A decimal amount from a string or a JSON number (floats are read via
        their shortest repr, so ``0.0004`` stays ``0.0004``)."""
        value = self._value(name, required)
        if value is _MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self._reject(name, f"expected a decimal number, got {kind_of(value)}", required)
            return None
        if isinstance(value, str) and value == "" and not required:
            return None
        try:
            amount = Decimal(repr(value) if isinstance(value, float) else str(value))
        except (InvalidOperation, ValueError):  # ValueError: an int beyond 4300 digits
            self._reject(name, f"{shown(value)} is not a decimal number", required)
            return None
        if not amount.is_finite():
            self._reject(name, f"{shown(value)} is not a finite number", required)
            return None
        return amount

    def boolean(self, name: str) -> bool:
        value = self._value(name, True)
        if not isinstance(value, bool):
            raise self.error(name, f"expected a boolean, got {kind_of(value)}")
        return value

    # -- times -------------------------------------------------------------

    def time(self, name: str, parse: Callable[[Any], datetime], *, required: bool = True) -> datetime | None:
        """A time read with one of :mod:`smsstatus.times`' parsers (or the
        plugin's own, raising ``ValueError``)."""
        value = self.data.get(name)
        if value is None or (value == "" and not required):
            if required:
                raise self.error(name, "required field is missing")
            return None
        try:
            return parse(value)
        except times.OutOfRange as exc:
            self._reject(name, str(exc), required, _OUT_OF_RANGE)
        except (ValueError, TypeError) as exc:
            self._reject(name, str(exc) or f"{shown(value)} cannot be read", required)
        return None

    def epoch_millis(self, name: str, *, required: bool = True) -> datetime | None:
        return self.time(name, times.from_epoch_millis, required=required)

    def epoch_seconds(self, name: str, *, required: bool = True) -> datetime | None:
        return self.time(name, times.from_epoch_seconds, required=required)

    # -- multipart -----------------------------------------------------------

    def part(self, index_name: str, total_name: str, *, identity: bool) -> tuple[Part | None, int | None]:
        """Which part of a concatenated message this record reports, from a
        1-based part index and a part count (digit strings or integers).

        Answers ``(part, total)``: ``total`` is the part count when it is
        readable and within ``1..MAX_PARTS``; ``part`` is set only when the
        message has several parts and the index is within ``1..total``.

        ``identity=True`` is for vendors whose message id is shared by every
        part, so the index is part of the report's identity: an unusable count
        or (when the count is above 1) index is then a :class:`PayloadError`,
        since dropping it would turn a part's status into the whole message's.
        Otherwise an unusable value gives ``None`` and a warning.
        """
        total = self._count(total_name, identity)
        if total is None:
            return None, None
        strict = identity and total > 1  # a whole message's index identifies nothing
        index = self._count(index_name, strict)
        if index is None:
            if total > 1 and self.data.get(index_name) in (None, ""):
                reason = f"missing while {total_name} is {total} (which part is this?)"
                self._reject(index_name, reason, strict, WarningCode.INCONSISTENT)
            return None, total
        if index > total:
            reason = f"part {index} is beyond {total_name} {total}"
            self._reject(index_name, reason, strict, WarningCode.INCONSISTENT)
            return None, total
        return (Part(index, total) if total > 1 else None), total

    def _count(self, name: str, strict: bool) -> int | None:
        """A part number in ``1..MAX_PARTS``; absent gives ``None``, a bad value
        raises when ``strict``, else gives ``None`` and a warning."""
        value = self.data.get(name)
        if value.__class__ is str and value.isdigit() and value.isascii() and 0 < len(value) <= 3:
            number = int(value)  # the documented shape, on the hot path
            if 1 <= number <= MAX_PARTS:
                return number
        if value is None or value == "":
            return None
        return self.integer(name, required=strict, strings=True, minimum=1, maximum=MAX_PARTS)

    # -- structure ---------------------------------------------------------

    def child(self, name: str) -> Record:
        """A required nested object (sharing this record's warnings)."""
        return Record(self.vendor, self._value(name, True), self.at(name), parent=self)

    def opt_child(self, name: str) -> Record | None:
        """An optional nested object; absent or ``null`` give ``None``, another
        type ``None`` and a warning."""
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self.warn(name, f"expected an object, got {kind_of(value)}")
            return None
        return Record(self.vendor, value, self.at(name), parent=self)

    def array(self, name: str, *, max_items: int | None = None) -> list[Any]:
        """A required array; longer than ``max_items`` is a payload error
        (checked before the caller reads any item: see :func:`check_batch`)."""
        value = self._value(name, True)
        if not isinstance(value, list):
            raise self.error(name, f"expected an array, got {kind_of(value)}")
        if max_items is not None:
            check_batch(self.vendor, self.at(name), len(value), max_items)
        return value

    def one_of(self, name: str, choices: Iterable[T], value: T) -> T:
        options = list(choices)
        if value not in options:
            raise self.error(name, f"{value!r} is not one of {options!r}")
        return value


def decode_json_object(vendor: str, body: bytes) -> dict[str, Any]:
    """Decode a JSON body that must be an object, as a PayloadError at ``$``
    (with the fast decoder when it reads the body: the same object)."""
    import json

    from .hotpath import fast_json

    data = fast_json(body)
    if data.__class__ is dict:
        return data
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError(vendor, "$", f"body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise PayloadError(vendor, "$", f"expected a JSON object, got {kind_of(data)}")
    return data


def strip_fields(record: Mapping[str, Any], secret_fields: Iterable[str]) -> dict[str, Any]:
    """A copy of ``record`` without the secret fields (for ``raw``)."""
    drop = frozenset(secret_fields)
    return {k: v for k, v in record.items() if k not in drop}


def kind_of(value: Any) -> str:
    """How an error message names a JSON value's type: ``a string``, ``null``, ``an array``..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__
