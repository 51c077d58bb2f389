"""Vonage's status pushes: which one a request is, its authentication, its report.

* **Messages API status webhook**: ``POST`` JSON carrying ``message_uuid``
  (v1 or v0.1), signed with ``Authorization: Bearer <JWT>``.
* **SMS API delivery receipt**: ``GET`` with a query string, ``POST`` form
  data or ``POST`` JSON (the dashboard's "HTTP method" setting), carrying
  ``messageId``, optionally signed with a ``sig`` parameter. A ``POST``'s query
  string is not read: Vonage does not support mixing the two.

With ``signature_secret`` configured, both must be signed; it is checked
before any field is read. Vonage notes that, after an internal error, it may
send a Messages API callback **unsigned**, and that a 5xx answer makes it retry
(signed): such a callback gets 503 and no report. A callback with a bad
signature is an :class:`AuthenticationError` (401). Everything readable gets
200 with an empty body (the SMS API accepts 200-205).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from smsstatus.plugin import (
    PayloadError,
    PushReply,
    PushResult,
    Record,
    fast_form,
    fast_json,
    fast_path,
    kind_of,
    new_push_result,
)

from . import messages, receipts, signed_webhooks, signing

if TYPE_CHECKING:
    from smsstatus.plugin import Credentials, PushRequest

__all__ = ["REPLY", "RETRY_SIGNED", "parse"]

REPLY = PushReply(status_code=200, content_type=None, body=b"")
#: Vonage's advice for an unsigned Messages callback: answer 5xx, it retries signed.
RETRY_SIGNED = PushReply.text("unsigned callback: retry signed", status_code=503)

_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _lean(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult | None:
    """An unsigned push in the documented shape (an SMS API receipt by query,
    form or JSON; a Messages API status), else ``None`` for :func:`parse`."""
    if len(credentials):
        return None  # signing may be on: the detailed path checks it first
    body = request.body
    if not body:
        data = fast_form(request.query_string)
        if data is None:
            return None
        report = receipts.lean_report(vendor, data, request.received_at)
    else:
        content_type = request.content_type
        if content_type == "application/json":
            data = fast_json(body)
            if data.__class__ is not dict:
                return None
            if messages.is_messages_status(data):
                report = messages.lean_report(vendor, data, request.received_at)
            else:
                try:  # a receipt's values are strings: a TypeError for any other (C-level, fast)
                    "".join(data.values())
                except TypeError:
                    return None
                report = receipts.lean_report(vendor, data, request.received_at)
        elif content_type == "application/x-www-form-urlencoded":
            data = fast_form(body)
            if data is None:
                return None
            report = receipts.lean_report(vendor, data, request.received_at)
        else:
            return None
    return None if report is None else new_push_result((report,), REPLY, ())


@fast_path(_lean)
def parse(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
    data, path, is_json = _decode(vendor, request)
    secret = credentials.optional("signature_secret") if len(credentials) else None
    if is_json and messages.is_messages_status(data):
        if secret is not None:
            token = signed_webhooks.bearer_token(request.headers.get("authorization"))
            if token is None:
                return PushResult(reports=(), reply=RETRY_SIGNED)
            signed_webhooks.verify(vendor, token, request.body, secret, request.received_at)
        report = messages.build_report(Record(vendor, data, path), request.received_at)
        return PushResult(reports=(report,), reply=REPLY)
    if secret is not None:
        method = signing.normalise_method(vendor, credentials.optional("signature_method"))
        signing.verify(vendor, _as_strings(data), secret, method, request.received_at)
    report = receipts.build_report(Record(vendor, data, path), request.received_at)
    return PushResult(reports=(report,), reply=REPLY)


def _decode(vendor: str, request: PushRequest) -> tuple[dict[str, Any], str, bool]:
    """The pushed record, the path prefix naming its fields, and whether it was JSON."""
    content_type = request.content_type
    body = request.body
    if not body.strip():
        return _first(request.query_params), "query", False
    if content_type in _FORM_TYPES:
        return _form(vendor, request), "form", False
    if content_type == "application/json" or content_type.endswith("+json") or body.lstrip()[:1] == b"{":
        data = fast_json(body)  # the object json.loads gives, when the fast decoder reads it
        if data.__class__ is dict:
            return data, "$", True
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):  # includes UnicodeDecodeError
            raise PayloadError(vendor, "$", "body is not valid JSON") from None
        if not isinstance(data, dict):
            raise PayloadError(vendor, "$", f"expected a JSON object, got {kind_of(data)}")
        return data, "$", True
    return _form(vendor, request), "form", False


def _form(vendor: str, request: PushRequest) -> dict[str, Any]:
    try:
        params = request.form_params()
    except (ValueError, LookupError) as exc:  # bad UTF-8, broken multipart, unknown charset
        raise PayloadError(vendor, "form", f"body is not valid form data: {type(exc).__name__}") from None
    return _first(params)


def _first(params: list[tuple[str, str]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in params:
        data.setdefault(key, value)  # a repeated parameter: the first value counts
    return data


def _as_strings(data: dict[str, Any]) -> dict[str, str]:
    """Parameters as the signature sees them (a JSON receipt's values are strings;
    a number is signed as its text, null and nested values not at all)."""
    out: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, str):
            out[key] = value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[key] = json.dumps(value)
    return out
