"""smsstatus vendor plugin for Twilio Programmable Messaging.

Push: the status callback Twilio posts to a message's ``StatusCallback``
(form fields; GET query for TwiML ``<Message method="GET">``), checked against
``X-Twilio-Signature`` when ``auth_token`` is configured.
Fetch: the Message resource, one SID per request.
See ``docs/vendors/twilio.md`` for the mapping and every assumption.
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
VENDOR = "twilio"

INFO = VendorInfo(
    id=VENDOR,
    display_name="Twilio Programmable Messaging",
    capabilities=frozenset({Capability.PUSH, Capability.FETCH}),
    statuses=DOCUMENTED,
    credentials=(
        CredentialSpec(
            name="auth_token",
            used_for="push",
            description="Twilio Auth Token (Console > Account info). When set, every status callback must "
            "carry a valid X-Twilio-Signature; fetch also authenticates with it unless an API key is set",
            secret=True,
            required=False,
        ),
        CredentialSpec(
            name="account_sid",
            used_for="fetch",
            description="Twilio Account SID (AC...), part of every Message resource URL",
            secret=False,
            required=True,
        ),
        CredentialSpec(
            name="api_key_sid",
            used_for="fetch",
            description="Optional API key SID (SK...) to fetch with instead of the Auth Token",
            secret=False,
            required=False,
        ),
        CredentialSpec(
            name="api_key_secret",
            used_for="fetch",
            description="The API key's secret (with api_key_sid)",
            secret=True,
            required=False,
        ),
    ),
    schemas=files("smsstatus_twilio") / "schemas",
    fixtures=files("smsstatus_twilio") / "fixtures",
    default_base_url="https://api.twilio.com",
    docs_url="https://www.twilio.com/docs/messaging/guides/outbound-message-status-in-status-callbacks",
    # A carrier receipt usually arrives within seconds to minutes; a message
    # without one stays "sent" forever, so polling stops after 72 h. The API
    # fetches one Message per request.
    poll=PollPolicy(first_after=60.0, interval=300.0, give_up_after=72 * 3600.0, batch_limit=1),
    fetch_key="message_id",
    secret_fields=(),
)


@hookimpl
def vendor_info() -> VendorInfo:
    return INFO


# Parsers are imported on the first call, not when the plugin loads: every
# `smsstatus` command loads every plugin (smsstatus.lazy).
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
