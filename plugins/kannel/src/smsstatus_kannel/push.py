"""Kannel's ``dlr-url`` request to a canonical report.

``sendsms`` answers with no message id (``0: Accepted for delivery``), so the
application puts its own id into the ``dlr-url``; smsbox substitutes the
escape codes (URL-encoding each value) and requests the URL with GET, once per
delivery report. The plugin reads these query parameters (the template is the
operator's; ``docs/vendors/kannel.md`` recommends one):

==================  ==========  ==========================================
parameter           escape      meaning
==================  ==========  ==========================================
``id``              (yours)     the application's own message id: the identity
``status``/``type`` ``%d``      the DLR type: 1, 2, 4, 8, 16 or 32
``answer``/``reply``  ``%A``    the SMSC's answer; for SMPP the receipt text
``to``              ``%p``      the original recipient (in a DLR ``%p`` is the
                                recipient and ``%P`` the sender)
``from``            ``%P``      the original sender
``ts``              ``%T``      Unix time of the report
``smsc``            ``%i``      the smsc-id of the connection
``smsc_id``/``foreign_id``  ``%F``  the SMSC's message id (per part)
``internal_id``     ``%I``      Kannel's internal message id
``part``/``parts``  (yours)     the part index and count, for applications
                                that split messages themselves
``token``           (yours)     the ``url_token`` secret
==================  ==========  ==========================================

Kannel relays one report per SMSC message: a message Kannel split itself
yields one report per segment at the same URL, told apart only by ``%F``
(``part_ref``, and ``extra.smsc_message_id``); no part index, and ``parts``
(the application's) is the segment count when the template carries it. The
reply is HTTP 200 with an empty body (Kannel reads only the status).
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from typing import Any

from smsstatus.plugin import (
    MAX_PARTS,
    Channel,
    Credentials,
    CredentialsError,
    DeliveryReceipt,
    Part,
    PayloadError,
    PushReply,
    PushRequest,
    PushResult,
    Record,
    StatusReport,
    check_credential,
    fast_form,
    fast_path,
    from_epoch_seconds,
    identity_problem,
    new_push_result,
    new_report,
    parse_receipt,
    parse_urlencoded,
    to_e164,
    zone,
)

from .mapping import map_value

__all__ = ["REPLY", "TOKEN", "parse"]

#: Kannel reads only the status of its request.
REPLY = PushReply(status_code=200, content_type=None, body=b"")
#: The query parameter carrying ``url_token``.
TOKEN = "token"  # noqa: S105 (the parameter's name, not a secret)

_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", ""})
_TYPE_NAMES = ("status", "type")
_ANSWER_NAMES = ("answer", "reply")
_FOREIGN_NAMES = ("smsc_id", "foreign_id")


# -- the lean path: a GET in the documented template, no url_token or zone configured ----

_PUSH = Channel.PUSH
#: The parameters the lean path reads; any other (``part``/``parts``, ``token``, the
#: template's variant names) sends the push to the detailed path.
_LEAN_NAMES = frozenset({"id", "status", "answer", "to", "from", "ts", "smsc", "smsc_id", "internal_id"})
_LEAN_EXTRA = (("smsc", "smsc"), ("smsc_id", "smsc_message_id"), ("internal_id", "internal_id"))
#: The detailed path's default receipt zone, looked up once.
_UTC_ZONE = zone("UTC")


#: 2000-01-01 and 2100-01-01 in Unix seconds: the window ``from_epoch_seconds`` accepts.
_MIN_SECONDS = 946_684_800
_MAX_SECONDS = 4_102_444_800


def _unix_time(ts: str) -> datetime | None:
    """``from_epoch_seconds(ts)``, or ``None`` where it raises.

    ``%T`` is ten digits for every time the window holds: read by one
    ``fromtimestamp`` (exact for whole seconds), 0.25 against 0.9 µs for
    ``from_epoch_seconds``'s checks and keyword ``timedelta``, which reads
    every other spelling."""
    if len(ts) == 10 and ts.isascii() and ts.isdigit():
        seconds = int(ts)
        if _MIN_SECONDS <= seconds < _MAX_SECONDS:
            return _from_timestamp(seconds, UTC)
    try:
        return from_epoch_seconds(ts)
    except (ValueError, TypeError):
        return None


_from_timestamp = datetime.fromtimestamp


def _lean(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult | None:
    """The report of a dlr-url GET in the documented template, else ``None`` for :func:`parse`."""
    if len(credentials) or (request.body and request.method != "GET"):
        return None
    data = fast_form(request.query_string)
    if data is None or not data.keys() <= _LEAN_NAMES:
        return None
    get = data.get
    message_id, dlr_type = get("id"), get("status")
    if (
        message_id is None
        or identity_problem(message_id) is not None
        or dlr_type is None
        or not dlr_type.strip()
    ):
        return None
    extra: dict[str, Any] = {}
    for name, key in _LEAN_EXTRA:
        value = get(name)
        if value:
            if identity_problem(value) is not None:
                return None
            extra[key] = value
    status_at = None
    ts = get("ts")
    if ts:
        status_at = _unix_time(ts)
        if status_at is None:
            return None
    answer = get("answer") or None
    submitted_at: datetime | None = None
    code: str | None = None
    # The detailed path's test, "stat:" in answer.lower(), without lowering the usual receipt.
    if answer is not None and ("stat:" in answer or "stat:" in answer.lower()):
        try:
            receipt = parse_receipt(answer, tz=_UTC_ZONE, vendor=vendor, field="answer")
        except PayloadError:
            return None  # the detailed path keeps the report and warns
        submitted_at, status_at = _receipt_times(receipt, extra, status_at)
        code = receipt.stat
    elif dlr_type.strip() == "16":
        code = _nack_code(answer)
    mapped = map_value(dlr_type, code)
    recipient_raw = get("to") or None
    report = new_report(
        vendor,
        message_id,
        None,  # batch_id
        to_e164(recipient_raw),
        recipient_raw,
        get("from") or None,
        mapped.status,
        mapped.mapping,
        mapped.reason,
        dlr_type,
        code,
        mapped.description,
        None,  # client_ref
        None,  # segments
        None,  # part
        None,  # price
        None,  # country
        None,  # operator
        submitted_at,
        status_at,
        None,  # notified_at
        request.received_at,
        _PUSH,
        extra,
        data,  # raw
        (),  # warnings
        extra.get("smsc_message_id"),  # part_ref: the segment's %F (no part index here)
    )
    return new_push_result((report,), REPLY, ())


@fast_path(_lean)
def parse(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
    query = parse_urlencoded(request.query_string)  # parse_qsl's answer, three times faster
    expected = credentials.optional("url_token")
    if expected:
        given = next((value for name, value in query if name == TOKEN), None)
        check_credential(vendor, "url_token", expected, given)
    tz = _zone(vendor, credentials.optional("receipt_timezone") or "UTC")
    data, where = _fields(vendor, request, query)
    return PushResult(reports=(_report(Record(vendor, data, where), request, tz),), reply=REPLY)


def _fields(vendor: str, request: PushRequest, query: list[tuple[str, str]]) -> tuple[dict[str, str], str]:
    """The query parameters (a repeated one counts with its first value), and
    a form body's fields for a proxy that turns the GET into a POST; never the token."""
    pairs = query
    where = "query"
    if request.method != "GET" and request.body:
        if request.content_type not in _FORM_TYPES:
            raise PayloadError(vendor, "form", f"expected form data, got {request.content_type!r}")
        try:
            pairs = request.form_params() + query
        except (ValueError, LookupError) as exc:  # bad UTF-8, broken multipart
            raise PayloadError(vendor, "form", f"body is not valid form data: {type(exc).__name__}") from None
        where = "form"
    data: dict[str, str] = {}
    for name, value in pairs:
        data.setdefault(name, value)
    data.pop(TOKEN, None)
    return data, where


