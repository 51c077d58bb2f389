"""Versioned schema migrations, one list for both backends.

Each migration is a version number, a name and DDL statements written once
with type placeholders (``{pk}``, ``{ts}``, ``{json}``, ``{bool}``, ``{blob}``,
``{ref}``) that each dialect fills in. Applied versions are recorded in
``schema_migrations``; :func:`migrate` applies the missing ones in one
transaction (PostgreSQL: under an advisory lock, so receivers starting
together do not race) and refuses a database newer than this code.

Never edit a released migration: add a new version.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import attrs

from .errors import MigrationError

if TYPE_CHECKING:
    from .store import Store

__all__ = ["Migration", "MIGRATIONS", "LATEST", "migrate", "applied_versions"]


@attrs.frozen
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]
    #: Statements that replace ``statements`` on one backend (by dialect name).
    by_dialect: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)

    def statements_for(self, dialect: str) -> tuple[str, ...]:
        return self.by_dialect.get(dialect, self.statements)


_V1 = (
    """
    CREATE TABLE poll_targets (
        id {pk},
        vendor TEXT NOT NULL,
        fetch_id TEXT NOT NULL,
        state TEXT NOT NULL,
        submitted_at {ts} NOT NULL,
        next_poll_at {ts} NOT NULL,
        give_up_at {ts} NOT NULL,
        lease_owner TEXT,
        lease_until {ts},
        polls INTEGER NOT NULL DEFAULT 0,
        last_polled_at {ts},
        last_error TEXT,
        created_at {ts} NOT NULL,
        updated_at {ts} NOT NULL,
        UNIQUE (vendor, fetch_id)
    )
    """,
    "CREATE INDEX poll_targets_due ON poll_targets (vendor, state, next_poll_at)",
    """
    CREATE TABLE messages (
        id {pk},
        vendor TEXT NOT NULL,
        message_id TEXT NOT NULL,
        recipient TEXT NOT NULL,
        status TEXT,
        reason TEXT,
        final {bool} NOT NULL,
        parts_total INTEGER,
        parts_missing {json},
        batch_id TEXT,
        client_ref TEXT,
        poll_target_id {ref} REFERENCES poll_targets (id),
        events INTEGER NOT NULL DEFAULT 0,
        created_at {ts} NOT NULL,
        updated_at {ts} NOT NULL,
        UNIQUE (vendor, message_id, recipient)
    )
    """,
    "CREATE INDEX messages_poll_target ON messages (poll_target_id)",
    """
    CREATE TABLE events (
        id {pk},
        message_pk {ref} NOT NULL REFERENCES messages (id),
        part_index INTEGER NOT NULL,
        event_key TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        reason TEXT,
        vendor_status TEXT,
        vendor_code TEXT,
        status_at {ts},
        received_at {ts} NOT NULL,
        recorded_at {ts} NOT NULL,
        channel TEXT NOT NULL,
        applied {bool} NOT NULL,
        decision TEXT NOT NULL,
        synthetic {bool} NOT NULL,
        duplicates INTEGER NOT NULL DEFAULT 0,
        report {json} NOT NULL
    )
    """,
    "CREATE INDEX events_message ON events (message_pk, id)",
    """
    CREATE TABLE parts (
        message_pk {ref} NOT NULL REFERENCES messages (id),
        part_index INTEGER NOT NULL,
        part_total INTEGER,
        status TEXT NOT NULL,
        reason TEXT,
        final {bool} NOT NULL,
        status_at {ts},
        received_at {ts} NOT NULL,
        event_id {ref} NOT NULL REFERENCES events (id),
        updated_at {ts} NOT NULL,
        PRIMARY KEY (message_pk, part_index)
    )
    """,
    """
    CREATE TABLE dead_letters (
        id {pk},
        vendor TEXT NOT NULL,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        error_type TEXT NOT NULL,
        error TEXT NOT NULL,
        items {json},
        method TEXT NOT NULL,
        url TEXT NOT NULL,
        headers {json} NOT NULL,
        body {blob} NOT NULL,
        body_complete {bool} NOT NULL,
        remote_addr TEXT,
        received_at {ts} NOT NULL,
        created_at {ts} NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_attempt_at {ts},
        last_error TEXT,
        replayed_at {ts}
    )
    """,
    "CREATE INDEX dead_letters_state ON dead_letters (state, vendor, id)",
)

# Dead letters: whether the push authenticated, the copy replay works from
# (the shown body is redacted and never replayed), their size for the quotas,
# and a count of what the limits dropped (issue 10 points 1 and 9).
_V2 = (
    "ALTER TABLE dead_letters ADD COLUMN authentication TEXT NOT NULL DEFAULT 'unverified'",
    "ALTER TABLE dead_letters ADD COLUMN replay_copy {blob}",
    "ALTER TABLE dead_letters ADD COLUMN size {ref} NOT NULL DEFAULT 0",
    "UPDATE dead_letters SET size = LENGTH(body) + LENGTH(url) + LENGTH(error)",
    "CREATE INDEX dead_letters_created ON dead_letters (created_at)",
    "CREATE INDEX dead_letters_quota ON dead_letters (authentication, size)",
    """
    CREATE TABLE dead_letter_drops (
        vendor TEXT NOT NULL,
        reason TEXT NOT NULL,
        letters {ref} NOT NULL,
        bytes {ref} NOT NULL,
        last_at {ts} NOT NULL,
        PRIMARY KEY (vendor, reason)
    )
    """,
)

#: Named leases: one holder at a time across every process on the store (the
#: drain loop holds one per vendor account). ``owner`` is '' when released.
_V3 = (
    """
    CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        until {ts} NOT NULL
    )
    """,
)

# Dedupe per message: an event key is unique within its message (the key
# hashes the message's identity, so this is the same rule), and the index
# that enforces it is ordered by message. A unique index on the bare SHA-256
# put every new event at a random place in the index: one index page written
# per event, the biggest single cost of storing a report.
_EVENTS_V4 = """
    CREATE TABLE events (
        id {pk},
        message_pk {ref} NOT NULL REFERENCES messages (id),
        part_index INTEGER NOT NULL,
        event_key TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        vendor_status TEXT,
        vendor_code TEXT,
        status_at {ts},
        received_at {ts} NOT NULL,
        recorded_at {ts} NOT NULL,
        channel TEXT NOT NULL,
        applied {bool} NOT NULL,
        decision TEXT NOT NULL,
        synthetic {bool} NOT NULL,
        duplicates INTEGER NOT NULL DEFAULT 0,
        report {json} NOT NULL,
        UNIQUE (message_pk, event_key)
    )
