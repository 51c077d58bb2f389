"""The tracker's value types: what an apply call returns, what listeners
hear, and the rows the store hands back (messages, parts, events, poll
targets, dead letters)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

import attrs

from ..model import Reason, Status, StatusReport
from ..vendor import PollPolicy
from .keys import MessageKey
from .transitions import Decision

__all__ = [
    "StatusChange",
    "Outcome",
    "ApplyResult",
    "DeadLetter",
    "AutoTrack",
    "PollTarget",
    "EventRecord",
    "PartRecord",
    "MessageRecord",
    "DeadLetterRecord",
]


@attrs.frozen(kw_only=True)
class StatusChange:
    """An applied status change, told to listeners after the commit.

    ``previous``/``status`` are the part's; ``message_status`` is the
    message-level status after the change (multipart messages combine their
    parts with :func:`smsstatus.multipart.combine_parts`).
    """

    key: MessageKey
    part_index: int
    part_total: int | None
    previous: Status | None
    status: Status
    reason: Reason | None
    decision: Decision
    previous_message_status: Status | None
    message_status: Status
    message_reason: Reason | None
    message_final: bool
    report: StatusReport
    event_id: int


@attrs.frozen(kw_only=True)
class Outcome:
    """What happened to one input report."""

    index: int
    key: MessageKey | None
    event_id: int | None = None
    decision: Decision | None = None
    duplicate: bool = False

    @property
    def applied(self) -> bool:
        return self.decision is not None and self.decision.applied

    @property
    def tracked(self) -> bool:
        return self.key is not None


@attrs.frozen(kw_only=True)
class ApplyResult:
    outcomes: tuple[Outcome, ...]
    changes: tuple[StatusChange, ...]
    dead_letter_ids: tuple[int, ...] = ()

    @property
    def applied(self) -> int:
        return sum(1 for o in self.outcomes if o.applied)

    @property
    def duplicates(self) -> int:
        return sum(1 for o in self.outcomes if o.duplicate)

    @property
    def history_only(self) -> int:
        return sum(1 for o in self.outcomes if o.decision is not None and not o.decision.applied)


@attrs.frozen(kw_only=True)
class DeadLetter:
    """A push (or the failed items of a batch push) kept for replay.

    Build it with secrets already redacted (``smsstatus.server.redact``).
    ``kind`` is ``request`` (the whole push failed) or ``items`` (some items
    of a batch failed; ``items`` lists them, the good reports were stored).
    """

    vendor: str
    kind: Literal["request", "items"]
    error_type: str
    error: str
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    received_at: datetime
    remote_addr: str | None = None
    body_complete: bool = True
    items: tuple[Mapping[str, Any], ...] | None = None


@attrs.frozen(kw_only=True)
class AutoTrack:
    """Poll messages first seen through a push: the report field holding the
    id the vendor's fetch takes (``batch_id`` for D7's request id and
    uSpeedo's SessionNo, ``message_id`` where fetch takes message ids)."""

    field: Literal["batch_id", "message_id"]
    policy: PollPolicy


@attrs.frozen(kw_only=True)
class PollTarget:
    """An id the poller fetches for, with its schedule and lease."""

    id: int
    vendor: str
    fetch_id: str
    state: str
    submitted_at: datetime
    next_poll_at: datetime
    give_up_at: datetime
    polls: int
    last_polled_at: datetime | None = None
    last_error: str | None = None
    lease_owner: str | None = None
    lease_until: datetime | None = None


@attrs.frozen(kw_only=True)
class EventRecord:
    id: int
    part_index: int
    status: Status
    reason: Reason | None
    vendor_status: str | None
    vendor_code: str | None
    status_at: datetime | None
    received_at: datetime
    recorded_at: datetime
    channel: str
    applied: bool
    decision: Decision
    synthetic: bool
    duplicates: int
    report: Mapping[str, Any]


@attrs.frozen(kw_only=True)
class PartRecord:
    index: int
    total: int | None
    status: Status
    reason: Reason | None
    final: bool
    status_at: datetime | None
    received_at: datetime
    event_id: int


@attrs.frozen(kw_only=True)
class MessageRecord:
    key: MessageKey
    status: Status | None
    reason: Reason | None
    final: bool
    parts_total: int | None
    parts_missing: tuple[int, ...]
    batch_id: str | None
    client_ref: str | None
    events: int
    created_at: datetime
    updated_at: datetime
    parts: tuple[PartRecord, ...]
    history: tuple[EventRecord, ...]
    poll_target: PollTarget | None


@attrs.frozen(kw_only=True)
class DeadLetterRecord:
    id: int
    vendor: str
    kind: str
    state: str
    error_type: str
    error: str
    items: tuple[Mapping[str, Any], ...] | None
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    body_complete: bool
    remote_addr: str | None
    received_at: datetime
    created_at: datetime
    attempts: int
    last_attempt_at: datetime | None
    last_error: str | None
    replayed_at: datetime | None
