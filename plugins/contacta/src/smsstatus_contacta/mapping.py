"""Contacta status values to canonical statuses.

The documented ``GET /v2/sms/check`` answer has one status value only: the
boolean ``status: true`` ("the request worked"), reported verbatim as the text
``"true"``. It says Contacta has the message (and charged it), nothing about
delivery, so it maps to ``sent``.

The older answer shape the vendor's PHP SDK reads carries ``status`` and
``disposicion`` whose values are undocumented [U]. The plugin recognises
Spanish and English words it can reason about and the SMPP ``stat`` words (a
plausible vocabulary for a carrier disposition), case-insensitively; anything
else is ``unknown`` / ``unmapped``. A recognised ``disposicion`` (passed as
``code``) wins over the ``status`` word.
"""

from __future__ import annotations

from smsstatus.plugin import STAT_WORDS, DocumentedStatus, MappedStatus, MappingKind, Reason, Status

__all__ = ["DOCUMENTED", "STATUS_TRUE", "lookup", "map_value", "normalise"]

#: ``vendor_status`` of a documented success answer (the JSON boolean as text).
STATUS_TRUE = "true"

_TRUE = MappedStatus(
    Status.SENT,
    description="check answered status true: Contacta has the message and its charge; no delivery state",
)

_DELIVERED = MappedStatus(Status.DELIVERED, description="delivered")
_SENT = MappedStatus(Status.SENT, description="sent to the carrier, no delivery confirmation")
_ACCEPTED = MappedStatus(Status.ACCEPTED, description="queued or pending at Contacta")
_SCHEDULED = MappedStatus(Status.SCHEDULED, description="scheduled for later sending")
_FAILED = MappedStatus(Status.UNDELIVERED, Reason.UNKNOWN, description="failed, no reason given")
_EXPIRED = MappedStatus(Status.EXPIRED, Reason.EXPIRED, description="expired before delivery")
_REJECTED = MappedStatus(Status.REJECTED, Reason.UNKNOWN, description="rejected, no reason given")
_CANCELLED = MappedStatus(Status.REJECTED, Reason.CANCELLED, description="cancelled before sending")
_UNKNOWN = MappedStatus(Status.UNKNOWN, description="the vendor says the state is unknown")

#: Legacy words (lower case, single spaces). All unverified [U].
_WORDS: dict[str, MappedStatus] = {
    "entregado": _DELIVERED,
    "entregada": _DELIVERED,
    "delivered": _DELIVERED,
    "enviado": _SENT,
    "enviada": _SENT,
    "sent": _SENT,
    "pendiente": _ACCEPTED,
    "en cola": _ACCEPTED,
    "encolado": _ACCEPTED,
    "queued": _ACCEPTED,
    "pending": _ACCEPTED,
    "accepted": _ACCEPTED,
    "aceptado": _ACCEPTED,
    "programado": _SCHEDULED,
    "programada": _SCHEDULED,
    "scheduled": _SCHEDULED,
    "fallido": _FAILED,
    "fallida": _FAILED,
    "failed": _FAILED,
    "no entregado": _FAILED,
    "undelivered": _FAILED,
    "expirado": _EXPIRED,
    "expirada": _EXPIRED,
    "expired": _EXPIRED,
    "rechazado": _REJECTED,
    "rechazada": _REJECTED,
    "rejected": _REJECTED,
    "cancelado": _CANCELLED,
    "cancelada": _CANCELLED,
    "cancelled": _CANCELLED,
    "canceled": _CANCELLED,
    "desconocido": _UNKNOWN,
    "unknown": _UNKNOWN,
}

#: Every recognised value: the words, then the SMPP stat words (core's table)
#: where they do not repeat a word (``expired``, ``unknown`` mean the same).
_TABLE: dict[str, MappedStatus] = {
    **{word.lower(): mapped for word, mapped in STAT_WORDS.items()},
    **_WORDS,
}

_UNMAPPED = MappedStatus(Status.UNKNOWN, mapping=MappingKind.UNMAPPED)

_SEPARATORS = str.maketrans("_-", "  ")


def normalise(value: str) -> str:
    """Lower case, ``_``/``-`` as spaces, runs of whitespace as one space."""
    return " ".join(value.translate(_SEPARATORS).split()).lower()


def lookup(value: str | None) -> MappedStatus | None:
    """The mapping of one legacy word, or ``None`` when it is not recognised."""
    if value is None:
        return None
    return _TABLE.get(normalise(value))


def map_value(status: str, code: str | None) -> MappedStatus:
    """Map a status (and disposition, as ``code``); never raises."""
    if code is not None:
        by_code = lookup(code)
        if by_code is not None:
            return by_code
    if normalise(status) == STATUS_TRUE:
        return _TRUE
    return lookup(status) or _UNMAPPED


def _documented() -> tuple[DocumentedStatus, ...]:
    found = [
        DocumentedStatus(
            STATUS_TRUE,
            _TRUE,
            description="Documented: 'status': true in a check answer (request OK, no delivery state)",
        )
    ]
    found += [
        DocumentedStatus(
            word,
            mapped,
            description=f"[U] legacy status/disposicion word (vendor SDK shape): {mapped.description}",
        )
        for word, mapped in _WORDS.items()
    ]
    found += [
        DocumentedStatus(
            stat,
            _TABLE[stat.lower()],
            description=f"[U] SMPP stat word as a legacy status/disposicion: {_TABLE[stat.lower()].description}",
        )
        for stat in STAT_WORDS
        if stat.lower() not in _WORDS
    ]
    return tuple(found)


#: Every value the plugin recognises, with its expected mapping.
DOCUMENTED: tuple[DocumentedStatus, ...] = _documented()
