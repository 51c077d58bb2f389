"""The SMPP ``stat`` words and ``message_state`` values, and their canonical meaning.

A module of their own (re-exported by :mod:`smsstatus.smpp`) because plugins'
mapping tables read them while every plugin loads, at every start-up, and the
receipt parser in :mod:`smsstatus.smpp` is needed only when a push arrives.
"""

from __future__ import annotations

from .model import MappedStatus, Reason, Status

__all__ = ["MESSAGE_STATES", "STAT_WORDS"]

#: ``message_state`` TLV (0x0427) values and the matching ``stat`` words.
MESSAGE_STATES: dict[int, str] = {
    0: "SCHEDLD",  # SMPP 5.0 only
    1: "ENROUTE",
    2: "DELIVRD",
    3: "EXPIRED",
    4: "DELETED",
    5: "UNDELIV",
    6: "ACCEPTD",
    7: "UNKNOWN",
    8: "REJECTD",
    9: "SKIPPED",  # SMPP 5.0 only
}

#: Canonical meaning of each ``stat`` word.
STAT_WORDS: dict[str, MappedStatus] = {
    "SCHEDLD": MappedStatus(Status.SCHEDULED, description="scheduled, delivery not started"),
    "ENROUTE": MappedStatus(Status.SENT, description="in the SMSC, possibly in retry"),
    "DELIVRD": MappedStatus(Status.DELIVERED, description="delivered to the destination"),
    "EXPIRED": MappedStatus(Status.EXPIRED, Reason.EXPIRED, description="validity period expired"),
    "DELETED": MappedStatus(Status.UNDELIVERED, Reason.CANCELLED, description="deleted in the SMSC"),
    "UNDELIV": MappedStatus(Status.UNDELIVERED, Reason.UNKNOWN, description="undeliverable"),
    # Final in the spec ("read on behalf of the subscriber by customer service"),
    # but vendors (Huawei, Jasmin users) send it as an interim acceptance: treat
    # as in flight so a later report can still settle it.
    "ACCEPTD": MappedStatus(Status.SENT, description="accepted; final in the spec, interim in practice"),
    "UNKNOWN": MappedStatus(Status.UNKNOWN, description="state unknown to the SMSC"),
    "REJECTD": MappedStatus(Status.REJECTED, Reason.UNKNOWN, description="rejected by a delivery interface"),
    "SKIPPED": MappedStatus(
        Status.REJECTED, Reason.UNKNOWN, description="accepted but deliberately not sent"
    ),
}
