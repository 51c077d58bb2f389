"""What every part of the kit shares: options, a planned check, its outcome.

This module imports nothing else of the kit, so the checks, the catalog that
plans them and the engine that runs them can all depend on it without
depending on each other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import attrs

__all__ = [
    "OUTCOMES",
    "FAILING",
    "EXIT_OK",
    "EXIT_FAILED",
    "EXIT_USAGE",
    "EXIT_LOAD",
    "CheckFailed",
    "CheckSkipped",
    "UsageError",
    "Options",
    "Target",
    "Check",
    "Result",
    "VendorPlan",
    "VendorRun",
    "Run",
]

#: Every outcome a check can have.
OUTCOMES = ("passed", "failed", "xfailed", "xpassed", "skipped", "error")
#: Outcomes that fail a run (an xpassed known failure is strict: it fails).
FAILING = frozenset({"failed", "xpassed", "error"})

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_LOAD = 4


class CheckFailed(AssertionError):
    """A check found the plugin does not conform; ``message`` says how."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CheckSkipped(Exception):
    """A check does not apply (``message`` says why)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(Exception):
    """The run was asked for something that cannot be done (exit code 2)."""


@attrs.frozen(kw_only=True)
class Options:
    """How to run. ``fixtures_dir`` runs an application's own fixture files
    instead of the plugin's (and only the checks that run fixtures)."""

    strict: bool = False
    fixtures_dir: Path | None = None
    seed: int = 0
    max_examples: int = 100
    time_limit: float = 2.0
    checks: frozenset[str] | None = None


@attrs.frozen
class Target:
    """A vendor to check: by entry point name, or a plugin object given directly
    (as ``Registry(vendors={vendor: plugin})`` would take it)."""

    vendor: str
    plugin: object | None = attrs.field(default=None, eq=False, repr=False)


@attrs.define
class Check:
    """One planned check of one vendor."""

    vendor: str
    name: str
    subject: str | None
    func: Callable[[], None] = attrs.field(repr=False)
    #: The declared reason when this check is a known failure (strict xfail).
    known_failure: str | None = None

    @property
    def local_id(self) -> str:
        """The id within the vendor: ``<check>[::<subject>]``."""
        return self.name if self.subject is None else f"{self.name}::{self.subject}"

    @property
    def id(self) -> str:
        """The stable test id: ``<vendor>::<check>[::<subject>]``."""
        return f"{self.vendor}::{self.local_id}"


@attrs.frozen(kw_only=True)
class Result:
    id: str
    vendor: str
    check: str
    subject: str | None
    outcome: str
    duration: float
    message: str | None
    known_failure: str | None = None


@attrs.define
class VendorPlan:
    """The checks of one vendor and what loading it found."""

    vendor: str
    distribution: str | None
    version: str | None
    loaded: bool
    load_error: str | None
    checks: list[Check]
    #: Fixture credential values, redacted from every message.
    secrets: tuple[str, ...] = ()


@attrs.define
class VendorRun:
    plan: VendorPlan
    results: list[Result]

    @property
    def load_failed(self) -> bool:
        return not self.plan.loaded or any(r.check == "load" and r.outcome in FAILING for r in self.results)


@attrs.define
class Run:
    options: Options
    vendors: list[VendorRun]
    started_at: datetime
    duration: float

    @property
    def results(self) -> list[Result]:
        return [r for v in self.vendors for r in v.results]

    def counts(self) -> dict[str, int]:
        found = dict.fromkeys(OUTCOMES, 0)
        for result in self.results:
            found[result.outcome] += 1
        return found

    @property
    def exit_code(self) -> int:
        """4 when a plugin could not be loaded, else 1 when a check failed, else 0."""
        if any(v.load_failed for v in self.vendors):
            return EXIT_LOAD
        if any(r.outcome in FAILING for r in self.results):
            return EXIT_FAILED
        return EXIT_OK
