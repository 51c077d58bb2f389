"""The receipt-status callback ("Callback API"): ``POST`` JSON, a batch per request.

Accepted bodies:

* ``{"MsgType": 2, "Data": [receipt, ...]}`` (the documented example);
* ``[receipt, ...]`` (what the doc's "JSON Array format" sentence describes);
* ``{"MsgType": 0, ...}``: an uplink (MO) message, not a status report: no
  reports, acknowledged so that the vendor does not retry.

Every good item becomes a report; each bad one an :class:`ItemError`; the
vendor gets its success reply as long as the envelope could be read.
"""

from __future__ import annotations

import json
from typing import Any

from smsstatus.plugin import (
    Channel,
    Credentials,
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
    new_push_result,
)

from . import INFO
from .receipts import build_report, lean_report, session_key

__all__ = ["REPLY_OK", "TOKEN_PARAM", "parse"]

#: UCloud USMS's documented acknowledgement of the same interface.
REPLY_OK = PushReply.json({"code": 0, "message": "ok"})
#: Query parameter carrying the optional webhook token.
TOKEN_PARAM = "token"  # noqa: S105 -- the parameter name, not a secret
MSG_TYPE_RECEIPT = 2
MSG_TYPE_UPLINK = 0


def _query_token(request: PushRequest) -> str | None:
    for name, value in request.query_params:
        if name == TOKEN_PARAM:
            return value
    return None


def _items(vendor: str, data: Any) -> tuple[list[Any] | None, str]:
    """The receipt items and the JSON path of their array (None for an uplink push)."""
    if data.__class__ is dict:  # the documented envelope, read without a Record
        msg_type, items = data.get("MsgType"), data.get("Data")
        receipts = msg_type.__class__ is int and msg_type == MSG_TYPE_RECEIPT
        if receipts and items.__class__ is list and len(items) <= INFO.max_batch:
            return items, "$.Data"
    if isinstance(data, list):
        check_batch(vendor, "$", len(data), INFO.max_batch)
        return data, "$"
    if isinstance(data, dict):
        envelope = Record(vendor, data)
        msg_type = envelope.integer("MsgType")
        if msg_type == MSG_TYPE_UPLINK:
            return None, "$.Data"
        if msg_type != MSG_TYPE_RECEIPT:
            raise envelope.error("MsgType", f"unsupported message type {msg_type} (2 = receipt, 0 = uplink)")
        return envelope.array("Data", max_items=INFO.max_batch), "$.Data"
    raise PayloadError(vendor, "$", "expected a JSON object or array")


# -- the lean path: the documented envelope, every receipt as documented -----------------

_PUSH = Channel.PUSH


def _lean(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult | None:
    """The reports of ``{"MsgType": 2, "Data": [...]}`` whose every receipt
    :func:`lean_report` takes, else ``None``: then :func:`parse` reads the
    push, with an item error for each bad receipt."""
    if len(credentials):
        return None  # the webhook token is checked by the detailed path
    data = fast_json(request.body)
    if data.__class__ is not dict:
        return None
    msg_type, items = data.get("MsgType"), data.get("Data")
    if msg_type.__class__ is not int or msg_type != MSG_TYPE_RECEIPT or items.__class__ is not list:
        return None
    if not 0 < len(items) <= INFO.max_batch:
        return None
    received_at = request.received_at
    reports: list[StatusReport] = []
    for item in items:
        report = lean_report(vendor, item, _PUSH, received_at, None)
        if report is None:
            return None
        reports.append(report)
    return new_push_result(tuple(reports), REPLY_OK, ())


@fast_path(_lean)
def parse(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
    expected = credentials.optional("webhook_token")
    if expected:
        check_credential(vendor, "webhook_token", expected, _query_token(request))
    data = fast_json(request.body)  # None for anything json.loads would not read as fast
    if data is None:
        try:
            data = json.loads(request.body)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            raise PayloadError(vendor, "$", "body is not valid JSON") from None
    items, base = _items(vendor, data)
    if items is None:
        return new_push_result((), REPLY_OK, ())
    reports: list[StatusReport] = []
    errors: list[ItemError] = []
    received_at = request.received_at
    for index, item in enumerate(items):
        try:
            reports.append(
                build_report(vendor, item, f"{base}[{index}]", channel=Channel.PUSH, received_at=received_at)
            )
        except PayloadError as exc:
            errors.append(ItemError(error=exc, raw=item, index=index, key=session_key(item)))
    return new_push_result(tuple(reports), REPLY_OK, tuple(errors))
