"""D7's DLR push (the ``report_url`` postback) to canonical reports.

D7 says the postback is sent "as formData in the POST method" but shows a JSON
example, so the body is read as JSON or as form data (urlencoded or multipart)
according to its Content-Type; without a usable Content-Type the body is
sniffed (``{`` starts JSON, anything else is read as a form). One request
carries one report. D7 expects HTTP 200 and documents no body, no signature
and no retry policy.
"""

from __future__ import annotations

import json
from typing import Any

from smsstatus.plugin import (
    Channel,
    PayloadError,
    PushReply,
    PushRequest,
    PushResult,
    Record,
    StatusReport,
    fast_form,
    fast_json,
    fast_multipart,
    fast_path,
    identity_problem,
    new_push_result,
    new_report,
    to_e164,
)

from .mapping import map_value

__all__ = ["REPLY", "parse"]

#: What D7 needs to stop: HTTP 200 (it specifies no body).
REPLY = PushReply(status_code=200, content_type=None, body=b"")

_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _decode(vendor: str, request: PushRequest) -> tuple[dict[str, Any], str]:
    """The payload as an object and the path prefix naming its fields."""
    content_type = request.content_type
    if content_type in _FORM_TYPES:
        return _form(vendor, request), "form"
    if content_type == "application/json" or content_type.endswith("+json"):
        return _json(vendor, request.body), "$"
    # No (or an unexpected) Content-Type: D7's own two descriptions disagree, so sniff.
    if request.body.lstrip()[:1] == b"{":
        return _json(vendor, request.body), "$"
    return _form(vendor, request), "form"


def _json(vendor: str, body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError as exc:  # includes UnicodeDecodeError
        raise PayloadError(vendor, "$", f"body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        kind = "an array" if isinstance(data, list) else type(data).__name__
        raise PayloadError(vendor, "$", f"expected a JSON object, got {kind}")
    return data


def _form(vendor: str, request: PushRequest) -> dict[str, Any]:
    try:
        params = request.form_params()
    except (ValueError, LookupError) as exc:  # bad UTF-8, broken multipart, unknown charset
        raise PayloadError(vendor, "form", f"body is not valid form data: {type(exc).__name__}") from None
    data: dict[str, Any] = {}
    for key, value in params:
        data.setdefault(key, value)  # a repeated field: the first value counts
    return data


# -- the lean path: the documented shape, every value a string -------------------------

_PUSH = Channel.PUSH
_NO_ERRORS: tuple[()] = ()


#: The Content-Type values D7's postbacks carry, spelled as sent (any other
#: spelling is worked out by ``request.content_type``).
_JSON = "application/json"
_URLENCODED = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data; boundary="


def _lean_fields(request: PushRequest) -> dict[str, Any] | None:
    # One scan of the few header pairs for the whole Content-Type, and the
    # spellings D7 sends told apart on it directly: request.content_type and
    # then a second scan for the multipart boundary cost 0.3 us more a
    # multipart push, and the property 0.1 us more a JSON or form push.
    value = _whole_content_type(request)
    if value == _JSON:
        data = fast_json(request.body)
        return data if data.__class__ is dict else None
    if value == _URLENCODED:
        return fast_form(request.body)
    if value.startswith(_MULTIPART):
        return fast_multipart(value, request.body)
    content_type = request.content_type  # another spelling: parameters, capitals
    if content_type == _JSON:
        data = fast_json(request.body)
        return data if data.__class__ is dict else None
    if content_type == _URLENCODED:
        return fast_form(request.body)
    if content_type == "multipart/form-data":
        return fast_multipart(value, request.body)
    return None  # no or another Content-Type: the detailed path sniffs


def _whole_content_type(request: PushRequest) -> str:
    """``request.headers.get("content-type", "")`` by a scan of the few pairs:
    a lookup would build the header index, which costs more."""
    for name, value in request.headers.raw_items():
        if name == "content-type" or (len(name) == 12 and name.lower() == "content-type"):
            return value
    return ""


def _lean(vendor: str, request: PushRequest) -> PushResult | None:
    """The report when the push is exactly what D7 documents, else ``None``
    (then :func:`parse` reads it field by field and explains any problem)."""
    data = _lean_fields(request)
    if data is None:
        return None
    get = data.get
    message_id = get("msg_id")
    status = get("status")
    batch_id = get("request_id")
    recipient_raw = get("recipient")
    sender = get("originator")
    if (
        message_id.__class__ is not str
        or identity_problem(message_id) is not None
        or status.__class__ is not str
        or not status.strip()
        or (batch_id is not None and batch_id.__class__ is not str)
        or (recipient_raw is not None and recipient_raw.__class__ is not str)
        or (sender is not None and sender.__class__ is not str)
    ):
        return None
    if batch_id:
        # D7 often repeats the message id as the request id: checked once.
        if batch_id != message_id and identity_problem(batch_id) is not None:
            return None
    else:
        batch_id = None  # absent, null or "": not said
    recipient_raw = recipient_raw or None
    sender = sender or None
    mapped = map_value(status)
    report = new_report(
        vendor,
        message_id,
        batch_id,
        None if recipient_raw is None else to_e164(recipient_raw),  # recipient
        recipient_raw,
        sender,
        mapped.status,
        mapped.mapping,
        mapped.reason,
        status,  # vendor_status
        None,  # vendor_code
        None,  # vendor_description
        None,  # client_ref
        None,  # segments
        None,  # part
        None,  # price
        None,  # country
        None,  # operator
        None,  # submitted_at
        None,  # status_at
        None,  # notified_at
        request.received_at,
        _PUSH,
        {},  # extra
        data,  # raw
        (),  # warnings
    )
    return new_push_result((report,), REPLY, _NO_ERRORS)


@fast_path(_lean)
def parse(vendor: str, request: PushRequest) -> PushResult:
    data, path = _decode(vendor, request)
    record = Record(vendor, data, path)
    message_id = record.ident("msg_id")
    status = record.string("status")
    if not status.strip():
        raise record.error("status", "must not be empty")
    recipient_raw = record.opt_string("recipient")
    mapped = map_value(status)
    batch_id = record.ident("request_id", required=False)
    sender = record.opt_string("originator")
    report = StatusReport(
        vendor=vendor,
        message_id=message_id,
        batch_id=batch_id,
        recipient=to_e164(recipient_raw),
        recipient_raw=recipient_raw,
        sender=sender,
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=status,
        received_at=request.received_at,
        channel=Channel.PUSH,
        raw=data,
        warnings=record.warnings,
    )
    return PushResult(reports=(report,), reply=REPLY)