"""
_EVENT_COLUMNS = (
    "id, message_pk, part_index, event_key, status, reason, vendor_status, vendor_code, status_at,"
    " received_at, recorded_at, channel, applied, decision, synthetic, duplicates, report"
)
_V4_POSTGRES = (
    "ALTER TABLE events DROP CONSTRAINT IF EXISTS events_event_key_key",
    "CREATE UNIQUE INDEX events_dedupe ON events (message_pk, event_key)",
)
# SQLite cannot drop a UNIQUE constraint: the table is rebuilt. Foreign keys
# cannot be switched off inside the migration's transaction, so they are
# deferred: dropping the old table leaves the parts' references dangling
# until the rows are back under the same ids, checked at commit.
_V4_SQLITE = (
    "PRAGMA defer_foreign_keys = ON",
    "CREATE TABLE events_v3 AS SELECT * FROM events",
    "DROP TABLE events",
    _EVENTS_V4,
    f"INSERT INTO events ({_EVENT_COLUMNS}) SELECT {_EVENT_COLUMNS} FROM events_v3",  # noqa: S608
    "DROP TABLE events_v3",
    "CREATE INDEX events_message ON events (message_pk, id)",
)

#: Status callbacks (``docs/operations.md``): the durable outbox, written in
#: the transaction that applies a change and emptied by the delivery loop, and
#: what its bounds dropped. Indexes for ``smsstatus stats``: messages by the
#: time they were first seen, and the open ones (few) by vendor and age.
_V5 = (
    """
    CREATE TABLE callback_outbox (
        id {pk},
        event_id {ref} NOT NULL,
        vendor TEXT NOT NULL,
        message_id TEXT NOT NULL,
        body {blob} NOT NULL,
        state TEXT NOT NULL,
        created_at {ts} NOT NULL,
        next_attempt_at {ts} NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_attempt_at {ts},
        last_error TEXT,
        lease_owner TEXT,
        lease_until {ts}
    )
    """,
    "CREATE INDEX callback_outbox_due ON callback_outbox (state, next_attempt_at, id)",
    """
    CREATE TABLE callback_drops (
        reason TEXT PRIMARY KEY,
        changes {ref} NOT NULL,
        last_at {ts} NOT NULL
    )
    """,
    "CREATE INDEX messages_created ON messages (created_at)",
    "CREATE INDEX messages_open ON messages (vendor, created_at) WHERE NOT final",
)

# Segments named by ref (StatusReport.part_ref: gateways that split a
# message themselves): the segment's id beside the part number the tracker
# gave it (keys.FIRST_SEGMENT_INDEX and up).
_V6 = ("ALTER TABLE parts ADD COLUMN part_ref TEXT",)

#: Every migration, oldest first.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "messages, parts, events, poll targets, dead letters", _V1),
    Migration(2, "dead letters: authentication, replay copy, size; dead letter drops", _V2),
    Migration(3, "leases", _V3),
    Migration(
        4,
        "events: dedupe key unique per message",
        _V4_POSTGRES,
        by_dialect={"sqlite": _V4_SQLITE},
    ),
    Migration(5, "callback outbox and drops; indexes for delivery statistics", _V5),
    Migration(6, "parts: segments named by ref", _V6),
)
LATEST = MIGRATIONS[-1].version


def applied_versions(store: Store) -> list[int]:
    with store.read() as tx:
        if not store.dialect.has_table(tx, "schema_migrations"):
            return []
        return [int(row[0]) for row in tx.all("SELECT version FROM schema_migrations ORDER BY version")]


def migrate(store: Store) -> list[int]:
    """Bring the schema to :data:`LATEST`; returns the versions applied now."""
    dialect = store.dialect
    done: list[int] = []
    with store.write() as tx:
        dialect.lock_for_migration(tx)
        tx.run(
            dialect.ddl(
                "CREATE TABLE IF NOT EXISTS schema_migrations"
                " (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at {ts} NOT NULL)"
            )
        )
        present = {int(row[0]) for row in tx.all("SELECT version FROM schema_migrations")}
        newer = sorted(v for v in present if v > LATEST)
        if newer:
            raise MigrationError(
                dialect.name,
                f"the database has schema version {newer[-1]}, newer than this smsstatus"
                f" (knows up to {LATEST}): upgrade smsstatus",
            )
        for migration in MIGRATIONS:
            if migration.version in present:
                continue
            for statement in migration.statements_for(dialect.name):
                tx.run(dialect.ddl(statement))
            tx.run(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, dialect.ts(datetime.now(UTC))),
            )
            done.append(migration.version)
    return done
