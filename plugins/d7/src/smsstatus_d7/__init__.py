"""smsstatus vendor plugin for D7 Networks (Direct7).

Fetch: ``GET /report/v1/message-log/{request_id}`` with a bearer token.
Push: the DLR D7 posts to the sender's ``report_url`` (no credentials).
See ``docs/vendors/d7.md`` for the mapping and every assumption.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib.resources import files
from typing import TYPE_CHECKING

from smsstatus.plugin import Capability, CredentialSpec, PollPolicy, VendorInfo, hookimpl, on_first_call

from .mapping import DOCUMENTED, map_value

if TYPE_CHECKING:
    from smsstatus.plugin import Credentials, FetchResult, HttpClient, MappedStatus, PushRequest, PushResult

__all__ = ["INFO", "SMSSTATUS_PLUGIN_API", "vendor_info", "parse_push", "fetch", "map_status"]

#: The plugin API (smsstatus.plugin) this plugin is written for.
SMSSTATUS_PLUGIN_API = "1.3"
VENDOR = "d7"

INFO = VendorInfo(
    id=VENDOR,
    display_name="D7 Networks (Direct7)",
    capabilities=frozenset({Capability.PUSH, Capability.FETCH}),
    statuses=DOCUMENTED,
    credentials=(
        CredentialSpec(
            name="api_token",
            used_for="fetch",
            description="D7 API access token (app.d7networks.com developer section), sent as a Bearer token",
            secret=True,
            required=True,
        ),
    ),
    schemas=files("smsstatus_d7") / "schemas",
    fixtures=files("smsstatus_d7") / "fixtures",
    default_base_url="https://api.d7networks.com",
    docs_url="https://d7networks.com/docs/Messages/Get_Status/",
    # First look a minute after sending (most DLRs arrive within seconds to
    # minutes), then every 5 minutes; stop after 72 h, the usual longest SMS
    # validity period. One request id per call: D7's endpoint takes one.
    poll=PollPolicy(first_after=60.0, interval=300.0, give_up_after=72 * 3600.0, batch_limit=1),
    fetch_key="batch_id",  # fetch takes the request_id of the send request
    secret_fields=(),
    # A push carries one report; a fetched request id answers with one message
    # per recipient of that send request, and D7 documents no recipient limit:
    # this is a ceiling (the host's default), checked before any message is read.
    max_batch=1000,
)


@hookimpl
def vendor_info() -> VendorInfo:
    return INFO


# Parsers are imported on the first call, not when the plugin loads: every
# `smsstatus` command loads every plugin (smsstatus.plugin.on_first_call).
@on_first_call
def _parse() -> Callable[[str, PushRequest], PushResult]:
    from .push import parse

    return parse


@on_first_call
def _fetch_ids() -> Callable[[str, Sequence[str], Credentials, HttpClient], FetchResult]:
    from .message_log import fetch_ids

    return fetch_ids


@hookimpl
def parse_push(vendor: str, request: PushRequest) -> PushResult:
    return _parse(vendor, request)


@hookimpl
def fetch(vendor: str, ids: Sequence[str], credentials: Credentials, client: HttpClient) -> FetchResult:
    return _fetch_ids(vendor, ids, credentials, client)


@hookimpl
def map_status(status: str) -> MappedStatus:
    return map_value(status)
