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
    parse_rfc3339,
    read_network_code,
    to_e164,
)

from .mapping import map_value

__all__ = ["build_report", "is_messages_status"]


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
