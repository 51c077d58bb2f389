"""smsstatus vendor plugin for MessageBird (Bird) SMS.

Push: the status report MessageBird sends to the status-report URL (a GET
query), checked against ``MessageBird-Signature-JWT`` (or the deprecated
``MessageBird-Signature``) when ``signing_key`` is configured.
Fetch: the message resource, one id per request, with ``access_key``.
See ``docs/vendors/messagebird.md`` for the mapping and every assumption.
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
SMSSTATUS_PLUGIN_API = "1.6"
VENDOR = "messagebird"

INFO = VendorInfo(
    id=VENDOR,
    display_name="MessageBird (Bird) SMS",
    capabilities=frozenset({Capability.PUSH, Capability.FETCH}),
    statuses=DOCUMENTED,
    credentials=(
        CredentialSpec(
            name="signing_key",
            used_for="push",
            description="The account's signing key (Dashboard > Developers > API settings; not the access "
            "key). When set, every status report must carry a valid MessageBird-Signature-JWT (or the "
            "deprecated MessageBird-Signature)",
            secret=True,
            required=False,
        ),
        CredentialSpec(
            name="access_key",
            used_for="fetch",
            description="A live API access key, sent as 'Authorization: AccessKey <key>'",
            secret=True,
            required=True,
        ),
    ),
    schemas=files("smsstatus_messagebird") / "schemas",
    fixtures=files("smsstatus_messagebird") / "fixtures",
    default_base_url="https://rest.messagebird.com",
    docs_url="https://developers.messagebird.com/api/sms-messaging/",
    # Reports normally arrive within minutes; MessageBird forwards late ones
    # for up to 72 hours. The message resource is read one id at a time.
    poll=PollPolicy(first_after=60.0, interval=300.0, give_up_after=72 * 3600.0, batch_limit=1),
    fetch_key="message_id",
)


@hookimpl
def vendor_info() -> VendorInfo:
    return INFO


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
