"""Every SQL statement of the tracker, written once for both backends
(``?`` markers; :class:`~smsstatus.tracker.store.Dialect` adapts them), and
the helpers that build multi-row statements and read rows back."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TypeVar

T = TypeVar("T")

# Statements that touch many rows take one VALUES row per item ("{rows}"), so
# a batch costs a handful of round trips. They are written for a few row
# counts only (SIZES): a batch is cut into chunks of those sizes, so each
# statement text is compiled once per connection and reused (SQLite's
# statement cache, PostgreSQL's prepared statements) instead of compiling a
# new text for every batch size that comes along. Every count up to 32 has its
# own size: a receiver's group commit is usually that small (about 2 to 32
# pushes under load), and cutting a group of 11 into 8 + 3 cost a second
# statement per table.
SIZES: tuple[int, ...] = (128, 96, 64, 48, 40, *range(32, 0, -1))
CHUNK = SIZES[0]
#: The largest size that fits in ``n`` items, for every ``n`` up to CHUNK.
_FIT = (0, *(max(s for s in SIZES if s <= n) for n in range(1, CHUNK + 1)))
#: Distinct statement texts a connection should keep compiled (about 6
#: multi-row statements in each of the SIZES, plus the single statements).
STATEMENT_CACHE = 512

# Creates missing message rows and locks all of them (ON CONFLICT DO UPDATE
# takes the row lock); rows are given in key order so writers never deadlock.
LOCK_MESSAGES = """
INSERT INTO messages (vendor, message_id, recipient, final, events, created_at, updated_at)
VALUES {rows}
ON CONFLICT (vendor, message_id, recipient) DO UPDATE SET updated_at = excluded.updated_at
RETURNING id, vendor, message_id, recipient, status, poll_target_id, events
"""
LOCK_ROW = "(?, ?, ?, ?, 0, ?, ?)"

# What the apply path reads back in one statement: the parts of messages that
# already had events (first column 0) and which event keys are stored already
# (first column 1).
_STATE_PARTS = """
SELECT 0, message_pk, part_index, part_total, status, reason, status_at, received_at, part_ref FROM parts
WHERE message_pk IN ({pks})"""
_STATE_KEYS = """
SELECT 1, NULL, NULL, NULL, event_key, NULL, NULL, NULL, NULL FROM events
WHERE message_pk IN ({pks}) AND event_key IN ({keys})"""

# The lean apply path (apply_lean, SQLite only: its write transaction holds
# the whole store): the group's messages that exist, read without writing
# (joined from the keys, so each is one search of the unique index), then the
# new ones inserted once, fully formed, instead of a lock insert and an update.
SELECT_MESSAGES_BY_KEY = """
SELECT m.id, m.vendor, m.message_id, m.recipient, m.events
FROM (VALUES {rows}) AS k JOIN messages m
    ON m.vendor = k.column1 AND m.message_id = k.column2 AND m.recipient = k.column3
"""
KEY_ROW = "(?, ?, ?)"
INSERT_MESSAGES = """
INSERT INTO messages (vendor, message_id, recipient, status, reason, final, parts_total, parts_missing,
    batch_id, client_ref, poll_target_id, events, created_at, updated_at)
VALUES {rows}
RETURNING id, vendor, message_id, recipient
"""

INSERT_EVENTS = """
INSERT INTO events (message_pk, part_index, event_key, status, reason, vendor_status, vendor_code,
    status_at, received_at, recorded_at, channel, applied, decision, synthetic, duplicates, report)
VALUES {rows}
ON CONFLICT (message_pk, event_key) DO NOTHING
RETURNING id, event_key
"""
EVENT_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)"

COUNT_DUPLICATE = (
    "UPDATE events SET duplicates = duplicates + ? WHERE message_pk = ? AND event_key = ? RETURNING id"
)

UPSERT_PARTS = """
INSERT INTO parts (message_pk, part_index, part_total, status, reason, final, status_at, received_at,
    event_id, updated_at, part_ref)
VALUES {rows}
ON CONFLICT (message_pk, part_index) DO UPDATE SET
    part_total = COALESCE(excluded.part_total, parts.part_total),
    part_ref = COALESCE(excluded.part_ref, parts.part_ref),
    status = excluded.status, reason = excluded.reason, final = excluded.final,
    status_at = excluded.status_at, received_at = excluded.received_at,
    event_id = excluded.event_id, updated_at = excluded.updated_at
"""
PART_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

# Message rows exist and are locked: these "inserts" always update.
UPDATE_MESSAGES = """
INSERT INTO messages (vendor, message_id, recipient, status, reason, final, parts_total, parts_missing,
    batch_id, client_ref, poll_target_id, events, created_at, updated_at)
