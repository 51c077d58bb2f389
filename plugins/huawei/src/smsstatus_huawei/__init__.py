"""smsstatus vendor plugin for Huawei Cloud Message & SMS (MSGSMS).

Push only: Huawei has no status-query API (the console's Send Details page is
the only other view). Two pushes are read: the per-request ``statusCallback``
(form-urlencoded, one report) and the per-application batch (JSON
``statusReportList``, up to 50 reports), each checked with Huawei's optional
AK/SK push authentication when ``app_secret`` is configured.
See ``docs/vendors/huawei.md`` for the mapping and every assumption.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from typing import TYPE_CHECKING

from smsstatus.plugin import Capability, CredentialSpec, VendorInfo, hookimpl

from .codes import DOCUMENTED, map_code

if TYPE_CHECKING:
    from smsstatus.plugin import Credentials, MappedStatus, PushRequest, PushResult

__all__ = ["INFO", "SMSSTATUS_PLUGIN_API", "vendor_info", "parse_push", "map_status"]

#: The plugin API (smsstatus.plugin) this plugin is written for.
SMSSTATUS_PLUGIN_API = "1.3"
VENDOR = "huawei"

_PUSH_AUTH = "Huawei console: application > push AK/SK authentication"

INFO = VendorInfo(
    id=VENDOR,
    display_name="Huawei Cloud Message & SMS (MSGSMS)",
    capabilities=frozenset({Capability.PUSH}),
    statuses=DOCUMENTED,
    credentials=(
        CredentialSpec(
            name="app_key",
            used_for="push",
            description=f"Push AK: the Access value Huawei signs with ({_PUSH_AUTH}); "
            "optional with one pair, restricts which AK is accepted",
            secret=False,
            required=False,
        ),
        CredentialSpec(
            name="app_secret",
            used_for="push",
            description=f"Push SK ({_PUSH_AUTH}); when set, every push must carry a valid "
            "SDK-HMAC-SHA256 signature",
            secret=True,
            required=False,
        ),
        CredentialSpec(
            name="app_key_2",
            used_for="push",
            description="Second push AK (Huawei's dual-AK/SK mode, for key rotation)",
            secret=False,
            required=False,
        ),
        CredentialSpec(
            name="app_secret_2",
            used_for="push",
            description="Second push SK (Huawei's dual-AK/SK mode, for key rotation)",
            secret=True,
            required=False,
        ),
    ),
    schemas=files("smsstatus_huawei") / "schemas",
    fixtures=files("smsstatus_huawei") / "fixtures",
    default_base_url=None,
    docs_url="https://support.huaweicloud.com/intl/en-us/api-msgsms/sms_05_0003.html",
    poll=None,
    secret_fields=(),
    # The batch push carries "up to 50" reports (sms_05_0063); twice that is
    # accepted, and a longer batch is refused before any report is read.
    max_batch=100,
)


@hookimpl
def vendor_info() -> VendorInfo:
    return INFO


# Parsers are imported on the first call, not when the plugin loads: every
# `smsstatus` command loads every plugin.
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
def map_status(status: str) -> MappedStatus:
    return map_code(status)
