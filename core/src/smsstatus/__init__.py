"""smsstatus: one canonical, typed delivery-status report for every SMS vendor.

Embedding applications use :func:`load` and the :class:`Registry` it returns::

    import smsstatus

    registry = smsstatus.load()
    result = registry.parse_push("innopaas", smsstatus.PushRequest.build(body=raw, content_type="application/json"))
    for report in result.reports:
        print(report.message_id, report.status.value)

Everything it returns turns into JSON data with :func:`to_json_data` (or
text with :func:`dumps`).

Plugin authors import everything they use from :mod:`smsstatus.plugin`, the
stable plugin API (and :mod:`smsstatus.plugin.testing` in their tests).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .credentials import Credentials, CredentialSpec, Secret, check_credential, secret_equals
from .errors import (
    AuthenticationError,
    CredentialsError,
    DeadlineExceededError,
    NotAStatusError,
    NotFoundError,
    PayloadError,
    PluginError,
    ResponseTooLargeError,
    SmsStatusError,
    TransportError,
    UnknownCredentialError,
    UnknownVendorError,
    UnsupportedError,
    VendorError,
)
from .hookspecs import hookimpl
from .lazy import on_first_access
from .limits import HttpLimits, RetryPolicy
from .model import (
    Channel,
    MappedStatus,
    MappingKind,
    Money,
    Operator,
    Part,
    Reason,
    Status,
    StatusReport,
)
from .registry import LoadedVendor, PluginFailure, Registry, load
from .request import DrainResult, FetchResult, Headers, ItemError, PushReply, PushRequest, PushResult
from .vendor import Capability, DocumentedStatus, PollPolicy, VendorInfo

if TYPE_CHECKING:
    from .http import HttpClient, HttpResponse
    from .jsondata import JSONData, dumps, to_json_data

__version__ = "0.1.0"

# Imported on first access (PEP 562): every command and every load() pays for
# this package, and only a fetch, or a push that makes HTTP requests, needs a
# client; only an application turning reports into JSON needs jsondata.
_ON_ACCESS = {
    "HttpClient": "http",
    "HttpResponse": "http",
    **dict.fromkeys(("JSONData", "dumps", "to_json_data"), "jsondata"),
}


_on_access = on_first_access(globals(), _ON_ACCESS)


def __getattr__(name: str) -> Any:
    return _on_access(name)


__all__ = [
    "AuthenticationError",
    "Capability",
    "Channel",
    "CredentialSpec",
    "Credentials",
    "CredentialsError",
    "DeadlineExceededError",
    "DocumentedStatus",
    "DrainResult",
    "FetchResult",
    "Headers",
    "HttpClient",
    "HttpLimits",
    "HttpResponse",
    "ItemError",
    "JSONData",
    "LoadedVendor",
    "MappedStatus",
    "MappingKind",
    "Money",
    "NotAStatusError",
    "NotFoundError",
    "Operator",
    "Part",
    "PayloadError",
    "PluginError",
    "PluginFailure",
    "PollPolicy",
    "PushReply",
    "PushRequest",
    "PushResult",
    "Reason",
    "Registry",
    "ResponseTooLargeError",
    "RetryPolicy",
    "Secret",
    "SmsStatusError",
    "Status",
    "StatusReport",
    "TransportError",
    "UnknownCredentialError",
    "UnknownVendorError",
    "UnsupportedError",
    "VendorError",
    "VendorInfo",
    "check_credential",
    "dumps",
    "hookimpl",
    "load",
    "secret_equals",
    "to_json_data",
]
