"""Typed access to one vendor record, with errors that name the field.

A plugin wraps each decoded record (a JSON object, or form/query parameters)
in a :class:`Record` and reads it with typed getters. Every problem becomes a
:class:`~smsstatus.PayloadError` with the vendor, the JSON path of the field
(``$.Data[2].ReceiptTime``) and the reason, which is both the check and the
explanation: no generic schema validator runs on the hot path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from . import times
from .errors import PayloadError

__all__ = ["Record", "decode_json_object", "kind_of", "strip_fields"]

T = TypeVar("T")

_MISSING: Any = object()


class Record:
    """A read-only view of one vendor record that reports bad fields precisely."""

    __slots__ = ("data", "path", "vendor")

    def __init__(self, vendor: str, data: Any, path: str = "$") -> None:
        if not isinstance(data, Mapping):
            raise PayloadError(vendor, path, f"expected an object, got {kind_of(data)}")
        self.vendor = vendor
        self.data: Mapping[str, Any] = data
        self.path = path

    def at(self, name: str) -> str:
        return f"{self.path}.{name}"

    def error(self, name: str, reason: str) -> PayloadError:
        return PayloadError(self.vendor, self.at(name), reason)

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

    # -- strings -----------------------------------------------------------

    def string(self, name: str) -> str:
        """A required string (may be empty)."""
        value = self._value(name, True)
        if not isinstance(value, str):
            raise self.error(name, f"expected a string, got {kind_of(value)}")
        return value

    def opt_string(self, name: str) -> str | None:
        """An optional string; absent, ``null`` and ``""`` give ``None``."""
        value = self._value(name, False)
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            raise self.error(name, f"expected a string, got {kind_of(value)}")
        return value or None

    def ident(self, name: str, *, required: bool = True) -> str | None:
        """An identifier sent as a string or an integer (never a float: long
        ids lose digits as floats), returned as a string."""
        value = self._value(name, required)
        if value is _MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self.error(name, f"expected a string or integer id, got {kind_of(value)}")
        text = str(value)
        if required and not text:
            raise self.error(name, "must not be empty")
        return text or None

    # -- numbers -----------------------------------------------------------

    def integer(
        self, name: str, *, required: bool = True, strings: bool = False, minimum: int | None = None
    ) -> int | None:
        """An integer; ``strings=True`` also accepts a digit string (``"1"``)."""
        value = self._value(name, required)
        if value is _MISSING:
            return None
        if isinstance(value, str) and strings:
            if value == "" and not required:
                return None
            if not (value.isascii() and value.lstrip("-").isdigit()):
                raise self.error(name, f"expected an integer string, got {value!r}")
            number = int(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            raise self.error(name, f"expected an integer, got {kind_of(value)}")
        if minimum is not None and number < minimum:
            raise self.error(name, f"must be at least {minimum}, got {number}")
        return number

    def decimal(self, name: str, *, required: bool = True) -> Decimal | None:
        """A decimal amount from a string or a JSON number (floats are read via
        their shortest repr, so ``0.0004`` stays ``0.0004``)."""
        value = self._value(name, required)
        if value is _MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.error(name, f"expected a decimal number, got {kind_of(value)}")
        if isinstance(value, str) and value == "" and not required:
            return None
        try:
            amount = Decimal(repr(value) if isinstance(value, float) else str(value))
        except InvalidOperation:
            raise self.error(name, f"{value!r} is not a decimal number") from None
        if not amount.is_finite():
            raise self.error(name, f"{value!r} is not a finite number")
        return amount

    def boolean(self, name: str) -> bool:
        value = self._value(name, True)
        if not isinstance(value, bool):
            raise self.error(name, f"expected a boolean, got {kind_of(value)}")
        return value

    # -- times -------------------------------------------------------------

    def time(self, name: str, parse: Callable[[Any], datetime], *, required: bool = True) -> datetime | None:
        """A time read with one of :mod:`smsstatus.times`' parsers."""
        value = self._value(name, required)
        if value is _MISSING or (value == "" and not required):
            return None
        try:
            return parse(value)
        except ValueError as exc:
            raise self.error(name, str(exc)) from None

    def epoch_millis(self, name: str, *, required: bool = True) -> datetime | None:
        return self.time(name, times.from_epoch_millis, required=required)

    def epoch_seconds(self, name: str, *, required: bool = True) -> datetime | None:
        return self.time(name, times.from_epoch_seconds, required=required)

    # -- structure ---------------------------------------------------------

    def child(self, name: str) -> Record:
        return Record(self.vendor, self._value(name, True), self.at(name))

    def array(self, name: str) -> list[Any]:
        value = self._value(name, True)
        if not isinstance(value, list):
            raise self.error(name, f"expected an array, got {kind_of(value)}")
        return value

    def one_of(self, name: str, choices: Iterable[T], value: T) -> T:
        options = list(choices)
        if value not in options:
            raise self.error(name, f"{value!r} is not one of {options!r}")
        return value


def decode_json_object(vendor: str, body: bytes) -> dict[str, Any]:
    """Decode a JSON body that must be an object, as a PayloadError at ``$``."""
    import json

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