VALUES {rows}
ON CONFLICT (vendor, message_id, recipient) DO UPDATE SET
    status = excluded.status, reason = excluded.reason, final = excluded.final,
    parts_total = excluded.parts_total, parts_missing = excluded.parts_missing,
    batch_id = COALESCE(excluded.batch_id, messages.batch_id),
    client_ref = COALESCE(excluded.client_ref, messages.client_ref),
    poll_target_id = COALESCE(excluded.poll_target_id, messages.poll_target_id),
    events = messages.events + excluded.events, updated_at = excluded.updated_at
"""
MESSAGE_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

COUNT_MESSAGES = """
INSERT INTO messages (vendor, message_id, recipient, final, batch_id, client_ref, poll_target_id, events,
    created_at, updated_at)
VALUES {rows}
ON CONFLICT (vendor, message_id, recipient) DO UPDATE SET
    batch_id = COALESCE(excluded.batch_id, messages.batch_id),
    client_ref = COALESCE(excluded.client_ref, messages.client_ref),
    poll_target_id = COALESCE(excluded.poll_target_id, messages.poll_target_id),
    events = messages.events + excluded.events, updated_at = excluded.updated_at
"""
COUNT_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"


def chunks(items: Sequence[T]) -> Iterable[Sequence[T]]:
    """``items`` in consecutive chunks whose lengths are in :data:`SIZES`."""
    start = 0
    while (left := len(items) - start) > 0:
        size = _FIT[min(left, CHUNK)]
        yield items[start : start + size]
        start += size


def state_chunks(keys_of: Mapping[int, Mapping[str, None]]) -> Iterator[tuple[list[int], list[str]]]:
    """(message pks, event keys of those messages) for :func:`state_query`, at
    most :data:`CHUNK` of each: a key is only looked up next to its own message."""
    pks: list[int] = []
    keys: list[str] = []
    for pk, of_message in keys_of.items():
        if len(pks) + 1 > CHUNK or len(keys) + len(of_message) > CHUNK:
            if pks:
                yield pks, keys
            pks, keys = [], []
        if len(of_message) > CHUNK:
            listed = list(of_message)
            for start in range(0, len(listed), CHUNK):
                yield [pk], listed[start : start + CHUNK]
            continue
        pks.append(pk)
        keys.extend(of_message)
    if pks:
        yield pks, keys


def padded(items: Sequence[T], size: int) -> list[T]:
    """``items`` (not empty) repeated at the end up to ``size``: an ``IN``
    list of a standard length returns the same rows."""
    return [*items, *[items[-1]] * (size - len(items))]


def size_for(count: int) -> int:
    """The smallest of :data:`SIZES` that holds ``count`` (at most CHUNK)."""
    return min((s for s in SIZES if s >= count), default=CHUNK)


@functools.lru_cache(maxsize=STATEMENT_CACHE)
def rows(template: str, row: str, count: int) -> str:
    return template.format(rows=", ".join([row] * count))


@functools.lru_cache(maxsize=STATEMENT_CACHE)
def marks(template: str, count: int) -> str:
    return template.format(marks=", ".join(["?"] * count))


@functools.lru_cache(maxsize=len(SIZES))
def state_query(count: int) -> str:
    """The parts of ``count`` message rows and which of ``count`` event keys
    of those messages are stored (parameters: the primary keys, the primary
    keys again, then the event keys; pad each list with :func:`padded`)."""
    marked = ", ".join(["?"] * count)
    return _STATE_PARTS.format(pks=marked) + "\nUNION ALL" + _STATE_KEYS.format(pks=marked, keys=marked)


INSERT_TARGET = """
INSERT INTO poll_targets (vendor, fetch_id, state, submitted_at, next_poll_at, give_up_at, polls,
    created_at, updated_at)
VALUES (?, ?, 'active', ?, ?, ?, 0, ?, ?)
ON CONFLICT (vendor, fetch_id) DO NOTHING
"""

TARGET_COLUMNS = (
    "id, vendor, fetch_id, state, submitted_at, next_poll_at, give_up_at, polls, last_polled_at,"
    " last_error, lease_owner, lease_until"
)

CLAIM = """
UPDATE poll_targets SET lease_owner = ?, lease_until = ?, updated_at = ?
WHERE id IN (
    SELECT id FROM poll_targets
    WHERE vendor = ? AND state = 'active' AND next_poll_at <= ? AND (lease_until IS NULL OR lease_until < ?)
    ORDER BY next_poll_at, id
    LIMIT ?{lock}
)
RETURNING {columns}
"""

FINISH_TARGET = """
UPDATE poll_targets SET state = ?, next_poll_at = ?, lease_owner = NULL, lease_until = NULL,
    polls = polls + ?, last_polled_at = COALESCE(?, last_polled_at), last_error = ?, updated_at = ?
