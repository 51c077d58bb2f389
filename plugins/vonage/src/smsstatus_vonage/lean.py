"""Pieces the lean paths of :mod:`.receipts` and :mod:`.messages` share
(and :func:`e164`, which their detailed paths use too).

A lean path reads the documented shape with exact type checks and answers
``None`` on anything else, so that the detailed ``Record`` code reads the push
and explains (see ``docs/writing-a-plugin.md``, "A lean path for the common
push"). These helpers raise :class:`Odd` for "not the lean path's input"; the
lean report builders catch it and answer ``None``.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import unquote_to_bytes

from smsstatus.plugin import (
    MAX_ID_LENGTH,
    Money,
    Operator,
    identity_problem,
    new_money,
    split_network_code,
    to_e164,
)

__all__ = ["Odd", "e164", "form_fields", "network", "opt_ident", "opt_text", "price"]


def e164(raw: str | None) -> str | None:
    """``to_e164(raw)``, asked with the ``+`` Vonage leaves out of its numbers.

    Vonage writes numbers in international format without ``+``
    (``447700900000``). ``to_e164`` reads such a number through its
    separator table (a ``str.translate``, about 1 µs); given the ``+`` it takes
    its direct path, a fifth of that. For a string of ASCII digits that does not
    start with 0 both spellings get the same answer (``+`` and the digits when
    8 to 15 long, else ``None``); any other value is asked as it is (``00`` is a
    prefix ``to_e164`` strips, and a leading 0 is no E.164). Both paths use it.
    """
    if raw is not None and raw[:1] != "0" and raw.isdigit() and raw.isascii():
        return to_e164("+" + raw)
    return to_e164(raw)


class Odd(Exception):
    """A value the lean path does not take as it is: the detailed path reads it."""


def opt_text(value: Any) -> str | None:
    """``Record.opt_string`` of a value it reads without a warning."""
    if value is None or value.__class__ is str:
        return value or None
    raise Odd


#: An integer id below this in size has at most 256 characters of text with its sign
#: (MAX_ID_LENGTH), and str() never meets Python's 4300-digit limit. A constant:
#: 10**255 is not folded by the compiler, and costs a big-integer power where written.
_INT_ID_BOUND = 10**255


def opt_ident(value: Any) -> str | None:
    """``Record.ident(..., required=False)`` of a value it reads without a
    warning: absent, ``""``, a clean string, or an integer (as its text)."""
    if value.__class__ is str:
        # Codes and numbers are digit strings: a clean id (one C scan instead of identity_problem).
        if value.isdigit() and len(value) <= MAX_ID_LENGTH:
            return value
        if not value:
            return None
        if identity_problem(value) is None:
            return value
        raise Odd
    if value is None:
        return None
    if value.__class__ is int and -_INT_ID_BOUND < value < _INT_ID_BOUND:
        return str(value)
    raise Odd


# Pushes name the same few networks again and again: one lookup instead of a
# split and an Operator per report (both immutable, so a report may share them).
@functools.lru_cache(maxsize=1024)
def network(fused: str) -> tuple[str | None, Operator]:
    """``(country, operator)`` of a fused MCC+MNC code; :class:`Odd` when the
    detailed path would warn that it cannot split it."""
    try:
        split = split_network_code(fused)
    except ValueError:
        raise Odd from None  # not cached: lru_cache keeps answers, not exceptions
    return split.country, split.operator()


# A vendor charges the same few prices (one per destination network): the
# Decimal and its Money are immutable, so a report may share them.
@functools.lru_cache(maxsize=1024)
def _money(amount: str, currency: str | None, negative_ok: bool) -> Money:
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
        return _money(amount, currency, negative_ok) if amount else None
    if amount is None:
        return None
    if amount.__class__ is float:
        return _money(repr(amount), currency, negative_ok)  # as Record.decimal: the shortest repr
    raise Odd  # an integer amount, a boolean, another type: rare, the detailed path reads them


#: An escape that decodes to ``&`` or ``=``: splitting after decoding would cut there.
_SPLITTING_ESCAPE = re.compile(r"%(?:26|3[Dd])")


def form_fields(text: str) -> dict[str, str] | None:
    """Urlencoded ``text`` as ``{name: value}``, equal to the first-value dict of
    ``parse_urlencoded(text)``, or ``None`` when it is not the plain case (an
    empty piece, a piece without ``=``, a name given twice, an escape of ``&``
    or ``=``, escapes that are not UTF-8).

    Why not ``fast_form``: it splits first and unescapes each value on its own
    (two calls of ``unquote_to_bytes`` for a receipt's time and sender), about
    twice this. Unescaping the whole text once, then splitting, gives the same
    pairs when no escape decodes to a separator; and an escaped run that is
    valid UTF-8 as a whole is valid in each piece, since a separator is ASCII
    and never inside a multi-byte character.
    """
    if "+" in text:
        text = text.replace("+", " ")
    if "%" in text:
        if _SPLITTING_ESCAPE.search(text) is not None:
            return None
        try:
            text = unquote_to_bytes(text).decode()
        except UnicodeError:  # not UTF-8 (or a lone surrogate): unquote's replacement characters
            return None
    pieces = text.split("&")
    try:
        data = dict([piece.split("=", 1) for piece in pieces])
    except ValueError:  # a piece without "=" (or empty): parse_urlencoded's rules
        return None
    return data if len(data) == len(pieces) else None
