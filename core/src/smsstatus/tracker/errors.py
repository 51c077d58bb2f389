"""Typed errors of the tracker and its stores."""

from __future__ import annotations

from ..errors import SmsStatusError

__all__ = ["DatabaseURLError", "StoreError", "StoreBusy", "MigrationError", "NotTrackedError"]


class DatabaseURLError(SmsStatusError, ValueError):
    """A database URL the tracker cannot use (unknown scheme, missing path).

    The message shows the URL with any password replaced by ``***``.
    """

    exit_code = 2

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"bad database URL {url!r}: {reason}")


class StoreError(SmsStatusError):
    """The database failed (connection lost, disk full, lock timeout).

    The receiver answers 503 so the vendor retries; nothing was committed.
    """

    exit_code = 1

    def __init__(self, backend: str, reason: str) -> None:
        self.backend = backend
        self.reason = reason
        super().__init__(f"{backend} store: {reason}")


class StoreBusy(StoreError):
    """A write asked not to wait (``write(wait=False)``) found the store's
    write lock taken (another thread or process is writing): nothing was
    done; try again, or wait."""


class MigrationError(StoreError):
    """The database schema cannot be brought to this version (e.g. it is newer)."""


class NotTrackedError(SmsStatusError, LookupError):
    """No message (and no poll target) with that vendor and id is in the store."""

    exit_code = 2

    def __init__(self, vendor: str, message_id: str) -> None:
        self.vendor = vendor
        self.message_id = message_id
        super().__init__(f"no message {message_id!r} of vendor {vendor!r} in the store")
