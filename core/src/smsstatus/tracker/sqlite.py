"""SQLite store (stdlib ``sqlite3``, WAL): the embedded default.

* WAL journal: readers never block the writer, and a committed transaction is
  in the WAL file before ``COMMIT`` returns, so a killed process loses
  nothing it committed. ``synchronous=NORMAL`` (default) may lose the last
  transactions on power loss; ``?synchronous=FULL`` syncs every commit.
* One connection per thread; writes take a process-wide lock (threads queue
  in Python instead of polling ``SQLITE_BUSY``) and ``BEGIN IMMEDIATE`` (other
  processes wait up to ``busy_timeout``).
* Times are stored as fixed-width UTC text (``2025-01-01T00:00:00.000000Z``)
  so that text order is time order.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from . import sql
from .errors import DatabaseURLError, StoreError
from .store import Dialect, Store, Transaction

__all__ = ["SqliteDialect", "SqliteStore", "sqlite_options"]

_SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")


class SqliteDialect(Dialect):
    name = "sqlite"
    types = {  # noqa: RUF012 -- read-only class table
        "pk": "INTEGER PRIMARY KEY",
        "ref": "INTEGER",
        "ts": "TEXT",
        "json": "TEXT",
        "bool": "INTEGER",
        "blob": "BLOB",
    }
    driver_errors = (sqlite3.Error,)

    def ts(self, value: datetime | None) -> Any:
        if value is None:
            return None
        if value.tzinfo is not UTC:
            value = value.astimezone(UTC)
        # Fixed width (always microseconds) so that text order is time order.
        return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"

    def ts_out(self, value: Any) -> datetime | None:
        if value is None:
            return None
        return datetime.fromisoformat(value)

    def json(self, value: Any) -> Any:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def json_out(self, value: Any) -> Any:
        return None if value is None else json.loads(value)

    def has_table(self, tx: Transaction, name: str) -> bool:
        return tx.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)) is not None


def sqlite_options(shown_url: str, query: str) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key == "synchronous":
            if value.upper() not in _SYNCHRONOUS:
                raise DatabaseURLError(shown_url, f"synchronous must be one of {', '.join(_SYNCHRONOUS)}")
            options["synchronous"] = value.upper()
        elif key == "busy_timeout":
            if not value.isdigit():
                raise DatabaseURLError(shown_url, "busy_timeout must be milliseconds (an integer)")
            options["busy_timeout_ms"] = int(value)
        else:
            raise DatabaseURLError(shown_url, f"unknown SQLite option {key!r} (synchronous, busy_timeout)")
    return options


class SqliteStore(Store):
    def __init__(
        self,
        path: str,
        *,
        url: str | None = None,
        synchronous: str = "NORMAL",
        busy_timeout_ms: int = 30_000,
    ) -> None:
        self.path = path
        self.url = url or f"sqlite:///{path}"
        self.dialect = SqliteDialect()
        self._synchronous = synchronous
        self._busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._closed = False
        # Fail early (bad directory, not a database) with a typed error.
        with self.read() as tx:
            tx.one("SELECT 1")

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        if self._closed:
            raise StoreError("sqlite", "store is closed")
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=self._busy_timeout_ms / 1000,
                isolation_level=None,  # we issue BEGIN/COMMIT ourselves
                check_same_thread=False,  # close() may run on another thread
                cached_statements=sql.STATEMENT_CACHE,
            )
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()
            if mode is None or str(mode[0]).lower() != "wal":
                raise StoreError("sqlite", f"cannot switch {self.path} to WAL mode (got {mode!r})")
            conn.execute(f"PRAGMA synchronous = {self._synchronous}")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            raise StoreError("sqlite", f"cannot open {self.path}: {exc}") from None
        self._local.conn = conn
        with self._connections_lock:
            self._connections.append(conn)
        return conn

    @contextlib.contextmanager
    def write(self) -> Iterator[Transaction]:
        conn = self._connection()
        with self._write_lock:
            with _translated("begin"):
                conn.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(conn.cursor(), self.dialect)
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
            else:
                with _translated("commit"):
                    conn.execute("COMMIT")

    @contextlib.contextmanager
    def read(self) -> Iterator[Transaction]:
        conn = self._connection()
        with _translated("begin"):
            conn.execute("BEGIN")
        try:
            yield Transaction(conn.cursor(), self.dialect)
        finally:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("COMMIT")

    def close(self) -> None:
        self._closed = True
        with self._connections_lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        self._local = threading.local()


@contextlib.contextmanager
def _translated(what: str) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        raise StoreError("sqlite", f"{what} failed: {exc}") from None
