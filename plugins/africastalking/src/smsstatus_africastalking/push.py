"""Africa's Talking's delivery report to a canonical report.

Africa's Talking POSTs ``application/x-www-form-urlencoded`` to the delivery
report callback URL set in the dashboard (SMS > SMS Callback URLs > Delivery
Reports), one report per request, "whenever the mobile service provider
confirms or rejects delivery of a message" (docs "SMS Notifications"):

* ``id``: the ``messageId`` of the send response (``ATXid_...``);
* ``status``: Sent, Submitted, Buffered, Rejected, Success, Failed;
* ``phoneNumber``: the recipient;
* ``networkCode``: the telco, a fused MCC+MNC (``63902`` Safaricom), or
  ``99999`` for the sandbox;
* ``failureReason``: only with Rejected or Failed, not from every telco;
* ``retryCount``: how many times the report was retried [U: documented only
  by name in the notifications page's later revisions].

There is no event time and no cost in a report (``status_at`` stays null; the
cost is only in the send response). The plugin answers 200 with an empty body.
"""

from __future__ import annotations

import functools
from typing import Any

from smsstatus.plugin import (
    Channel,
    Credentials,
    Operator,
    PushReply,
    PushRequest,
    PushResult,
    Record,
    StatusReport,
    callback_fields,
    fast_callback_fields,
    fast_path,
    identity_problem,
    new_push_result,
    new_report,
    split_network_code,
    to_e164,
)

from . import allowlist
from .mapping import FAILURE_REASONS, SETTLED, map_value

__all__ = ["REPLY", "SANDBOX_NETWORK", "parse"]

#: Africa's Talking needs HTTP 200; it reads no body.
REPLY = PushReply(status_code=200, content_type=None, body=b"")
#: The networkCode of every report from the sandbox.
SANDBOX_NETWORK = "99999"
#: retryCount above this is not a retry count.
MAX_RETRY_COUNT = 10_000


# -- the lean path: the documented form, from anywhere (no allowlist configured) --------

_PUSH = Channel.PUSH


#: The longest networkCode the cache below keeps (an MCC+MNC is 5 or 6 digits), so
#: its 1024 entries stay small whatever a sender writes.
_NETWORK_LENGTH = 6


# A sender reports the same few networks again and again; an Operator is
# immutable, so reports may share one. Splitting with core's E.212 table and
# building the Operator cost about 0.55 µs a push, a quarter of a json.loads of
# the report; a hit here about 0.1.
@functools.lru_cache(maxsize=1024)
def _network(fused: str) -> tuple[Operator, str | None]:
    """``(operator, country)`` of a fused MCC+MNC; ``ValueError`` (not cached)
    when it is not one, or is longer than one (with spaces, say: the detailed
    path reads those), so the cache keeps only short texts."""
    if len(fused) > _NETWORK_LENGTH:
        raise ValueError("longer than an MCC+MNC")
    split = split_network_code(fused)
    return split.operator(), split.country


#: retryCount in the spellings Africa's Talking sends ("0", "1", ...: a report is
#: retried a few times at most), read by one lookup: the digit checks and int()
#: cost 0.15-0.2 µs, a tenth of a json.loads of the report. Any other text
#: takes the checks, which give the same number.
_RETRY_COUNTS = {str(count): count for count in range(100)}


def _lean(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult | None:
    """The report of a documented delivery report, else ``None`` for :func:`parse`."""
    if len(credentials):
        return None  # the allowlist is checked by the detailed path
    data = fast_callback_fields(request)
    if data is None:
        return None
    get = data.get
    message_id, status = get("id"), get("status")
    if message_id is None or identity_problem(message_id) is not None or status is None or not status.strip():
        return None
    failure_reason = get("failureReason") or None
    recipient_raw = get("phoneNumber") or None
    network = get("networkCode") or None
    retries = get("retryCount") or None
    extra: dict[str, Any] = {}
    country = operator = None
    if network is not None:
        extra["network_code"] = network
        if network.strip() == SANDBOX_NETWORK:
            extra["sandbox"] = True
        else:
            try:
                operator, country = _network(network)
            except ValueError:
                return None
    if retries is not None:
        count = _RETRY_COUNTS.get(retries)
        if count is None:
            if not (retries.isascii() and retries.isdigit() and len(retries) <= 20):
                return None
            count = int(retries)
            if count > MAX_RETRY_COUNT:
                return None
        extra["retry_count"] = count
    mapped = SETTLED.get(status) or map_value(status, failure_reason)
    known = FAILURE_REASONS.get(failure_reason or "")
    report = new_report(
        vendor,
        message_id,
        None,  # batch_id
        None if recipient_raw is None else to_e164(recipient_raw),
        recipient_raw,
        None,  # sender
        mapped.status,
        mapped.mapping,
        mapped.reason,
        status,  # vendor_status
        failure_reason,  # vendor_code
        known[1] if known else None,  # vendor_description
        None,  # client_ref
        None,  # segments
        None,  # part
        None,  # price
        country,
        operator,
        None,  # submitted_at
        None,  # status_at
        None,  # notified_at
        request.received_at,
        _PUSH,
        extra,
        data,  # raw
        (),  # warnings
    )
    return new_push_result((report,), REPLY, ())


@fast_path(_lean)
def parse(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
    allowed = credentials.optional(allowlist.CREDENTIAL)
    if allowed:
        allowlist.check(vendor, allowed, request.remote_addr)
    # The form body (the query of a body-less request, for a proxy that turns
    # the POST into a GET); fields are named "form.<name>" wherever they came from.
    data, _ = callback_fields(vendor, request)
    record = Record(vendor, data, "form")
    return PushResult(reports=(_report(record, request),), reply=REPLY)


def _report(record: Record, request: PushRequest) -> StatusReport:
    message_id = record.ident("id")
    status = record.string("status")
    if not status.strip():
        raise record.error("status", "must not be empty")
    failure_reason = record.opt_string("failureReason")
    mapped = map_value(status, failure_reason)
    recipient_raw = record.opt_string("phoneNumber")
    extra: dict[str, Any] = {}
    country = operator = None
    network = record.opt_string("networkCode")
    if network is not None:
        extra["network_code"] = network
        if network.strip() == SANDBOX_NETWORK:
            extra["sandbox"] = True
        else:
            split = record.optional("networkCode", split_network_code)
            if split is not None:
                operator, country = split.operator(), split.country
    retries = record.integer("retryCount", required=False, strings=True, minimum=0, maximum=MAX_RETRY_COUNT)
    if retries is not None:
        extra["retry_count"] = retries
    known = FAILURE_REASONS.get(failure_reason or "")
    return StatusReport(
        vendor=record.vendor,
        message_id=message_id,
        recipient=to_e164(recipient_raw),
        recipient_raw=recipient_raw,
        status=mapped.status,
        mapping=mapped.mapping,
        reason=mapped.reason,
        vendor_status=status,
        vendor_code=failure_reason,
        vendor_description=known[1] if known else None,
        country=country,
        operator=operator,
        received_at=request.received_at,
        channel=Channel.PUSH,
        extra=extra,
        raw=dict(record.data),
        warnings=record.warnings,
    )
