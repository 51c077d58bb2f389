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

__all__ = ["get", "add_scrubbing_filter"]

_configured = False
_scrubbing_filter: logging.Filter | None = None


def get(name: str = "smsstatus") -> logging.Logger:
    import logging

    global _configured  # noqa: PLW0603 -- a once-only flag
    if not _configured:
        logging.getLogger("smsstatus").addHandler(logging.NullHandler())
        _configured = True
    return logging.getLogger(name)


def _scrubbing() -> logging.Filter:
    """The filter that scrubs a record's message with the scrubber of the
    work running in its context (:func:`smsstatus.scrub.active`)."""
    global _scrubbing_filter  # noqa: PLW0603 -- one shared instance
    if _scrubbing_filter is None:
        import logging

        from .scrub import active

        class ScrubbingFilter(logging.Filter):
            def filter(self, record: logging.LogRecord) -> bool:
                scrubber = active()
                if scrubber:
                    message = record.getMessage()
                    cleaned = scrubber(message)
                    if cleaned != message:
                        record.msg, record.args = cleaned, None
                return True

        _scrubbing_filter = ScrubbingFilter()
    return _scrubbing_filter


def add_scrubbing_filter(*names: str) -> None:
    """Scrub the records of these loggers before any handler sees them (a
    logger's filters see only its own records, not its children's)."""
    import logging

    for name in names:
        logging.getLogger(name).addFilter(_scrubbing())
