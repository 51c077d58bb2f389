"""Phone numbers to E.164 (``+`` and 8 to 15 digits), keeping what we cannot.

No numbering-plan database: vendors send international numbers in a handful of
spellings (``+86...``, ``0086...``, ``86...``) and these rules cover them.
Numbers that cannot be made E.164 (a national number without a country code,
letters, wrong length) give ``None``; the caller keeps the raw value.
"""

from __future__ import annotations

__all__ = ["to_e164"]

_SEPARATORS = str.maketrans("", "", " -().\u00a0")


def to_e164(
    raw: str | None, *, country_code: str | None = None, national_length: int | None = None
) -> str | None:
    """Normalise ``raw`` to E.164, or ``None`` when the data does not allow it.

    ``country_code`` (digits, e.g. ``"52"``) is prefixed to a national number
    of exactly ``national_length`` digits (e.g. Contacta's 10-digit Mexican
    numbers); without both, a number is taken as already international.
    """
    if raw is None:
        return None
    # The two spellings nearly every push carries, answered as _by_rules answers
    # them without its strip/translate copies (a third of the cost).
    if raw[:1] == "+" and 9 <= len(raw) <= 16 and raw[1] != "0" and raw.isascii() and raw[1:].isdigit():
        return raw  # already E.164
    if (
        8 <= len(raw) <= 15
        and raw[0] != "0"
        and raw.isascii()
        and raw.isdigit()
        and not (country_code and national_length and len(raw) == national_length)
    ):
        return "+" + raw  # international digits without the plus
    return _by_rules(raw, country_code, national_length)


def _by_rules(raw: str, country_code: str | None, national_length: int | None) -> str | None:
    """:func:`to_e164` for any spelling: separators dropped, ``+``/``00`` prefixes, national numbers."""
    text = raw.strip().translate(_SEPARATORS)
    if text.startswith("+"):
        digits = text[1:]
    elif text.startswith("00"):
        digits = text[2:]
    else:
        digits = text
        if country_code and national_length and len(digits) == national_length:
            digits = country_code + digits
    if not (digits.isascii() and digits.isdigit()) or digits.startswith("0"):
        return None
    if not 8 <= len(digits) <= 15:
        return None
    return "+" + digits
