"""Loggers, imported lazily.

The logging package costs about 15 ms of start-up here and smsstatus needs it
only once something is logged (a broken plugin, an HTTP retry), so nothing
imports it at module level. The first logger handed out also gives the
``smsstatus`` logger a NullHandler: a library logs, the application decides
where it goes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import logging

__all__ = ["get"]

_configured = False


def get(name: str = "smsstatus") -> logging.Logger:
    import logging

    global _configured  # noqa: PLW0603 -- a once-only flag
    if not _configured:
        logging.getLogger("smsstatus").addHandler(logging.NullHandler())
        _configured = True
    return logging.getLogger(name)
