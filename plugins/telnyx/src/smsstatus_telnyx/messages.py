"""One Telnyx message record to one report per recipient.

A message (``record_type: "message"``) lists its recipients in ``to[]`` (and,
for group MMS, ``cc[]``), each with its own ``status``, ``carrier`` and
``line_type``; the error codes (``errors[]``), cost and part count belong to
the message. The message id ``id`` is the identity; each recipient is one
canonical report. A recipient without a readable number or status becomes an
item error and the others are still reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from smsstatus.plugin import (
    MAX_PARTS,
    Channel,
    ItemError,
    LeanMiss,
    Money,
    Operator,
    PayloadError,
    Record,
    ReportWarning,
    StatusReport,
    check_batch,
    identity_problem,
    kind_of,
    lean_text,
    new_money,
    new_operator,
    new_report,
    parse_rfc3339,
    shown,
    to_e164,
)

from .mapping import CODES, MAX_RECIPIENTS, map_value

__all__ = ["MAX_RECIPIENTS", "Context", "Odd", "lean_recipient_reports", "recipient_reports"]

_FAILED = frozenset({"sending_failed", "delivery_failed", "expired", "delivery_unconfirmed"})


class Context:
    """What every report of one message shares."""

    __slots__ = ("channel", "extra", "notified_at", "raw", "received_at", "status_at")

    def __init__(
        self,
        *,
        channel: Channel,
        received_at: datetime,
        raw: Mapping[str, Any],
        extra: dict[str, Any],
        status_at: datetime | None = None,
        notified_at: datetime | None = None,
    ) -> None:
        self.channel = channel
        self.received_at = received_at
        self.raw = raw
        self.extra = extra
        self.status_at = status_at
        self.notified_at = notified_at


def _cost(record: Record) -> Money | None:
    cost = record.opt_child("cost")
    if cost is None:
        return None
    amount = cost.decimal("amount", required=False)
    if amount is None:
        return None
    currency = cost.opt_string("currency")
    if currency is not None and not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
        cost.warn("currency", f"expected an ISO 4217 code, got {shown(currency)}")
        currency = None
    return Money(amount, currency.upper() if currency else None)


def _first_error(record: Record) -> tuple[str | None, str | None]:
    """The first ``errors[]`` entry's code and title (an unreadable entry gives
    ``None`` and a warning)."""
    errors = record.get("errors")
    if not isinstance(errors, list) or not errors:
        return None, None
    if not isinstance(errors[0], Mapping):
        record.warn("errors", f"expected an object, got {kind_of(errors[0])}")
        return None, None
    first = Record(record.vendor, errors[0], record.at("errors") + "[0]", parent=record)
    return first.ident("code", required=False), first.opt_string("title")


def recipient_reports(record: Record, context: Context) -> tuple[list[StatusReport], list[ItemError]]:
    """Every recipient of the message ``record`` as a report."""
    message_id = record.ident("id")
    entries: list[tuple[str, int, Any]] = []
    for field in ("to", "cc"):
        value = record.get(field)
        if value is None:
            continue
        listed = record.array(field)
        entries += [(field, i, item) for i, item in enumerate(listed)]
    if not entries:
        raise record.error("to", "lists no recipient")
    check_batch(record.vendor, record.at("to"), len(entries), MAX_RECIPIENTS)
    code, title = _first_error(record)
    price = _cost(record)
    segments = record.integer("parts", required=False, minimum=0, maximum=MAX_PARTS)
    submitted_at = record.time("received_at", parse_rfc3339, required=False)
    sender_record = record.opt_child("from")
    sender = sender_record.opt_string("phone_number") if sender_record is not None else None
    shared = dict(context.extra)
    for name in ("type", "direction"):
        value = record.get(name)
        if isinstance(value, str) and value:
            shared[name] = value
    shared_warnings = record.warnings
    reports: list[StatusReport] = []
    errors: list[ItemError] = []
    for field, index, item in entries:
        try:
            reports.append(
                _report(
                    Record(record.vendor, item, f"{record.at(field)}[{index}]"),
                    record,
                    message_id=message_id,
                    code=code,
                    title=title,
                    price=price,
                    segments=segments,
                    submitted_at=submitted_at,
                    sender=sender,
                    shared=shared,
                    warnings=shared_warnings,
                    context=context,
                )
            )
        except PayloadError as exc:
            errors.append(ItemError(error=exc, raw=item, index=index, key=message_id))
    return reports, errors


def _report(
    recipient: Record,
    message: Record,
    *,
    message_id: str | None,
    code: str | None,
    title: str | None,
    price: Money | None,
    segments: int | None,
    submitted_at: datetime | None,
    sender: str | None,
    shared: dict[str, Any],
    warnings: tuple[ReportWarning, ...],
    context: Context,
) -> StatusReport:
    number = recipient.string("phone_number")
    status = recipient.string("status")
    if not status.strip():
        raise recipient.error("status", "must not be empty")
    failed = status.strip().lower() in _FAILED
    mapped = map_value(status, code if failed else None)
    carrier = recipient.opt_string("carrier")
    extra = dict(shared)
    line_type = recipient.get("line_type")
    if isinstance(line_type, str) and line_type:
        extra["line_type"] = line_type
    known = CODES.get(code or "")
    return StatusReport(
        vendor=message.vendor,
        message_id=message_id,
        recipient=to_e164(number),
        recipient_raw=number,
        sender=sender,
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=status,
        vendor_code=code if failed else None,
        vendor_description=(title or (known[3] if known else None)) if failed else None,
        segments=segments,
        price=price,
        operator=Operator(name=carrier) if carrier else None,
        submitted_at=submitted_at,
        status_at=context.status_at,
        notified_at=context.notified_at,
        received_at=context.received_at,
        channel=context.channel,
        extra=extra,
        raw=context.raw,
        warnings=warnings + recipient.warnings,
    )


# -- the lean path: a message as Telnyx documents it, every field readable ----------------


Odd = LeanMiss  # core's signal for a value the lean path passes on


_text = lean_text


def lean_time(value: Any) -> datetime | None:
    """An optional time as ``Record.time(..., parse_rfc3339, required=False)``
    reads it without a warning (``ValueError`` where it would warn)."""
    return None if value is None or value == "" else parse_rfc3339(value)


def _lean_cost(cost: Any) -> Money | None:
    """:func:`_cost` of a JSON number amount, without a warning."""
    if cost is None:
        return None
    if cost.__class__ is not dict:
        raise Odd
    amount = cost.get("amount")
    if amount is None:
        return None
    if amount.__class__ is float:
        value = Decimal(repr(amount))  # as Record.decimal reads a float: its shortest repr
    elif amount.__class__ is str:
        if not amount:
            return None
        value = Decimal(amount)  # InvalidOperation (an ArithmeticError) where Record.decimal warns
    else:
        raise Odd  # an integer or another type: the detailed path decides
    if not value.is_finite():
        raise Odd
    currency = _text(cost.get("currency"))
    if currency is not None and not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
        raise Odd
    return new_money(value, currency.upper() if currency else None)


def lean_recipient_reports(payload: dict[str, Any], context: Context, vendor: str) -> list[StatusReport]:
    """:func:`recipient_reports`'s reports of ``payload`` when every recipient
    reads without an error and nothing warns; raises :class:`Odd`, or
    ``ValueError``/``ArithmeticError`` for a time or an amount, otherwise."""
    get = payload.get
    message_id = get("id")
    if message_id.__class__ is not str or identity_problem(message_id) is not None:
        raise Odd
    to, cc = get("to"), get("cc")
    if to.__class__ is not list or not (cc is None or cc.__class__ is list):
        raise Odd
    entries = to + cc if cc else to
    if not entries or len(entries) > MAX_RECIPIENTS:
        raise Odd
    code = title = None
    errors = get("errors")
    if errors.__class__ is list and errors:
        first = errors[0]
        if first.__class__ is not dict:
            raise Odd
        code, title = first.get("code"), _text(first.get("title"))
        if code is not None and not (code.__class__ is str and code and identity_problem(code) is None):
            raise Odd  # an integer code, "" or a bad one: Record.ident decides
    price = _lean_cost(get("cost"))
    segments = get("parts")
    if segments is not None and not (segments.__class__ is int and 0 <= segments <= MAX_PARTS):
        raise Odd
    submitted_at = lean_time(get("received_at"))
    sender_record = get("from")
    if sender_record is None:
        sender = None
    elif sender_record.__class__ is dict:
        sender = _text(sender_record.get("phone_number"))
    else:
        raise Odd
    shared = dict(context.extra)
    for name in ("type", "direction"):
        value = get(name)
        if value.__class__ is str and value:
            shared[name] = value
    reports = []
    for item in entries:
        if item.__class__ is not dict:
            raise Odd
        number, status = item.get("phone_number"), item.get("status")
        if number.__class__ is not str or status.__class__ is not str or not status.strip():
            raise Odd
        failed = status.strip().lower() in _FAILED
        mapped = map_value(status, code if failed else None)
        carrier = _text(item.get("carrier"))
        extra = dict(shared)
        line_type = item.get("line_type")
        if line_type.__class__ is str and line_type:
            extra["line_type"] = line_type
        description = None
        if failed:
            known = CODES.get(code or "")
            description = title or (known[3] if known else None)
        reports.append(
            new_report(
                vendor,
                message_id,
                None,  # batch_id
                to_e164(number),  # recipient
                number,  # recipient_raw
                sender,
                mapped.status,
                mapped.mapping,
                mapped.reason,
                status,  # vendor_status
                code if failed else None,  # vendor_code
                description,  # vendor_description
                None,  # client_ref
                segments,
                None,  # part
                price,
                None,  # country
                None if carrier is None else new_operator(None, None, carrier),
                submitted_at,
                context.status_at,
                context.notified_at,
                context.received_at,
                context.channel,
                extra,
                context.raw,
                (),  # warnings
            )
        )
    return reports
