"""smsstatus vendor plugin for Contacta (contacta.mx, Mexico).

Fetch only: ``GET {base}/sms/check?auth=<token>&token=<id>`` (one id per
call) with the SDK's ``Authorization: Basic base64("<unix time>:<token>")``.
Contacta documents no delivery webhook. See ``docs/vendors/contacta.md`` for
the mapping and every assumption.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib.resources import files
from typing import TYPE_CHECKING

from smsstatus.plugin import Capability, CredentialSpec, PollPolicy, VendorInfo, hookimpl, on_first_call

from .mapping import DOCUMENTED, map_value

if TYPE_CHECKING:
    from smsstatus.plugin import Credentials, FetchResult, HttpClient, MappedStatus

__all__ = ["INFO", "SMSSTATUS_PLUGIN_API", "VENDOR", "vendor_info", "fetch", "map_status"]

#: The plugin API (smsstatus.plugin) this plugin is written for.
SMSSTATUS_PLUGIN_API = "1.1"
VENDOR = "contacta"

#: The token, should the vendor ever echo it back: never kept in ``raw``.
SECRET_FIELDS: tuple[str, ...] = ("auth",)

INFO = VendorInfo(
    id=VENDOR,
    display_name="Contacta (SMS Global / SMS México)",
    capabilities=frozenset({Capability.FETCH}),
    statuses=DOCUMENTED,
    credentials=(
        CredentialSpec(
            name="token",
            used_for="fetch",
            description=(
                "Account token issued by Contacta; sent as the Basic password (user name: the current"
                " Unix time) and as the auth query parameter, as the vendor's SDK does"
            ),
            secret=True,
            required=True,
        ),
    ),
    schemas=files("smsstatus_contacta") / "schemas",
    fixtures=files("smsstatus_contacta") / "fixtures",
    # The docs show only a placeholder host; this is the vendor SDK's endpoint.
    default_base_url="https://sms.contacta.mx/api/v2",
    docs_url="https://docs.contacta.mx/sms-global/operations/check-sms-get",
    # The documented answer carries no delivery state, so polling cannot wait
    # for a final one: a first look after a minute confirms Contacta has the
    # message and its charge; a few more looks over two hours let the older
    # answer shape (with status words) settle. One id per call.
    poll=PollPolicy(first_after=60.0, interval=600.0, give_up_after=2 * 3600.0, batch_limit=1),
    fetch_key="message_id",  # fetch takes the message id Contacta returned at send time
    secret_fields=SECRET_FIELDS,
    # One answer per id, one message per answer.
    max_batch=1,
)


@hookimpl
def vendor_info() -> VendorInfo:
    return INFO


# Parsers are imported on the first call, not when the plugin loads: every
# `smsstatus` command loads every plugin (smsstatus.plugin.on_first_call).
@on_first_call
def _fetch_ids() -> Callable[[str, Sequence[str], Credentials, HttpClient], FetchResult]:
    from .check import fetch_ids

    return fetch_ids


@hookimpl
def fetch(vendor: str, ids: Sequence[str], credentials: Credentials, client: HttpClient) -> FetchResult:
    return _fetch_ids(vendor, ids, credentials, client)


@hookimpl
def map_status(status: str, code: str | None) -> MappedStatus:
    return map_value(status, code)