WHERE id = ? AND lease_owner = ?
"""

INSERT_DEAD_LETTER = """
INSERT INTO dead_letters (vendor, kind, state, error_type, error, items, method, url, headers, body,
    body_complete, remote_addr, received_at, created_at, attempts, authentication, replay_copy, size)
VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)
RETURNING id
"""

DEAD_LETTER_COLUMNS = (
    "id, vendor, kind, state, error_type, error, items, method, url, headers, body, body_complete,"
    " remote_addr, received_at, created_at, attempts, last_attempt_at, last_error, replayed_at,"
    " authentication, replay_copy, size"
)

# The two dead-letter quotas: authenticated pushes, and everything else.
DEAD_LETTER_USAGE_AUTHENTICATED = (
    "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM dead_letters WHERE authentication = 'passed'"
)
DEAD_LETTER_USAGE_OTHERS = (
    "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM dead_letters WHERE authentication <> 'passed'"
)

COUNT_EXPIRED_DEAD_LETTERS = """
SELECT vendor, COUNT(*), COALESCE(SUM(size), 0) FROM dead_letters WHERE created_at < ? GROUP BY vendor
"""
DELETE_EXPIRED_DEAD_LETTERS = "DELETE FROM dead_letters WHERE created_at < ?"

COUNT_DROP = """
INSERT INTO dead_letter_drops (vendor, reason, letters, bytes, last_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (vendor, reason) DO UPDATE SET letters = dead_letter_drops.letters + excluded.letters,
    bytes = dead_letter_drops.bytes + excluded.bytes, last_at = excluded.last_at
"""
SELECT_DROPS = "SELECT vendor, reason, letters, bytes, last_at FROM dead_letter_drops ORDER BY vendor, reason"

# -- single statements ---------------------------------------------------------

SELECT_TARGET_ID = "SELECT id FROM poll_targets WHERE vendor = ? AND fetch_id = ?"

# Targets whose linked messages are all final need no fetch.
UNSETTLED = """
SELECT poll_target_id, COUNT(*), SUM(CASE WHEN final THEN 0 ELSE 1 END) FROM messages
WHERE poll_target_id IN ({marks}) GROUP BY poll_target_id
"""

# The parts of every message linked to a poll target (messages without parts too).
SELECT_LINKED_PARTS = """
SELECT m.message_id, m.recipient, m.batch_id, p.part_index, p.part_total, p.status, p.part_ref
FROM messages m LEFT JOIN parts p ON p.message_pk = m.id
WHERE m.poll_target_id = ? ORDER BY m.id, p.part_index
"""

SELECT_TARGET_BY_FETCH_ID = f"SELECT {TARGET_COLUMNS} FROM poll_targets WHERE vendor = ? AND fetch_id = ?"  # noqa: S608
SELECT_TARGET_BY_ID = f"SELECT {TARGET_COLUMNS} FROM poll_targets WHERE id = ?"  # noqa: S608

SELECT_MESSAGES_OF = """
SELECT id, message_id, recipient, status, reason, final, parts_total, parts_missing, batch_id,
    client_ref, events, created_at, updated_at, poll_target_id FROM messages
WHERE vendor = ? AND (message_id = ? OR poll_target_id = ?) ORDER BY id
"""

SELECT_PARTS_OF = """
SELECT part_index, part_total, status, reason, final, status_at, received_at, event_id, part_ref
FROM parts WHERE message_pk = ? ORDER BY part_index
"""

SELECT_EVENTS_OF = """
SELECT id, part_index, status, reason, vendor_status, vendor_code, status_at, received_at,
    recorded_at, channel, applied, decision, synthetic, duplicates, report
FROM events WHERE message_pk = ? ORDER BY id
"""

COUNTS = (
    ("messages", "SELECT COUNT(*) FROM messages"),
    ("final_messages", "SELECT COUNT(*) FROM messages WHERE final"),
    ("events", "SELECT COUNT(*) FROM events"),
    ("applied_events", "SELECT COUNT(*) FROM events WHERE applied"),
    ("duplicates", "SELECT COALESCE(SUM(duplicates), 0) FROM events"),
    ("dead_letters", "SELECT COUNT(*) FROM dead_letters"),
    ("pending_dead_letters", "SELECT COUNT(*) FROM dead_letters WHERE state = 'pending'"),
    ("poll_targets", "SELECT COUNT(*) FROM poll_targets"),
)

MARK_DEAD_LETTER = """
UPDATE dead_letters SET state = ?, attempts = attempts + 1, last_attempt_at = ?, last_error = ?,
    replayed_at = ? WHERE id = ?
"""


def required(value: datetime | None) -> datetime:
    """A time read from a NOT NULL column."""
    if value is None:
        raise ValueError("NOT NULL time column was NULL")
    return value
