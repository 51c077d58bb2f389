"""Jasmin's ``message_status`` values and their canonical meaning.

A delivery receipt Jasmin relays carries one of two vocabularies
(``jasmin/managers/content.py``, ``DLRContentForHttpapi``):

* **level 1** (the SMSC's answer to ``submit_sm``): the SMPP ``command_status``
  by name, ``ESME_ROK`` or an error such as ``ESME_RINVNUMDESTS``, looked up in
  core's SMPP table (SMPP v3.4 section 5.1.3, Table 5-2, and SMPP v5.0's
  additions; either version's name). ``ESME_ROK`` means the SMSC took the
  message: ``sent``, never ``delivered``. Every other name means the submit
  was refused: ``rejected``, with the table's reason. A name outside the table
  is still a refusal (Jasmin treats every status but ``ESME_ROK`` as an
  error), so it maps to ``rejected`` as the vendor's default;
* **level 2** (the handset receipt in ``deliver_sm``): the seven ``stat`` words
  of SMPP v3.4 Appendix B, mapped by core's SMPP table (``ACCEPTD`` stays in
  flight, ``UNKNOWN`` is not final).
"""

from __future__ import annotations

from smsstatus.plugin import (
    COMMAND_STATUSES,
    STAT_WORDS,
    DocumentedStatus,
    MappedStatus,
    MappingKind,
    Reason,
    Status,
    map_command_status,
)

__all__ = ["DOCUMENTED", "RECEIPT_STATES", "UNMAPPED", "map_value"]

#: The level-2 states Jasmin accepts (``DLRContentForHttpapi``), SMPP v3.4 Appendix B.
RECEIPT_STATES = ("DELIVRD", "EXPIRED", "DELETED", "UNDELIV", "ACCEPTD", "UNKNOWN", "REJECTD")

UNMAPPED = MappedStatus(Status.UNKNOWN, None, MappingKind.UNMAPPED, None)
_OTHER_REFUSAL = MappedStatus(
    Status.REJECTED,
    Reason.UNKNOWN,
    MappingKind.VENDOR_DEFAULT,
    "An SMPP error status outside the SMPP tables: Jasmin treats every status but ESME_ROK as a refused submit",
)
_RECEIPTS: dict[str, MappedStatus] = {word: STAT_WORDS[word] for word in RECEIPT_STATES}


def map_value(status: str, code: str | None = None) -> MappedStatus:
    """The canonical meaning of a ``message_status`` (any case); ``code`` (the
    receipt's ``err``) is network specific and changes nothing. Unknown values
    are unmapped, never an error."""
    name = status.strip().upper()
    receipt = _RECEIPTS.get(name)
    if receipt is not None:
        return receipt
    if not name.startswith("ESME_"):
        return UNMAPPED  # also keeps hex text ("0x0b") away from the code lookup
    mapped = map_command_status(name)
    if mapped.mapping is not MappingKind.UNMAPPED:
        return mapped
    return _OTHER_REFUSAL if len(name) > 5 else UNMAPPED


# Jasmin names command statuses with its SMPP v3.4 library, so v3.4's table is
# what it documents (v5.0's names map too, from the same table).
DOCUMENTED: tuple[DocumentedStatus, ...] = tuple(
    DocumentedStatus(entry.name, map_value(entry.name), None, entry.description)
    for entry in COMMAND_STATUSES.values()
    if entry.since == "3.4"
) + tuple(
    DocumentedStatus(word, map_value(word), None, STAT_WORDS[word].description or "")
    for word in RECEIPT_STATES
)
