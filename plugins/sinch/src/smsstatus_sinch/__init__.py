"""smsstatus vendor plugin for the Sinch SMS REST API ("XMS").

Push: the delivery-report callbacks Sinch posts to a batch's ``callback_url``
(per-recipient reports, and full/summary batch reports), checked with the HMAC
signature or Basic credentials when configured. Fetch: a batch's full
delivery report. A message is (batch id, recipient).
See ``docs/vendors/sinch.md`` for the mapping and every assumption.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib.resources import files
from typing import TYPE_CHECKING

from smsstatus.plugin import Capability, CredentialSpec, PollPolicy, VendorInfo, hookimpl, on_first_call

from .mapping import DOCUMENTED, MAX_RECIPIENTS, map_value

if TYPE_CHECKING:
    from smsstatus.plugin import Credentials, FetchResult, HttpClient, MappedStatus, PushRequest, PushResult

__all__ = ["INFO", "SMSSTATUS_PLUGIN_API", "vendor_info", "parse_push", "fetch", "map_status"]

#: The plugin API (smsstatus.plugin) this plugin is written for.
SMSSTATUS_PLUGIN_API = "1.5"
VENDOR = "sinch"

INFO = VendorInfo(
    id=VENDOR,
    display_name="Sinch SMS (XMS REST API)",
    capabilities=frozenset({Capability.PUSH, Capability.FETCH}),
    statuses=DOCUMENTED,
    credentials=(
        CredentialSpec(
            name="webhook_secret",
            used_for="push",
            description="The HMAC secret provisioned for the service plan's callbacks; when set, every callback "
            "must carry a valid x-sinch-webhook-signature",
            secret=True,
            required=False,
        ),
        CredentialSpec(
            name="basic_username",
            used_for="push",
            description="Username of the Basic authentication provisioned for callbacks (optional; "
            "checked when set)",
            secret=False,
            required=False,
        ),
        CredentialSpec(
            name="basic_password",
            used_for="push",
            description="Password of the Basic authentication provisioned for callbacks; when set, every "
            "callback must carry it",
            secret=True,
            required=False,
        ),
        CredentialSpec(
            name="service_plan_id",
            used_for="fetch",
            description="The service plan id, part of every SMS REST API URL",
            secret=False,
            required=True,
        ),
        CredentialSpec(
            name="api_token",
            used_for="fetch",
            description="The service plan's API token, sent as a Bearer token",
            secret=True,
            required=True,
        ),
    ),
    schemas=files("smsstatus_sinch") / "schemas",
    fixtures=files("smsstatus_sinch") / "fixtures",
    # Region-bound: us by default; eu, au, br and ca via the base URL.
    default_base_url="https://us.sms.api.sinch.com",
    docs_url="https://developers.sinch.com/docs/sms/api-reference/sms/tag/Delivery-reports/",
    # Receipts arrive within seconds to minutes; a full report answers for the
    # whole batch in one request, so one batch id per call; stop after 72 h.
    poll=PollPolicy(first_after=60.0, interval=300.0, give_up_after=72 * 3600.0, batch_limit=1),
    fetch_key="batch_id",
    secret_fields=(),
    # Recipients one batch report (pushed or fetched) may list.
    max_batch=MAX_RECIPIENTS,
)


@hookimpl
def vendor_info() -> VendorInfo:
    return INFO


# Parsers are imported on the first call, not when the plugin loads: every
# `smsstatus` command loads every plugin (smsstatus.plugin.on_first_call).
@on_first_call
def _parse() -> Callable[[str, PushRequest, Credentials], PushResult]:
    from .push import parse

    return parse


@on_first_call
def _fetch() -> Callable[[str, Sequence[str], Credentials, HttpClient], FetchResult]:
    from .pull import fetch as fetch_reports

    return fetch_reports


@hookimpl
def parse_push(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
    return _parse(vendor, request, credentials)


@hookimpl
def fetch(vendor: str, ids: Sequence[str], credentials: Credentials, client: HttpClient) -> FetchResult:
    return _fetch(vendor, ids, credentials, client)


@hookimpl
def map_status(status: str, code: str | None) -> MappedStatus:
    return map_value(status, code)
