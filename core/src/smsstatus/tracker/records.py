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
    "Authentication",
    "DeadLetter",
    "DeadLetterLimits",
    "DeadLetterDrop",
    "AutoTrack",
    "PollTarget",
    "EventRecord",
    "PartRecord",
    "MessageRecord",
    "DeadLetterRecord",
]


# The apply path builds one Outcome per report and one StatusChange per
# change: frozen dict classes build faster than slotted ones (which set each
# field through object.__setattr__).
@attrs.frozen(kw_only=True, slots=False)
class StatusChange:
    """An applied status change, told to listeners after the commit.

    One per message part whose current status changed (a newer event of the
    same status is not a change). ``previous``/``status`` are the part's;
    ``message_*`` describe the whole message after the change (multipart
    messages combine their parts with :func:`smsstatus.multipart.combine_parts`).
    ``smsstatus.to_json_data(change)`` gives it as JSON-ready data: these
    attribute names as keys, ``key`` and ``report`` as nested objects.
    """

    key: MessageKey
    """The message: vendor, message id and recipient."""
    part_index: int
    """Which part changed (1 for a single-part message; from 256 on, a segment named by ``part_ref``)."""
    part_total: int | None
    """How many parts the message has, when the report said so; else ``None``."""
    previous: Status | None
    """The part's status before this change (``None``: the first report for this part)."""
    status: Status
    """The part's status now."""
    reason: Reason | None
    """Why the part failed or is pending (``None`` when the report gave no reason)."""
    decision: Decision
    """Why the report applied (``first``, ``advance``, ``settle``, ``override``, ``window_expired``; see :class:`~smsstatus.tracker.Decision`)."""
    previous_message_status: Status | None
    """The message-level status before the change (``None``: no report before)."""
    message_status: Status
    """The message-level status after the change (the parts combined)."""
    message_reason: Reason | None
    """The message-level failure or pending reason after the change."""
    message_final: bool
    """Whether the message-level status is final (delivered, failed, rejected, expired, ...)."""
    report: StatusReport
    """The canonical report that caused the change, with the vendor's raw status, code and payload."""
    event_id: int
    """The id of the stored event (the row in the message's history)."""
    part_ref: str | None = None
    """The segment that changed, for gateways that name segments by their own id
    (``StatusReport.part_ref``); ``None`` for numbered parts."""


@attrs.frozen(kw_only=True, slots=False)
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
    #: One per dead letter given, ``None`` where the limits dropped it.
    dead_letter_ids: tuple[int | None, ...] = ()

    @property
    def applied(self) -> int:
        return sum(1 for o in self.outcomes if o.applied)

    @property
    def duplicates(self) -> int:
        return sum(1 for o in self.outcomes if o.duplicate)

    @property
    def history_only(self) -> int:
        return sum(1 for o in self.outcomes if o.decision is not None and not o.decision.applied)


#: ``DeadLetter.authentication``: what is known of the push's credentials.
#: ``passed``: the vendor's push credentials are configured and the push was
#: read (the plugin checks them first); ``failed``: refused for them;
#: ``unverified``: push credentials are configured but the push failed before
#: that could be known (unreadable, a plugin bug); ``none``: the vendor has no
#: push credentials configured, so nothing was checked.
Authentication = Literal["passed", "failed", "unverified", "none"]


@attrs.frozen(kw_only=True)
class DeadLetter:
    """A push (or the failed items of a batch push) kept for replay.

    Build it with secrets already redacted (``smsstatus.server.redact``):
    ``url``, ``headers`` and ``body`` are for display and are never replayed.
    ``replay_copy`` is what replay rebuilds the push from
    (:mod:`smsstatus.server.replay_copy`: the request as received minus the
    configured secrets), ``None`` when it cannot be replayed.
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
    authentication: Authentication = "unverified"
    replay_copy: bytes | None = attrs.field(default=None, repr=False)


@attrs.frozen(kw_only=True)
class DeadLetterLimits:
    """How much the dead-letter table may hold (``docs/tracker.md``, "Security model").

    Letters of authenticated pushes (``authentication == "passed"``) and all
    the others have a quota each (``max_letters``, ``max_bytes``), so
    unauthenticated traffic can never crowd out evidence of a real vendor's
    problem. A letter over its quota is not stored; a rejected push keeps at
    most ``body_prefix_bytes`` of its body (and is then not replayable);
    letters older than ``retention_days`` are deleted. Every letter or byte
    dropped is counted in ``dead_letter_drops``.
    """

    body_prefix_bytes: int = 64 * 1024
    max_letters: int = 10_000
    max_bytes: int = 64 * 1024 * 1024
    retention_days: float = 30.0


@attrs.frozen(kw_only=True)
class DeadLetterDrop:
    """What the limits dropped for one vendor and reason: ``quota`` (letters
    not stored), ``truncated`` (body bytes cut to the prefix), ``expired``
    (letters deleted after the retention time)."""

    vendor: str
    reason: str
    letters: int
    bytes: int
    last_at: datetime


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
    """The target's row id."""
    vendor: str
    """The vendor whose ``fetch`` is called."""
    fetch_id: str
    """The id passed to ``fetch`` (a message id, or a batch/request id: ``VendorInfo.fetch_key``)."""
    state: str
    """``active`` (still polled), ``settled`` (every message final) or ``expired`` (polling window over)."""
    submitted_at: datetime
    """When the id was first tracked (UTC)."""
    next_poll_at: datetime
    """When it is next due (UTC)."""
    give_up_at: datetime
    """When polling stops and unsettled messages get the synthetic ``expired`` outcome (UTC)."""
    polls: int
    """How many fetches were made for it."""
    last_polled_at: datetime | None = None
    """When it was last fetched (UTC), ``None`` before the first fetch."""
    last_error: str | None = None
    """The last fetch's error (secrets removed), ``None`` when it succeeded."""
    lease_owner: str | None = None
    """The poller holding the target right now, if any."""
    lease_until: datetime | None = None
    """When that lease runs out (UTC)."""


