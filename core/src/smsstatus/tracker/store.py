"""The store: one SQL vocabulary on two backends.

The tracker writes the same SQL on SQLite and PostgreSQL; a :class:`Dialect`
fills in what differs (parameter markers, column types, row locks, how times,
JSON and booleans travel). A :class:`Store` hands out transactions:

* :meth:`Store.write` is a write transaction. SQLite: ``BEGIN IMMEDIATE``
  (one writer at a time, in this process behind a lock so threads queue
  instead of spinning on ``SQLITE_BUSY``). PostgreSQL: a normal transaction;
  the tracker locks the message rows it changes (in key order, so two
  receivers never deadlock).
* :meth:`Store.read` is a read-only snapshot.

Backends are imported only when a store of that kind is opened, so importing
smsstatus never loads ``sqlite3`` or ``psycopg``.
"""

from __future__ import annotations

import abc
import contextlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from .errors import DatabaseURLError, StoreError

__all__ = ["Dialect", "Transaction", "Store", "open_store", "redact_url", "DEFAULT_URL"]

#: ``--db`` default: a SQLite file in the working directory.
DEFAULT_URL = "sqlite:///smsstatus.sqlite3"

Row = tuple[Any, ...]


class Dialect(abc.ABC):
    """What differs between backends; the SQL itself is shared."""

    name: str
    #: Appended to a SELECT that must lock its rows (PostgreSQL only).
    for_update: str = ""
    #: Appended to the lease-claiming sub-select (PostgreSQL only).
    skip_locked: str = ""
    types: dict[str, str]
    #: A boolean parameter as the driver takes it fastest. SQLite stores 1
    #: and 0 either way, but its module runs every parameter that is not
    #: exactly an int, float or str through its adapter lookup (a missed
    #: attribute lookup and its exception each time); PostgreSQL's boolean
    #: columns need real booleans.
    true: Any = True
    false: Any = False
    #: Whether a write transaction holds the whole store until it ends
    #: (SQLite's ``BEGIN IMMEDIATE``): no other writer can create or change a
    #: row between a read and a write of the same transaction, so a row may be
    #: read first and written once, fully formed, without a lock statement.
    #: PostgreSQL locks rows (in key order) and keeps the lock statement.
    serialized_writes: bool = False
    #: The driver's exception classes, turned into :class:`StoreError`.
    driver_errors: tuple[type[BaseException], ...] = ()

    def ddl(self, statement: str) -> str:
        return statement.format(**self.types)

    def sql(self, statement: str) -> str:
        """Shared SQL uses ``?`` markers; a dialect may rewrite them."""
        return statement

    @abc.abstractmethod
    def ts(self, value: datetime | None) -> Any: ...

    @abc.abstractmethod
    def ts_out(self, value: Any) -> datetime | None: ...

    @abc.abstractmethod
    def json(self, value: Any) -> Any: ...

    @abc.abstractmethod
    def json_text(self, text: str) -> Any:
        """JSON already encoded (:func:`~smsstatus.tracker.jsontext.report_text`)
        as :meth:`json` passes it to the driver."""

    @abc.abstractmethod
    def json_out(self, value: Any) -> Any: ...

    @staticmethod
    def bool_out(value: Any) -> bool:
        return bool(value)

    @abc.abstractmethod
    def has_table(self, tx: Transaction, name: str) -> bool: ...

    def lock_for_migration(self, tx: Transaction) -> None:  # noqa: B027 -- optional hook
        """Serialise concurrent migrations (SQLite: the write lock already does)."""


