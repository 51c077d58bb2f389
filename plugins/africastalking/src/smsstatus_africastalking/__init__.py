"""smsstatus vendor plugin for Africa's Talking SMS.

Push: the delivery report Africa's Talking posts to the callback URL set in
its dashboard (form fields). Africa's Talking neither signs nor authenticates
it: set ``allowed_networks`` to accept reports only from its addresses.
No fetch: Africa's Talking has no API to query a message's status.
See ``docs/vendors/africastalking.md`` for the mapping and every assumption.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from typing import TYPE_CHECKING

from smsstatus.plugin import Capability, CredentialSpec, VendorInfo, hookimpl

from .mapping import DOCUMENTED, map_value

if TYPE_CHECKING:
    from smsstatus.plugin import Credentials, MappedStatus, PushRequest, PushResult

__all__ = ["INFO", "SMSSTATUS_PLUGIN_API", "vendor_info", "parse_push", "map_status"]

#: The plugin API (smsstatus.plugin) this plugin is written for.
SMSSTATUS_PLUGIN_API = "1.5"
VENDOR = "africastalking"

INFO = VendorInfo(
    id=VENDOR,
    display_name="Africa's Talking SMS",
    capabilities=frozenset({Capability.PUSH}),
    statuses=DOCUMENTED,
    credentials=(
        CredentialSpec(
            name="allowed_networks",
            used_for="push",
            description="IP addresses or CIDR networks Africa's Talking sends delivery reports from, "
            "separated by commas or blanks. When set, a report from any other address is refused: "
            "Africa's Talking signs nothing, so this is the only protection",
            secret=False,
            required=False,
        ),
    ),
    schemas=files("smsstatus_africastalking") / "schemas",
    fixtures=files("smsstatus_africastalking") / "fixtures",
    docs_url="https://developers.africastalking.com/docs/sms/notifications",
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


@hookimpl
def parse_push(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
    return _parse(vendor, request, credentials)


@hookimpl
def map_status(status: str, code: str | None) -> MappedStatus:
    return map_value(status, code)
