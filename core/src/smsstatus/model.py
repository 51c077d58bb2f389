"""The canonical status report and its vocabulary.

Plain frozen attrs classes with no behaviour beyond what follows from the data.
JSON (de)serialisation lives in :mod:`smsstatus.serialize`; the JSON field
names are the public contract described in ``docs/canonical-model.md`` and
``schemas/status-report.schema.json``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs

__all__ = [
    "Status",
    "Reason",
    "MappingKind",
    "Channel",
    "Part",
    "Money",
    "Operator",
    "MappedStatus",
    "MAX_ID_LENGTH",
    "MAX_PARTS",
    "ReportWarning",
    "StatusReport",
    "WarningCode",
    "JSONValue",
]

#: Anything ``json.loads`` can return.
JSONValue = Any


class Status(enum.Enum):
    """Canonical delivery status of one message to one recipient."""

    SCHEDULED = "scheduled"  #: held by the vendor until a scheduled time
    ACCEPTED = "accepted"  #: taken by the vendor, not yet handed to a carrier
    SENT = "sent"  #: handed to a carrier, no handset confirmation yet
    DELIVERED = "delivered"  #: the handset or carrier confirmed delivery
    UNDELIVERED = "undelivered"  #: the carrier tried and failed
    EXPIRED = "expired"  #: validity period ran out before delivery
    REJECTED = "rejected"  #: refused before reaching a carrier (vendor or carrier filter)
    UNKNOWN = "unknown"  #: the vendor itself cannot tell; a later report may settle it

    @property
    def final(self) -> bool:
        """Whether no later report is expected to change this status."""
        return self in _FINAL


_FINAL = frozenset({Status.DELIVERED, Status.UNDELIVERED, Status.EXPIRED, Status.REJECTED})


class Reason(enum.Enum):
    """Why a message failed, in a vocabulary shared by every vendor.

    ``retry_later`` says whether sending the same message again through the
    same vendor later can help; ``retry_elsewhere`` whether another vendor can.
    """

    INVALID_NUMBER = "invalid_number"
    UNREACHABLE = "unreachable"
    BLOCKED = "blocked"
    OPTED_OUT = "opted_out"
    SPAM_FILTERED = "spam_filtered"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    UNSUPPORTED_DESTINATION = "unsupported_destination"
    CONFIGURATION = "configuration"
    CONTENT_REJECTED = "content_rejected"
    RATE_LIMITED = "rate_limited"
    CARRIER_ERROR = "carrier_error"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"

    @property
    def retry_later(self) -> bool:
        return self in _RETRY_LATER

    @property
    def retry_elsewhere(self) -> bool:
        return self in _RETRY_ELSEWHERE


_RETRY_LATER = frozenset(
    {
        Reason.UNREACHABLE,
        Reason.INSUFFICIENT_FUNDS,
        Reason.RATE_LIMITED,
        Reason.CARRIER_ERROR,
        Reason.EXPIRED,
        Reason.UNKNOWN,
    }
)
_RETRY_ELSEWHERE = frozenset(
    {
        Reason.UNREACHABLE,
        Reason.SPAM_FILTERED,
        Reason.INSUFFICIENT_FUNDS,
        Reason.UNSUPPORTED_DESTINATION,
        Reason.CONFIGURATION,
        Reason.RATE_LIMITED,
        Reason.CARRIER_ERROR,
        Reason.EXPIRED,
        Reason.UNKNOWN,
    }
)


class MappingKind(enum.Enum):
    """How a vendor value became a canonical status."""

    EXACT = "exact"  #: the value is in the plugin's documented table
    VENDOR_DEFAULT = "vendor_default"  #: the vendor's own catch-all rule applied
    UNMAPPED = "unmapped"  #: the plugin does not know the value; status is ``unknown``


class Channel(enum.Enum):
    PUSH = "push"
    FETCH = "fetch"


#: The most parts a concatenated SMS can have: the concatenation header counts
#: parts in one octet (3GPP TS 23.040, 9.2.3.24.1). A vendor's part index,
#: part total or segment count above it is not a real message.
MAX_PARTS = 255


@attrs.frozen
class Part:
    """Which part of a multipart (concatenated) message a report is about.

    Plugins build it only from values in ``1 <= index <= total <= MAX_PARTS``
    (:meth:`smsstatus.fields.Record.part` checks them).
    """

    index: int  #: 1-based
    total: int


#: The longest message or batch id accepted, in characters. Real ids are UUIDs
#: or digit strings well under 100; the bound keeps every id indexable (a
#: PostgreSQL btree entry holds at most about 2.7 KB, 256 characters are at
#: most 1 KB of UTF-8).
MAX_ID_LENGTH = 256


def identity_problem(text: str) -> str | None:
    """Why ``text`` cannot identify a message or batch, or ``None`` when it can.

    An identity must be non-blank, at most :data:`MAX_ID_LENGTH` characters,
    and free of control characters (C0, DEL, C1: a NUL cannot be stored in
    PostgreSQL text, a CR or ESC cannot be typed back into a query) and of
    lone surrogates (not encodable as UTF-8).
    """
    if 0 < len(text) <= MAX_ID_LENGTH and text.isprintable() and not text.isspace():
        return None  # the common case, decided by two C-level scans (isprintable is False for C0, DEL, C1, surrogates)
    if not text:
        return "must not be empty"
    if len(text) > MAX_ID_LENGTH:
        return f"is {len(text)} characters long; an id has at most {MAX_ID_LENGTH}"
    if not text.strip():
        return "must not be blank"
    for char in text:
        code = ord(char)
        if code < 0x20 or 0x7F <= code < 0xA0:
            return f"contains the control character U+{code:04X}"
        if 0xD800 <= code < 0xE000:
            return f"contains the lone surrogate U+{code:04X}"
    return None


@attrs.frozen
class Money:
    """An amount with its currency. ``currency`` is ``None`` only where the
    vendor states no currency at all (D7's ``sms_cost``)."""

    amount: Decimal
    currency: str | None


@attrs.frozen
class Operator:
    """The recipient's mobile network, as far as the vendor says."""

    mcc: str | None = None
    mnc: str | None = None
    name: str | None = None


@attrs.frozen
class MappedStatus:
    """The answer of ``map_status``: one vendor value in canonical terms."""

    status: Status
    reason: Reason | None = None
    mapping: MappingKind = MappingKind.EXACT
    description: str | None = None

    @property
    def final(self) -> bool:
        return self.status.final


class WarningCode(enum.Enum):
    """Why a vendor field of a report was set to null (the value stays in ``raw``).

    Stable machine-readable codes: new ones may be added in a minor version,
    so consumers treat a code they do not know like ``unreadable``.
    """

    #: The value has a type or format the plugin cannot read.
    UNREADABLE = "unreadable"
    #: The value is readable but outside what the vendor documents or a real
    #: message allows (a part index above 255, a time outside 2000..2100).
    OUT_OF_RANGE = "out_of_range"
    #: The value contradicts another field of the same record (a part index
    #: beyond the part total).
    INCONSISTENT = "inconsistent"


@attrs.frozen
class ReportWarning:
    """One vendor field that could not be read into the report.

    Only a record's identity and status may reject it; any other field that
    cannot be read becomes null in the report, keeps its value in ``raw``, and
    is named here.
    """

    #: Path of the vendor field, as in :class:`~smsstatus.PayloadError`
    #: (``$.requestTime``, ``form.total``, ``$.Data[2].ReceiptTime``).
    field: str
    code: WarningCode
    #: Short human-readable explanation. Not part of equality: two warnings
    #: about the same field with the same code are the same warning, and
    #: nobody should match on this text.
    reason: str = attrs.field(eq=False)


def _final_from_status(instance: StatusReport) -> bool:
    return instance.status.final


#: The default of ``StatusReport(extra=...)``: a new empty dict per report.
_NEW_DICT: Mapping[str, Any] = MappingProxyType({})


# Not slotted: a frozen slotted class sets each of its 27 fields through
# object.__setattr__, a frozen dict class stores them straight into __dict__.
# Measured: about 40% faster to build, for about 120 more bytes per report,
# on the one object every push creates per message (benchmarks/run.py).
# The __init__ is written out (attrs' own, for the same fields, also fetches
# a setattr it never uses and calls a factory for ``final``): a third faster.
@attrs.frozen(kw_only=True, slots=False, init=False)
class StatusReport:
    """One canonical delivery-status report of one message to one recipient
    (or one part of it).

    ``raw`` keeps the vendor's record exactly as received, secrets removed, so
    nothing the vendor sent is lost even where no canonical field fits it.
    ``extra`` carries normalised vendor fields with no canonical home.
    ``warnings`` names each vendor field that could not be read and was set to
    null (empty, the shared ``()``, when every field was read).
    """

    vendor: str
    message_id: str | None
    batch_id: str | None = None
    recipient: str | None = None
    recipient_raw: str | None = None
    sender: str | None = None
    status: Status
    #: Derived from ``status``; never set by hand so the two cannot disagree.
    final: bool = attrs.field(init=False, default=attrs.Factory(_final_from_status, takes_self=True))
    mapping: MappingKind = MappingKind.EXACT
    reason: Reason | None = None
    vendor_status: str | None = None
    vendor_code: str | None = None
    vendor_description: str | None = None
    client_ref: str | None = None
    segments: int | None = None
    part: Part | None = None
    price: Money | None = None
    country: str | None = None
    operator: Operator | None = None
    submitted_at: datetime | None = None
    status_at: datetime | None = None
    notified_at: datetime | None = None
    received_at: datetime
    channel: Channel
    extra: Mapping[str, JSONValue] = attrs.field(factory=dict)
    raw: Mapping[str, JSONValue]
    warnings: tuple[ReportWarning, ...] = ()
    #: The vendor's own id of the segment this report is about, for gateways
    #: that split a long message themselves and report each segment under the
    #: message's id with no part number (Kannel's ``%F``, Jasmin's ``id_smsc``).
    #: It identifies the segment and says nothing of its position; the part
    #: count, when known, is ``segments``. Last so that positional
    #: constructors of the earlier fields keep their order.
    part_ref: str | None = None

    def __init__(
        self,
        *,
        vendor: str,
        message_id: str | None,
        batch_id: str | None = None,
        recipient: str | None = None,
        recipient_raw: str | None = None,
        sender: str | None = None,
        status: Status,
        mapping: MappingKind = MappingKind.EXACT,
        reason: Reason | None = None,
        vendor_status: str | None = None,
        vendor_code: str | None = None,
        vendor_description: str | None = None,
        client_ref: str | None = None,
        segments: int | None = None,
        part: Part | None = None,
        price: Money | None = None,
        country: str | None = None,
        operator: Operator | None = None,
        submitted_at: datetime | None = None,
        status_at: datetime | None = None,
        notified_at: datetime | None = None,
        received_at: datetime,
        channel: Channel,
        extra: Mapping[str, JSONValue] = _NEW_DICT,
        raw: Mapping[str, JSONValue],
        warnings: tuple[ReportWarning, ...] = (),
        part_ref: str | None = None,
    ) -> None:
        d = self.__dict__  # a frozen dict class: stored as attrs' own __init__ would
        d["vendor"] = vendor
        d["message_id"] = message_id
        d["batch_id"] = batch_id
        d["recipient"] = recipient
        d["recipient_raw"] = recipient_raw
        d["sender"] = sender
        d["status"] = status
        d["final"] = status.final
        d["mapping"] = mapping
        d["reason"] = reason
        d["vendor_status"] = vendor_status
        d["vendor_code"] = vendor_code
        d["vendor_description"] = vendor_description
        d["client_ref"] = client_ref
        d["segments"] = segments
        d["part"] = part
        d["price"] = price
        d["country"] = country
        d["operator"] = operator
        d["submitted_at"] = submitted_at
        d["status_at"] = status_at
        d["notified_at"] = notified_at
        d["received_at"] = received_at
        d["channel"] = channel
        d["extra"] = {} if extra is _NEW_DICT else extra
        d["raw"] = raw
        d["warnings"] = warnings
        d["part_ref"] = part_ref
