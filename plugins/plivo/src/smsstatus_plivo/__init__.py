"""smsstatus vendor plugin for Plivo (SMS, MMS and WhatsApp message statuses).

Push: the status callback Plivo sends to the ``url`` given at send time (form
fields for POST, query parameters for GET), checked against
``X-Plivo-Signature-V3`` (or V2) when an auth token is configured.
Fetch: the Message object, one UUID per request.
See ``docs/vendors/plivo.md`` for the mapping and every assumption.
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
SMSSTATUS_PLUGIN_API = "1.5"
VENDOR = "plivo"

INFO = VendorInfo(
    id=VENDOR,
    display_name="Plivo",
    capabilities=frozenset({Capability.PUSH, Capability.FETCH}),
    statuses=DOCUMENTED,
    credentials=(
        CredentialSpec(
            name="auth_token",
            used_for="push",
            description="Auth Token of the (sub)account that sends (Plivo console). When set, every callback "
            "must carry a valid X-Plivo-Signature-V3 (or V2); fetch authenticates with it",
            secret=True,
            required=False,
        ),
        CredentialSpec(
            name="main_auth_token",
            used_for="push",
            description="Optional Auth Token of the main account: checks X-Plivo-Signature-Ma-V3 (or Ma-V2)",
            secret=True,
            required=False,
        ),
        CredentialSpec(
            name="signature_version",
            used_for="push",
            description="'v3' to refuse callbacks signed with V2 only (V2 covers neither query nor body); "
            "default 'any'",
            secret=False,
            required=False,
        ),
        CredentialSpec(
            name="auth_id",
            used_for="fetch",
            description="Plivo Auth ID (MA... or SA...), part of every Message URL and the Basic user",
            secret=False,
            required=True,
        ),
    ),
    schemas=files("smsstatus_plivo") / "schemas",
    fixtures=files("smsstatus_plivo") / "fixtures",
    default_base_url="https://api.plivo.com",
    docs_url="https://www.plivo.com/docs/messaging/api/message/message-status-callbacks",
    # Receipts usually arrive within minutes; a message without one stays
    # "sent" (Plivo: "the final status ... may remain as sent"), so polling
    # stops after 72 h. One Message object per request.
    poll=PollPolicy(first_after=60.0, interval=300.0, give_up_after=72 * 3600.0, batch_limit=1),
    fetch_key="message_id",
    secret_fields=(),
    # A callback carries one message, and a fetched UUID answers with one.
    max_batch=1,
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
