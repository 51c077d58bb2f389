"""Sinch delivery reports to canonical reports.

Sinch identifies a message by its batch and its recipient: a batch (one send
request) goes to up to many recipients, and every report names the
``batch_id`` and the ``recipient``. The canonical ``message_id`` is therefore
the batch id, ``batch_id`` repeats it, and ``recipient`` tells the messages of
one batch apart (the tracker keys a message by vendor, id and recipient).

Two shapes:

* a **per-recipient report** (``recipient_delivery_report_sms``/``_mms``, the
  ``per_recipient`` and ``per_recipient_final`` callbacks, and
  ``GET /batches/{id}/delivery_report/{recipient}``): one status of one
  recipient, with ``at`` (when Sinch created the report) and
  ``operator_status_at`` (the operator's time of the status);
* a **batch report** (``delivery_report_sms``/``_mms``, the ``summary`` and
  ``full`` callbacks, and ``GET /batches/{id}/delivery_report``): per status
  and code, a ``count`` and, in a ``full`` report only, the ``recipients``.
  A full report becomes one report per listed recipient (no event time: the
  batch report has none), whose ``raw`` is the batch report's own fields with
  that entry's ``status``, ``code`` and the one ``recipient``. A summary carries counts, not events: it names no
  message, so it becomes no report (see :mod:`.push`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from smsstatus.plugin import (
    MAX_PARTS,
    Channel,
    ItemError,
    MappedStatus,
    Operator,
    PayloadError,
    Record,
    ReportWarning,
    StatusReport,
    check_batch,
    identity_problem,
    new_operator,
    new_report,
    parse_rfc3339,
    to_e164,
)

from .mapping import MAX_RECIPIENTS, map_value

__all__ = [
    "batch_reports",
    "is_summary",
    "lean_batch_reports",
    "lean_recipient_report",
    "recipient_report",
]


def recipient_report(record: Record, *, channel: Channel, received_at: datetime) -> StatusReport:
    """One per-recipient delivery report."""
    batch_id = record.ident("batch_id")
    recipient_raw = record.string("recipient")
    if not recipient_raw.strip():
        raise record.error("recipient", "must not be empty")
    status = record.string("status")
    if not status.strip():
        raise record.error("status", "must not be empty")
    code = record.ident("code", required=False)
    mapped = map_value(status, code)
    created = record.time("at", parse_rfc3339, required=False)
    operator_at = record.time("operator_status_at", parse_rfc3339, required=False)
    parts = record.integer("number_of_message_parts", required=False, minimum=0, maximum=MAX_PARTS)
    operator = record.opt_string("operator")
    sender = record.opt_string("applied_originator")
    client_ref = record.opt_string("client_reference")
    extra: dict[str, Any] = {}
    for name in ("type", "encoding"):
        value = record.get(name)
        if isinstance(value, str) and value:
            extra[name] = value
    return StatusReport(
        vendor=record.vendor,
        message_id=batch_id,
        batch_id=batch_id,
        recipient=to_e164(recipient_raw),
        recipient_raw=recipient_raw,
        sender=sender,
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=status,
        vendor_code=code,
        client_ref=client_ref,
        segments=parts,
        operator=Operator(name=operator) if operator else None,
        status_at=operator_at or created,
        notified_at=created,
        received_at=received_at,
        channel=channel,
        extra=extra,
        raw=dict(record.data),
        warnings=record.warnings,
    )


_PUSH = Channel.PUSH


def _time(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    return parse_rfc3339(value)  # ValueError: the caller gives up the lean path


def lean_recipient_report(vendor: str, data: dict[str, Any], received_at: datetime) -> StatusReport | None:
    """:func:`recipient_report` of a pushed report whose fields are as
    documented, else ``None`` (then the detailed path reads and explains)."""
    get = data.get
    batch_id, recipient_raw, status, code = get("batch_id"), get("recipient"), get("status"), get("code")
    if (
        batch_id.__class__ is not str
        or identity_problem(batch_id) is not None
        or recipient_raw.__class__ is not str
        or not recipient_raw.strip()
        or status.__class__ is not str
        or not status.strip()
    ):
        return None
    code = _lean_code(code)
    if code is _ODD:
        return None
    parts, operator, sender, client_ref = (
        get("number_of_message_parts"),
        get("operator"),
        get("applied_originator"),
        get("client_reference"),
    )
    if parts is not None and not (parts.__class__ is int and 0 <= parts <= MAX_PARTS):
        return None
    if not (_text(operator) and _text(sender) and _text(client_ref)):
        return None
    try:
        created, operator_at = _time(get("at")), _time(get("operator_status_at"))
    except ValueError:
        return None
    extra: dict[str, Any] = {}
    for name in ("type", "encoding"):
        value = get(name)
        if isinstance(value, str) and value:
            extra[name] = value
    mapped = map_value(status, code)
    return new_report(
        vendor,
        batch_id,  # message_id
        batch_id,
        to_e164(recipient_raw),
        recipient_raw,
        sender or None,
        mapped.status,
        mapped.mapping,
        mapped.reason,
        status,  # vendor_status
        code,  # vendor_code
        None,  # vendor_description
        client_ref or None,
        parts,  # segments
        None,  # part
        None,  # price
        None,  # country
        new_operator(None, None, operator) if operator else None,
        None,  # submitted_at
        operator_at or created,  # status_at
        created,  # notified_at
        received_at,
        _PUSH,
        extra,
        data,  # raw
        (),  # warnings
    )


#: What :func:`_lean_code` answers for a code the lean path leaves to ``Record.ident``.
_ODD = "\x00odd"


def _lean_code(code: Any) -> str | None:
    """``Record.ident("code", required=False)`` of a code it reads without a
    warning (an integer of at most 64 bits, a printable string, absent or
    ``""``), else :data:`_ODD`."""
    if code.__class__ is int:
        return str(code) if -(2**63) <= code < 2**64 else _ODD
    if code is None or code == "":
        return None
    if code.__class__ is not str or identity_problem(code) is not None:
        return _ODD
    return code


def _text(value: Any) -> bool:
    return value is None or value.__class__ is str


def is_summary(record: Record) -> bool:
    """A batch report whose statuses carry counts only (no ``recipients``)."""
    statuses = record.get("statuses")
    return isinstance(statuses, list) and any(
        isinstance(entry, Mapping) and entry.get("recipients") is None for entry in statuses
    )


def batch_reports(
    record: Record, *, channel: Channel, received_at: datetime
) -> tuple[list[StatusReport], list[ItemError]]:
    """One report per recipient of a ``full`` batch report; a status entry that
    cannot be read becomes an item error and the others still report."""
    batch_id = record.ident("batch_id")
    # Each entry names at least one recipient, so the recipients' bound bounds
    # the entries too, before any is read (an empty entry is an item error each).
    statuses = record.array("statuses", max_items=MAX_RECIPIENTS)
    total = sum(
        len(entry["recipients"])
        for entry in statuses
        if isinstance(entry, Mapping) and isinstance(entry.get("recipients"), list)
    )
    check_batch(record.vendor, record.at("statuses"), total, MAX_RECIPIENTS)
    client_ref = record.opt_string("client_reference")
    # Each recipient's raw record: the batch report's own fields and its entry's
    # status and code, not the whole list (a full report names up to thousands).
    shared_raw = {k: v for k, v in record.data.items() if k != "statuses"}
    reports: list[StatusReport] = []
    errors: list[ItemError] = []
    for index, item in enumerate(statuses):
        try:
            entry = Record(record.vendor, item, f"{record.at('statuses')}[{index}]")
            status = entry.string("status")
            if not status.strip():
                raise entry.error("status", "must not be empty")
            recipients = entry.array("recipients")
        except PayloadError as exc:
            errors.append(ItemError(error=exc, raw=item, index=index, key=batch_id))
            continue
        code = entry.ident("code", required=False)
        mapped = map_value(status, code)
        extra: dict[str, Any] = {"report_type": "full"}
        count = entry.get("count")
        if isinstance(count, int) and not isinstance(count, bool):
            extra["count"] = count
        warnings = record.warnings + entry.warnings
        for position, number in enumerate(recipients):
            if not isinstance(number, str) or not number.strip():
                bad = PayloadError(
                    record.vendor, f"{entry.at('recipients')}[{position}]", "expected a phone number"
                )
                errors.append(ItemError(error=bad, raw=number, index=index, key=batch_id))
                continue
            raw = {**shared_raw, "status": status, "code": entry.get("code"), "recipient": number}
            reports.append(
                _listed(
                    record.vendor,
                    batch_id,
                    client_ref,
                    number,
                    status,
                    code,
                    mapped,
                    received_at,
                    channel,
                    extra,
                    raw,
                    warnings,
                )
            )
    return reports, errors


def _listed(  # noqa: PLR0917 -- StatusReport's fields that differ between listed recipients
    vendor: str,
    batch_id: str,
    client_ref: str | None,
    number: str,
    status: str,
    code: str | None,
    mapped: MappedStatus,
    received_at: datetime,
    channel: Channel,
    extra: dict[str, Any],
    raw: dict[str, Any],
    warnings: tuple[ReportWarning, ...],
) -> StatusReport:
    """The report of one recipient listed in a full batch report (both paths)."""
    return new_report(
        vendor,
        batch_id,  # message_id
        batch_id,
        to_e164(number),
        number,  # recipient_raw
        None,  # sender
        mapped.status,
        mapped.mapping,
        mapped.reason,
        status,  # vendor_status
        code,  # vendor_code
        None,  # vendor_description
        client_ref,
        None,  # segments
        None,  # part
        None,  # price
        None,  # country
        None,  # operator
        None,  # submitted_at
        None,  # status_at
        None,  # notified_at
        received_at,
        channel,
        extra,
        raw,
        warnings,
    )


def lean_batch_reports(
    vendor: str, data: dict[str, Any], received_at: datetime
) -> tuple[StatusReport, ...] | None:
    """:func:`batch_reports` of a pushed ``full`` batch report whose every
    entry and recipient is as documented, else ``None`` (a summary, an entry
    or recipient :func:`batch_reports` would refuse or warn about: then the
    detailed path reads and explains)."""
    get = data.get
    batch_id, statuses, client_ref = get("batch_id"), get("statuses"), get("client_reference")
    if (
        batch_id.__class__ is not str
        or identity_problem(batch_id) is not None
        or statuses.__class__ is not list
        or not 0 < len(statuses) <= MAX_RECIPIENTS
        or not _text(client_ref)
    ):
        return None
    client_ref = client_ref or None
    shared_raw = {k: v for k, v in data.items() if k != "statuses"}
    reports: list[StatusReport] = []
    for entry in statuses:
        if entry.__class__ is not dict:
            return None
        status, code, recipients = entry.get("status"), entry.get("code"), entry.get("recipients")
        if status.__class__ is not str or not status.strip() or recipients.__class__ is not list:
            return None  # a summary's entry has no recipients: not a status (the detailed path says so)
        raw_code, code = code, _lean_code(code)
        if code is _ODD:
            return None
        mapped = map_value(status, code)
        extra: dict[str, Any] = {"report_type": "full"}
        count = entry.get("count")
        if count.__class__ is int:
            extra["count"] = count
        for number in recipients:
            if number.__class__ is not str or not number.strip():
                return None
            raw = {**shared_raw, "status": status, "code": raw_code, "recipient": number}
            reports.append(
                _listed(
                    vendor,
                    batch_id,
                    client_ref,
                    number,
                    status,
                    code,
                    mapped,
                    received_at,
                    _PUSH,
                    extra,
                    raw,
                    (),
                )
            )
            if len(reports) > MAX_RECIPIENTS:
                return None  # the detailed path refuses the whole batch
    return tuple(reports) if reports else None
