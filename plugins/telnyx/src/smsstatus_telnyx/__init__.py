"""smsstatus vendor plugin for Telnyx Messaging.

Push: the webhook Telnyx sends for an outbound message's status changes
(``message.sent``, ``message.finalized``), checked against its Ed25519
signature when ``public_key`` is configured. Fetch: the message resource
``GET /v2/messages/{id}``. One report per recipient.
See ``docs/vendors/telnyx.md`` for the mapping and every assumption.
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
VENDOR = "telnyx"

INFO = VendorInfo(
    id=VENDOR,
    display_name="Telnyx Messaging",
    capabilities=frozenset({Capability.PUSH, Capability.FETCH}),
    statuses=DOCUMENTED,
    credentials=(
        CredentialSpec(
            name="public_key",
            used_for="push",
            description="The account's Ed25519 public key (Mission Control > Keys & Credentials > Public Key, "
            "base64). When set, every webhook must carry a valid telnyx-signature-ed25519 whose "
            "telnyx-timestamp is within 300 s of the receive time",
            secret=False,
            required=False,
        ),
        CredentialSpec(
            name="api_key",
            used_for="fetch",
            description="Telnyx API key (V2), sent as a Bearer token",
            secret=True,
            required=True,
        ),
    ),
    schemas=files("smsstatus_telnyx") / "schemas",
    fixtures=files("smsstatus_telnyx") / "fixtures",
    default_base_url="https://api.telnyx.com",
    docs_url="https://developers.telnyx.com/docs/messaging/messages/receiving-webhooks",
    # Receipts arrive within seconds to minutes; message.finalized settles a
    # message (delivery_unconfirmed when no receipt comes), so polling stops
    # after 72 h. One message per request.
    poll=PollPolicy(first_after=60.0, interval=300.0, give_up_after=72 * 3600.0, batch_limit=1),
    fetch_key="message_id",
    secret_fields=(),
    # Recipients of one message (to[] and cc[]): a group MMS has about ten.
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
    from .pull import fetch as fetch_messages

    return fetch_messages


@hookimpl
def parse_push(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
    return _parse(vendor, request, credentials)


@hookimpl
def fetch(vendor: str, ids: Sequence[str], credentials: Credentials, client: HttpClient) -> FetchResult:
    return _fetch(vendor, ids, credentials, client)


@hookimpl
def map_status(status: str, code: str | None) -> MappedStatus:
    return map_value(status, code)
