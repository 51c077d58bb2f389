"""smsstatus vendor plugin for Vonage (formerly Nexmo).

Push: the SMS API delivery receipt (GET query, POST form or POST JSON; one
receipt per message part; optionally signed with ``sig``) and the Messages API
status webhook (v1 and v0.1 shapes; signed with an HS256 JWT). Fetch: the
Reports API's synchronous records for SMS API message ids. See
``docs/vendors/vonage.md`` for the mapping and every assumption.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib.resources import files
from typing import TYPE_CHECKING

from smsstatus.plugin import Capability, CredentialSpec, PollPolicy, VendorInfo, hookimpl, on_first_call

from .mapping import DOCUMENTED, map_value

if TYPE_CHECKING:
    from smsstatus.plugin import Credentials, FetchResult, HttpClient, MappedStatus, PushRequest, PushResult

__all__ = ["INFO", "SMSSTATUS_PLUGIN_API", "VENDOR", "vendor_info", "parse_push", "fetch", "map_status"]

#: The plugin API (smsstatus.plugin) this plugin is written for.
SMSSTATUS_PLUGIN_API = "1.5"
VENDOR = "vonage"

INFO = VendorInfo(
    id=VENDOR,
    display_name="Vonage (Nexmo)",
    capabilities=frozenset({Capability.PUSH, Capability.FETCH}),
    statuses=DOCUMENTED,
    credentials=(
        CredentialSpec(
            name="signature_secret",
            used_for="push",
            description="The account's signature secret (dashboard settings): when set, SMS receipts must carry "
            "a valid sig and Messages API webhooks a valid JWT",
            secret=True,
            required=False,
        ),
        CredentialSpec(
            name="signature_method",
            used_for="push",
            description="The dashboard's signature method for SMS receipts: md5hash (default), md5, sha1, "
            "sha256 or sha512 (the HMAC variants)",
            secret=False,
            required=False,
        ),
        CredentialSpec(
            name="api_key",
            used_for="fetch",
            description="Vonage API key (Reports API: HTTP Basic user, and the account_id by default)",
            secret=False,
            required=True,
        ),
        CredentialSpec(
            name="api_secret",
            used_for="fetch",
            description="Vonage API secret (Reports API: HTTP Basic password)",
            secret=True,
            required=True,
        ),
        CredentialSpec(
            name="account_id",
            used_for="fetch",
            description="The account whose records to read, when not the api_key's own (a subaccount)",
            secret=False,
            required=False,
        ),
    ),
    schemas=files("smsstatus_vonage") / "schemas",
    fixtures=files("smsstatus_vonage") / "fixtures",
    default_base_url="https://api.nexmo.com",
    docs_url="https://developer.vonage.com/en/messaging/sms/guides/delivery-receipts",
    # A receipt usually comes within minutes; SMS validity is at most 72 h.
    poll=PollPolicy(first_after=120.0, interval=600.0, give_up_after=72 * 3600.0, batch_limit=20),
    fetch_key="message_id",
    secret_fields=(),
)


@hookimpl
def vendor_info() -> VendorInfo:
    return INFO


# Parsers are imported on the first call, not when the plugin loads: every
# `smsstatus` command loads every plugin (smsstatus.plugin.on_first_call).
# The hook calls whatever _parse names: first this loader, which rebinds it to the
# parser itself, so later pushes skip on_first_call's wrapper (a frame and an
# argument tuple: 0.1 µs, 1.3k instructions of every push).
def _load_parse(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
    global _parse  # noqa: PLW0603 -- rebound once, to the parser itself
    from .push import parse

    _parse = parse
    return parse(vendor, request, credentials)


_parse: Callable[[str, PushRequest, Credentials], PushResult] = _load_parse


@on_first_call
def _fetch_ids() -> Callable[[str, Sequence[str], Credentials, HttpClient], FetchResult]:
    from .reports_api import fetch_ids

    return fetch_ids


@hookimpl
def parse_push(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
    return _parse(vendor, request, credentials)


@hookimpl
def fetch(vendor: str, ids: Sequence[str], credentials: Credentials, client: HttpClient) -> FetchResult:
    return _fetch_ids(vendor, ids, credentials, client)


@hookimpl
def map_status(status: str, code: str | None) -> MappedStatus:
    return map_value(status, code)
