"""Database URLs, migrations and the store's typed errors."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from smsstatus import SmsStatusError
from smsstatus.tracker import DatabaseURLError, MigrationError, Store, StoreError, open_store, redact_url
from smsstatus.tracker.migrations import LATEST, MIGRATIONS, applied_versions


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
