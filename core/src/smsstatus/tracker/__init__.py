"""Status tracking: apply canonical reports to a store (SQLite or PostgreSQL).

::

    from smsstatus.tracker import Tracker, open_store

    tracker = Tracker(open_store("sqlite:///smsstatus.sqlite3"), on_change=print)
    tracker.apply(registry.parse_push("d7", request).reports)
    tracker.message("d7", "0e4f...")  # current status, parts and full history

See ``docs/tracker.md``. Database drivers load only when a store is opened.
"""

from __future__ import annotations

from .errors import DatabaseURLError, MigrationError, NotTrackedError, StoreBusy, StoreError
from .keys import SYNTHETIC_EXPIRED, MessageKey, event_key, is_synthetic, message_key, part_of
from .polling import synthetic_report
from .records import (
    ApplyResult,
    AutoTrack,
    DeadLetter,
    DeadLetterDrop,
    DeadLetterLimits,
    DeadLetterRecord,
    EventRecord,
    MessageRecord,
    Outcome,
    PartRecord,
    PollTarget,
    StatusChange,
)
from .store import DEFAULT_URL, Store, open_store, redact_url
from .tracker import Tracker
from .transitions import FINAL_TO_FINAL, PROGRESS, Current, Decision, decide

__all__ = [
    "DEFAULT_URL",
    "FINAL_TO_FINAL",
    "PROGRESS",
    "SYNTHETIC_EXPIRED",
    "ApplyResult",
    "AutoTrack",
    "Current",
    "DatabaseURLError",
    "DeadLetter",
    "DeadLetterDrop",
    "DeadLetterLimits",
    "DeadLetterRecord",
    "Decision",
    "EventRecord",
    "MessageKey",
    "MessageRecord",
    "MigrationError",
    "NotTrackedError",
    "Outcome",
    "PartRecord",
    "PollTarget",
    "StatusChange",
    "Store",
    "StoreBusy",
    "StoreError",
    "Tracker",
    "decide",
    "event_key",
    "is_synthetic",
    "message_key",
    "open_store",
    "part_of",
    "redact_url",
    "synthetic_report",
]
