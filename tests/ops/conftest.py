"""The tracker tests' store fixtures (SQLite and PostgreSQL) for the operations tests."""

from tests.tracker.conftest import backend, db_url, new_db, store, tracker

__all__ = ["backend", "db_url", "new_db", "store", "tracker"]
