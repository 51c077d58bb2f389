"""Jasmin's HTTP delivery receipt to a canonical report.

Jasmin's DLRThrower (``jasmin/routing/throwers.py``, ``http_dlr_callback``)
calls the ``dlr-url`` of the message with ``dlr-method``: GET appends its
parameters to the URL after a ``?`` (even when the ``dlr-url`` has a query of
its own, so a second literal ``?`` separates the operator's query from
Jasmin's parameters), POST sends them as a form body and leaves the URL as it
is. One request carries one receipt:

* always: ``id`` (Jasmin's message id, the UUID its ``/send`` answered),
  ``message_status``, ``level`` (1 or 2: the level of *this* receipt; a level-3
  request produces one of each) and ``connector``;
* level 2 adds ``id_smsc`` (the SMSC's message id of the part this receipt is
  about), ``sub``, ``dlvrd``, ``subdate``, ``donedate`` (``YYMMDDhhmm``, no
  zone), ``err`` and ``text`` (the first 20 characters). Current Jasmin puts
  the receipt's own ``id:`` in ``connector`` at level 2 (``jasmin/managers/dlr.py``).

A long message is submitted as several parts; Jasmin maps every part's SMSC id
to the one ``id`` and relays each part's receipt, so several level-2 receipts
share the ``id`` and differ in ``id_smsc``. Nothing says which part (index) a
receipt is about, so the report has no ``part``: ``id_smsc`` names the segment
(``part_ref``, also ``extra.smsc_message_id``), and the tracker keeps one state
per segment. See docs/vendors/jasmin.md, "Long messages".

The answer is HTTP 200 with the body ``ACK/Jasmin``: Jasmin compares the
stripped body with it and sends the receipt again (after ``retry_delay``, up to
``max_retries``) on anything else.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any

from smsstatus.plugin import (
    Channel,
    Credentials,
    CredentialsError,
    MappedStatus,
    PayloadError,
    PushReply,
    PushRequest,
    PushResult,
    Record,
    StatusReport,
    check_credential,
    fast_form,
    fast_path,
    identity_problem,
    new_push_result,
    new_report,
    parse_urlencoded,
    receipt_date,
    short_value_cache,
    shown,
    zone,
)

from .mapping import DOCUMENTED, map_value

__all__ = ["REPLY", "TOKEN", "parse", "receipt_time"]

#: The only answer Jasmin takes as an acknowledgement.
REPLY = PushReply.text("ACK/Jasmin")
#: The query parameter carrying ``url_token``.
TOKEN = "token"  # noqa: S105 (the parameter's name, not a secret)
#: ``sub`` and ``dlvrd`` are three-digit counts in a receipt.
MAX_COUNT = 999

_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", ""})


# -- the lean path: a receipt in the documented shape, no token or zone configured --------

_PUSH = Channel.PUSH
#: The detailed path's default receipt zone, looked up once.
_UTC_ZONE = zone("UTC")
#: The fields of a level-1 receipt (the SMSC's answer to the submit), and its levels.
_SUBMIT_ANSWER = frozenset({"id", "message_status", "level", "connector"})
_LEVELS = {"1": 1, "2": 2, "3": 3}


class _Odd(Exception):
    """A field the lean path does not read as it is: the detailed path will."""


def _count(value: str | None, minimum: int, maximum: int) -> int | None:
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 20):
        raise _Odd
    number = int(value)
    if not minimum <= number <= maximum:
        raise _Odd
    return number


def _lean(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult | None:
    """The report of a receipt whose fields are as documented, else ``None``
    for :func:`parse` (which checks the token and explains)."""
    if len(credentials):
        return None
    # A POST's dlr-url usually has no query: an ASCII URL without "?" (nor the
    # brackets urlsplit checks, raising) has none, which four C scans tell where
    # the query_string property's work costs 0.3 µs of a form receipt (a seventh
    # of a json.loads of its fields).
    url = request.url
    no_query = "?" not in url and url.isascii() and "[" not in url and "]" not in url
    text = "" if no_query else request.query_string
    if "?" in text:
        return None  # two urlencoded parts: the detailed path splits them
    query = fast_form(text) if text else {}
    if query is None:
        return None
    if request.method != "GET" and request.body:
        if request.content_type != "application/x-www-form-urlencoded":
            return None
        data = fast_form(request.body)
        if data is None:
            return None
        for name, value in query.items():
            data.setdefault(name, value)
    else:
        data = query
    data.pop(TOKEN, None)
    try:
        report = _lean_report(vendor, data, request.received_at)
    except _Odd:
        return None
    return None if report is None else new_push_result((report,), REPLY, ())


def _lean_report(vendor: str, data: dict[str, str], received_at: datetime) -> StatusReport | None:
    get = data.get
    message_id, status = get("id"), get("message_status")
    if message_id is None or identity_problem(message_id) is not None or status is None or not status.strip():
        return None
    mapped, terminal = _DOCUMENTED_MEANINGS.get(status) or _meaning(status)
    raw_level = get("level")
    level = _LEVELS.get(raw_level) if raw_level is not None else None
    extra: dict[str, Any] = {}
    if level is not None:
        extra["level"] = level
    elif raw_level:
        extra["level"] = _count(raw_level, 1, 3)
    connector = get("connector") or None
    if connector is not None:
        extra["receipt_id" if terminal else "connector"] = connector
    err: str | None = None
    smsc_id: str | None = None
    submitted_at: datetime | None = None
    done_at: datetime | None = None
    if not data.keys() <= _SUBMIT_ANSWER:  # the handset receipt's fields (level 2)
        err = get("err") or None
        smsc_id = get("id_smsc") or None
        if smsc_id is not None:
            if identity_problem(smsc_id) is not None:
                raise _Odd
            extra["smsc_message_id"] = smsc_id
        for name in ("sub", "dlvrd"):
            count = _count(get(name), 0, MAX_COUNT)
            if count is not None:
                extra[name] = count
        submitted, done = get("subdate"), get("donedate")
        try:  # in the detailed path's default zone
            submitted_at = receipt_date(submitted, _UTC_ZONE) if submitted else None
            done_at = receipt_date(done, _UTC_ZONE) if done else None
        except ValueError:
            raise _Odd from None
    return new_report(
        vendor,
        message_id,
        None,  # batch_id
        None,  # recipient
        None,  # recipient_raw
        None,  # sender
        mapped.status,
        mapped.mapping,
        mapped.reason,
        status,  # vendor_status
        err,  # vendor_code
        mapped.description,  # vendor_description
        None,  # client_ref
        None,  # segments
        None,  # part
        None,  # price
        None,  # country
        None,  # operator
        submitted_at,
        done_at if terminal else None,  # status_at
        None,  # notified_at
        received_at,
        _PUSH,
        extra,
        data,  # raw
        (),  # warnings
        smsc_id,  # part_ref: the segment this receipt is about
    )


# Pure, and on every receipt's path: receipts repeat a few message_status values.
@short_value_cache(1024)  # bounded in count and in key size: the keys are vendor-sent text
def _meaning(status: str) -> tuple[MappedStatus, bool]:
    """``map_value(status)`` and whether the status is a handset receipt's
    (level 2) rather than the SMSC's answer to the submit (level 1)."""
    return map_value(status), _terminal(status)


