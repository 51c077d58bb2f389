"""Database URLs, migrations and the store's typed errors."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from smsstatus import SmsStatusError
from smsstatus.tracker import DatabaseURLError, MigrationError, Store, StoreError, open_store, redact_url
from smsstatus.tracker.migrations import LATEST, MIGRATIONS, applied_versions
from smsstatus.tracker.sqlite import SqliteDialect


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("mysql://user@host/db", "unknown scheme"),
        ("sqlite://", "no file path"),
        ("sqlite:///:memory:", "in-memory"),
        ("sqlite://host/file.db", "no host"),
        ("sqlite:///x.db?journal=off", "unknown SQLite option"),
        ("sqlite:///x.db?synchronous=SOMETIMES", "synchronous"),
        ("postgresql:///db", "no host"),
        ("smsstatus.sqlite3", "unknown scheme"),
    ],
)
def test_bad_urls_are_typed_errors(url: str, fragment: str) -> None:
    with pytest.raises(DatabaseURLError) as info:
        open_store(url)
    assert fragment in str(info.value)
    assert isinstance(info.value, SmsStatusError) and info.value.exit_code == 2


def test_passwords_never_shown() -> None:
    url = "postgresql://app:hunter2secret@127.0.0.1:1/db"
    assert redact_url(url) == "postgresql://app:***@127.0.0.1:1/db"
    with pytest.raises(DatabaseURLError) as info:
        open_store("postgresql://app:hunter2secret@/db")
    assert "hunter2secret" not in str(info.value)
    # A server that is not there: a typed StoreError, still without the password.
    with pytest.raises(StoreError) as down:
        open_store(url, connect_timeout=1)
    assert "hunter2secret" not in str(down.value) and "***" in str(down.value)


def test_sqlite_unwritable_location_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        open_store(f"sqlite:///{tmp_path}/missing-dir/x.sqlite3")


def test_sqlite_relative_path_is_in_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with open_store("sqlite:///smsstatus.sqlite3?synchronous=full") as store:
        assert store.dialect.name == "sqlite"
    assert (tmp_path / "smsstatus.sqlite3").is_file()


def test_migrations_are_versioned_and_idempotent(store: Store) -> None:
    assert applied_versions(store) == [m.version for m in MIGRATIONS]
    assert store.migrate() == []  # nothing left to apply
    assert applied_versions(store) == [m.version for m in MIGRATIONS]
    with store.read() as tx:
        for table in ("messages", "parts", "events", "dead_letters", "poll_targets"):
            assert store.dialect.has_table(tx, table), table


def test_database_newer_than_code_is_refused(store: Store) -> None:
    with store.write() as tx:
        tx.run(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
            (LATEST + 1, "from the future", store.dialect.ts(datetime.now(UTC))),
        )
    with pytest.raises(MigrationError) as info:
        store.migrate()
    assert str(LATEST + 1) in str(info.value)


def test_failed_transaction_rolls_back(store: Store) -> None:
    with pytest.raises(StoreError), store.write() as tx:
        tx.run(
            "INSERT INTO poll_targets (vendor, fetch_id, state, submitted_at, next_poll_at, give_up_at,"
            " created_at, updated_at) VALUES (?, ?, 'active', ?, ?, ?, ?, ?)",
            ("v", "x", *([store.dialect.ts(datetime.now(UTC))] * 5)),
        )
        tx.run("SELECT no_such_column FROM poll_targets")
    with store.read() as tx:
        assert tx.one("SELECT COUNT(*) FROM poll_targets") == (0,)


def test_times_round_trip_in_utc(store: Store) -> None:
    d = store.dialect
    moment = datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    assert d.ts_out(d.ts(moment)) == moment


@settings(max_examples=500)
@given(
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=-3, minutes=-30))]),
    ),
    st.sampled_from([0, 1000, 120000]) | st.integers(0, 999_999),
)
def test_sqlite_time_text_is_fixed_width_utc(moment: datetime, micro: int) -> None:
    """The text order is the time order: always microseconds, always "Z"
    (whichever encoder writes it)."""
    moment = moment.replace(microsecond=micro)
    text = SqliteDialect().ts(moment)
    assert text == moment.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z"
    assert len(text) == len("2025-01-02T03:04:05.678901Z")


def _migrate_to(store: Store, version: int) -> None:
    """Apply the migrations up to ``version`` only (a store an older
    smsstatus left behind)."""
    with store.write() as tx:
        tx.run(
            store.dialect.ddl(
                "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                " applied_at {ts} NOT NULL)"
            )
        )
        for migration in MIGRATIONS:
            if migration.version > version:
                break
            for statement in migration.statements_for(store.dialect.name):
                tx.run(store.dialect.ddl(statement))
            tx.run(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, store.dialect.ts(datetime.now(UTC))),
            )


def test_dedupe_survives_the_per_message_event_key_migration(db_url: str) -> None:
    """Version 4 moves the unique event key from the whole table to the
    message (same rule, an index ordered by message): events stored before
    keep their ids, parts still point at them, and a vendor's retry of an
    event stored before the migration is still a duplicate."""
    from smsstatus.model import Channel, Status, StatusReport
    from smsstatus.tracker import Tracker
    from smsstatus.tracker.keys import event_key

    sent = StatusReport(
        vendor="acme",
        message_id="m-1",
        status=Status.SENT,
        vendor_status="SENT",
        received_at=datetime(2025, 6, 10, 9, 0, tzinfo=UTC),
        channel=Channel.PUSH,
        raw={"id": "m-1"},
    )
    with open_store(db_url, migrate=False) as old:
        _migrate_to(old, 3)
        ts = old.dialect.ts(sent.received_at)
        with old.write() as tx:
            tx.run(
                "INSERT INTO messages (id, vendor, message_id, recipient, status, final, events, created_at,"
                " updated_at) VALUES (7, 'acme', 'm-1', '', 'sent', ?, 1, ?, ?)",
                (False, ts, ts),
            )
            tx.run(
                "INSERT INTO events (id, message_pk, part_index, event_key, status, vendor_status,"
                " received_at, recorded_at, channel, applied, decision, synthetic, report)"
                " VALUES (41, 7, 1, ?, 'sent', 'SENT', ?, ?, 'push', ?, 'first', ?, ?)",
                (event_key(sent), ts, ts, True, False, old.dialect.json({"vendor": "acme"})),
            )
            tx.run(
                "INSERT INTO parts (message_pk, part_index, status, final, received_at, event_id, updated_at)"
                " VALUES (7, 1, 'sent', ?, ?, 41, ?)",
                (False, ts, ts),
            )
    with open_store(db_url) as store:
        assert applied_versions(store)[-1] == LATEST >= 4
        tracker = Tracker(store)
        again = tracker.apply([sent])
        assert again.outcomes[0].duplicate and again.outcomes[0].event_id == 41
        (record,) = tracker.message("acme", "m-1")
        assert [e.id for e in record.history] == [41] and record.history[0].duplicates == 1
        assert record.parts[0].event_id == 41
        delivered = tracker.apply([attrs.evolve(sent, status=Status.DELIVERED, vendor_status="DELIVRD")])
        assert delivered.outcomes[0].applied and not delivered.outcomes[0].duplicate


def test_none_is_bound_as_null_through_the_registered_adapter() -> None:
    """The store registers an adapter for None (sqlite3 would otherwise raise
    and drop an AttributeError inside its lookup for every None bound): it
    must give back None, so the same NULL is stored."""
    import sqlite3

    import smsstatus.tracker.sqlite  # noqa: F401 -- registers the adapter

    adapter = sqlite3.adapters[(type(None), sqlite3.PrepareProtocol)]
    assert adapter(None) is None
    with contextlib.closing(sqlite3.connect(":memory:")) as conn:
        assert conn.execute("SELECT ? IS NULL, typeof(?)", (None, None)).fetchone() == (1, "null")
