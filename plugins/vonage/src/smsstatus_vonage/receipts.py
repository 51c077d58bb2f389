"""The SMS API delivery receipt (DLR) to one canonical report.

Vonage sends one receipt per **part** of a concatenated message, each with its
own ``messageId`` and ``price``: each becomes its own report (the receipt says
nothing of the part's position, so ``part`` stays null; relate the parts with
the ids the send response returned). Fields (Nexmo/api-specification
``definitions/sms.yml`` ``DeliveryReceipt``; Nexmo/station
``messaging/sms/guides/delivery-receipts.md``):

* ``messageId`` the part's id; ``msisdn`` the **recipient**; ``to`` the
  **sender** id you sent from (not the recipient);
* ``network-code`` the recipient's fused MCC+MNC; ``price`` the part's cost
  (no currency is sent: Vonage accounts are billed in EUR, the only currency
  its Messages API reports, so EUR is assumed);
* ``status``, ``err-code``; ``client-ref``; ``api-key``;
* ``scts`` the carrier's time as ``YYMMDDHHMM`` in an **unstated zone** (the
  documented example is an hour ahead of ``message-timestamp``: a carrier's
  local time). It is kept in ``extra.scts`` and not turned into ``status_at``;
* ``message-timestamp`` ``YYYY-MM-DD HH:MM:SS``, when Vonage started pushing,
  read as UTC (``notified_at``);
* with signing on, ``timestamp``, ``nonce`` and ``sig`` (checked in
  :mod:`.signing` before this runs).

Only ``messageId`` and ``status`` may reject a receipt.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from smsstatus.plugin import (
    Channel,
    Money,
    Record,
    StatusReport,
    identity_problem,
    new_report,
    parse_local,
    read_network_code,
    to_e164,
)

from .lean import Odd, cached_price, network, opt_ident
from .mapping import SETTLED, map_value

__all__ = ["CURRENCY", "build_report", "lean_report"]

#: Assumed currency of a receipt's ``price`` (see the module docstring).
CURRENCY = "EUR"


def build_report(record: Record, received_at: datetime) -> StatusReport:
    message_id = record.ident("messageId")
    status = record.string("status")
    if not status.strip():
        raise record.error("status", "must not be empty")
    err_code = record.ident("err-code", required=False)
    mapped = map_value(status, err_code)
    recipient_raw = record.ident("msisdn", required=False)
    extra: dict[str, Any] = {
        "api": "sms",
        "api_key": record.opt_string("api-key"),
        "scts": record.opt_string("scts"),
    }
    network = read_network_code(record, "network-code", extra)
    price = record.decimal("price", required=False)
    if price is not None and price < 0:
        record.warn("price", f"{price} is negative")
        price = None
    return StatusReport(
        vendor=record.vendor,
        message_id=message_id,
        recipient=to_e164(recipient_raw),
        recipient_raw=recipient_raw,
        sender=record.opt_string("to"),
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=status,
        vendor_code=err_code,
        vendor_description=mapped.description if err_code not in (None, "0") else None,
        client_ref=record.opt_string("client-ref"),
        price=None if price is None else Money(price, CURRENCY),
        country=network.country if network is not None else None,
        operator=network.operator() if network is not None else None,
        notified_at=record.time("message-timestamp", _vonage_time, required=False),
        received_at=received_at,
        channel=Channel.PUSH,
        extra=extra,
        raw=record.data,
        warnings=record.warnings,
    )


_PUSH = Channel.PUSH


def lean_report(vendor: str, data: dict[str, str], received_at: datetime) -> StatusReport | None:
    """:func:`build_report` of a receipt whose every field is as documented, or
    ``None`` for the detailed path to read and explain. Every value is a string
    (a query or form, or a JSON receipt the caller checked): so each optional
    text is itself or ``None``, with no type test per field."""
    get = data.get
    message_id, status = get("messageId"), get("status")
    if message_id is None or identity_problem(message_id) is not None or status is None or not status.strip():
        return None
    amount, stamp = get("price"), get("message-timestamp")
    try:
        err_code, recipient_raw, fused = (
            opt_ident(get("err-code")),
            opt_ident(get("msisdn")),
            opt_ident(get("network-code")),
        )
        country, operator = (None, None) if fused is None else network(fused)
        money = None if not amount else cached_price(amount, CURRENCY)
        notified_at = _vonage_time(stamp) if stamp else None
    except (Odd, ValueError):  # ValueError: a time the detailed path warns about
        return None
    mapped = SETTLED.get(status) or map_value(status, err_code)
    return new_report(
        vendor,
        message_id,
        None,  # batch_id
        to_e164(recipient_raw),
        recipient_raw,
        get("to") or None,  # sender
        mapped.status,
        mapped.mapping,
        mapped.reason,
        status,  # vendor_status
        err_code,  # vendor_code
        mapped.description if err_code not in (None, "0") else None,
        get("client-ref") or None,
        None,  # segments
        None,  # part
        money,
        country,
        operator,
        None,  # submitted_at
        None,  # status_at
        notified_at,
        received_at,
        _PUSH,
        # build_report's order
        {"api": "sms", "api_key": get("api-key") or None, "scts": get("scts") or None, "network_code": fused},
        data,  # raw
        (),  # warnings
    )


def _vonage_time(value: object) -> datetime:
    """``YYYY-MM-DD HH:MM:SS`` in UTC (Vonage's webhook timestamps); both paths read with it.

    The documented, zero-padded layout is read by ``fromisoformat`` with the
    zone appended: with these separators at these places it takes exactly
    ASCII digits, as ``parse_local`` does, in a tenth of its time (its
    ``replace(tzinfo=...)`` alone costs more). Anything else, including a value
    ``fromisoformat`` refuses, gets ``parse_local``'s answer and reason.
    """
    if (
        value.__class__ is str
        and len(value) == 19
        and value[10] == " "
        and value[4] == value[7] == "-"
        and value[13] == value[16] == ":"
    ):
        try:
            return datetime.fromisoformat(value + "+00:00")
        except ValueError:
            pass
    return parse_local(value, "%Y-%m-%d %H:%M:%S", UTC)
