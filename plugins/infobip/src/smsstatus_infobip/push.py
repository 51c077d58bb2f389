"""Infobip's delivery-report push: ``POST`` ``{"results": [...]}`` to the
message's ``notifyUrl`` (or the subscription's URL), batched (Infobip's default
bucket is 100 reports).

Infobip signs nothing. When ``webhook_password`` is configured, the push must
carry it as HTTP Basic authentication (``Authorization: Basic``, from a
subscription's Basic authentication setting or credentials written into the
``notifyUrl``), with ``webhook_username`` checked too when configured; both are
compared in constant time before the body is read. Infobip expects a 2xx
answer; every readable batch gets 200 with an empty body, and each record that
cannot be read comes back as an item error with its raw record, never lost.

A batch whose every record reads without an error or a warning takes the lean
path (:func:`_lean`, with :func:`.reports.lean_report`); any other batch is
read record by record by the detailed path, which ``tests/test_fast_paths.py``
compares it with.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

from smsstatus.plugin import (
    AuthenticationError,
    Channel,
    ItemError,
    PushReply,
    PushResult,
    StatusReport,
    check_credential,
    decode_json_object,
    fast_json,
    fast_path,
    new_push_result,
)

from .reports import MAX_RESULTS, lean_report, report_items, results

if TYPE_CHECKING:
    from smsstatus.plugin import Credentials, PushRequest

__all__ = ["REPLY", "parse", "authenticate"]

#: Infobip stops retrying on any 2xx.
REPLY = PushReply(status_code=200, content_type=None, body=b"")


_PUSH = Channel.PUSH


def _lean(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult | None:
    """The reports of a batch whose every record reads without an error or a
    warning, else ``None``: :func:`parse` then reads it record by record."""
    if len(credentials):
        try:
            authenticate(vendor, request, credentials)  # the same check, before the body is read
        except AuthenticationError:
            return None  # the detailed path raises it again
    data = fast_json(request.body)  # whatever the Content-Type, as decode_json_object reads it
    if data.__class__ is not dict:
        return None
    items = data.get("results")
    if items.__class__ is not list or len(items) > MAX_RESULTS:
        return None
    received_at = request.received_at
    reports = []
    for item in items:
        report = lean_report(vendor, item, received_at, _PUSH)
        if report is None:
            return None
        reports.append(report)
    return new_push_result(tuple(reports), REPLY, ())


@fast_path(_lean)
def parse(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
    if len(credentials):
        authenticate(vendor, request, credentials)
    items = results(vendor, decode_json_object(vendor, request.body))
    reports: list[StatusReport] = []
    errors: list[ItemError] = []
    for item in report_items(vendor, items, request.received_at, Channel.PUSH):
        if isinstance(item, ItemError):
            errors.append(item)
        else:
            reports.append(item)
    return PushResult(reports=tuple(reports), reply=REPLY, errors=tuple(errors))


def authenticate(vendor: str, request: PushRequest, credentials: Credentials) -> None:
    """Check HTTP Basic credentials when ``webhook_password`` is configured."""
    password = credentials.optional("webhook_password")
    username = credentials.optional("webhook_username")
    if password is None:
        return
    header = request.headers.get("authorization")
    if not header:
        raise AuthenticationError(vendor, "webhook_password", "missing (no Authorization header)")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "basic" or not token.strip():
        raise AuthenticationError(vendor, "webhook_password", "Authorization is not HTTP Basic")
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise AuthenticationError(vendor, "webhook_password", "Authorization is not valid Basic") from None
    given_user, sep, given_password = decoded.partition(":")
    if not sep:
        raise AuthenticationError(vendor, "webhook_password", "Authorization is not valid Basic")
    check_credential(vendor, "webhook_username", username, given_user)
    check_credential(vendor, "webhook_password", password, given_password)
