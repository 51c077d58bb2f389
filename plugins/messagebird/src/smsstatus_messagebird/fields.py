"""What a MessageBird status report and a recipient item share: the fields
read into a report the same way from the push's query and the message
resource's ``recipients.items[]``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from smsstatus.plugin import Money, Operator, Record, split_network_code

__all__ = ["MAX_LENGTH", "MAX_PARTS", "money", "network", "status_time"]

#: The most parts MessageBird sends one message in (1377 characters = 9 parts
#: of 153; a report saying more is not one MessageBird made).
MAX_PARTS = 255
#: The longest body in characters (MessageBird's limit is 1377).
MAX_LENGTH = 10_000


def money(record: Record, amount: Any, currency: Any, where: str) -> Money | None:
    """An amount with its currency (null, with a warning, when unreadable)."""
    if amount in (None, ""):
        return None
    if isinstance(amount, bool) or not isinstance(amount, (str, int, float)):
        record.warn(where, "expected a decimal amount")
        return None
    try:
        value = Decimal(repr(amount) if isinstance(amount, float) else str(amount).strip())
    except ArithmeticError:
        record.warn(where, "not a decimal amount")
        return None
    if not value.is_finite() or value < 0:
        record.warn(where, "not a finite, non-negative amount")
        return None
    code = currency.strip().upper() if isinstance(currency, str) else None
    if code is not None and not (len(code) == 3 and code.isascii() and code.isalpha()):
        code = None
    return Money(value, code)


def network(record: Record, name: str, extra: dict[str, Any]) -> tuple[Operator | None, str | None]:
    """A fused MCC+MNC (``20408``): kept in ``extra.network_code``, split with
    the E.212 table into the operator and country."""
    fused = record.ident(name, required=False)
    if fused is None:
        return None, None
    extra["network_code"] = fused
    split = record.optional(name, split_network_code)
    if split is None:
        return None, None
    return split.operator(), split.country


def status_time(record: Record, name: str) -> datetime | None:
    """An RFC 3339 time (``2016-05-03T08:58:10+00:00``) in UTC."""
    from smsstatus.plugin import parse_rfc3339

    return record.time(name, parse_rfc3339, required=False)
