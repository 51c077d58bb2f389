"""SMPP ``command_status`` codes, vendor-neutral: one table for every plugin.

An SMSC answers every SMPP request with a ``command_status`` in the response
header; for a ``submit_sm`` it is the SMSC's verdict on the message before any
delivery attempt. Gateways relay it to applications in their own dialect:
Kannel as ``NACK/0x0000000b/...`` in a type-16 report, Jasmin as the name
(``ESME_RINVDSTADR``) in a level-1 receipt. The codes, names and meanings are
SMPP's, not a vendor's, so they live here once:

* SMPP v3.4 (Issue 1.2), section 5.1.3, Table 5-2: codes 0x00 to 0xFF;
* SMPP v5.0, section 4.7.6 (``command_status``), which renames 0xC0 to 0xC4
  (optional parameters became TLVs) and adds 0x100 to 0x112.

Codes the tables reserve (0x400 to 0x4FF for SMSC vendor specific errors, the
gaps) are not in :data:`COMMAND_STATUSES`: :func:`command_status` answers
``None`` and :func:`map_command_status` unknown/unmapped, so each plugin
applies its vendor's own default (the vendor decides whether an unlisted code
still means "refused").

Two judgements go beyond the spec's words, kept apart so a plugin can ignore
them. ``reason`` is the canonical reason of a request refused with the code
(what an application should look at: the number, its account setup, its
content, or the carrier). ``failure`` says whether sending the same message
again can succeed: ``"temporary"`` where the spec names it so
(``ESME_RX_T_APPN``) or where gateways retry it (Kannel re-queues
``ESME_RMSGQFUL``, ``ESME_RTHROTTLED``, ``ESME_RX_T_APPN`` and ``ESME_RSYSERR``,
``gw/smsc/smsc_smpp.c``; v5.0 describes ``ESME_RSERTYPUNAVAIL`` as an outage);
``"permanent"`` where the spec names it so (``ESME_RX_P_APPN``,
``ESME_RX_R_APPN``) or the code says the submitted message itself is invalid
(an address, a length, a flag, a TLV), which a resend cannot change; ``None``
where neither says (bind and session errors, unknown and generic failures).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

import attrs

from .caching import short_value_cache
from .model import MappedStatus, MappingKind, Reason, Status

__all__ = [
    "COMMAND_STATUSES",
    "CommandStatus",
    "FailureKind",
    "command_status",
    "map_command_status",
]

#: Whether resending the same message can succeed (see the module docstring).
FailureKind = Literal["temporary", "permanent"]


@attrs.frozen
class CommandStatus:
    """One ``command_status`` of SMPP v3.4 Table 5-2 or SMPP v5.0 section 4.7.6."""

    #: The numeric value (the PDU header's four octets).
    code: int
    #: The name in SMPP v3.4, or in v5.0 for the codes v5.0 added.
    name: str
    #: The specification's description.
    description: str
    #: The canonical reason of a request refused with it; ``None`` for ``ESME_ROK``.
    reason: Reason | None
    #: ``"temporary"``, ``"permanent"``, or ``None`` where neither the spec nor practice says.
    failure: FailureKind | None
    #: The first SMPP version defining the code: ``"3.4"`` or ``"5.0"``.
    since: Literal["3.4", "5.0"] = "3.4"
    #: SMPP v5.0's name where it differs from v3.4's (0xC0 to 0xC4).
    v5_name: str | None = None

    @property
    def ok(self) -> bool:
        """``ESME_ROK``: the request succeeded."""
        return self.code == 0

    @property
    def hex(self) -> str:
        """The code as gateways print it, ``0x0000000b``."""
        return f"0x{self.code:08x}"


_TEMP: FailureKind = "temporary"
_PERM: FailureKind = "permanent"
_CONFIG = Reason.CONFIGURATION
_CONTENT = Reason.CONTENT_REJECTED
_NUMBER = Reason.INVALID_NUMBER
_CARRIER = Reason.CARRIER_ERROR


def _v34(
    code: int, name: str, description: str, reason: Reason | None, failure: FailureKind | None
) -> CommandStatus:
    return CommandStatus(code, name, description, reason, failure)


def _v50(
    code: int, name: str, description: str, reason: Reason, failure: FailureKind | None
) -> CommandStatus:
    return CommandStatus(code, name, description, reason, failure, since="5.0")


def _renamed(code: int, name: str, v5_name: str, description: str) -> CommandStatus:
    return CommandStatus(code, name, description, _CONFIG, _PERM, v5_name=v5_name)


_TABLE: tuple[CommandStatus, ...] = (
    # SMPP v3.4, section 5.1.3, Table 5-2.
    _v34(0x00, "ESME_ROK", "No error", None, None),
    _v34(0x01, "ESME_RINVMSGLEN", "Message length is invalid", _CONTENT, _PERM),
    _v34(0x02, "ESME_RINVCMDLEN", "Command length is invalid", _CONFIG, _PERM),
    _v34(0x03, "ESME_RINVCMDID", "Invalid command ID", _CONFIG, _PERM),
    # Session state: rebinding may cure it, so no verdict on the message.
    _v34(0x04, "ESME_RINVBNDSTS", "Incorrect BIND status for given command", _CONFIG, None),
    _v34(0x05, "ESME_RALYBND", "ESME already in bound state", _CONFIG, None),
    _v34(0x06, "ESME_RINVPRTFLG", "Invalid priority flag", _CONFIG, _PERM),
    _v34(0x07, "ESME_RINVREGDLVFLG", "Invalid registered delivery flag", _CONFIG, _PERM),
    _v34(0x08, "ESME_RSYSERR", "System error", _CARRIER, _TEMP),
    _v34(0x0A, "ESME_RINVSRCADR", "Invalid source address", _CONFIG, _PERM),
    _v34(0x0B, "ESME_RINVDSTADR", "Invalid destination address", _NUMBER, _PERM),
    _v34(0x0C, "ESME_RINVMSGID", "Message ID is invalid", _CONFIG, _PERM),
    _v34(0x0D, "ESME_RBINDFAIL", "Bind failed", _CONFIG, None),
    _v34(0x0E, "ESME_RINVPASWD", "Invalid password", _CONFIG, None),
    _v34(0x0F, "ESME_RINVSYSID", "Invalid system ID", _CONFIG, None),
    _v34(0x11, "ESME_RCANCELFAIL", "cancel_sm failed", _CONFIG, None),
    _v34(0x13, "ESME_RREPLACEFAIL", "replace_sm failed", _CONFIG, None),
    _v34(0x14, "ESME_RMSGQFUL", "Message queue full", Reason.RATE_LIMITED, _TEMP),
    _v34(0x15, "ESME_RINVSERTYP", "Invalid service type", _CONFIG, _PERM),
    _v34(0x33, "ESME_RINVNUMDESTS", "Invalid number of destinations", _CONFIG, _PERM),
    _v34(0x34, "ESME_RINVDLNAME", "Invalid distribution list name", _CONFIG, _PERM),
    _v34(0x40, "ESME_RINVDESTFLAG", "Destination flag is invalid (submit_multi)", _CONFIG, _PERM),
    _v34(0x42, "ESME_RINVSUBREP", "Invalid 'submit with replace' request", _CONFIG, _PERM),
    _v34(0x43, "ESME_RINVESMCLASS", "Invalid esm_class field data", _CONFIG, _PERM),
    _v34(0x44, "ESME_RCNTSUBDL", "Cannot submit to distribution list", _CONFIG, _PERM),
    _v34(0x45, "ESME_RSUBMITFAIL", "submit_sm or submit_multi failed", _CARRIER, None),
    _v34(0x48, "ESME_RINVSRCTON", "Invalid source address TON", _CONFIG, _PERM),
    _v34(0x49, "ESME_RINVSRCNPI", "Invalid source address NPI", _CONFIG, _PERM),
    _v34(0x50, "ESME_RINVDSTTON", "Invalid destination address TON", _NUMBER, _PERM),
    _v34(0x51, "ESME_RINVDSTNPI", "Invalid destination address NPI", _NUMBER, _PERM),
    _v34(0x53, "ESME_RINVSYSTYP", "Invalid system_type field", _CONFIG, _PERM),
    _v34(0x54, "ESME_RINVREPFLAG", "Invalid replace_if_present flag", _CONFIG, _PERM),
    _v34(0x55, "ESME_RINVNUMMSGS", "Invalid number of messages", _CONFIG, _PERM),
    _v34(
        0x58,
        "ESME_RTHROTTLED",
        "Throttling error: the ESME exceeded its message limits",
        Reason.RATE_LIMITED,
        _TEMP,
    ),
    _v34(0x61, "ESME_RINVSCHED", "Invalid scheduled delivery time", _CONFIG, _PERM),
    _v34(0x62, "ESME_RINVEXPIRY", "Invalid message validity period (expiry time)", _CONFIG, _PERM),
    _v34(0x63, "ESME_RINVDFTMSGID", "Predefined message invalid or not found", _CONFIG, _PERM),
    _v34(0x64, "ESME_RX_T_APPN", "ESME receiver temporary application error", _CARRIER, _TEMP),
    _v34(0x65, "ESME_RX_P_APPN", "ESME receiver permanent application error", Reason.UNKNOWN, _PERM),
    _v34(0x66, "ESME_RX_R_APPN", "ESME receiver reject message error", Reason.UNKNOWN, _PERM),
    _v34(0x67, "ESME_RQUERYFAIL", "query_sm request failed", _CONFIG, None),
    _renamed(
        0xC0, "ESME_RINVOPTPARSTREAM", "ESME_RINVTLVSTREAM", "Error in the optional part of the PDU body"
    ),
    _renamed(0xC1, "ESME_ROPTPARNOTALLWD", "ESME_RTLVNOTALLWD", "Optional parameter not allowed"),
    _renamed(0xC2, "ESME_RINVPARLEN", "ESME_RINVTLVLEN", "Invalid parameter length"),
    _renamed(0xC3, "ESME_RMISSINGOPTPARAM", "ESME_RMISSINGTLV", "Expected optional parameter missing"),
    _renamed(0xC4, "ESME_RINVOPTPARAMVAL", "ESME_RINVTLVVAL", "Invalid optional parameter value"),
    _v34(0xFE, "ESME_RDELIVERYFAILURE", "Delivery failure (data_sm_resp)", _CARRIER, None),
    _v34(0xFF, "ESME_RUNKNOWNERR", "Unknown error", Reason.UNKNOWN, None),
    # SMPP v5.0, section 4.7.6: the codes it adds.
    _v50(0x100, "ESME_RSERTYPUNAUTH", "ESME not authorised to use specified service_type", _CONFIG, _PERM),
    _v50(0x101, "ESME_RPROHIBITED", "ESME prohibited from using specified operation", _CONFIG, _PERM),
    _v50(
        0x102,
        "ESME_RSERTYPUNAVAIL",
        "Specified service_type is unavailable (a service outage)",
        _CARRIER,
        _TEMP,
    ),
    _v50(
        0x103,
        "ESME_RSERTYPDENIED",
        "Specified service_type is denied (the content does not suit it)",
        _CONTENT,
        _PERM,
    ),
    _v50(0x104, "ESME_RINVDCS", "Invalid data coding scheme", _CONTENT, _PERM),
    _v50(0x105, "ESME_RINVSRCADDRSUBUNIT", "Source address subunit is invalid", _CONFIG, _PERM),
    _v50(0x106, "ESME_RINVDSTADDRSUBUNIT", "Destination address subunit is invalid", _CONFIG, _PERM),
    _v50(0x107, "ESME_RINVBCASTFREQINT", "Broadcast frequency interval is invalid", _CONFIG, _PERM),
    _v50(0x108, "ESME_RINVBCASTALIAS_NAME", "Broadcast alias name is invalid", _CONFIG, _PERM),
    _v50(0x109, "ESME_RINVBCASTAREAFMT", "Broadcast area format is invalid", _CONFIG, _PERM),
    _v50(0x10A, "ESME_RINVNUMBCAST_AREAS", "Number of broadcast areas is invalid", _CONFIG, _PERM),
    _v50(0x10B, "ESME_RINVBCASTCNTTYPE", "Broadcast content type is invalid", _CONFIG, _PERM),
    _v50(0x10C, "ESME_RINVBCASTMSGCLASS", "Broadcast message class is invalid", _CONFIG, _PERM),
    _v50(0x10D, "ESME_RBCASTFAIL", "broadcast_sm operation failed", _CARRIER, None),
    _v50(0x10E, "ESME_RBCASTQUERYFAIL", "query_broadcast_sm operation failed", _CONFIG, None),
    _v50(0x10F, "ESME_RBCASTCANCELFAIL", "cancel_broadcast_sm operation failed", _CONFIG, None),
    _v50(0x110, "ESME_RINVBCAST_REP", "Number of repeated broadcasts is invalid", _CONFIG, _PERM),
    _v50(0x111, "ESME_RINVBCASTSRVGRP", "Broadcast service group is invalid", _CONFIG, _PERM),
    _v50(0x112, "ESME_RINVBCASTCHANIND", "Broadcast channel indicator is invalid", _CONFIG, _PERM),
)

#: Every ``command_status`` SMPP v3.4 and v5.0 define, by code.
COMMAND_STATUSES: Mapping[int, CommandStatus] = MappingProxyType({entry.code: entry for entry in _TABLE})

# Both spellings of a renamed code find it: gateways built on v3.4 libraries
# send the old name, v5.0 ones the new.
_BY_NAME: dict[str, CommandStatus] = {entry.name: entry for entry in _TABLE} | {
    entry.v5_name: entry for entry in _TABLE if entry.v5_name is not None
}

_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def command_status(value: int | str) -> CommandStatus | None:
    """The table's entry for ``value``, or ``None`` when SMPP defines no such code.

    ``value`` is the code as a number, its name (either version's, any case,
    surrounding blanks ignored), or its hexadecimal text with the ``0x``
    prefix gateways print (``0x0000000b``, ``0xB``). Anything else (a bare
    number, whose base nobody can tell; text that is neither) is ``None``,
    never an error."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return COMMAND_STATUSES.get(value)
    text = value.strip()
    if text[:2] in ("0x", "0X"):
        digits = text[2:]
        if 0 < len(digits) <= 8 and _HEX_DIGITS.issuperset(digits):  # eight hex digits: four octets
            return COMMAND_STATUSES.get(int(digits, 16))
        return None
    return _BY_NAME.get(text.upper())


_UNMAPPED = MappedStatus(Status.UNKNOWN, None, MappingKind.UNMAPPED, None)


# Pure and on push paths; the table is small and fixed.
@short_value_cache(256)  # the value is vendor-sent text: bounded in size too
def map_command_status(value: int | str) -> MappedStatus:
    """The canonical meaning of the answer to a submitted message.

    ``ESME_ROK`` is ``sent`` (the SMSC took the message; nothing is delivered
    yet); every other code in the table is ``rejected`` with its ``reason``
    (the SMSC refused the message); a value :func:`command_status` does not
    know is unknown/unmapped, for the plugin to apply its vendor's default.
    The description is the specification's."""
    entry = command_status(value)
    if entry is None:
        return _UNMAPPED
    if entry.ok:
        return MappedStatus(Status.SENT, None, MappingKind.EXACT, entry.description)
    return MappedStatus(Status.REJECTED, entry.reason, MappingKind.EXACT, entry.description)
