"""``GET {base}/sms/check?auth=<token>&token=<id>``, one id per call."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from smsstatus.plugin import FetchResult, ItemError, PayloadError, VendorError

from .auth import basic_authorization, query_params
from .parse import KeyRejectedError, raw_of, read_answer

if TYPE_CHECKING:
    from smsstatus.plugin import Credentials, HttpClient, StatusReport

__all__ = ["CHECK_PATH", "fetch_ids"]

#: Relative to the base URL (default ``https://sms.contacta.mx/api/v2``).
CHECK_PATH = "sms/check"


def fetch_ids(vendor: str, ids: Sequence[str], credentials: Credentials, client: HttpClient) -> FetchResult:
    """Check each id in turn. A rejected token fails the whole fetch; any
    other problem becomes an item error for its id and the others go on."""
    # The token also travels in the query (``auth=``); the host's client scrubs
    # it, percent-encoded or not, from httpx's request log lines.
    return _check_each(vendor, ids, credentials.require("token"), client)


def _check_each(vendor: str, ids: Sequence[str], token: str, client: HttpClient) -> FetchResult:
    reports: list[StatusReport] = []
    errors: list[ItemError] = []
    for index, message_id in enumerate(ids):
        if not isinstance(message_id, str) or not message_id.strip():
            problem = PayloadError(vendor, f"ids[{index}]", "expected a non-empty message id")
            raw = message_id if isinstance(message_id, str) else None
            errors.append(ItemError(error=problem, raw=raw, index=index, key=None))
            continue
        response = client.request(
            "GET",
            CHECK_PATH,
            params=query_params(token, message_id),
            headers={"Accept": "application/json", "Authorization": basic_authorization(token)},
        )
        try:
            reports.append(read_answer(vendor, response, token))
        except KeyRejectedError:
            raise
        except (PayloadError, VendorError) as exc:
            errors.append(ItemError(error=exc, raw=raw_of(response, token), index=index, key=message_id))
    return FetchResult(reports=tuple(reports), errors=tuple(errors))