@attrs.frozen(kw_only=True)
class EventRecord:
    id: int
    """The event's id (``StatusChange.event_id`` refers to it)."""
    part_index: int
    """The part the report was about (1 for a single-part message)."""
    status: Status
    """The report's canonical status."""
    reason: Reason | None
    """The report's failure or pending reason, if any."""
    vendor_status: str | None
    """The vendor's own status value, as received."""
    vendor_code: str | None
    """The vendor's own error or detail code, as received."""
    status_at: datetime | None
    """When the vendor says the status happened (UTC), if it says."""
    received_at: datetime
    """When the report reached us (UTC)."""
    recorded_at: datetime
    """When the tracker stored it (UTC)."""
    channel: str
    """How it arrived: ``push``, ``fetch`` (or the channel a plugin named)."""
    applied: bool
    """Whether it became the part's current status."""
    decision: Decision
    """What the tracker did with it, and why (see :class:`~smsstatus.tracker.Decision`)."""
    synthetic: bool
    """Made up by the tracker (the poller gave up), not sent by the vendor."""
    duplicates: int
    """How many more times the vendor sent the same event (retries are counted, not stored)."""
    report: Mapping[str, Any]
    """The canonical report as JSON data (the schema's form), raw vendor payload included."""


@attrs.frozen(kw_only=True)
class PartRecord:
    index: int
    """The part's number (1 for a single-part message). A segment named by ref
    (``ref``) is numbered from 256 on (:data:`~smsstatus.tracker.keys.FIRST_SEGMENT_INDEX`)
    in the order the tracker first heard of it: not its position in the message."""
    total: int | None
    """How many parts the message has, when known."""
    status: Status
    """The part's current status."""
    reason: Reason | None
    """Its failure or pending reason, if any."""
    final: bool
    """Whether that status is final."""
    status_at: datetime | None
    """When the vendor says it happened (UTC), if it says."""
    received_at: datetime
    """When the report that set it arrived (UTC)."""
    event_id: int
    """The history event that set it."""
    ref: str | None = None
    """The segment's own id (``StatusReport.part_ref``), for gateways that split a
    message themselves; ``None`` for a numbered part."""


@attrs.frozen(kw_only=True)
class MessageRecord:
    key: MessageKey
    """The message: vendor, message id and recipient (an empty string when the vendor names none)."""
    status: Status | None
    """The message-level status (its parts combined); ``None`` while only polled, no report yet."""
    reason: Reason | None
    """The message-level failure or pending reason, if any."""
    final: bool
    """Whether the status is final: no later report will change it (except ``expired`` giving way to a carrier verdict)."""
    parts_total: int | None
    """How many parts the message has, when a report said so (for segments
    named by ref: the largest count a segment's report gave)."""
    parts_missing: tuple[int, ...]
    """Part numbers no report has been seen for yet."""
    batch_id: str | None
    """The vendor's batch or request id, when a report gave one."""
    client_ref: str | None
    """Your own reference, when the vendor echoes it."""
    events: int
    """How many distinct reports were received (duplicates not counted)."""
    created_at: datetime
    """When the tracker first heard of the message (UTC)."""
    updated_at: datetime
    """When its row last changed (UTC)."""
    parts: tuple[PartRecord, ...]
    """Each part's current status, by part number."""
    history: tuple[EventRecord, ...]
    """Every distinct report, in the order stored, applied or not."""
    poll_target: PollTarget | None
    """The poller's target for this message, if it is (or was) polled."""


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
    authentication: str = "unverified"
    replay_copy: bytes | None = attrs.field(default=None, repr=False)
    size: int = 0
