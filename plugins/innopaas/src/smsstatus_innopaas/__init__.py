"""smsstatus vendor plugin for InnoPaaS (Chuanglan "253" international SMS).

Push: the SMS status report InnoPaaS sends to the URL set in its console (or
per message as ``callBackUrl``), as a JSON POST (current) or a GET query string
(legacy). Drain: InnoPaaS's pull API (``POST /pull/report``), which deletes what
it returns and takes no message ids (``drain``, not ``fetch``). See
``docs/vendors/innopaas.md`` for the mapping and every assumption.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from typing import TYPE_CHECKING

from smsstatus.plugin import Capability, CredentialSpec, VendorInfo, hookimpl, on_first_call

from .mapping import DOCUMENTED, map_value

if TYPE_CHECKING:
    from smsstatus.plugin import Credentials, DrainResult, HttpClient, MappedStatus, PushRequest, PushResult

__all__ = ["INFO", "SMSSTATUS_PLUGIN_API", "VENDOR", "vendor_info", "parse_push", "drain", "map_status"]

#: The plugin API (smsstatus.plugin) this plugin is written for.
SMSSTATUS_PLUGIN_API = "1.3"
VENDOR = "innopaas"

#: The webhook credentials InnoPaaS puts in the report itself: never kept in ``raw``.
SECRET_FIELDS = ("receiver", "pswd")

INFO = VendorInfo(
    id=VENDOR,
    display_name="InnoPaaS (Chuanglan 253 international)",
    capabilities=frozenset({Capability.PUSH, Capability.DRAIN}),
    statuses=DOCUMENTED,
    credentials=(
        CredentialSpec(
            name="receiver",
            used_for="push",
            description=(
                "Username InnoPaaS puts in the push's 'receiver' field (set up by InnoPaaS engineering);"
                " when configured, pushes must carry it"
            ),
            secret=False,
            required=False,
        ),
        CredentialSpec(
            name="pswd",
            used_for="push",
            description=(
                "Password InnoPaaS puts in the push's 'pswd' field (set up by InnoPaaS engineering);"
                " when configured, pushes must carry it"
            ),
            secret=True,
            required=False,
        ),
        CredentialSpec(
            name="account",
            used_for="drain",
            description="InnoPaaS API account (e.g. IM6000001) for the status-report pull",
            secret=False,
            required=False,
        ),
        CredentialSpec(
            name="password",
            used_for="drain",
            description="InnoPaaS API password for the status-report pull",
            secret=True,
            required=False,
        ),
    ),
    schemas=files("smsstatus_innopaas") / "schemas",
    fixtures=files("smsstatus_innopaas") / "fixtures",
    docs_url="https://docs.innopaas.com/api-reference/api-reference-en/sms-api/webhook/sms-status-report",
    # The Shanghai node; Singapore accounts use http://intapi.sgap.253.com (--base-url).
    default_base_url="https://intapi.253.com",
    secret_fields=SECRET_FIELDS,
    # One report per request, in every shape InnoPaaS documents.
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


@hookimpl
def parse_push(vendor: str, request: PushRequest, credentials: Credentials) -> PushResult:
    return _parse(vendor, request, credentials)


@on_first_call
def _drain() -> Callable[[str, Credentials, HttpClient], DrainResult]:
    from .pull import drain_reports

    return drain_reports


@hookimpl
def drain(vendor: str, credentials: Credentials, client: HttpClient) -> DrainResult:
    return _drain(vendor, credentials, client)


@hookimpl
def map_status(status: str) -> MappedStatus:
    return map_value(status)
