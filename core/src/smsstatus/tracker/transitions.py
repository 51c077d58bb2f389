"""The one table of status transitions the tracker applies.

Per message part the tracker keeps a *current* status. Every new report (that
is not a duplicate event) is kept in the history; :func:`decide` says whether
it also becomes the current status, and why. The rules, in order
(``docs/tracker.md`` shows the same table):

1. Nothing known yet: the report applies (``first``).
2. A final status never regresses: a non-final report after a final one is
   kept as history only (``final_regression``).
3. Final to final only where :data:`FINAL_TO_FINAL` allows it: ``expired``
   (a timeout verdict, often made up by the platform when the carrier stayed
   silent, e.g. Huawei's 72-hour ``EXPIRED``) gives way to a later carrier
   verdict (``override``). Every other change between finals is a
   ``final_conflict`` and the same final status again is a ``final_repeat``;
   both are kept as history only.
4. A final report settles a non-final status, whatever its time (``settle``).
5. A synthetic outcome (the poller gave up, see ``docs/tracker.md``) replaces
   any non-final status (``window_expired``).
6. Between non-final statuses the vendor's event time decides when both
   reports carry one: an older event is history only (``older_event``), a
   newer one applies (``advance``, or ``refresh`` for the same status).
7. Without comparable times, progress decides: ``unknown`` < ``scheduled`` <
   ``accepted`` < ``sent``. Going back is history only
   (``progress_regression``); the same status again refreshes.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Protocol

import attrs

from ..model import Status

__all__ = [
    "APPLIED_VALUES",
    "Decision",
    "Current",
    "FINAL_TO_FINAL",
    "FINAL_VALUES",
    "PROGRESS",
    "PartState",
    "STATUS_OF",
    "decide",
]


class Decision(enum.Enum):
    """What the tracker did with one (non-duplicate) report, and why."""

    FIRST = "first"
    ADVANCE = "advance"
    REFRESH = "refresh"
    SETTLE = "settle"
    OVERRIDE = "override"
    WINDOW_EXPIRED = "window_expired"
    OLDER_EVENT = "older_event"
    PROGRESS_REGRESSION = "progress_regression"
    FINAL_REGRESSION = "final_regression"
    FINAL_CONFLICT = "final_conflict"
    FINAL_REPEAT = "final_repeat"

    @property
    def applied(self) -> bool:
        """Whether the report became the part's current status."""
        return self in _APPLIED


_APPLIED = frozenset(
    {
        Decision.FIRST,
        Decision.ADVANCE,
        Decision.REFRESH,
        Decision.SETTLE,
        Decision.OVERRIDE,
        Decision.WINDOW_EXPIRED,
    }
)

#: Rank of non-final statuses when no vendor times can be compared.
PROGRESS: dict[Status, int] = {
    Status.UNKNOWN: 0,
    Status.SCHEDULED: 1,
    Status.ACCEPTED: 2,
    Status.SENT: 3,
}

_FINALS = (Status.DELIVERED, Status.UNDELIVERED, Status.EXPIRED, Status.REJECTED)
#: The values of the final statuses: ``status._value_ in FINAL_VALUES`` is
#: ``status.final`` without the set of members and the enum's Python
#: ``__hash__`` (decide() and the apply path ask it for every report).
FINAL_VALUES = frozenset(s._value_ for s in Status if s.final)
#: The values of the decisions that apply (``Decision.applied`` is a set
#: lookup through the enum's Python ``__hash__``; the apply path asks it for
#: every report, by the member's ``_value_``).
APPLIED_VALUES = frozenset(d._value_ for d in Decision if d.applied)
#: A stored status back to its member (``Status(value)`` goes through the
#: enum's Python-level lookup); a value not listed still raises as before.
STATUS_OF = {s._value_: s for s in Status}

#: Final to final: (current, new) -> decision. The diagonal repeats; only an
#: ``expired`` verdict may be replaced, by any other final carrier verdict.
FINAL_TO_FINAL: dict[tuple[Status, Status], Decision] = {
    (current, new): (
        Decision.FINAL_REPEAT
        if current is new
        else Decision.OVERRIDE
        if current is Status.EXPIRED
        else Decision.FINAL_CONFLICT
    )
    for current in _FINALS
    for new in _FINALS
}


@attrs.frozen
class Current:
    """What the tracker holds for one message part."""

    status: Status
    status_at: datetime | None


class PartState(Protocol):
    """What :func:`decide` reads of a part's current state: a :class:`Current`,
    or any object with the same two attributes (the lean apply path keeps them
    on its own per-message record instead of building a Current per report)."""

    @property
    def status(self) -> Status: ...

    @property
    def status_at(self) -> datetime | None: ...


def decide(
    current: PartState | None, status: Status, status_at: datetime | None, *, synthetic: bool = False
) -> Decision:
    """Decide whether a report (``status`` at vendor time ``status_at``)
    replaces ``current``; see the module docstring for the table."""
    if current is None:
        return Decision.WINDOW_EXPIRED if synthetic else Decision.FIRST
    new_final = status._value_ in FINAL_VALUES
    if current.status._value_ in FINAL_VALUES:
        if not new_final or synthetic:
            return Decision.FINAL_REGRESSION
        return FINAL_TO_FINAL[(current.status, status)]
    if new_final:
        return Decision.SETTLE
    if synthetic:
        return Decision.WINDOW_EXPIRED
    if status_at is not None and current.status_at is not None and status_at != current.status_at:
        if status_at < current.status_at:
            return Decision.OLDER_EVENT
        return Decision.REFRESH if status is current.status else Decision.ADVANCE
    if status is current.status:
        return Decision.REFRESH
    if PROGRESS[status] < PROGRESS[current.status]:
        return Decision.PROGRESS_REGRESSION
    return Decision.ADVANCE
