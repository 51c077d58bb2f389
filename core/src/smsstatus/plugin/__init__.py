"""Everything a vendor plugin may use, from one place: the stable plugin API.

A plugin imports from this module and from nowhere else in smsstatus::

    from smsstatus.plugin import (
        Capability, DocumentedStatus, MappedStatus, PushRequest, PushResult,
        Record, Status, StatusReport, VendorInfo, hookimpl,
    )

    SMSSTATUS_PLUGIN_API = "1.0"  # the plugin API this plugin is written for

Its tests import from :mod:`smsstatus.plugin.testing` as well (a registry to
load the plugin into, and the fixture runner).

Every name in ``__all__`` is the plugin API, versioned ``MAJOR.MINOR``
(:mod:`smsstatus.apiversion`): a minor release only adds, a major release may
change or remove. A plugin declares the version it is written for as a string
literal, never as a value read from smsstatus (that would always match). The
modules these names are defined in are internal and may move in any release. ``docs/writing-a-plugin.md`` describes the whole API and
the versioning rules.

Importing this module costs what ``import smsstatus`` costs, because every
plugin is imported by every command: the helpers a plugin needs only to parse
(the field reader, times, phone numbers, SMPP receipts and command statuses, multipart, network
codes, the lean-path helpers) are
imported on first access, so an entry module that defers its parsers with
:func:`on_first_call` still defers them; and nothing here imports httpx,
cattrs or jsonschema (the HTTP client imports httpx on its first request).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..credentials import Credentials, CredentialSpec, Secret, check_credential, secret_equals
from ..errors import (
    AuthenticationError,
    CredentialsError,
    NotAStatusError,
    NotFoundError,
    PayloadError,
    SmsStatusError,
    TransportError,
    VendorError,
)
from ..hookspecs import hookimpl
from ..lazy import on_first_access, on_first_call
from ..model import (
    MAX_PARTS,
    Channel,
    JSONValue,
    MappedStatus,
    MappingKind,
    Money,
    Operator,
    Part,
    Reason,
    ReportWarning,
    Status,
    StatusReport,
    WarningCode,
)
from ..request import (
    DrainResult,
    FetchResult,
    Headers,
    ItemError,
    PushReply,
    PushRequest,
    PushResult,
    parse_urlencoded,
)
from ..vendor import DEFAULT_MAX_BATCH, Capability, DocumentedStatus, PollPolicy, VendorInfo

if TYPE_CHECKING:
    from ..caching import MAX_CACHED_LENGTH, short_value_cache
    from ..callbacks import FORM_TYPES, callback_fields, callback_params, fast_callback_fields
    from ..carrier_codes import CARRIER_CODES, map_carrier_code
    from ..fetching import fetch_each, json_or_text
    from ..fields import (
        MAX_ID_LENGTH,
        NO_WARNINGS,
        Record,
        check_batch,
        decode_json_object,
        identity,
        identity_problem,
        kind_of,
        shown,
        strip_fields,
    )
    from ..hotpath import (
        LeanMiss,
        fast_form,
        fast_json,
        fast_multipart,
        fast_path,
        lean_ident,
        lean_text,
        new_money,
        new_operator,
        new_part,
        new_push_result,
        new_report,
        new_warning,
    )
    from ..http import HttpClient, HttpResponse
    from ..multipart import MessageOutcome, combine_parts
    from ..networks import NetworkCode, network_of, read_network_code, split_network_code
    from ..phone import to_e164
    from ..smpp import (
        DeliveryReceipt,
        map_message_state,
        map_stat,
        parse_receipt,
        receipt_date,
    )
    from ..smpp_status import (
        COMMAND_STATUSES,
        CommandStatus,
        FailureKind,
        command_status,
        map_command_status,
    )
    from ..smpp_words import MESSAGE_STATES, STAT_WORDS
    from ..times import (
        SHANGHAI,
        OutOfRange,
        from_epoch_millis,
        from_epoch_seconds,
        parse_local,
        parse_rfc3339,
        zone,
    )

#: Parsing helpers imported on first access (PEP 562), by the module defining them.
_ON_ACCESS: dict[str, str] = {
    **dict.fromkeys(
        (
            "MAX_ID_LENGTH",
            "NO_WARNINGS",
            "Record",
            "check_batch",
            "decode_json_object",
            "identity",
            "identity_problem",
            "kind_of",
            "shown",
            "strip_fields",
        ),
        "fields",
    ),
    **dict.fromkeys(
        (
            "LeanMiss",
            "fast_form",
            "fast_json",
            "fast_multipart",
            "fast_path",
            "lean_ident",
            "lean_text",
            "new_money",
            "new_operator",
            "new_part",
            "new_push_result",
            "new_report",
            "new_warning",
        ),
        "hotpath",
    ),
    **dict.fromkeys(
        ("FORM_TYPES", "callback_fields", "callback_params", "fast_callback_fields"), "callbacks"
    ),
    **dict.fromkeys(("MAX_CACHED_LENGTH", "short_value_cache"), "caching"),
    **dict.fromkeys(("MessageOutcome", "combine_parts"), "multipart"),
    **dict.fromkeys(("fetch_each", "json_or_text"), "fetching"),
    # Entry modules name the client in annotations only; a fetch builds one.
    **dict.fromkeys(("HttpClient", "HttpResponse"), "http"),
    **dict.fromkeys(("NetworkCode", "network_of", "read_network_code", "split_network_code"), "networks"),
    "to_e164": "phone",
    **dict.fromkeys(("CARRIER_CODES", "map_carrier_code"), "carrier_codes"),
    **dict.fromkeys(
        (
            "DeliveryReceipt",
            "map_message_state",
            "map_stat",
            "parse_receipt",
            "receipt_date",
        ),
        "smpp",
    ),
    # Read by mapping tables as plugins load: not the receipt parser's module.
    **dict.fromkeys(("MESSAGE_STATES", "STAT_WORDS"), "smpp_words"),
    **dict.fromkeys(
        ("COMMAND_STATUSES", "CommandStatus", "FailureKind", "command_status", "map_command_status"),
        "smpp_status",
    ),
    **dict.fromkeys(
        (
            "SHANGHAI",
            "OutOfRange",
            "from_epoch_millis",
            "from_epoch_seconds",
            "parse_local",
            "parse_rfc3339",
            "zone",
        ),
        "times",
    ),
}


_on_access = on_first_access(globals(), _ON_ACCESS)


def __getattr__(name: str) -> Any:
    return _on_access(name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    # hooks and metadata
    "Capability",
    "DEFAULT_MAX_BATCH",
    "DocumentedStatus",
    "PollPolicy",
    "VendorInfo",
    "hookimpl",
    # credentials
    "CredentialSpec",
    "Credentials",
    "Secret",
    "check_credential",
    "secret_equals",
    # the canonical model a plugin builds
    "Channel",
    "JSONValue",
    "MappedStatus",
    "MappingKind",
    "Money",
    "Operator",
    "Part",
    "Reason",
    "Status",
    "StatusReport",
    # null plus a warning for a field that cannot be read (API 1.1)
    "MAX_PARTS",
    "NO_WARNINGS",
    "ReportWarning",
    "WarningCode",
    # what the hooks take and return
    "DrainResult",
    "FetchResult",
    "Headers",
    "HttpClient",
    "HttpResponse",
    "ItemError",
    "PushReply",
    "PushRequest",
    "PushResult",
    # errors a plugin raises
    "AuthenticationError",
    "CredentialsError",
    "NotAStatusError",
    "NotFoundError",
    "PayloadError",
    "SmsStatusError",
    "TransportError",
    "VendorError",
    # reading vendor records
    "Record",
    "decode_json_object",
    "kind_of",
    "strip_fields",
    # identities and batch bounds (API 1.1)
    "MAX_ID_LENGTH",
    "check_batch",
    "identity",
    "identity_problem",
    "shown",
    # vendor times (timezone-aware UTC) and phone numbers (E.164)
    "SHANGHAI",
    "OutOfRange",
    "from_epoch_millis",
    "from_epoch_seconds",
    "parse_local",
    "parse_rfc3339",
    "zone",
    "to_e164",
    # Chinese carrier gateway codes, one meaning each (API 1.1)
    "CARRIER_CODES",
    "map_carrier_code",
    # SMPP delivery receipts and multipart messages
    "MESSAGE_STATES",
    "STAT_WORDS",
    "DeliveryReceipt",
    "map_message_state",
    "map_stat",
    "parse_receipt",
    "receipt_date",
    # memoising a pure function of vendor-sent text, bounded in entry size too (API 1.5)
    "MAX_CACHED_LENGTH",
    "short_value_cache",
    # SMPP command_status codes, v3.4 and v5.0, one table for every plugin (API 1.5)
    "COMMAND_STATUSES",
    "CommandStatus",
    "FailureKind",
    "command_status",
    "map_command_status",
    "MessageOutcome",
    "combine_parts",
    "fetch_each",
    "json_or_text",
    # fused MCC+MNC network codes, split with the ITU-T E.212 table
    "NetworkCode",
    "read_network_code",
    "split_network_code",
    # a fused code's operator and country in one memoised call, for a lean path (API 1.6)
    "network_of",
    # keeping plugin loading cheap
    "on_first_call",
    # a lean path for the documented push shape (API 1.3; docs/writing-a-plugin.md)
    "fast_path",
    "fast_json",
    "fast_form",
    "fast_multipart",
    "parse_urlencoded",
    "new_report",
    "new_part",
    "new_money",
    "new_operator",
    "new_warning",
    "new_push_result",
    # a lean path's optional values, read as Record reads them without a warning (API 1.5)
    "LeanMiss",
    "lean_text",
    "lean_ident",
    # a status callback sent as a form body or as a query (API 1.5)
    "FORM_TYPES",
    "callback_fields",
    "callback_params",
    "fast_callback_fields",
]
