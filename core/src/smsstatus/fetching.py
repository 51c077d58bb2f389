"""The per-id fetch loop most vendors' ``fetch`` needs: one request per id.

Vendors whose status query takes one message (or batch) id per request all
need the same loop around their own request and parser, with the same rules
for what fails one id and what fails the whole fetch:

* an empty id is a :class:`~smsstatus.PayloadError` item at ``ids[i]``;
* ``200``: the body (decoded as JSON) goes to the plugin's ``answer``; a body
  that is not JSON, or a :class:`~smsstatus.PayloadError` from ``answer``, is
  an item holding the body;
* ``401``/``403``: a refused credential fails every id alike, so it raises
  :class:`~smsstatus.VendorError` for the whole fetch;
* ``404``: a :class:`~smsstatus.NotFoundError` item; any other status a
  :class:`~smsstatus.VendorError` item (the host's client has already retried
  what it retries), with the vendor's code and message where ``error`` reads
  them from the error body.

Items keep the id's position (``index``) and the id (``key``), so the host and
the tracker can tell which id failed while the others still report.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from .errors import NotFoundError, PayloadError, VendorError
from .http import HttpResponse
from .model import StatusReport
from .request import FetchResult, ItemError

__all__ = ["AUTH_FAILURES", "fetch_each", "json_or_text"]

#: Statuses that refuse the credential, not the id: they fail the whole fetch.
AUTH_FAILURES = frozenset({401, 403})

#: What ``answer`` returns: one report, or the reports and item errors of an
#: answer that holds several records (one per recipient, say).
Answer = StatusReport | FetchResult


def json_or_text(response: HttpResponse) -> Any:
    """The response body as JSON data, or as text when it is not JSON (what
    an item error keeps as ``raw``)."""
    return _decoded(response)[0]


def _decoded(response: HttpResponse) -> tuple[Any, bool]:
    """(JSON data, True), or (the body as text, False) when it is not JSON."""
    try:
        return json.loads(response.content), True
    except (ValueError, RecursionError):
        return response.text, False


def fetch_each(
    vendor: str,
    ids: Sequence[str],
    request: Callable[[str], HttpResponse],
    answer: Callable[[Any, HttpResponse], Answer],
    *,
    error: Callable[[Any, HttpResponse], tuple[str | None, str]] | None = None,
    id_name: str = "id",
) -> FetchResult:
    """Fetch ``ids`` one request each (see the module docstring for the rules).

    ``request(id)`` makes the one request for an id (through the host's
    client). ``answer(data, response)`` reads a 200 answer's decoded JSON
    ``data`` into a report, or into a :class:`~smsstatus.request.FetchResult`
    of several (its item errors get this id's index, and the id as key unless
    they name their own); it raises :class:`~smsstatus.PayloadError` for an
    answer it cannot read. ``error(body, response)`` gives the vendor's code
    (or ``None``) and message from an error answer's body (JSON data, or text
    when it is not JSON); without it, the message is ``HTTP <status>``.
    ``id_name`` names the ids in the empty-id error (``message SID``).
    """
    reports: list[StatusReport] = []
    errors: list[ItemError] = []
    for index, fetch_id in enumerate(ids):
        if not fetch_id.strip():
            empty = PayloadError(vendor, f"ids[{index}]", f"{id_name} must not be empty")
            errors.append(ItemError(error=empty, raw=fetch_id, index=index, key=None))
            continue
        response = request(fetch_id)
        body, readable = _decoded(response)
        status = response.status_code
        if status == 200:
            try:
                if not readable:
                    raise PayloadError(vendor, "$", "body is not valid JSON")
                answered = answer(body, response)
            except PayloadError as exc:
                errors.append(ItemError(error=exc, raw=body, index=index, key=fetch_id))
                continue
            if isinstance(answered, StatusReport):
                reports.append(answered)
                continue
            reports += answered.reports
            errors += [
                ItemError(error=e.error, raw=e.raw, index=index, key=e.key if e.key is not None else fetch_id)
                for e in answered.errors
            ]
            continue
        code, message = error(body, response) if error is not None else (None, f"HTTP {status}")
        if status in AUTH_FAILURES:
            raise VendorError(vendor, message, http_status=status, vendor_code=code)
        cls = NotFoundError if status == 404 else VendorError
        failed = cls(vendor, message, http_status=status, vendor_code=code)
        errors.append(ItemError(error=failed, raw=body, index=index, key=fetch_id))
    return FetchResult(reports=tuple(reports), errors=tuple(errors))
