"""One AWS End User Messaging SMS event to a canonical report.

The event (user guide "Event types", "Monitoring with Amazon EventBridge"):
``eventType`` (TEXT_*), ``eventVersion``, ``eventTimestamp`` (epoch ms),
``isFinal``, ``originationPhoneNumber``, ``destinationPhoneNumber``,
``isoCountryCode``, ``mcc`` and ``mnc`` (separate, optional), ``carrierName``,
``messageId``, ``messageRequestTimestamp`` (epoch ms), ``messageEncoding``,
``messageType``, ``messageStatus``, ``messageStatusDescription``, ``context``
(the sender's own keys), ``totalMessageParts``, ``totalMessagePrice`` and
``totalCarrierFee`` (US dollars), ``configurationSetName``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from smsstatus.plugin import Channel, Money, Operator, Record, StatusReport, to_e164

from .mapping import map_event

__all__ = ["MAX_PARTS", "report"]

#: The most parts AWS sends one message in is far below this.
MAX_PARTS = 255
#: AWS bills in US dollars.
CURRENCY = "USD"


def _money(record: Record, name: str) -> Decimal | None:
    amount = record.decimal(name, required=False)
    if amount is not None and amount < 0:
        record.warn(name, "a price is not negative")
        return None
    return amount


def _digits(record: Record, name: str, lengths: tuple[int, ...]) -> str | None:
    """An MCC or MNC: digits of the given lengths (null, with a warning, otherwise)."""
    value = record.ident(name, required=False)
    if value is None:
        return None
    if not (value.isascii() and value.isdigit() and len(value) in lengths):
        record.warn(name, f"expected {' or '.join(map(str, lengths))} digits")
        return None
    return value


def report(record: Record, received_at: datetime, extra: dict[str, Any] | None = None) -> StatusReport:
    """The report of one event record (``extra`` adds the transport's fields)."""
    message_id = record.ident("messageId")
    event_type = record.string("eventType")
    if not event_type.strip():
        raise record.error("eventType", "must not be empty")
    is_final = record.get("isFinal")
    if not isinstance(is_final, bool):
        if is_final is not None:
            record.warn("isFinal", "expected a boolean")
        is_final = False
    mapped = map_event(event_type, is_final)
    out: dict[str, Any] = dict(extra or {})
    out["is_final"] = is_final
    for name, key in (
        ("configurationSetName", "configuration_set"),
        ("messageType", "message_type"),
        ("messageEncoding", "message_encoding"),
        ("eventVersion", "event_version"),
    ):
        value = record.opt_string(name)
        if value is not None:
            out[key] = value
    context = record.get("context")
    if isinstance(context, dict):
        out["context"] = context
    elif context is not None:
        record.warn("context", "expected an object")
    fee = _money(record, "totalCarrierFee")
    if fee is not None:
        out["carrier_fee"] = {"amount": str(fee), "currency": CURRENCY}
    mcc = _digits(record, "mcc", (3,))
    mnc = _digits(record, "mnc", (2, 3))
    carrier = record.opt_string("carrierName")
    operator = Operator(mcc=mcc, mnc=mnc, name=carrier) if (mcc or mnc or carrier) else None
    country = record.opt_string("isoCountryCode")
    if country is not None and not (len(country) == 2 and country.isascii() and country.isalpha()):
        record.warn("isoCountryCode", "expected an ISO 3166-1 alpha-2 code")
        country = None
    price = _money(record, "totalMessagePrice")
    recipient_raw = record.opt_string("destinationPhoneNumber")
    return StatusReport(
        vendor=record.vendor,
        message_id=message_id,
        recipient=to_e164(recipient_raw),
        recipient_raw=recipient_raw,
        sender=record.opt_string("originationPhoneNumber"),
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=event_type,
        vendor_code=record.opt_string("messageStatus"),
        vendor_description=record.opt_string("messageStatusDescription"),
        segments=record.integer("totalMessageParts", required=False, minimum=1, maximum=MAX_PARTS),
        price=Money(price, CURRENCY) if price is not None else None,
        country=country.upper() if country else None,
        operator=operator,
        submitted_at=record.epoch_millis("messageRequestTimestamp", required=False),
        status_at=record.epoch_millis("eventTimestamp", required=False),
        received_at=received_at,
        channel=Channel.PUSH,
        extra=out,
        raw=dict(record.data),
        warnings=record.warnings,
    )
