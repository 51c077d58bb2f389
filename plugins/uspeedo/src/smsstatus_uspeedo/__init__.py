"""smsstatus vendor plugin for uSpeedo (UCloud USMS family).

Hook implementations only; the work is done in :mod:`.push` (callback),
:mod:`.pull` (``GetUSMSSendReceipt``), :mod:`.receipts` (one receipt to a
report), :mod:`.mapping` (status table) and :mod:`.signature` (request signing).
See ``docs/vendors/uspeedo.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib.resources import files
from typing import TYPE_CHECKING

from smsstatus.plugin import (
    Capability,
    Credentials,
    CredentialSpec,
    FetchResult,
    MappedStatus,
    PollPolicy,
    PushRequest,
    PushResult,
    VendorInfo,
    hookimpl,
    on_first_call,
)

from .mapping import DOCUMENTED_STATUSES, map_receipt

if TYPE_CHECKING:
    from smsstatus.plugin import HttpClient

__all__ = ["INFO", "SMSSTATUS_PLUGIN_API", "fetch", "map_status", "parse_push", "vendor_info"]

#: The plugin API (smsstatus.plugin) this plugin is written for.
SMSSTATUS_PLUGIN_API = "1.5"
VENDOR = "uspeedo"

INFO = VendorInfo(
    id=VENDOR,
    display_name="uSpeedo",
    capabilities=frozenset({Capability.PUSH, Capability.FETCH}),
    statuses=DOCUMENTED_STATUSES,
    credentials=(
        CredentialSpec(
            "access_key_id",
            "fetch",
            "uSpeedo AccessKeyId (console), sent as X-Access-Key-Id",
            secret=False,
            required=True,
        ),
        CredentialSpec(
            "access_key_secret",
            "fetch",
            "uSpeedo AccessKeySecret (console), signs each request; never sent",
            secret=True,
            required=True,
        ),
        CredentialSpec(
            "account_id",
            "fetch",
            "uSpeedo AccountId (project id, an integer)",
            secret=False,
            required=True,
        ),
        CredentialSpec(
            "webhook_token",
            "push",
            "optional: a secret you put in the callback URL as ?token=...; when set, pushes without it are refused",
            secret=True,
            required=False,
        ),
    ),
    schemas=files(__name__) / "schemas",
    fixtures=files(__name__) / "fixtures",
    default_base_url="https://api.uspeedo.com",
    docs_url="https://uspeedo.com/docs/sms/api/list/GetUSMSSendReceipt",
    # "try to call it again within 5 to 10 minutes after sending ... more than 12 hours: contact support"
    poll=PollPolicy(first_after=300.0, interval=600.0, give_up_after=43_200.0, batch_limit=100),
    fetch_key="batch_id",  # fetch takes the SessionNo of the send request
    secret_fields=(),
    # "Up to 1000 numbers" per send request, so one SessionNo answers with at
    # most 1000 receipts; twice that is accepted. The callback's batch size is
    # undocumented: the same bound. Longer batches are refused before any
    # receipt is read.
    max_batch=2000,
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


@hookimpl
def parse_push(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
    return _parse(vendor, request, credentials)


@on_first_call
def _fetch() -> Callable[[str, Sequence[str], Credentials, HttpClient], FetchResult]:
    # The module is not named ``fetch``: importing a submodule binds its name
    # on the package, which would shadow this hook.
    from .pull import fetch

    return fetch


@hookimpl
def fetch(vendor: str, ids: Sequence[str], credentials: Credentials, client: HttpClient) -> FetchResult:
    return _fetch(vendor, ids, credentials, client)


@hookimpl
def map_status(vendor: str, status: str, code: str | None) -> MappedStatus:
    return map_receipt(status, code)
