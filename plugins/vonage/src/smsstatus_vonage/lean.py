"""Pieces the lean paths of :mod:`.receipts` and :mod:`.messages` share.

A lean path reads the documented shape with exact type checks and answers
``None`` on anything else, so that the detailed ``Record`` code reads the push
and explains (see ``docs/writing-a-plugin.md``, "A lean path for the common
push"). These helpers raise :class:`Odd` for "not the lean path's input"; the
lean report builders catch it and answer ``None``.
"""

from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation
from typing import Any

from smsstatus.plugin import (
    LeanMiss,
    Money,
    Operator,
    lean_ident,
    lean_text,
    new_money,
    split_network_code,
)

__all__ = ["Odd", "cached_price", "network", "opt_ident", "opt_text", "price"]


# Core's lean readers (Record's rules for a value read without a warning), under the
# names the rest of this plugin uses.
Odd = LeanMiss
opt_text = lean_text
opt_ident = lean_ident


@functools.lru_cache(maxsize=1024)
def network(fused: str) -> tuple[str | None, Operator]:
    """``(country, operator)`` of a fused MCC+MNC code; :class:`Odd` when the
    detailed path would warn that it cannot split it."""
    try:
        split = split_network_code(fused)
    except ValueError:
        raise Odd from None  # not cached: lru_cache keeps answers, not exceptions
    return split.country, split.operator()


#: The longest amount text the cache below keeps: a real price has a dozen
#: characters, and 1024 cached amounts of a body's length each would be a
#: memory cost a sender controls. Longer ones go to the detailed path.
MAX_CACHED_AMOUNT = 40


# A vendor charges the same few prices (one per destination network): the
# Decimal and its Money are immutable, so a report may share them.
@functools.lru_cache(maxsize=1024)
def _money(amount: str, currency: str | None, negative_ok: bool) -> Money:
    if currency is not None and len(currency) > MAX_CACHED_AMOUNT:
        raise Odd  # a currency is three letters; a long one is not the lean path's to cache
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise Odd from None
    if not value.is_finite() or (value < 0 and not negative_ok):
        raise Odd
    return new_money(value, currency)


def price(amount: Any, currency: str | None, *, negative_ok: bool) -> Money | None:
    """``Money`` of ``amount`` as ``Record.decimal(..., required=False)`` reads it
    without a warning (absent or ``""``: ``None``); :class:`Odd` otherwise,
    and for a negative amount unless ``negative_ok``."""
    if amount.__class__ is str:
        return cached_price(amount, currency, negative_ok) if amount else None
    if amount is None:
        return None
    if amount.__class__ is float:
        return _money(repr(amount), currency, negative_ok)  # as Record.decimal: the shortest repr
    raise Odd  # an integer amount, a boolean, another type: rare, the detailed path reads them


def cached_price(amount: str, currency: str | None, negative_ok: bool = False, /) -> Money:
    """:func:`price` of a non-empty amount text, positional: what the
    receipt's strings-only reader calls directly, and :func:`price` for a
    text. A long text is not the memo's to keep: :class:`Odd`."""
    if len(amount) > MAX_CACHED_AMOUNT:
        raise Odd
    return _money(amount, currency, negative_ok)
