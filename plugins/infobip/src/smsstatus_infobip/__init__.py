"""smsstatus vendor plugin for Infobip (SMS).

Push: the batched delivery reports Infobip posts to a message's ``notifyUrl``
or a subscription (``{"results": [...]}``). Fetch: the message logs
(``GET /sms/1/logs?messageId=``), which read without consuming. Drain: the
delivery reports endpoint (``GET /sms/1/reports``), which hands out each
report once. See ``docs/vendors/infobip.md`` for the mapping and every
assumption.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib.resources import files
from typing import TYPE_CHECKING

from smsstatus.plugin import Capability, CredentialSpec, PollPolicy, VendorInfo, hookimpl, on_first_call

from .mapping import DOCUMENTED, map_value

if TYPE_CHECKING:
    from smsstatus.plugin import (
        Credentials,
        DrainResult,
        FetchResult,
        HttpClient,
        MappedStatus,
        PushRequest,
        PushResult,
    )

__all__ = [
    "INFO",
    "SMSSTATUS_PLUGIN_API",
    "VENDOR",
    "vendor_info",
    "parse_push",
    "fetch",
    "drain",
    "map_status",
]

#: The plugin API (smsstatus.plugin) this plugin is written for.
SMSSTATUS_PLUGIN_API = "1.5"
VENDOR = "infobip"

INFO = VendorInfo(
    id=VENDOR,
    display_name="Infobip (SMS)",
    capabilities=frozenset({Capability.PUSH, Capability.FETCH, Capability.DRAIN}),
    statuses=DOCUMENTED,
    credentials=(
        CredentialSpec(
            name="api_key",
            used_for="fetch",
            description="Infobip API key, sent as 'Authorization: App <key>' (logs and the reports drain)",
            secret=True,
            required=True,
        ),
        CredentialSpec(
            name="webhook_username",
            used_for="push",
            description="User name of the HTTP Basic authentication the subscription (or notifyUrl) sends",
            secret=False,
            required=False,
        ),
        CredentialSpec(
            name="webhook_password",
            used_for="push",
            description="Password of that HTTP Basic authentication; when set, every push must carry it",
            secret=True,
            required=False,
        ),
    ),
    schemas=files("smsstatus_infobip") / "schemas",
    fixtures=files("smsstatus_infobip") / "fixtures",
    # The legacy shared host; accounts also have their own (https://xxxxx.api.infobip.com).
    default_base_url="https://api.infobip.com",
    docs_url="https://www.infobip.com/docs/api/channels/sms/logs-and-status-reports",
    # Logs cover the last 48 hours: poll after a minute, every 5 minutes, give
    # up at 48 h. One message id per logs request.
    poll=PollPolicy(first_after=60.0, interval=300.0, give_up_after=48 * 3600.0, batch_limit=1),
    fetch_key="message_id",
    secret_fields=(),
    # One push, one logs answer or one drained batch holds at most this many
    # records (Infobip's pull limit; its push buckets default to 100).
    max_batch=1000,
)


@hookimpl
def vendor_info() -> VendorInfo:
    return INFO


# Parsers are imported on the first call, not when the plugin loads: every
# `smsstatus` command loads every plugin (smsstatus.lazy).
@on_first_call
def _parse() -> Callable[[str, PushRequest, Credentials], PushResult]:
    from .push import parse

    return parse


@on_first_call
def _fetch_ids() -> Callable[[str, Sequence[str], Credentials, HttpClient], FetchResult]:
    from .pull import fetch_ids

    return fetch_ids


@on_first_call
def _drain() -> Callable[[str, Credentials, HttpClient], DrainResult]:
    from .pull import drain_reports

    return drain_reports


@hookimpl
def parse_push(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
    return _parse(vendor, request, credentials)


@hookimpl
def fetch(vendor: str, ids: Sequence[str], credentials: Credentials, client: HttpClient) -> FetchResult:
    return _fetch_ids(vendor, ids, credentials, client)


@hookimpl
def drain(vendor: str, credentials: Credentials, client: HttpClient) -> DrainResult:
    return _drain(vendor, credentials, client)


@hookimpl
def map_status(status: str, code: str | None) -> MappedStatus:
    return map_value(status, code)
