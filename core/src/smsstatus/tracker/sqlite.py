"""SQLite store (stdlib ``sqlite3``, WAL): the embedded default.

* WAL journal: readers never block the writer, and a committed transaction is
  in the WAL file before ``COMMIT`` returns, so a killed process loses
  nothing it committed. ``synchronous=NORMAL`` (default) may lose the last
  transactions on power loss; ``?synchronous=FULL`` syncs every commit.
* One connection per thread; writes take a process-wide lock (threads queue
  in Python instead of polling ``SQLITE_BUSY``) and ``BEGIN IMMEDIATE`` (other
  processes wait up to ``busy_timeout``).
* Checkpoints (copying the WAL back into the database file, with an fsync)
  run on a thread of their own, so a commit never waits for one: the store's
  connections only checkpoint themselves when the WAL passes
  :data:`WAL_FALLBACK_PAGES` (the checkpoint thread fell behind).
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

from . import jsontext, sql
from .errors import DatabaseURLError, StoreBusy, StoreError
from .store import Dialect, Store, Transaction

__all__ = ["SqliteDialect", "SqliteStore", "sqlite_options"]

_encode = jsontext.encode_bytes
_SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")

#: A connection checkpoints the WAL itself past this many pages (SQLite's
#: default is 1000): normally the checkpoint thread has done it long before.
WAL_FALLBACK_PAGES = 4000
#: The checkpoint thread runs after this many commits, or this long after a
#: commit when fewer came.
CHECKPOINT_EVERY_COMMITS = 100
CHECKPOINT_AFTER_SECONDS = 0.5


# Python's sqlite3 binds a parameter as it stands only when it is exactly an
# int, float, str or bytearray; anything else goes through its adapter
# lookup first, and for None that lookup ends in an AttributeError raised and
# formatted inside the module, then dropped (about 3,300 instructions for
# each None; a receiver's push binds about ten). An adapter registered for
# None is found at the first step and gives back the same None, bound as the
# same NULL: nothing stored or read changes, for this module or any other
# user of sqlite3 in the process. The registry is the process's; one already
# registered for None (someone else's) is left as it is. The adapter is an
# empty dict's ``get``, which answers None for any key: a C function, where a
# Python one (``lambda value: value``) cost a frame for each of those Nones
# (about 230 instructions each, 1,600 a push).
_NOTHING: dict[None, None] = {}
if (type(None), sqlite3.PrepareProtocol) not in sqlite3.adapters:
    sqlite3.register_adapter(type(None), _NOTHING.get)


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
    serialized_writes = True  # every write is BEGIN IMMEDIATE (SqliteStore.write)
    true = 1
    false = 0

    def ts(self, value: datetime | None) -> Any:
        if value is None:
            return None
        if value.tzinfo is not UTC:
            value = value.astimezone(UTC)
        # Fixed width (always microseconds) so that text order is time order;
        # "+00:00" becomes "Z". Every event writes two or three: msgspec's
        # text of a UTC datetime is the same RFC 3339 with "Z" (its fraction
        # only when not zero) in a quarter of isoformat's cost.
        if _encode is not None and type(value) is datetime:
            text = _encode(value)[1:-1].decode("ascii")
            return text if value.microsecond else text[:-1] + ".000000Z"
        return value.isoformat(timespec="microseconds")[:-6] + "Z"

    def ts_out(self, value: Any) -> datetime | None:
        if value is None:
            return None
        return datetime.fromisoformat(value)

    def json(self, value: Any) -> Any:
        if value is None:
            return None
        return jsontext.dumps(value)

    def json_text(self, text: str) -> Any:
        return text

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
        self._checkpointer: _Checkpointer | None = None
        # A commit waits for an fsync only with FULL or EXTRA.
        self.inline_writes = synchronous in ("OFF", "NORMAL")
        # Fail early (bad directory, not a database) with a typed error.
        with self.read() as tx:
            tx.one("SELECT 1")

    def _connection(self, *, wait: bool = True) -> sqlite3.Connection:
        """This thread's connection; ``wait=False``: its second connection,
        whose BEGIN fails at once when another process holds the write lock."""
        name = "conn" if wait else "nowait_conn"
        conn: sqlite3.Connection | None = getattr(self._local, name, None)
        if conn is not None:
            return conn
        if self._closed:
            raise StoreError("sqlite", "store is closed")
        busy_timeout_ms = self._busy_timeout_ms if wait else 0
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=busy_timeout_ms / 1000,
                isolation_level=None,  # we issue BEGIN/COMMIT ourselves
                check_same_thread=False,  # close() may run on another thread
                cached_statements=sql.STATEMENT_CACHE,
            )
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()
            if mode is None or str(mode[0]).lower() != "wal":
                raise StoreError("sqlite", f"cannot switch {self.path} to WAL mode (got {mode!r})")
            conn.execute(f"PRAGMA synchronous = {self._synchronous}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_FALLBACK_PAGES}")
        except sqlite3.Error as exc:
            raise StoreError("sqlite", f"cannot open {self.path}: {exc}") from None
        setattr(self._local, name, conn)
        with self._connections_lock:
            self._connections.append(conn)
        return conn

    @contextlib.contextmanager
    def write(self, *, wait: bool = True) -> Iterator[Transaction]:
        conn = self._connection(wait=wait)
        if not self._write_lock.acquire(blocking=wait):
            raise StoreBusy("sqlite", "another thread of this process is writing")
        try:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if not wait and _is_busy(exc):
                    raise StoreBusy("sqlite", "another process is writing") from None
                raise StoreError("sqlite", f"begin failed: {exc}") from None
            except sqlite3.Error as exc:
                raise StoreError("sqlite", f"begin failed: {exc}") from None
            try:
                yield Transaction(conn.cursor(), self.dialect)
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
            else:
                with _translated("commit"):
                    conn.execute("COMMIT")
                self._committed()
        finally:
            self._write_lock.release()

    def _committed(self) -> None:
        if self._checkpointer is None:
            with self._connections_lock:
                if self._checkpointer is None and not self._closed:
                    self._checkpointer = _Checkpointer(self.path, self._busy_timeout_ms)
        if self._checkpointer is not None:
            self._checkpointer.committed()

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
            checkpointer, self._checkpointer = self._checkpointer, None
        if checkpointer is not None:
            checkpointer.stop()
        for conn in connections:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        self._local = threading.local()


class _Checkpointer:
    """A thread that copies the WAL back into the database file (a PASSIVE
    checkpoint: it never blocks a writer) soon after commits, on its own
    connection. The copy and its fsync release the GIL, so on a machine with
    more than one core they run beside the event loop and the writers
    instead of inside a commit."""

    def __init__(self, path: str, busy_timeout_ms: int) -> None:
        self._path = path
        self._busy_timeout_ms = busy_timeout_ms
        self._commits = 0
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="smsstatus-sqlite-checkpoint", daemon=True)
        self._thread.start()

    def committed(self) -> None:
        self._commits += 1  # racy across writers: only a hint of when to run
        if self._commits == 1 or self._commits >= CHECKPOINT_EVERY_COMMITS:
            self._wake.set()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self._path, timeout=self._busy_timeout_ms / 1000, isolation_level=None)
        except sqlite3.Error:
            return  # the writers' own fallback checkpoints still bound the WAL
        try:
            while not self._stopping.is_set():
                self._wake.wait()
                if self._stopping.is_set():
                    break
                if self._commits < CHECKPOINT_EVERY_COMMITS:
                    # A few commits: let more come before copying.
                    self._wake.clear()
                    self._wake.wait(CHECKPOINT_AFTER_SECONDS)
                    if self._stopping.is_set():
                        break
                self._wake.clear()
                self._commits = 0
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            conn.close()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._thread.join(10)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return bool(code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED))
    return "locked" in str(exc) or "busy" in str(exc)


@contextlib.contextmanager
def _translated(what: str) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        raise StoreError("sqlite", f"{what} failed: {exc}") from None
