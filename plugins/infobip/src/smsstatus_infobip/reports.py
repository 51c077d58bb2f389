"""One Infobip report record (push, ``/sms/1/reports`` or ``/sms/1/logs``) to a
canonical report, and the ``{"results": [...]}`` envelope all three share.

A record carries ``messageId`` (the identity), ``bulkId``, ``to``, ``from`` (or
``sender``), ``sentAt``/``doneAt`` (``yyyy-MM-dd'T'HH:mm:ss.SSSZ``: an offset
without a colon, ``+0000``), ``smsCount`` (SMS API v1/v2) or ``messageCount``
(v3 and other channels), ``mccMnc`` (``mccmnc`` in older logs), ``callbackData``,
``price`` {``pricePerMessage``, ``currency``}, ``status`` {``groupId``,
``groupName``, ``id``, ``name``, ``description``, ``action``} and ``error``
{``groupId``, ``groupName``, ``id``, ``name``, ``description``, ``permanent``}.

Only the message id and the status may reject a record; a batch keeps going
past a bad record (it becomes an :class:`~smsstatus.ItemError` with its raw
item). The price is ``pricePerMessage`` times the part count (Infobip prices
"one SMS", that is one part); ``pricePerMessage`` itself is kept in ``extra``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from smsstatus.plugin import (
    MAX_PARTS,
    Channel,
    ItemError,
    LeanMiss,
    Money,
    NetworkCode,
    PayloadError,
    Record,
    StatusReport,
    identity_problem,
    kind_of,
    lean_ident,
    lean_text,
    new_money,
    new_report,
    parse_rfc3339,
    read_network_code,
    split_network_code,
    to_e164,
)

from .mapping import map_report

__all__ = ["MAX_RESULTS", "parse_time", "build_report", "lean_report", "results", "report_items"]

#: The most records one envelope may carry: Infobip's pull limit (1000), ten
#: times its default push bucket (100); ``VendorInfo.max_batch`` declares it.
MAX_RESULTS = 1000

# yyyy-MM-dd'T'HH:mm:ss.SSSZ, where Z is +hhmm (Java's SimpleDateFormat);
# an RFC 3339 offset (+hh:mm, Z) is accepted as well.
_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:?[0-9]{2})"
)


def parse_time(value: object) -> datetime:
    """An Infobip time (``2019-11-09T16:00:00.000+0000``) to UTC."""
    if not isinstance(value, str):
        raise ValueError(f"expected a time string, got {kind_of(value)}")
    if _TIME.fullmatch(value) is None:
        raise ValueError(f"{value!r} is not yyyy-MM-dd'T'HH:mm:ss.SSSZ")
    return parse_rfc3339(value)  # Python 3.11 reads +0000; out-of-range instants are ValueErrors


def results(vendor: str, data: Any) -> list[Any]:
    """The ``results`` array of an envelope, refused whole beyond :data:`MAX_RESULTS`."""
    return Record(vendor, data).array("results", max_items=MAX_RESULTS)


def report_items(
    vendor: str, items: list[Any], received_at: datetime, channel: Channel
) -> Iterator[StatusReport | ItemError]:
    """Each record as a report, or as an item error that keeps the raw record."""
    for index, item in enumerate(items):
        try:
            yield build_report(Record(vendor, item, f"$.results[{index}]"), received_at, channel)
        except PayloadError as exc:
            yield ItemError(error=exc, raw=item, index=index, key=_key(item))


def _key(item: Any) -> str | None:
    if isinstance(item, dict):
        value = item.get("messageId")
        if isinstance(value, str) and value:
            return value
    return None


def build_report(record: Record, received_at: datetime, channel: Channel) -> StatusReport:
    message_id = record.ident("messageId")
    status = record.child("status")
    name = status.opt_string("name")
    group_id = status.integer("groupId", required=False)
    if name is None and group_id is None:
        raise status.error("name", "neither a status name nor a group id")
    error = record.opt_child("error")
    error_id = error.ident("id", required=False) if error is not None else None
    mapped = map_report(name, group_id, error_id)

    recipient_raw = record.ident("to", required=False)
    segments, counted = _count(record)
    extra: dict[str, Any] = {
        "status_group": status.opt_string("groupName"),
        "status_id": status.integer("id", required=False),
    }
    if error is not None:
        extra["error_group"] = error.opt_string("groupName")
        extra["error_name"] = error.opt_string("name")
        extra["error_description"] = error.opt_string("description")
        extra["error_permanent"] = error.optional("permanent", _flag)
    network = _network(record, extra)
    price = _price(record, segments, counted, extra)
    return StatusReport(
        vendor=record.vendor,
        message_id=message_id,
        batch_id=record.ident("bulkId", required=False),
        recipient=to_e164(recipient_raw),
        recipient_raw=recipient_raw,
        sender=record.opt_string("from") or record.opt_string("sender"),
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=name if name is not None else str(group_id),
        vendor_code=error_id,
        vendor_description=status.opt_string("description"),
        client_ref=record.opt_string("callbackData"),
        segments=segments,
        price=price,
        country=network.country if network is not None else None,
        operator=network.operator() if network is not None else None,
        submitted_at=record.time("sentAt", parse_time, required=False),
        status_at=record.time("doneAt", parse_time, required=False),
        received_at=received_at,
        channel=channel,
        extra=extra,
        raw=record.data,
        warnings=record.warnings,
    )


def _count(record: Record) -> tuple[int | None, bool]:
    """``smsCount`` (SMS API v1/v2) or ``messageCount`` (v3), at most the
    parts of one SMS; and whether one was sent (readable or not)."""
    for name in ("smsCount", "messageCount"):
        if record.get(name) is not None:
            return record.integer(name, required=False, strings=True, minimum=0, maximum=MAX_PARTS), True
    return None, False


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected a boolean, got {kind_of(value)}")
    return value


def _network(record: Record, extra: dict[str, Any]) -> NetworkCode | None:
    """``mccMnc`` (``mccmnc`` in older logs)."""
    return read_network_code(record, "mccMnc" if record.get("mccMnc") is not None else "mccmnc", extra)


def _price(record: Record, segments: int | None, counted: bool, extra: dict[str, Any]) -> Money | None:
    price = record.opt_child("price")
    if price is None:
        extra["price_per_message"] = None
        return None
    per_message = price.decimal("pricePerMessage", required=False)
    currency = price.opt_string("currency")
    extra["price_per_message"] = None if per_message is None else str(per_message)
    if per_message is None:
        return None
    if currency is not None and not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
        price.warn(
            "currency", f"{currency!r} is not an ISO 4217 code"
        )  # an amount without its currency is no price
        return None
    if counted and segments is None:
        return (
            None  # the part count came but is unreadable: the total is unknown (extra keeps the unit price)
        )
    total = per_message * Decimal(segments if segments else 1)
    return Money(total, currency.upper() if currency else None)


# -- the lean path: a record as Infobip documents it, every field readable ---------------

#: Integer ids the lean path turns into text itself; beyond, the detailed path does
#: (``str()`` of a huge integer is slow, and refused past 4,300 digits).
_SMALL = 10**18


_Odd = LeanMiss  # core's signal for a value the lean path passes on


_text = lean_text
_ident = lean_ident


def _integer(value: Any) -> int | None:
    """An optional JSON integer, as :meth:`Record.integer` reads it (no digit strings)."""
    if value is None or value.__class__ is int:
        return value
    raise _Odd


def lean_report(vendor: str, item: Any, received_at: datetime, channel: Channel) -> StatusReport | None:
    """:func:`build_report`'s report of ``item`` when it would give no error
    and no warning, else ``None`` (then the detailed path reads it)."""
    try:
        return _lean_report(vendor, item, received_at, channel)
    except (_Odd, ValueError):  # ValueError: a time or network code the detailed path explains
        return None


def _lean_report(vendor: str, item: Any, received_at: datetime, channel: Channel) -> StatusReport:
    if item.__class__ is not dict:
        raise _Odd
    get = item.get
    message_id = get("messageId")
    status = get("status")
    if (
        message_id.__class__ is not str
        or identity_problem(message_id) is not None
        or status.__class__ is not dict
    ):
        raise _Odd
    name = _text(status.get("name"))
    group_id = _integer(status.get("groupId"))
    if name is None and group_id is None:
        raise _Odd
    extra: dict[str, Any] = {
        "status_group": _text(status.get("groupName")),
        "status_id": _integer(status.get("id")),
    }
    error = get("error")
    error_id = None
    if error is not None:
        if error.__class__ is not dict:
            raise _Odd
        error_id = _ident(error.get("id"))
        extra["error_group"] = _text(error.get("groupName"))
        extra["error_name"] = _text(error.get("name"))
        extra["error_description"] = _text(error.get("description"))
        permanent = error.get("permanent")
        if not (permanent is None or permanent.__class__ is bool):
            raise _Odd
        extra["error_permanent"] = permanent
    mapped = map_report(name, group_id, error_id)

    recipient_raw = _ident(get("to"))
    # _count: smsCount, else messageCount; here only a JSON integer in 0..MAX_PARTS.
    count = get("smsCount")
    if count is None:
        count = get("messageCount")
    if count is not None and not (count.__class__ is int and 0 <= count <= MAX_PARTS):
        raise _Odd
    # _network: mccMnc, else mccmnc (split_network_code raises ValueError on a bad one).
    fused = get("mccMnc")
    fused = _ident(get("mccmnc") if fused is None else fused)
    extra["network_code"] = fused
    network = None if fused is None else split_network_code(fused)
    price = _lean_price(get("price"), count, extra)
    sent, done = get("sentAt"), get("doneAt")
    return new_report(
        vendor,
        message_id,
        _ident(get("bulkId")),  # batch_id
        to_e164(recipient_raw),  # recipient
        recipient_raw,
        _text(get("from")) or _text(get("sender")),  # sender
        mapped.status,
        mapped.mapping,
        mapped.reason,
        name if name is not None else str(group_id),  # vendor_status
        error_id,  # vendor_code
        _text(status.get("description")),  # vendor_description
        _text(get("callbackData")),  # client_ref
        count,  # segments
        None,  # part
        price,
        None if network is None else network.country,
        None if network is None else network.operator(),
        None if sent is None or sent == "" else parse_time(sent),  # submitted_at
        None if done is None or done == "" else parse_time(done),  # status_at
        None,  # notified_at
        received_at,
        channel,
        extra,
        item,  # raw
        (),  # warnings
    )


def _lean_price(price: Any, count: int | None, extra: dict[str, Any]) -> Money | None:
    """:func:`_price` of a JSON number per message, without a warning."""
    if price is None:
        extra["price_per_message"] = None
        return None
    if price.__class__ is not dict:
        raise _Odd
    value = price.get("pricePerMessage")
    currency = _text(price.get("currency"))
    if value is None:
        extra["price_per_message"] = None
        return None
    if value.__class__ is float:
        per_message = Decimal(repr(value))  # as Record.decimal reads a float: its shortest repr
    elif value.__class__ is int and -_SMALL < value < _SMALL:
        per_message = Decimal(value)
    else:
        raise _Odd  # a string amount, a bool, a huge integer: the detailed path decides
    if not per_message.is_finite():
        raise _Odd
    extra["price_per_message"] = str(per_message)
    if currency is not None and not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
        raise _Odd
    return new_money(per_message * Decimal(count if count else 1), currency.upper() if currency else None)