class Transaction:
    """A cursor bound to one open transaction."""

    __slots__ = ("_cursor", "_dialect")

    def __init__(self, cursor: Any, dialect: Dialect) -> None:
        self._cursor = cursor
        self._dialect = dialect

    @property
    def dialect(self) -> Dialect:
        return self._dialect

    def _execute(self, statement: str, params: Sequence[Any]) -> None:
        try:
            self._cursor.execute(self._dialect.sql(statement), tuple(params))
        except self._dialect.driver_errors as exc:
            raise StoreError(self._dialect.name, f"{type(exc).__name__}: {exc}") from exc

    def run(self, statement: str, params: Sequence[Any] = ()) -> int:
        """Execute; returns the number of rows changed."""
        self._execute(statement, params)
        return int(self._cursor.rowcount)

    def all(self, statement: str, params: Sequence[Any] = ()) -> list[Row]:
        self._execute(statement, params)
        return [tuple(row) for row in self._cursor.fetchall()]

    def one(self, statement: str, params: Sequence[Any] = ()) -> Row | None:
        self._execute(statement, params)
        row = self._cursor.fetchone()
        return None if row is None else tuple(row)


class Store(abc.ABC):
    """A database the tracker can use. Thread-safe; open it once per process."""

    dialect: Dialect
    #: The URL with any password replaced by ``***``.
    url: str
    #: Whether a short write transaction may run on an event loop's thread:
    #: it never waits for the network or for an fsync (SQLite with
    #: ``synchronous`` NORMAL or OFF), so it costs no more than the CPU it
    #: uses. The receiver then stores pushes on its event loop, with no thread
    #: hand-off per group commit.
    inline_writes: bool = False

    @abc.abstractmethod
    def write(self, *, wait: bool = True) -> contextlib.AbstractContextManager[Transaction]:
        """A write transaction, committed when the block exits normally.

        With ``wait=False`` a store that would have to wait for another
        writer raises :class:`~smsstatus.tracker.StoreBusy` at once instead
        (stores without a write lock of their own ignore it)."""

    @abc.abstractmethod
    def read(self) -> contextlib.AbstractContextManager[Transaction]:
        """A read-only transaction."""

    @abc.abstractmethod
    def close(self) -> None: ...

    def migrate(self) -> list[int]:
        from .migrations import migrate

        return migrate(self)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"


def redact_url(url: str) -> str:
    """The URL with its password (if any) replaced by ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def open_store(url: str = DEFAULT_URL, *, migrate: bool = True, **options: Any) -> Store:
    """Open the store at ``url`` and (by default) bring its schema up to date.

    * ``sqlite:///relative/path.sqlite3`` (relative to the working directory),
      ``sqlite:////absolute/path.sqlite3``; query options ``synchronous``
      (``NORMAL`` default: survives a killed process; ``FULL`` also survives
      power loss) and ``busy_timeout`` (milliseconds).
    * ``postgresql://user:password@host:port/dbname?...`` (``postgres://``
      too): any libpq connection URL; ``pool_size`` (default 10) may be given
      as a keyword option.

    Raises :class:`DatabaseURLError` for anything else.
    """
    shown = redact_url(url)
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise DatabaseURLError(shown, str(exc)) from None
    scheme = parts.scheme.lower()
    store: Store
    if scheme == "sqlite":
        if parts.netloc:
            raise DatabaseURLError(
                shown, "a SQLite URL has no host: use sqlite:///relative.db or sqlite:////absolute.db"
            )
        path = unquote(parts.path[1:]) if parts.path.startswith("/") else ""
        if not path:
            raise DatabaseURLError(shown, "no file path (e.g. sqlite:///smsstatus.sqlite3)")
        if path == ":memory:" or path.startswith("file:"):
            raise DatabaseURLError(shown, "in-memory SQLite is not supported: give a file path")
        from .sqlite import SqliteStore, sqlite_options

        store = SqliteStore(path, url=shown, **sqlite_options(shown, parts.query), **options)
    elif scheme in ("postgresql", "postgres"):
        if not parts.hostname and "host=" not in parts.query:
            raise DatabaseURLError(shown, "no host (e.g. postgresql://user@127.0.0.1:5432/smsstatus)")
        from .postgres import PostgresStore

        store = PostgresStore(url, shown=shown, **options)
    else:
        raise DatabaseURLError(
            shown,
            f"unknown scheme {parts.scheme!r}: use sqlite:///FILE or postgresql://USER@HOST/DB",
        )
    if migrate:
        try:
            store.migrate()
        except BaseException:
            store.close()
            raise
    return store
