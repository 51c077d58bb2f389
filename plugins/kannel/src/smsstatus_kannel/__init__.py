"""smsstatus vendor plugin for the Kannel SMS gateway (smsbox delivery reports).

Push: the GET smsbox makes to the ``dlr-url`` given with ``sendsms``, a URL
the operator designs with Kannel's escape codes. The plugin reads the template
``...?id=<your own message id>&status=%d&answer=%A&to=%p&ts=%T`` (and the
variants in ``docs/vendors/kannel.md``): the message identity is the
operator's own id, ``%d`` the DLR type, ``%A`` the SMSC's answer (for SMPP,
the delivery receipt text, parsed with core's SMPP helper). Kannel signs
nothing: ``url_token`` checks a secret the operator puts in the ``dlr-url``.
No fetch: Kannel has no status query.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from typing import TYPE_CHECKING

from smsstatus.plugin import Capability, CredentialSpec, VendorInfo, hookimpl, on_first_call

from .mapping import DOCUMENTED, map_value

if TYPE_CHECKING:
    from smsstatus.plugin import Credentials, MappedStatus, PushRequest, PushResult

__all__ = ["INFO", "SMSSTATUS_PLUGIN_API", "vendor_info", "parse_push", "map_status"]

#: The plugin API (smsstatus.plugin) this plugin is written for.
SMSSTATUS_PLUGIN_API = "1.5"
VENDOR = "kannel"

INFO = VendorInfo(
    id=VENDOR,
    display_name="Kannel SMS gateway",
    capabilities=frozenset({Capability.PUSH}),
    statuses=DOCUMENTED,
    credentials=(
        CredentialSpec(
            name="url_token",
            used_for="push",
            description="A secret the operator puts in every dlr-url as the query parameter 'token' "
            "(https://host/kannel?token=...&id=...). When set, a report without it is refused: Kannel signs nothing",
            secret=True,
            required=False,
        ),
        CredentialSpec(
            name="receipt_timezone",
            used_for="push",
            description="IANA zone of the submit and done dates in an SMPP receipt (YYMMDDhhmm, no zone); default UTC",
            secret=False,
            required=False,
        ),
    ),
    schemas=files("smsstatus_kannel") / "schemas",
    fixtures=files("smsstatus_kannel") / "fixtures",
    docs_url="https://www.kannel.org/download/kannel-userguide-snapshot/userguide.html#DELIVERY-REPORTS",
    secret_fields=("token",),
    # One report per request.
    max_batch=1,
)


@hookimpl
def vendor_info() -> VendorInfo:
    return INFO


# The parser is imported on the first call, not when the plugin loads: every
# `smsstatus` command loads every plugin (smsstatus.plugin.on_first_call).
@on_first_call
def _parse() -> Callable[[str, PushRequest, Credentials], PushResult]:
    from .push import parse

    return parse


@hookimpl
def parse_push(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
    return _parse(vendor, request, credentials)


@hookimpl
def map_status(status: str, code: str | None) -> MappedStatus:
    return map_value(status, code)
