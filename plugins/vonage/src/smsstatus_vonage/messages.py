"""The Messages API status webhook to one canonical report, both generations.

* **v1** (Vonage/vonage-java-sdk ``MessageStatus``): ``message_uuid``,
  ``to``/``from`` as strings, ``timestamp`` (ISO 8601 UTC), ``status``,
  ``channel``, ``client_ref``, ``error`` {``type`` (a URL ending in
  ``#<code>``), ``title`` (the code, string or number), ``detail``,
  ``instance``}, ``usage`` {``currency``, ``price`` (string)},
  ``destination.network_code``, ``sms.count_total``.
* **v0.1** (Nexmo/api-specification ``definitions/messages-olympus.yml``
  ``MessageStatus``): ``to``/``from`` as objects {``type``, ``number`` or
  ``id``}, ``error`` {``code`` (integer), ``reason``}.

The shape is told by ``to``: an object is v0.1, a string v1. Only
``message_uuid`` and ``status`` may reject the webhook.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from smsstatus.plugin import (
    MAX_PARTS,
    Channel,
    Money,
    Record,
    StatusReport,
    identity_problem,
    new_report,
    parse_rfc3339,
    read_network_code,
    to_e164,
)

from .lean import Odd, network, opt_ident, opt_text, price
from .mapping import SETTLED, map_value

__all__ = ["build_report", "is_messages_status", "lean_report"]


def is_messages_status(data: dict[str, Any]) -> bool:
    return "message_uuid" in data


def _party(record: Record, name: str) -> tuple[str | None, str | None]:
    """``(number or id, channel type)`` of ``to``/``from`` in either shape."""
    value = record.get(name)
    if value is None or isinstance(value, str):
        return (value or None), None
    party = record.opt_child(name)
    if party is None:
        return None, None
    number = party.ident("number", required=False) or party.ident("id", required=False)
    return number, party.opt_string("type")


def _error(record: Record) -> tuple[str | None, str | None, dict[str, Any]]:
    """``(code, description, extra)`` of ``error`` in either shape."""
    error = record.opt_child("error")
    if error is None:
        return None, None, {}
    if error.has("code") or error.has("reason"):  # v0.1
        return error.ident("code", required=False), error.opt_string("reason"), {}
    code = error.ident("title", required=False)
    kind = error.opt_string("type")
    if code is None and kind is not None and "#" in kind:
        code = kind.rsplit("#", 1)[1] or None
    extra = {"error_type": kind, "error_instance": error.opt_string("instance")}
    return code, error.opt_string("detail"), extra


def build_report(record: Record, received_at: datetime) -> StatusReport:
    message_id = record.ident("message_uuid")
    status = record.string("status")
    if not status.strip():
        raise record.error("status", "must not be empty")
    shape = "v0.1" if isinstance(record.get("to"), dict) else "v1"
    recipient_raw, to_type = _party(record, "to")
    sender, _ = _party(record, "from")
    code, description, error_extra = _error(record)
    mapped = map_value(status, code)
    extra: dict[str, Any] = {
        "api": "messages",
        "shape": shape,
        "message_channel": record.opt_string("channel") if shape == "v1" else to_type,
        **error_extra,
    }
    destination = record.opt_child("destination")
    network = None if destination is None else read_network_code(destination, "network_code", extra)
    sms = record.opt_child("sms")
    segments = (
        None
        if sms is None
        else sms.integer("count_total", required=False, strings=True, minimum=0, maximum=MAX_PARTS)
    )
    price = None
    usage = record.opt_child("usage")
    if usage is not None:
        amount = usage.decimal("price", required=False)
        currency = usage.opt_string("currency")
        if amount is not None:
            price = Money(amount, currency.upper() if currency else None)
    return StatusReport(
        vendor=record.vendor,
        message_id=message_id,
        recipient=to_e164(recipient_raw),
        recipient_raw=recipient_raw,
        sender=sender,
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=status,
        vendor_code=code,
        vendor_description=description,
        client_ref=record.opt_string("client_ref"),
        segments=segments,
        price=price,
        country=network.country if network is not None else None,
        operator=network.operator() if network is not None else None,
        status_at=record.time("timestamp", parse_rfc3339, required=False),
        received_at=received_at,
        channel=Channel.PUSH,
        extra=extra,
        raw=record.data,
        warnings=record.warnings,
    )


# -- the lean path: the documented shapes, every value of its documented type ---------------

_PUSH = Channel.PUSH


def lean_report(vendor: str, data: dict[str, Any], received_at: datetime) -> StatusReport | None:
    """:func:`build_report` of a status whose every field it reads is of the
    documented type, or ``None`` for the detailed path to read and explain."""
    get = data.get
    message_id, status = get("message_uuid"), get("status")
    if (
        message_id.__class__ is not str
        or identity_problem(message_id) is not None
        or status.__class__ is not str
        or not status.strip()
    ):
        return None
    try:
        to = get("to")
        if to.__class__ is dict:
            shape = "v0.1"
            recipient_raw, message_channel = _lean_party(to)
        else:
            shape = "v1"
            recipient_raw = opt_text(to)
            message_channel = opt_text(get("channel"))
        sender = get("from")
        sender = _lean_party(sender)[0] if sender.__class__ is dict else opt_text(sender)
        code, description, extra = _lean_error(get("error"))
        extra = {"api": "messages", "shape": shape, "message_channel": message_channel, **extra}
        country = operator = None
        destination, sms, usage = (
            _lean_child(get("destination")),
            _lean_child(get("sms")),
            _lean_child(get("usage")),
        )
        if destination is not None:
            fused = extra["network_code"] = opt_ident(destination.get("network_code"))
            if fused is not None:
                country, operator = network(fused)
        segments = None if sms is None else _lean_count(sms.get("count_total"))
        money = None
        if usage is not None:
            currency = opt_text(usage.get("currency"))
            money = price(usage.get("price"), currency.upper() if currency else None, negative_ok=True)
        stamp = get("timestamp")
        status_at = None if stamp is None or stamp == "" else parse_rfc3339(stamp)
        client_ref = opt_text(get("client_ref"))
    except (Odd, ValueError):  # ValueError: a time the detailed path warns about
        return None
    mapped = SETTLED.get(status) or map_value(status, code)
    return new_report(
        vendor,
        message_id,
        None,  # batch_id
        to_e164(recipient_raw),
        recipient_raw,
        sender,
        mapped.status,
        mapped.mapping,
        mapped.reason,
        status,  # vendor_status
        code,  # vendor_code
        description,
        client_ref,
        segments,
        None,  # part
        money,
        country,
        operator,
        None,  # submitted_at
        status_at,
        None,  # notified_at
        received_at,
        _PUSH,
        extra,
        data,  # raw
        (),  # warnings
    )


def _lean_child(value: Any) -> dict[str, Any] | None:
    """``Record.opt_child`` of an absent value or an object."""
    if value is None or value.__class__ is dict:
        return value
    raise Odd


def _lean_party(party: dict[str, Any]) -> tuple[str | None, str | None]:
    """:func:`_party` of a v0.1 object: the number (else the id) and the type."""
    return opt_ident(party.get("number")) or opt_ident(party.get("id")), opt_text(party.get("type"))


def _lean_error(error: Any) -> tuple[str | None, str | None, dict[str, Any]]:
    """:func:`_error` of an absent error or one whose fields are of the documented types."""
    if error is None:
        return None, None, {}
    if error.__class__ is not dict:
        raise Odd
    get = error.get
    if "code" in error or "reason" in error:  # v0.1
        return opt_ident(get("code")), opt_text(get("reason")), {}
    code = opt_ident(get("title"))
    kind = opt_text(get("type"))
    if code is None and kind is not None and "#" in kind:
        code = kind.rsplit("#", 1)[1] or None
    return code, opt_text(get("detail")), {"error_type": kind, "error_instance": opt_text(get("instance"))}


def _lean_count(value: Any) -> int | None:
    """``sms.count_total`` as ``Record.integer(strings=True, 0..MAX_PARTS)`` reads it without a warning."""
    if value is None or value == "":
        return None
    if value.__class__ is str and value.isdigit() and value.isascii() and len(value) <= 3:
        value = int(value)
    if value.__class__ is int and 0 <= value <= MAX_PARTS:
        return value
    raise Odd