@lru_cache(maxsize=8)
def _zone(vendor: str, name: str) -> tzinfo:
    try:
        return zone(name)
    except (KeyError, ValueError):  # ZoneInfoNotFoundError is a KeyError
        raise CredentialsError(vendor, "receipt_timezone", "is not a known IANA time zone name") from None


def _named(record: Record, names: tuple[str, ...]) -> str:
    """The first of ``names`` the record carries (the template's variant), else the first."""
    return next((name for name in names if record.has(name)), names[0])


def _receipt(record: Record, name: str, answer: str | None, tz: tzinfo) -> DeliveryReceipt | None:
    """The SMPP receipt in ``%A``, when the answer is one (it carries ``stat:``);
    an unreadable receipt is a warning, never a rejection."""
    if answer is None or "stat:" not in answer.lower():
        return None
    try:
        return parse_receipt(answer, tz=tz, vendor=record.vendor, field=record.at(name))
    except PayloadError as exc:
        record.warn(name, exc.reason)
        return None


def _receipt_times(
    receipt: DeliveryReceipt | None, extra: dict[str, Any], status_at: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """``(submitted_at, status_at)`` with the receipt's dates (``ts`` wins for
    the status time); the receipt's own id and error code go to ``extra``."""
    if receipt is None:
        return None, status_at
    extra["receipt_id"] = receipt.id
    if receipt.err is not None:
        extra["receipt_err"] = receipt.err
    return receipt.submit_date, status_at if status_at is not None else receipt.done_date


def _nack_code(answer: str | None) -> str | None:
    """The command status of an SMPP submit refusal, ``NACK/0x0000000b/Invalid...``."""
    if answer is None or not answer.upper().startswith("NACK/"):
        return None
    code = answer.split("/", 2)[1].strip()
    return code or None


def _part(record: Record) -> tuple[Part | None, int | None]:
    """The application's ``part`` (index) and ``parts`` (count) parameters.

    With an index, the application split the message itself: the pair is the
    report's identity. Without one, ``parts`` is the count of the segments
    Kannel split the message into (the application knows its length), and
    each report names its segment by ``%F`` instead; an unreadable count is
    null with a warning."""
    if record.get("part") not in (None, ""):
        return record.part("part", "parts", identity=True)
    return None, record.integer("parts", required=False, strings=True, minimum=1, maximum=MAX_PARTS)


def _report(record: Record, request: PushRequest, tz: tzinfo) -> StatusReport:
    message_id = record.ident("id")
    type_name = _named(record, _TYPE_NAMES)
    dlr_type = record.string(type_name)
    if not dlr_type.strip():
        raise record.error(type_name, "must not be empty")
    answer_name = _named(record, _ANSWER_NAMES)
    answer = record.opt_string(answer_name)
    receipt = _receipt(record, answer_name, answer, tz)
    code = receipt.stat if receipt is not None else _nack_code(answer) if dlr_type.strip() == "16" else None
    mapped = map_value(dlr_type, code)
    part, total = _part(record)
    recipient_raw = record.opt_string("to")
    extra: dict[str, Any] = {}
    for names, key in (
        (("smsc",), "smsc"),
        (_FOREIGN_NAMES, "smsc_message_id"),
        (("internal_id",), "internal_id"),
    ):
        value = record.ident(_named(record, names), required=False)
        if value is not None:
            extra[key] = value
    submitted_at, status_at = _receipt_times(receipt, extra, record.epoch_seconds("ts", required=False))
    return StatusReport(
        vendor=record.vendor,
        message_id=message_id,
        recipient=to_e164(recipient_raw),
        recipient_raw=recipient_raw,
        sender=record.opt_string("from"),
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=dlr_type,
        vendor_code=code,
        vendor_description=mapped.description,
        segments=total,
        part=part,
        part_ref=extra.get("smsc_message_id") if part is None else None,
        submitted_at=submitted_at,
        status_at=status_at,
        received_at=request.received_at,
        channel=Channel.PUSH,
        extra=extra,
        raw=dict(record.data),
        warnings=record.warnings,
    )
