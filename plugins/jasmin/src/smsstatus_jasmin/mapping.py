"""Jasmin's ``message_status`` values and their canonical meaning.

A delivery receipt Jasmin relays carries one of two vocabularies
(``jasmin/managers/content.py``, ``DLRContentForHttpapi``):

* **level 1** (the SMSC's answer to ``submit_sm``): the SMPP ``command_status``
  by name, ``ESME_ROK`` or an error such as ``ESME_RINVNUMDESTS``. ``ESME_ROK``
  means the SMSC took the message: ``sent``, never ``delivered``. Every other
  name means the submit was refused: ``rejected``, with the reason the SMPP
  v3.4 table (section 5.1.3, Table 5-2) gives the code. A name outside that
  table is still a refusal (Jasmin treats every status but ``ESME_ROK`` as an
  error), so it maps to ``rejected`` as the vendor's default;
* **level 2** (the handset receipt in ``deliver_sm``): the seven ``stat`` words
  of SMPP v3.4 Appendix B, mapped by core's SMPP table (``ACCEPTD`` stays in
  flight, ``UNKNOWN`` is not final).
"""

from __future__ import annotations

from smsstatus.plugin import (
    STAT_WORDS,
    DocumentedStatus,
    MappedStatus,
    MappingKind,
    Reason,
    Status,
)

__all__ = ["COMMAND_STATUSES", "DOCUMENTED", "RECEIPT_STATES", "UNMAPPED", "map_value"]

_CONFIG = Reason.CONFIGURATION

#: SMPP v3.4 command_status name -> (value, reason of a refusal, the specification's description)
COMMAND_STATUSES: dict[str, tuple[int, Reason | None, str]] = {
    "ESME_ROK": (0x00, None, "No error: the SMSC accepted the message"),
    "ESME_RINVMSGLEN": (0x01, Reason.CONTENT_REJECTED, "Message length is invalid"),
    "ESME_RINVCMDLEN": (0x02, _CONFIG, "Command length is invalid"),
    "ESME_RINVCMDID": (0x03, _CONFIG, "Invalid command ID"),
    "ESME_RINVBNDSTS": (0x04, _CONFIG, "Incorrect BIND status for given command"),
    "ESME_RALYBND": (0x05, _CONFIG, "ESME already in bound state"),
    "ESME_RINVPRTFLG": (0x06, _CONFIG, "Invalid priority flag"),
    "ESME_RINVREGDLVFLG": (0x07, _CONFIG, "Invalid registered delivery flag"),
    "ESME_RSYSERR": (0x08, Reason.CARRIER_ERROR, "System error"),
    "ESME_RINVSRCADR": (0x0A, _CONFIG, "Invalid source address"),
    "ESME_RINVDSTADR": (0x0B, Reason.INVALID_NUMBER, "Invalid destination address"),
    "ESME_RINVMSGID": (0x0C, _CONFIG, "Message ID is invalid"),
    "ESME_RBINDFAIL": (0x0D, _CONFIG, "Bind failed"),
    "ESME_RINVPASWD": (0x0E, _CONFIG, "Invalid password"),
    "ESME_RINVSYSID": (0x0F, _CONFIG, "Invalid system ID"),
    "ESME_RCANCELFAIL": (0x11, _CONFIG, "cancel_sm failed"),
    "ESME_RREPLACEFAIL": (0x13, _CONFIG, "replace_sm failed"),
    "ESME_RMSGQFUL": (0x14, Reason.RATE_LIMITED, "Message queue full"),
    "ESME_RINVSERTYP": (0x15, _CONFIG, "Invalid service type"),
    "ESME_RINVNUMDESTS": (0x33, _CONFIG, "Invalid number of destinations"),
    "ESME_RINVDLNAME": (0x34, _CONFIG, "Invalid distribution list name"),
    "ESME_RINVDESTFLAG": (0x40, _CONFIG, "Destination flag is invalid (submit_multi)"),
    "ESME_RINVSUBREP": (0x42, _CONFIG, "Invalid 'submit with replace' request"),
    "ESME_RINVESMCLASS": (0x43, _CONFIG, "Invalid esm_class field data"),
    "ESME_RCNTSUBDL": (0x44, _CONFIG, "Cannot submit to distribution list"),
    "ESME_RSUBMITFAIL": (0x45, Reason.CARRIER_ERROR, "submit_sm or submit_multi failed"),
    "ESME_RINVSRCTON": (0x48, _CONFIG, "Invalid source address TON"),
    "ESME_RINVSRCNPI": (0x49, _CONFIG, "Invalid source address NPI"),
    "ESME_RINVDSTTON": (0x50, Reason.INVALID_NUMBER, "Invalid destination address TON"),
    "ESME_RINVDSTNPI": (0x51, Reason.INVALID_NUMBER, "Invalid destination address NPI"),
    "ESME_RINVSYSTYP": (0x53, _CONFIG, "Invalid system_type field"),
    "ESME_RINVREPFLAG": (0x54, _CONFIG, "Invalid replace_if_present flag"),
    "ESME_RINVNUMMSGS": (0x55, _CONFIG, "Invalid number of messages"),
    "ESME_RTHROTTLED": (0x58, Reason.RATE_LIMITED, "Throttling error: the ESME exceeded its message limits"),
    "ESME_RINVSCHED": (0x61, _CONFIG, "Invalid scheduled delivery time"),
    "ESME_RINVEXPIRY": (0x62, _CONFIG, "Invalid message validity period (expiry time)"),
    "ESME_RINVDFTMSGID": (0x63, _CONFIG, "Predefined message invalid or not found"),
    "ESME_RX_T_APPN": (0x64, Reason.CARRIER_ERROR, "ESME receiver temporary application error"),
    "ESME_RX_P_APPN": (0x65, Reason.UNKNOWN, "ESME receiver permanent application error"),
    "ESME_RX_R_APPN": (0x66, Reason.UNKNOWN, "ESME receiver reject message error"),
    "ESME_RQUERYFAIL": (0x67, _CONFIG, "query_sm request failed"),
    "ESME_RINVOPTPARSTREAM": (0xC0, _CONFIG, "Error in the optional part of the PDU body"),
    "ESME_ROPTPARNOTALLWD": (0xC1, _CONFIG, "Optional parameter not allowed"),
    "ESME_RINVPARLEN": (0xC2, _CONFIG, "Invalid parameter length"),
    "ESME_RMISSINGOPTPARAM": (0xC3, _CONFIG, "Expected optional parameter missing"),
    "ESME_RINVOPTPARAMVAL": (0xC4, _CONFIG, "Invalid optional parameter value"),
    "ESME_RDELIVERYFAILURE": (0xFE, Reason.CARRIER_ERROR, "Delivery failure (data_sm_resp)"),
    "ESME_RUNKNOWNERR": (0xFF, Reason.UNKNOWN, "Unknown error"),
}

