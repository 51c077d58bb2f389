"""smsstatus vendor plugin for the Jasmin SMS gateway (its HTTP API's delivery receipts).

Push: the receipt Jasmin's DLRThrower sends to the ``dlr-url`` given at send
time (``dlr-method`` GET: query parameters; POST: form body), at level 1 (the
SMSC's answer to the submit), level 2 (the handset receipt) or both (level 3
sends one of each). The answer must be the body ``ACK/Jasmin``, or Jasmin sends
the receipt again. Jasmin signs nothing: ``url_token`` checks a secret the
operator puts in the ``dlr-url``'s query. No fetch: Jasmin's HTTP API has no
status query. See ``docs/vendors/jasmin.md`` for the mapping and every assumption.
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
VENDOR = "jasmin"

INFO = VendorInfo(
    id=VENDOR,
    display_name="Jasmin SMS gateway",
    capabilities=frozenset({Capability.PUSH}),
    statuses=DOCUMENTED,
    credentials=(
        CredentialSpec(
            name="url_token",
            used_for="push",
            description="A secret the operator appends to every dlr-url as the query parameter 'token' "
            "(https://host/jasmin?token=...). When set, a receipt without it is refused: Jasmin signs nothing",
            secret=True,
            required=False,
        ),
        CredentialSpec(
            name="receipt_timezone",
            used_for="push",
            description="IANA zone of the SMSC's subdate/donedate (YYMMDDhhmm, sent without a zone); default UTC",
            secret=False,
            required=False,
        ),
    ),
    schemas=files("smsstatus_jasmin") / "schemas",
    fixtures=files("smsstatus_jasmin") / "fixtures",
    docs_url="https://docs.jasminsms.com/en/latest/apis/http/index.html#receiving-dlr",
    secret_fields=("token",),
    # One receipt per request.
    max_batch=1,
)


@hookimpl
def vendor_info() -> VendorInfo:
    return INFO


# The parser is imported on the first call, not when the plugin loads: every
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
def map_status(status: str, code: str | None) -> MappedStatus:
    return map_value(status, code)
