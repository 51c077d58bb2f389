"""What a check runs inside: no network, output captured, a time bound.

* :class:`NetworkGuard` refuses every socket connection and DNS lookup, and
  records the attempt: checks run offline, and a plugin that goes around the
  host's HTTP client (the only thing offline replay controls) is caught.
* :class:`Capture` collects every log record of every logger (whatever its
  level, handlers or propagation), everything printed to stdout and stderr,
  and every warning, so checks can look for secrets in them and runs stay
  quiet.
* :func:`time_limit` bounds one call (POSIX main thread: an interval timer
  interrupts it; elsewhere the duration is only measured).
"""

from __future__ import annotations

import contextlib
import io
import logging
import signal
import socket
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

__all__ = [
    "NetworkGuard",
    "Capture",
    "TimeLimitExceeded",
    "Timed",
    "time_limit",
    "call_with_limit",
    "describe_exception",
]

T = TypeVar("T")


class NetworkGuard:
    """Blocks sockets while active; ``attempts`` names what was tried."""

    def __init__(self) -> None:
        self.attempts: list[str] = []
        self._saved: list[tuple[Any, str, Any]] = []

    def _refuse(self, what: str) -> OSError:
        self.attempts.append(what)
        return ConnectionRefusedError(f"network access is blocked during conformance checks ({what})")

    def __enter__(self) -> NetworkGuard:
        guard = self

        def connect(sock: socket.socket, address: Any) -> None:
            raise guard._refuse(f"connect to {address!r}")

        def connect_ex(sock: socket.socket, address: Any) -> int:
            raise guard._refuse(f"connect to {address!r}")

        def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
            raise guard._refuse(f"connect to {address!r}")

        def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            raise guard._refuse(f"resolve {host!r}")

        patches: list[tuple[Any, str, Any]] = [
            (socket.socket, "connect", connect),
            (socket.socket, "connect_ex", connect_ex),
            (socket, "create_connection", create_connection),
            (socket, "getaddrinfo", getaddrinfo),
        ]
        for owner, name, replacement in patches:
            self._saved.append((owner, name, getattr(owner, name)))
            setattr(owner, name, replacement)
        return self

    def __exit__(self, *exc: object) -> None:
        while self._saved:
            owner, name, original = self._saved.pop()
            setattr(owner, name, original)


class Capture:
    """Collects log records, stdout, stderr and warnings while active.

    Log records are taken where a logger handles them, after the logger's
    own filters (which may scrub them) but before levels, handlers or
    propagation can hide them, and are not passed on (a run stays quiet). Nesting works: the innermost capture gets the records.
    """

    def __init__(self) -> None:
        self.records: list[logging.LogRecord] = []
        self.stdout = io.StringIO()
        self.stderr = io.StringIO()
        self.warnings: list[warnings.WarningMessage] = []
        self._stack = contextlib.ExitStack()
        self._saved: tuple[Any, Any, int] | None = None

    def __enter__(self) -> Capture:
        capture = self
        saved_handle = logging.Logger.handle
        saved_enabled = logging.Logger.isEnabledFor
        saved_disable = logging.root.manager.disable

        def handle(logger: logging.Logger, record: logging.LogRecord) -> None:
            # The logger's own filters run, as in logging: they may drop or
            # scrub the record (core's HTTP client scrubs httpx's lines so).
            try:
                keep = logger.filter(record)
            except Exception:  # noqa: BLE001 -- a broken filter must not hide the record
                keep = True
            if keep:
                capture.records.append(record)

        def is_enabled_for(logger: logging.Logger, level: int) -> bool:
            return True

        logging.Logger.handle = handle  # type: ignore[method-assign, assignment]
        logging.Logger.isEnabledFor = is_enabled_for  # type: ignore[method-assign, assignment]
        logging.disable(logging.NOTSET)
        self._saved = (saved_handle, saved_enabled, saved_disable)
        self._stack.enter_context(contextlib.redirect_stdout(self.stdout))
        self._stack.enter_context(contextlib.redirect_stderr(self.stderr))
        self.warnings = self._stack.enter_context(warnings.catch_warnings(record=True))
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()
        if self._saved is not None:
            handle, enabled, disable = self._saved
            logging.Logger.handle = handle  # type: ignore[method-assign]
            logging.Logger.isEnabledFor = enabled  # type: ignore[method-assign]
            logging.disable(disable)
            self._saved = None

    def texts(self) -> Iterator[tuple[str, str]]:
        """Every captured text, as ``(where, text)``."""
        for record in self.records:
            try:
                message = record.getMessage()
            except Exception as exc:  # noqa: BLE001 -- a bad format string is the plugin's bug, not ours
                message = f"{record.msg!r} % {record.args!r} ({type(exc).__name__})"
            where = f"a log record of {record.name!r}"
            yield where, message
            if record.exc_info and record.exc_info[1] is not None:
                yield where, "".join(traceback.format_exception(record.exc_info[1]))
            if record.exc_text:
                yield where, record.exc_text
            if record.stack_info:
                yield where, record.stack_info
        if self.stdout.getvalue():
            yield "stdout", self.stdout.getvalue()
        if self.stderr.getvalue():
            yield "stderr", self.stderr.getvalue()
        for warning in self.warnings:
            yield "a warning", str(warning.message)


class TimeLimitExceeded(BaseException):
    """One call ran longer than its bound (raised inside the call; a
    BaseException so that plugin code catching Exception cannot swallow it)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` where the platform allows it."""
    usable = (
        seconds > 0 and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise TimeLimitExceeded(f"took longer than {seconds:g}s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Timed:
    """The outcome of :func:`call_with_limit`."""

    __slots__ = ("duration", "error", "timed_out", "value")

    def __init__(self) -> None:
        self.value: Any = None
        self.error: Exception | None = None
        self.timed_out = False
        self.duration = 0.0


def call_with_limit(func: Callable[[], T], seconds: float) -> Timed:
    """Run ``func``; its value, the exception it raised, or a timeout."""
    outcome = Timed()
    started = time.perf_counter()
    try:
        with time_limit(seconds):
            outcome.value = func()
    except TimeLimitExceeded:
        outcome.timed_out = True
    except Exception as exc:  # noqa: BLE001 -- the caller judges every exception
        outcome.error = exc
    outcome.duration = time.perf_counter() - started
    if seconds > 0 and outcome.duration > seconds:
        outcome.timed_out = True
    return outcome


def describe_exception(exc: BaseException) -> str:
    """``Type: message`` and where it was raised (last frame), for errors of the kit."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"