#: The level-2 states Jasmin accepts (``DLRContentForHttpapi``), SMPP v3.4 Appendix B.
RECEIPT_STATES = ("DELIVRD", "EXPIRED", "DELETED", "UNDELIV", "ACCEPTD", "UNKNOWN", "REJECTD")

UNMAPPED = MappedStatus(Status.UNKNOWN, None, MappingKind.UNMAPPED, None)
_OTHER_REFUSAL = MappedStatus(
    Status.REJECTED,
    Reason.UNKNOWN,
    MappingKind.VENDOR_DEFAULT,
    "An SMPP error status outside the v3.4 table: Jasmin treats every status but ESME_ROK as a refused submit",
)


def _command(name: str) -> MappedStatus:
    _, reason, description = COMMAND_STATUSES[name]
    if reason is None:
        return MappedStatus(Status.SENT, None, MappingKind.EXACT, description)
    return MappedStatus(Status.REJECTED, reason, MappingKind.EXACT, description)


_TABLE: dict[str, MappedStatus] = {name: _command(name) for name in COMMAND_STATUSES} | {
    word: STAT_WORDS[word] for word in RECEIPT_STATES
}


def map_value(status: str, code: str | None = None) -> MappedStatus:
    """The canonical meaning of a ``message_status`` (any case); ``code`` (the
    receipt's ``err``) is network specific and changes nothing. Unknown values
    are unmapped, never an error."""
    name = status.strip().upper()
    mapped = _TABLE.get(name)
    if mapped is not None:
        return mapped
    if name.startswith("ESME_") and len(name) > 5:
        return _OTHER_REFUSAL
    return UNMAPPED


DOCUMENTED: tuple[DocumentedStatus, ...] = tuple(
    DocumentedStatus(name, map_value(name), None, description)
    for name, (_, _, description) in COMMAND_STATUSES.items()
) + tuple(
    DocumentedStatus(word, map_value(word), None, STAT_WORDS[word].description or "")
    for word in RECEIPT_STATES
)
