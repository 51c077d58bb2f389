"""Loggers, imported lazily, and the log output of smsstatus's own commands.

The logging package costs about 15 ms of start-up here and smsstatus needs it
only once something is logged (a broken plugin, an HTTP retry), so nothing
imports it at module level. The first logger handed out also gives the
``smsstatus`` logger a NullHandler: a library logs, the application decides
where it goes.

Two safeguards for what is logged, whoever logs it:

* :func:`add_scrubbing_filter` puts a filter on named loggers (httpx's and
  ours) that scrubs each record with the scrubber of the work running in its
  context (:func:`smsstatus.scrub.active`), before any handler sees it;
* :func:`configure`, which ``smsstatus serve`` and ``--debug`` use, writes one
  line per record: the message scrubbed and its control characters escaped
  (:func:`smsstatus.display.printable`), so vendor text cannot forge a log
  entry; a traceback's lines are escaped too and indented, so only a real
  entry starts at the beginning of a line.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    import logging

__all__ = ["get", "add_scrubbing_filter", "configure"]

FORMAT = "smsstatus: %(levelname)s %(name)s: %(message)s"

_configured = False
_scrubbing_filter: logging.Filter | None = None
_handler: logging.Handler | None = None


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


def _clean(text: str) -> str:
    from .display import printable
    from .scrub import active

    scrubber = active()
    return printable(scrubber(text) if scrubber else text)


def _indented(text: str) -> str:
    """A multi-line text (a traceback) with each line escaped and indented."""
    return "\n".join("  " + _clean(line) for line in text.splitlines())


def configure(level: str | int = "info", stream: IO[str] | None = None) -> logging.Handler:
    """Log to ``stream`` (standard error) at ``level``, one safe line per
    record (see the module's docstring); returns the root logger's handler.
    Calling it again changes the level (and the stream) of the same handler."""
    import logging

    global _handler  # noqa: PLW0603 -- one handler per process

    class SafeFormatter(logging.Formatter):
        # Formatter.format caches the traceback on the record (exc_text), where
        # another handler may already have put an unsafe one: build it here.
        def format(self, record: logging.LogRecord) -> str:
            record.message = _clean(record.getMessage())
            if self.usesTime():
                record.asctime = self.formatTime(record, self.datefmt)
            lines = [self.formatMessage(record)]
            if record.exc_info:
                lines.append(_indented(self.formatException(record.exc_info)))
            elif record.exc_text:
                lines.append(_indented(record.exc_text))
            if record.stack_info:
                lines.append(_indented(self.formatStack(record.stack_info)))
            return "\n".join(lines)

    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(SafeFormatter(FORMAT))
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    _handler = handler
    return handler
