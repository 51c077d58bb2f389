"""Every way AWS End User Messaging SMS delivers its events, sniffed from the request.

* **SNS** (HTTP/S subscription): header ``x-amz-sns-message-type``, or a
  JSON body with ``Type`` and ``TopicArn``. Verified (:mod:`.sns`); a
  notification's ``Message`` is the event as a JSON string; a subscription
  confirmation is answered; an unsubscribe confirmation is acknowledged.
* **Data Firehose HTTP endpoint**: header ``X-Amz-Firehose-Request-Id``, or
  ``requestId`` and ``records``; the body may be gzip (``Content-Encoding``);
  each record's ``data`` is base64 of one event (or several, one per line).
  ``X-Amz-Firehose-Access-Key`` is checked (credential
  ``firehose_access_key``); the reply echoes ``requestId`` and ``timestamp``.
* **EventBridge** (an API destination, or your own forwarder): ``detail-type``
  and ``detail``; the event is ``detail``.
* **The raw event** (your own forwarder, a Lambda): ``eventType`` and
  ``messageId`` at the top.

EventBridge and raw events are checked against ``api_key`` in the header
``api_key_header`` (default ``x-api-key``) when configured: an API
destination's API-key authorization sends exactly that.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from typing import Any

from smsstatus.plugin import (
    AuthenticationError,
    Credentials,
    HttpClient,
    ItemError,
    PayloadError,
    PushReply,
    PushRequest,
    PushResult,
    Record,
    StatusReport,
    check_batch,
    check_credential,
    fast_json,
    fast_path,
    identity_problem,
    kind_of,
    new_push_result,
    secret_equals,
)

from . import INFO, sns
from .event import report
from .lean import lean_event

__all__ = ["MAX_RECORDS", "parse"]

#: Events of one Firehose request read at most, in its records together (a
#: buffer of up to 64 MiB of small events, one record may join several; the
#: receiver's body limit usually stops far earlier): the declared batch bound.
MAX_RECORDS = INFO.max_batch
#: The most a gzip body may inflate to.
MAX_INFLATED = 16 * 1024 * 1024
ACCESS_KEY_HEADER = "X-Amz-Firehose-Access-Key"
REQUEST_ID_HEADER = "X-Amz-Firehose-Request-Id"
DEFAULT_API_KEY_HEADER = "x-api-key"

_EMPTY_OK = PushReply(status_code=200, content_type=None, body=b"")


# -- the lean path: every transport, for the documented shapes ---------------------------

#: The headers that route a request (SNS, Firehose), encode its body or
#: authenticate a Firehose request, lower-cased.
_ROUTING = frozenset(
    {"x-amz-sns-message-type", REQUEST_ID_HEADER.lower(), "content-encoding", ACCESS_KEY_HEADER.lower()}
)
_ROUTING_LENGTHS = frozenset(map(len, _ROUTING))
_NO_ERRORS: tuple[()] = ()
#: PushReply.json's encoding, built once (json.dumps builds an encoder per call for these separators).
_COMPACT = json.JSONEncoder(separators=(",", ":"))


def _routing_headers(request: PushRequest) -> dict[str, str]:
    """The routing headers the request has (lower-cased name: first value):
    one pass over the few pairs, where a second lookup would build the whole
    header index."""
    found: dict[str, str] = {}
    for name, value in request.headers.raw_items():
        if len(name) in _ROUTING_LENGTHS and name.lower() in _ROUTING:
            found.setdefault(name.lower(), value)
    return found


def _lean(
    vendor: str, request: PushRequest, credentials: Credentials, client: HttpClient
) -> PushResult | None:
    """The reports of a push in a documented shape with its credentials right,
    routed as :func:`parse` routes it; else ``None`` for :func:`parse`, which
    explains every problem."""
    routing = _routing_headers(request)
    body = request.body
    if "content-encoding" in routing:
        try:
            body = _decoded(vendor, routing["content-encoding"], body)
        except PayloadError:
            return None
    data = fast_json(body)
    if data.__class__ is not dict:
        return None
    if "x-amz-sns-message-type" in routing or ("Type" in data and "TopicArn" in data):
        return _lean_sns(vendor, request, credentials, client, data)
    if "x-amz-firehose-request-id" in routing or ("requestId" in data and "records" in data):
        return _lean_firehose(vendor, request, credentials, data, routing.get(ACCESS_KEY_HEADER.lower()))
    if len(credentials):
        expected = credentials.optional("api_key")
        if expected is not None:
            header = credentials.optional("api_key_header") or DEFAULT_API_KEY_HEADER
            given = request.headers.get(header)
            if not given or not secret_equals(expected, given):
                return None  # the detailed path refuses it, naming what is wrong
    if "detail-type" in data or "detail" in data:
        event = data.get("detail")
        if event.__class__ is not dict:
            return None
        extra = _texts(data, (("id", "eventbridge_id"), ("region", "region")))
    else:
        event, extra = data, {}
    found = lean_event(vendor, event, request.received_at, extra)
    return None if found is None else new_push_result((found,), _EMPTY_OK, _NO_ERRORS)


def _texts(data: dict[str, Any], names: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """``{key: data[name]}`` for each name whose value is a string (the transport's fields in ``extra``)."""
    out: dict[str, Any] = {}
    for name, key in names:
        value = data.get(name)
        if value.__class__ is str:
            out[key] = value
    return out


def _lean_sns(
    vendor: str, request: PushRequest, credentials: Credentials, client: HttpClient, data: dict[str, Any]
) -> PushResult | None:
    """A notification from an allowed topic, signed with a certificate this
    client already fetched (the detailed path fetches the first one)."""
    message = data.get("Message")
    if data.get("Type") != "Notification" or message.__class__ is not str:
        return None
    if not sns.verified_from_cache(vendor, data, credentials.optional(sns.TOPIC_CREDENTIAL), client):
        return None
    event = fast_json(message)
    if event.__class__ is not dict:
        return None
    extra = _texts(data, (("MessageId", "sns_message_id"), ("TopicArn", "topic_arn")))
    found = lean_event(vendor, event, request.received_at, extra)
    return None if found is None else new_push_result((found,), _EMPTY_OK, _NO_ERRORS)


def _lean_firehose(
    vendor: str, request: PushRequest, credentials: Credentials, data: dict[str, Any], given: str | None
) -> PushResult | None:
    """A Firehose request whose every record is base64 of documented events
    (``given``: the access key header's value)."""
    expected = credentials.optional("firehose_access_key")
    if expected is not None and (not given or not secret_equals(expected, given)):
        return None
    request_id, timestamp, records = data.get("requestId"), data.get("timestamp"), data.get("records")
    if (
        request_id.__class__ is not str
        or identity_problem(request_id) is not None
        or timestamp.__class__ is not int
        or timestamp < 0
        or records.__class__ is not list
        or not 0 < len(records) <= MAX_RECORDS
    ):
        return None
    events: list[dict[str, Any]] = []
    for item in records:
        found = _lean_record(item)
        if found is None:
            return None
        events += found
    if len(events) > MAX_RECORDS:
        return None
    reports = []
    for event in events:
        report = lean_event(vendor, event, request.received_at, {"firehose_request_id": request_id})
        if report is None:
            return None
        reports.append(report)
    if request_id.isascii() and request_id.isprintable() and '"' not in request_id and "\\" not in request_id:
        # What the encoder writes for an id with nothing to escape, without its machinery.
        body = b'{"requestId":"%s","timestamp":%d}' % (request_id.encode(), timestamp)
    else:
        body = _COMPACT.encode({"requestId": request_id, "timestamp": timestamp}).encode()
    reply = PushReply(status_code=200, content_type="application/json", body=body)
    return new_push_result(tuple(reports), reply, _NO_ERRORS)


def _lean_record(item: Any) -> list[dict[str, Any]] | None:
    """:func:`_record_events` of a record it reads without a problem, else ``None``."""
    encoded = item.get("data") if item.__class__ is dict else None
    if encoded.__class__ is not str:
        return None
    try:
        text = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    events = []
    for line in text.splitlines():
        if line.strip():
            event = fast_json(line)
            if event.__class__ is not dict:
                return None
            events.append(event)
    return events or None


@fast_path(_lean)
def parse(vendor: str, request: PushRequest, credentials: Credentials, client: HttpClient) -> PushResult:
    body = _inflate(vendor, request)
    data = _json(vendor, body)
    if request.headers.get("x-amz-sns-message-type") is not None or ("Type" in data and "TopicArn" in data):
        return _sns(vendor, request, credentials, client, data)
    if request.headers.get(REQUEST_ID_HEADER) is not None or ("requestId" in data and "records" in data):
        return _firehose(vendor, request, credentials, data)
    _check_api_key(vendor, request, credentials)
    if "detail-type" in data or "detail" in data:
        record = Record(vendor, data).child("detail")
        extra = {
            k: v
            for k, v in (("eventbridge_id", data.get("id")), ("region", data.get("region")))
            if isinstance(v, str)
        }
        return PushResult(reports=(report(record, request.received_at, extra),), reply=_EMPTY_OK)
    return PushResult(reports=(report(Record(vendor, data), request.received_at),), reply=_EMPTY_OK)


def _inflate(vendor: str, request: PushRequest) -> bytes:
    return _decoded(vendor, request.headers.get("content-encoding"), request.body)


def _decoded(vendor: str, content_encoding: str | None, body: bytes) -> bytes:
    """``body`` as sent with that Content-Encoding (none, identity or gzip), inflated."""
    encoding = (content_encoding or "").strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding != "gzip":
        raise PayloadError(vendor, "$", f"unsupported Content-Encoding {encoding[:20]!r}")
    try:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = inflater.decompress(body, MAX_INFLATED)
    except zlib.error:
        raise PayloadError(vendor, "$", "the gzip body cannot be decompressed") from None
    if inflater.unconsumed_tail:
        raise PayloadError(vendor, "$", f"the gzip body inflates beyond {MAX_INFLATED} bytes")
    return out


def _json(vendor: str, body: bytes) -> dict[str, Any]:
    data = fast_json(body)  # the object json.loads gives, when the fast decoder reads it
    if data.__class__ is dict:
        return data
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise PayloadError(vendor, "$", f"body is not valid JSON: {type(exc).__name__}") from None
    if not isinstance(data, dict):
        raise PayloadError(vendor, "$", f"expected a JSON object, got {kind_of(data)}")
    return data


def _check_api_key(vendor: str, request: PushRequest, credentials: Credentials) -> None:
    expected = credentials.optional("api_key")
    if expected is None:
        return
    header = credentials.optional("api_key_header") or DEFAULT_API_KEY_HEADER
    check_credential(vendor, "api_key", expected, request.headers.get(header))


# -- SNS ---------------------------------------------------------------------------


def _sns(
    vendor: str, request: PushRequest, credentials: Credentials, client: HttpClient, data: dict[str, Any]
) -> PushResult:
    kind = data.get("Type")
    topics = credentials.optional(sns.TOPIC_CREDENTIAL)
    if kind == "SubscriptionConfirmation" and topics is None:
        raise AuthenticationError(
            vendor, sns.TOPIC_CREDENTIAL, "a subscription is confirmed only for a configured topic_arn"
        )
    sns.check_topic(vendor, data, topics)
    sns.verify(vendor, data, client)
    if kind == "SubscriptionConfirmation":
        sns.confirm(vendor, data, client)
        return PushResult(reports=(), reply=_EMPTY_OK)
    if kind == "UnsubscribeConfirmation":
        return PushResult(reports=(), reply=_EMPTY_OK)
    if kind != "Notification":
        raise PayloadError(
            vendor, "$.Type", "expected Notification, SubscriptionConfirmation or UnsubscribeConfirmation"
        )
    message = data.get("Message")
    if not isinstance(message, str):
        raise PayloadError(
            vendor, "$.Message", f"expected the event as a JSON string, got {kind_of(message)}"
        )
    event = _json_in(vendor, message, "$.Message")
    extra = {"sns_message_id": data.get("MessageId"), "topic_arn": data.get("TopicArn")}
    record = Record(vendor, event, "$.Message")
    return PushResult(
        reports=(
            report(record, request.received_at, {k: v for k, v in extra.items() if isinstance(v, str)}),
        ),
        reply=_EMPTY_OK,
    )


def _json_in(vendor: str, text: str, where: str) -> dict[str, Any]:
    event = fast_json(text)
    if event.__class__ is dict:
        return event
    try:
        event = json.loads(text)
    except (ValueError, RecursionError):
        raise PayloadError(vendor, where, "not a JSON event") from None
    if not isinstance(event, dict):
        raise PayloadError(vendor, where, f"expected a JSON object, got {kind_of(event)}")
    return event


# -- Firehose ------------------------------------------------------------------------


def _firehose(
    vendor: str, request: PushRequest, credentials: Credentials, data: dict[str, Any]
) -> PushResult:
    expected = credentials.optional("firehose_access_key")
    if expected is not None:
        check_credential(vendor, "firehose_access_key", expected, request.headers.get(ACCESS_KEY_HEADER))
    envelope = Record(vendor, data)
    request_id = envelope.ident("requestId")
    timestamp = envelope.integer("timestamp", minimum=0)
    records = envelope.array("records", max_items=MAX_RECORDS)
    # Decode every record first (work in proportion to the bytes received),
    # then bound the events they hold together: one record may join many.
    decoded: list[list[dict[str, Any]] | PayloadError] = []
    for i, item in enumerate(records):
        try:
            decoded.append(_record_events(vendor, item, f"$.records[{i}].data"))
        except PayloadError as exc:
            decoded.append(exc)
    check_batch(
        vendor,
        envelope.at("records"),
        sum(len(events) if isinstance(events, list) else 1 for events in decoded),
        MAX_RECORDS,
    )
    reports: list[StatusReport] = []
    errors: list[ItemError] = []
    for i, events in enumerate(decoded):
        where = f"$.records[{i}].data"
        try:
            if isinstance(events, PayloadError):
                raise events
            for j, event in enumerate(events):
                record = Record(vendor, event, where if j == 0 else f"{where}[{j}]")
                reports.append(report(record, request.received_at, {"firehose_request_id": request_id}))
        except PayloadError as exc:
            errors.append(ItemError(error=exc, raw=records[i], index=i, key=None))
    reply = PushReply.json({"requestId": request_id, "timestamp": timestamp})
    return PushResult(reports=tuple(reports), reply=reply, errors=tuple(errors))


def _record_events(vendor: str, item: Any, where: str) -> list[dict[str, Any]]:
    """The events of one record: its base64 ``data``, one JSON object or
    several, one per line (newline-delimited, as Firehose may join them)."""
    if not isinstance(item, dict) or not isinstance(item.get("data"), str):
        raise PayloadError(vendor, where, "a record needs a base64 string in data")
    try:
        text = base64.b64decode(item["data"], validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise PayloadError(vendor, where, "not base64 of UTF-8 text") from None
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise PayloadError(vendor, where, "the record holds no event")
    return [_json_in(vendor, line, where) for line in lines]
