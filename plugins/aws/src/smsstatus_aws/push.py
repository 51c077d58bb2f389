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


# -- the lean path: a plain JSON event, raw or in EventBridge's envelope ------------------

#: Headers that send a request elsewhere than the plain event (SNS, Firehose, an
#: encoded body), lower-cased.
_NOT_PLAIN = frozenset({"x-amz-sns-message-type", REQUEST_ID_HEADER.lower(), "content-encoding"})
_NOT_PLAIN_LENGTHS = frozenset(map(len, _NOT_PLAIN))
_NO_ERRORS: tuple[()] = ()


def _plain(request: PushRequest) -> bool:
    """Whether no header routes the request to SNS or Firehose or says it is encoded:
    one pass over the few pairs, cheaper than three case-insensitive lookups."""
    for name, _ in request.headers.raw_items():
        if len(name) in _NOT_PLAIN_LENGTHS and name.lower() in _NOT_PLAIN:
            return False
    return True


def _lean(
    vendor: str, request: PushRequest, credentials: Credentials, client: HttpClient
) -> PushResult | None:
    """The report of a raw or EventBridge event in the documented shape, with
    the API key (when configured) right; else ``None`` for :func:`parse`,
    which routes every other shape and explains every problem."""
    if not _plain(request):
        return None
    data = fast_json(request.body)
    if data.__class__ is not dict or ("Type" in data and "TopicArn" in data):
        return None
    if "requestId" in data and "records" in data:
        return None
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
        extra: dict[str, Any] = {}
        for name, key in (("id", "eventbridge_id"), ("region", "region")):
            value = data.get(name)
            if value.__class__ is str:
                extra[key] = value
    else:
        event, extra = data, {}
    found = lean_event(vendor, event, request.received_at, extra)
    return None if found is None else new_push_result((found,), _EMPTY_OK, _NO_ERRORS)


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
    encoding = (request.headers.get("content-encoding") or "").strip().lower()
    if encoding in ("", "identity"):
        return request.body
    if encoding != "gzip":
        raise PayloadError(vendor, "$", f"unsupported Content-Encoding {encoding[:20]!r}")
    try:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = inflater.decompress(request.body, MAX_INFLATED)
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
