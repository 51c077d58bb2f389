"""SMPP v3.4 delivery receipts, vendor-neutral, for plugins whose vendors relay them.

Two pieces:

* :func:`parse_receipt` reads the receipt text of SMPP v3.4 Appendix B,
  ``id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm
  stat:DDDDDDD err:E text:...``, as vendors really send it: ``Text:`` or
  ``text:``, 10- or 12-digit dates, decimal or hex ids, fields in any order.
  The dates carry no zone (they are the SMSC's local time), so the caller says
  which zone to read them in.
* :func:`map_stat` and :func:`map_message_state` map the seven-letter ``stat``
  words and the ``message_state`` TLV values 0 to 9 (SMPP 5.0 adds 0 and 9) to
  canonical statuses. See ``docs/canonical-model.md`` for the reasoning.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

import attrs

from .errors import PayloadError
from .model import MappedStatus, MappingKind, Status
from .smpp_words import MESSAGE_STATES, STAT_WORDS

__all__ = [
    "DeliveryReceipt",
    "parse_receipt",
    "receipt_date",
    "map_stat",
    "map_message_state",
    "STAT_WORDS",
    "MESSAGE_STATES",
]

_KEYS = ("id", "sub", "dlvrd", "submit date", "done date", "stat", "err", "text")
# A key is recognised only at the start or after whitespace; "text" runs to the end.
_KEY_RE = re.compile(r"(?:^|\s)(id|sub|dlvrd|submit date|done date|stat|err|text):", re.IGNORECASE)


@attrs.frozen
class DeliveryReceipt:
    """One parsed receipt. ``id`` is verbatim; see :meth:`id_candidates`."""

    id: str
    stat: str
    submitted: int | None = None
    delivered: int | None = None
    submit_date: datetime | None = None
    done_date: datetime | None = None
    err: str | None = None
    text: str | None = None

    def id_candidates(self) -> tuple[str, ...]:
        """The id as sent plus, where it reads as both, its decimal value and
        its hex-as-decimal value: SMSCs send either, and the id may not equal
        the ``submit_sm_resp`` id's spelling (prefer ``receipted_message_id``)."""
        found = [self.id]
        if self.id.isdecimal():
            found.append(str(int(self.id)))
        if re.fullmatch(r"[0-9A-Fa-f]+", self.id):
            found.append(str(int(self.id, 16)))
        return tuple(dict.fromkeys(found))

    @property
    def mapped(self) -> MappedStatus:
        return map_stat(self.stat)


def receipt_date(value: str, tz: tzinfo) -> datetime:
    """A date of a delivery receipt (SMPP v3.4 Appendix B's ``submit date``
    and ``done date``): ``YYMMDDhhmm`` or ``YYMMDDhhmmss``, ASCII digits, no
    zone (the SMSC's local time, read in ``tz``), to an aware UTC datetime;
    the two-digit year as strptime's ``%y`` reads it (69-99: the 1900s).
    ``ValueError`` when ``value`` is no such date; gateways that relay the
    dates in fields of their own read them with this too."""
    if len(value) in _DATE_LENGTHS and value.isascii() and value.isdigit():
        try:
            return _usual_date(value, tz, _is_utc(tz))
        except (ValueError, OverflowError):
            raise ValueError(f"{value!r} is no real time as YYMMDDhhmm[ss]") from None
    # Imported here, on this error path only: the field reader (and the times
    # module it imports) stays off start-up for a plugin whose mapping table
    # only needs STAT_WORDS.
    from .fields import shown

    raise ValueError(f"{shown(value)} is not YYMMDDhhmm or YYMMDDhhmmss")


_DATE_LENGTHS = (10, 12)


def _date(vendor: str, field: str, value: str, tz: tzinfo) -> datetime:
    try:
        return receipt_date(value, tz)
    except ValueError as exc:
        raise PayloadError(vendor, field, str(exc)) from None


def parse_receipt(
    text: str, *, tz: tzinfo, vendor: str = "smpp", field: str = "short_message"
) -> DeliveryReceipt:
    """Parse receipt text; dates are read in ``tz`` (the SMSC's zone).

    Raises :class:`~smsstatus.PayloadError` (naming ``field`` and the
    sub-field) when ``id`` or ``stat`` is missing or a number or date is bad.
    """
    usual = _usual_receipt(text, tz)
    if usual is not None:
        return usual
    return _general_receipt(text, tz, vendor, field)


def _general_receipt(text: str, tz: tzinfo, vendor: str, field: str) -> DeliveryReceipt:
    """Any layout :func:`parse_receipt` accepts, with the detailed errors."""
    values = _standard_layout(text)
    if values is None:
        values = _fields_of(text)
    for required in ("id", "stat"):
        if not values.get(required):
            raise PayloadError(vendor, f"{field}.{required}", "required receipt field is missing")
    return _receipt(values, vendor, field, tz)


# -- the receipt nearly every SMSC sends, read in one pass -----------------------------
#
# Appendix B's layout with every value as documented: ASCII digits for the
# counts, 10- or 12-digit dates, an id and a stat word. Read with one match and
# the dates by slicing (no per-field dict, no strptime-style dispatch), and in
# UTC without a zone conversion: a third of the general path's cost on a push.
# Anything else, including a value the general path would refuse, answers None
# and the general path reads the text (and raises its detailed error); the two
# are compared in tests/test_smpp.py.
_USUAL = re.compile(
    r"id:(\S+) sub:([0-9]*) dlvrd:([0-9]*) submit date:([0-9]{10}(?:[0-9]{2})?)?"
    r" done date:([0-9]{10}(?:[0-9]{2})?)? stat:(\S+) err:(\S*)(?: text:(.*))?"
)
#: Names of zones that are UTC itself, read without a conversion.
_UTC_KEYS = frozenset({"UTC", "Etc/UTC"})


