"""smsstatus vendor plugin for Clickatell (SMS status callbacks and the One API status query).

Push: three callback formats, told apart by their fields: the Platform
(REST/HTTP integration) callback, GET query or flat POST JSON; the Clickatell
One envelope, POST JSON with a batch in ``event.messageStatusUpdate``; the
legacy Developers' Central callback, GET query or POST form with ``apiMsgId``
and a zero-padded ``status``. Each maps with its own status table. Only the
legacy callback can authenticate itself (HTTP Basic, ``callback_password``).
Fetch: the One API message status, one message per request.
See ``docs/vendors/clickatell.md`` for the mapping and every assumption.
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
VENDOR = "clickatell"

INFO = VendorInfo(
    id=VENDOR,
    display_name="Clickatell",
    capabilities=frozenset({Capability.PUSH, Capability.FETCH}),
    statuses=DOCUMENTED,
    credentials=(
        CredentialSpec(
            name="callback_username",
            used_for="push",
            description="The callback username set in Developers' Central ('Include basic HTTP authentication')",
            secret=False,
            required=False,
        ),
        CredentialSpec(
            name="callback_password",
            used_for="push",
            description="The callback password set in Developers' Central. When set, every callback must carry "
            "HTTP Basic credentials matching callback_username and this password",
            secret=True,
            required=False,
        ),
        CredentialSpec(
            name="api_key",
            used_for="fetch",
            description="The API key of a Clickatell One (platform.clickatell.com) integration, sent as the "
            "Authorization header of the message status query",
            secret=True,
            required=True,
        ),
    ),
    schemas=files("smsstatus_clickatell") / "schemas",
    fixtures=files("smsstatus_clickatell") / "fixtures",
    default_base_url="https://platform.clickatell.com",
    docs_url="https://docs.clickatell.com/channels/one-api/one-api-reference/",
    # Status updates usually follow within minutes; One messages live for
    # at most 48 h by default [U], so polling stops after 72 h.
    poll=PollPolicy(first_after=60.0, interval=300.0, give_up_after=72 * 3600.0, batch_limit=1),
    fetch_key="message_id",
    # An older Platform callback carried the integration's API key in its body.
    secret_fields=("apiKey",),
    # One envelope batches; the One send API takes under 100 messages per
    # request, and no batch limit is documented for callbacks [U].
    max_batch=500,
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