def _terminal(status: str) -> bool:
    return not status.strip().upper().startswith("ESME_")


#: ``_meaning``'s answer for every status Jasmin documents, as it spells them
#: (``ESME_ROK``, ``DELIVRD``): the lean path reads it with one dict lookup, where
#: the memo (``short_value_cache``, a Python wrapper round ``lru_cache``) costs
#: about 0.3 µs a call, a seventh of a ``json.loads`` of a receipt.
_DOCUMENTED_MEANINGS: dict[str, tuple[MappedStatus, bool]] = {
    documented.value: _meaning(documented.value) for documented in DOCUMENTED
}


@fast_path(_lean)
def parse(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
    query = _query(request)
    expected = credentials.optional("url_token")
    if expected:
        given = next((value for name, value in query if name == TOKEN), None)
        check_credential(vendor, "url_token", expected, given)
    tz = _zone(vendor, credentials.optional("receipt_timezone") or "UTC")
    data, where = _fields(vendor, request, query)
    return PushResult(reports=(_report(Record(vendor, data, where), request, tz),), reply=REPLY)


def _query(request: PushRequest) -> list[tuple[str, str]]:
    """The query's pairs; a literal ``?`` inside it (Jasmin's GET appended to
    a ``dlr-url`` that had a query) separates two urlencoded parts, since an
    encoded value never holds a bare ``?``."""
    text = request.query_string
    if not text:
        return []
    return [pair for piece in text.split("?") for pair in parse_urlencoded(piece)]


def _fields(vendor: str, request: PushRequest, query: list[tuple[str, str]]) -> tuple[dict[str, str], str]:
    """Jasmin's fields plus the operator's own query parameters, without the
    token. A POST's body holds Jasmin's fields (a repeated one counts with its
    first value); in a GET Jasmin's parameters come after the operator's, so a
    repeated name counts with its last value."""
    data: dict[str, str] = {}
    if request.method != "GET" and request.body:
        if request.content_type not in _FORM_TYPES:
            raise PayloadError(vendor, "form", f"expected form data, got {request.content_type!r}")
        try:
            body = request.form_params()
        except (ValueError, LookupError) as exc:  # bad UTF-8, broken multipart
            raise PayloadError(vendor, "form", f"body is not valid form data: {type(exc).__name__}") from None
        for name, value in body:
            data.setdefault(name, value)
        for name, value in query:
            data.setdefault(name, value)
        where = "form"
    else:
        data.update(query)
        where = "query"
    data.pop(TOKEN, None)
    return data, where


@lru_cache(maxsize=8)
def _zone(vendor: str, name: str) -> tzinfo:
    try:
        return zone(name)
    except (KeyError, ValueError):  # ZoneInfoNotFoundError is a KeyError
        raise CredentialsError(vendor, "receipt_timezone", "is not a known IANA time zone name") from None


def receipt_time(tz: tzinfo) -> Callable[[Any], datetime]:
    """A reader of an SMPP receipt date (``YYMMDDhhmm`` or ``YYMMDDhhmmss``) in ``tz``."""

    def read(value: Any) -> datetime:
        if not isinstance(value, str):
            raise ValueError(f"{shown(value)} is not YYMMDDhhmm")
        return receipt_date(value, tz)

    return read


def _report(record: Record, request: PushRequest, tz: tzinfo) -> StatusReport:
    message_id = record.ident("id")
    status = record.string("message_status")
    if not status.strip():
        raise record.error("message_status", "must not be empty")
    err = record.opt_string("err")
    mapped = map_value(status, err)
    level = record.integer("level", required=False, strings=True, minimum=1, maximum=3)
    terminal = _terminal(status)
    extra: dict[str, Any] = {}
    if level is not None:
        extra["level"] = level
    connector = record.opt_string("connector")
    if connector is not None:
        # Level 1 names the SMPP connector; level 2 carries the receipt's id there.
        extra["receipt_id" if terminal else "connector"] = connector
    smsc_id = record.ident("id_smsc", required=False)
    if smsc_id is not None:
        extra["smsc_message_id"] = smsc_id
    for name in ("sub", "dlvrd"):
        count = record.integer(name, required=False, strings=True, minimum=0, maximum=MAX_COUNT)
        if count is not None:
            extra[name] = count
    read = receipt_time(tz)
    submitted_at = record.optional("subdate", read)
    done_at = record.optional("donedate", read)
    return StatusReport(
        vendor=record.vendor,
        message_id=message_id,
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=status,
        vendor_code=err,
        vendor_description=mapped.description,
        submitted_at=submitted_at,
        status_at=done_at if terminal else None,
        received_at=request.received_at,
        channel=Channel.PUSH,
        extra=extra,
        raw=dict(record.data),
        warnings=record.warnings,
        part_ref=smsc_id,
    )