def _is_utc(tz: tzinfo) -> bool:
    return tz is UTC or getattr(tz, "key", None) in _UTC_KEYS


def _usual_date(value: str, tz: tzinfo, utc: bool) -> datetime:
    """A 10- or 12-digit ``YYMMDDhhmm[ss]`` in ``tz`` to UTC, as :func:`_date`
    reads it (strptime's ``%y``: 69-99 are the 1900s); ``ValueError`` or
    ``OverflowError`` where it would raise."""
    short = value[0:2]
    century = "19" if short >= "69" else "20"
    if utc and value[6:8] < "24":
        # One C call builds the aware datetime, half the cost of six int()
        # and the constructor; it refuses the same impossible dates. Hour 24
        # goes the other way: a later Python might read "T24:00" as midnight.
        seconds = value[10:12] or "00"
        return datetime.fromisoformat(
            f"{century}{short}-{value[2:4]}-{value[4:6]}T{value[6:8]}:{value[8:10]}:{seconds}+00:00"
        )
    year = int(century + short)
    second = int(value[10:12]) if len(value) == 12 else 0  # with seconds
    month, day, hour, minute = int(value[2:4]), int(value[4:6]), int(value[6:8]), int(value[8:10])
    return datetime(year, month, day, hour, minute, second, tzinfo=tz).astimezone(UTC)


def _usual_receipt(text: str, tz: tzinfo) -> DeliveryReceipt | None:
    match = _USUAL.fullmatch(text)
    if match is None:
        return None
    ident, sub, dlvrd, submit, done, stat, err, rest = match.groups()
    utc = _is_utc(tz)
    try:
        submit_date = _usual_date(submit, tz, utc) if submit else None
        done_date = _usual_date(done, tz, utc) if done else None
    except (ValueError, OverflowError):
        return None  # the general path names the field
    return DeliveryReceipt(
        ident,
        stat,
        int(sub) if sub else None,
        int(dlvrd) if dlvrd else None,
        submit_date,
        done_date,
        err or None,
        rest.strip() if rest is not None else None,
    )


#: The layout SMSCs write (SMPP 3.4 Appendix B), keys in lower case and in
#: order, no blank inside a value. Read in one match; anything else is read
#: key by key (the same values for this layout: tested against each other).
_STANDARD = re.compile(
    r"id:(\S*) sub:(\S*) dlvrd:(\S*) submit date:(\S*) done date:(\S*) stat:(\S*) err:(\S*)(?: text:(.*))?"
)
_STANDARD_KEYS = ("id", "sub", "dlvrd", "submit date", "done date", "stat", "err", "text")


def _standard_layout(text: str) -> dict[str, str] | None:
    match = _STANDARD.fullmatch(text)
    if match is None:
        return None
    values = dict(zip(_STANDARD_KEYS, match.groups(), strict=True))
    if values["text"] is None:
        del values["text"]
    else:
        values["text"] = values["text"].strip()
    return values


def _fields_of(text: str) -> dict[str, str]:
    matches = list(_KEY_RE.finditer(text))
    values: dict[str, str] = {}
    for i, match in enumerate(matches):
        key = match.group(1).lower()
        end = len(text) if key == "text" else matches[i + 1].start() if i + 1 < len(matches) else len(text)
        values.setdefault(key, text[match.end() : end].strip())
        if key == "text":
            break
    return values


def _receipt(values: dict[str, str], vendor: str, field: str, tz: tzinfo) -> DeliveryReceipt:
    def number(key: str) -> int | None:
        value = values.get(key)
        if value is None or value == "":
            return None
        # isdecimal, not isdigit: "²" is a digit that int() refuses.
        if not value.isdecimal():
            raise PayloadError(vendor, f"{field}.{key}", f"{value!r} is not a number")
        return int(value)

    return DeliveryReceipt(
        id=values["id"],
        stat=values["stat"],
        submitted=number("sub"),
        delivered=number("dlvrd"),
        submit_date=_date(vendor, f"{field}.submit date", values["submit date"], tz)
        if values.get("submit date")
        else None,
        done_date=_date(vendor, f"{field}.done date", values["done date"], tz)
        if values.get("done date")
        else None,
        err=values.get("err") or None,
        text=values.get("text"),
    )


def map_stat(stat: str) -> MappedStatus:
    """Map a ``stat`` word (any case); an unknown word is unmapped, never an error."""
    mapped = STAT_WORDS.get(stat.strip().upper())
    if mapped is None:
        return MappedStatus(Status.UNKNOWN, mapping=MappingKind.UNMAPPED)
    return mapped


def map_message_state(value: int) -> MappedStatus:
    """Map a ``message_state`` TLV value (0 to 9)."""
    word = MESSAGE_STATES.get(value)
    if word is None:
        return MappedStatus(Status.UNKNOWN, mapping=MappingKind.UNMAPPED)
    return STAT_WORDS[word]
