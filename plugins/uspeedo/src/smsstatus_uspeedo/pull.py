"""Pull receipts with the signed Action API ``GetUSMSSendReceipt``.

``POST {base}/api?Action=GetUSMSSendReceipt`` with the JSON body
``{"Action": "GetUSMSSendReceipt", "AccountId": <int>, "SessionNoSet": [...]}``,
at most 100 ``SessionNo`` per call (more ids: several calls), signed with the
``X-Access-Key-Id`` / ``X-Signature`` / ``X-Timestamp`` / ``X-Nonce`` headers.

Outcome per requested ``SessionNo``: a report per ``ReceiptPerPhone``; an
:class:`ItemError` per malformed receipt; a :class:`NotFoundError` item error
when the response has no receipt for it (uSpeedo cannot tell "unknown id"
from "no receipt yet"). An error of a whole call (HTTP status, ``RetCode``,
unreadable body) becomes an item error for each of that call's ids, unless
every call failed: then it is raised.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from smsstatus.plugin import (
    Channel,
    Credentials,
    CredentialsError,
    FetchResult,
    HttpClient,
    HttpResponse,
    ItemError,
    NotFoundError,
    PayloadError,
    Record,
    StatusReport,
    VendorError,
)

from . import INFO
from .receipts import build_report, session_key
from .signature import sign

__all__ = ["ACTION", "BATCH_LIMIT", "PATH", "fetch", "request_body", "request_headers"]

ACTION = "GetUSMSSendReceipt"
PATH = "api"
#: "The number of sets per call should be controlled within 100."
BATCH_LIMIT = 100

_NOT_IN_RESPONSE = "no receipt for this SessionNo in the response (unknown id, or no receipt yet)"
_NO_RECEIPTS_YET = (
    "the SessionNo has no receipts yet (uSpeedo advises querying again 5-10 minutes after sending)"
)


def _account_id(vendor: str, value: str) -> int:
    text = value.strip()
    if not (text.isascii() and text.isdigit()):
        raise CredentialsError(vendor, "account_id", "must be an integer (the uSpeedo AccountId)")
    return int(text)


def _batches(ids: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def request_body(account_id: int, session_nos: Sequence[str]) -> dict[str, Any]:
    return {"Action": ACTION, "AccountId": account_id, "SessionNoSet": list(session_nos)}


def request_headers(body: Mapping[str, Any], key_id: str, secret: str) -> dict[str, str]:
    return {
        "X-Access-Key-Id": key_id,
        "X-Signature": sign(body, secret),
        "X-Timestamp": str(int(time.time())),
        "X-Nonce": secrets.token_hex(8),
    }


_UNREADABLE: Any = object()


def _sessions(vendor: str, response: HttpResponse) -> list[Any]:
    """The ``Data`` array of a successful answer; raises for an error answer."""
    try:
        data = response.json()
    except (ValueError, RecursionError):  # RecursionError: absurdly nested JSON
        data = _UNREADABLE
    if response.status_code != 200:
        code: str | None = None
        message = "unexpected HTTP status"
        if isinstance(data, dict):
            ret = data.get("RetCode")
            if isinstance(ret, int) and not isinstance(ret, bool):
                code = str(ret)
            if isinstance(data.get("Message"), str) and data["Message"]:
                message = data["Message"]
        raise VendorError(vendor, message, http_status=response.status_code, vendor_code=code)
    if data is _UNREADABLE:
        raise PayloadError(vendor, "$", "response body is not valid JSON")
    envelope = Record(vendor, data)
    ret_code = envelope.integer("RetCode")
    if ret_code != 0:
        message = envelope.get("Message")
        raise VendorError(
            vendor,
            message if isinstance(message, str) and message else f"RetCode {ret_code}",
            http_status=response.status_code,
            vendor_code=str(ret_code),
        )
    if not envelope.has("Data"):
        raise envelope.error("Data", "required field is missing")
    if envelope.get("Data") is None:  # a Go nil slice: nothing found
        return []
    return envelope.array("Data", max_items=BATCH_LIMIT)  # one session per SessionNo asked for


def _collect(
    vendor: str,
    sessions: list[Any],
    *,
    received_at: datetime,
    chunk: Sequence[str],
    positions: Mapping[str, int],
    reports: list[StatusReport],
    errors: list[ItemError],
) -> None:
    answered: set[str] = set()
    empty: set[str] = set()
    for si, session in enumerate(sessions):
        path = f"$.Data[{si}]"
        session_no = session_key(session)
        try:
            srec = Record(vendor, session, path)
            session_no = srec.string("SessionNo")
            if not session_no:
                raise srec.error("SessionNo", "must not be empty")
            receipts = (
                [] if srec.get("ReceiptSet") is None else srec.array("ReceiptSet", max_items=INFO.max_batch)
            )
        except PayloadError as exc:
            if session_no:
                answered.add(session_no)
            errors.append(
                ItemError(error=exc, raw=session, index=positions.get(session_no or ""), key=session_no)
            )
            continue
        if not receipts:
            empty.add(session_no)
            continue
        answered.add(session_no)
        for ri, item in enumerate(receipts):
            try:
                reports.append(
                    build_report(
                        vendor,
                        item,
                        f"{path}.ReceiptSet[{ri}]",
                        channel=Channel.FETCH,
                        received_at=received_at,
                        session_no=session_no,
                    )
                )
            except PayloadError as exc:
                errors.append(ItemError(error=exc, raw=item, index=positions.get(session_no), key=session_no))
    for session_no in chunk:
        if session_no not in answered:
            message = _NO_RECEIPTS_YET if session_no in empty else _NOT_IN_RESPONSE
            errors.append(
                ItemError(
                    error=NotFoundError(vendor, message, http_status=200),
                    raw=None,
                    index=positions[session_no],
                    key=session_no,
                )
            )


def fetch(vendor: str, ids: Sequence[str], credentials: Credentials, client: HttpClient) -> FetchResult:
    key_id = credentials.require("access_key_id")
    secret = credentials.require("access_key_secret")
    account_id = _account_id(vendor, credentials.require("account_id"))
    positions: dict[str, int] = {}
    for index, session_no in enumerate(ids):
        positions.setdefault(session_no, index)
    unique = list(positions)
    reports: list[StatusReport] = []
    errors: list[ItemError] = []
    calls = failed = 0
    first_error: VendorError | PayloadError | None = None
    for chunk in _batches(unique, BATCH_LIMIT):
        calls += 1
        body = request_body(account_id, chunk)
        try:
            response = client.request(
                "POST",
                PATH,
                params={"Action": ACTION},
                headers=request_headers(body, key_id, secret),
                json=body,
            )
            sessions = _sessions(vendor, response)
        except (VendorError, PayloadError) as exc:
            failed += 1
            first_error = first_error or exc
            errors.extend(ItemError(error=exc, raw=None, index=positions[s], key=s) for s in chunk)
            continue
        _collect(
            vendor,
            sessions,
            received_at=response.received_at,
            chunk=chunk,
            positions=positions,
            reports=reports,
            errors=errors,
        )
    if first_error is not None and failed == calls:
        raise first_error
    return FetchResult(reports=tuple(reports), errors=tuple(errors))
