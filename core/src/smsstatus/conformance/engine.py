"""The conformance engine: which vendors, which checks, and their outcomes.

Both doors use it. The engine only schedules and records: :func:`build_plans`
asks :mod:`smsstatus.conformance.catalog` to load each vendor on its own and
plan its checks; :func:`execute` runs one check offline with its output
captured and gives its raw status; :func:`resolve` applies a declared known
failure (strict xfail). The CLI runs every check through :func:`run`; the
pytest plugin makes one test item per check, with the same id, and lets
pytest apply the same strict xfail. The checks themselves are in
:mod:`smsstatus.conformance.checks`, one module each.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from importlib import metadata

from ..credentials import redact
from ..registry import ALLOW_ENV, VENDOR_GROUP
from .catalog import CHECK_NAMES, plan_vendor
from .fixturefiles import vendors_in
from .outcomes import (
    EXIT_FAILED,
    EXIT_LOAD,
    EXIT_OK,
    EXIT_USAGE,
    FAILING,
    OUTCOMES,
    Check,
    CheckFailed,
    CheckSkipped,
    Options,
    Result,
    Run,
    Target,
    UsageError,
    VendorPlan,
    VendorRun,
)
from .sandbox import Capture, NetworkGuard, describe_exception

__all__ = [
    "OUTCOMES",
    "FAILING",
    "CHECK_NAMES",
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
    "check_names",
    "installed_vendors",
    "select_targets",
    "build_plans",
    "execute",
    "resolve",
    "run",
    "EXIT_OK",
    "EXIT_FAILED",
    "EXIT_USAGE",
    "EXIT_LOAD",
]

_VENDOR_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


# -- choosing vendors ------------------------------------------------------------


def _entry_point_names() -> list[str]:
    return sorted({ep.name for ep in metadata.entry_points(group=VENDOR_GROUP)})


def installed_vendors(environ: Mapping[str, str] | None = None) -> list[str]:
    """Vendor ids of installed plugins (limited by ``SMSSTATUS_VENDORS`` when set)."""
    env = os.environ if environ is None else environ
    names = _entry_point_names()
    allowed = env.get(ALLOW_ENV)
    if allowed is not None:
        keep = {part.strip() for part in allowed.split(",") if part.strip()}
        names = [n for n in names if n in keep]
    return names


def select_targets(
    names: Sequence[str],
    options: Options | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[Target]:
    """The vendors to check: those named, or every installed one (or, with
    ``--fixtures``, every one the fixture files name). Raises
    :class:`UsageError` for a vendor that is not installed."""
    installed = _entry_point_names()
    unknown = [n for n in names if n not in installed]
    if unknown:
        hint = f"installed: {', '.join(installed)}" if installed else "no vendor plugins are installed"
        raise UsageError(f"unknown vendor {', '.join(map(repr, unknown))} ({hint})")
    chosen = list(dict.fromkeys(names))
    if options is not None and options.fixtures_dir is not None:
        named = vendors_in(options.fixtures_dir)
        missing = sorted(set(named) - set(installed))
        if missing:
            raise UsageError(
                f"{options.fixtures_dir}: fixture files name vendors that are not installed: {', '.join(missing)}"
            )
        if chosen:
            chosen = [n for n in chosen if n in named]
            if not chosen:
                raise UsageError(f"{options.fixtures_dir}: no fixture files for {', '.join(names)}")
        else:
            chosen = sorted(named)
            if not chosen:
                raise UsageError(f"{options.fixtures_dir}: no fixture files (*.json) found")
    elif not chosen:
        chosen = installed_vendors(environ)
        if not chosen:
            raise UsageError("no vendor plugins installed (nothing to check)")
    return [Target(n) for n in chosen]


def check_names(selected: Iterable[str]) -> frozenset[str]:
    """Validate ``--check`` names."""
    names = frozenset(selected)
    unknown = sorted(names - set(CHECK_NAMES))
    if unknown:
        raise UsageError(f"unknown check {', '.join(map(repr, unknown))} (checks: {', '.join(CHECK_NAMES)})")
    return names


# -- planning ----------------------------------------------------------------------


def build_plans(targets: Sequence[Target], options: Options) -> list[VendorPlan]:
    """Load each vendor on its own and plan its checks."""
    for target in targets:
        if not _VENDOR_ID.fullmatch(target.vendor):
            raise UsageError(f"{target.vendor!r} is not a valid vendor id")
    return [plan_vendor(target, options) for target in targets]


# -- running -------------------------------------------------------------------------


def execute(check: Check, secrets: Sequence[str] = ()) -> tuple[str, str | None, float]:
    """Run one check offline with its output captured: ``(status, message,
    seconds)``, status one of passed, failed, skipped, error (before any
    known failure is applied)."""
    started = time.perf_counter()
    status: str
    message: str | None
    with Capture(), NetworkGuard() as guard:
        try:
            check.func()
            status, message = "passed", None
        except CheckFailed as exc:
            status, message = "failed", exc.message
        except CheckSkipped as exc:
            status, message = "skipped", exc.message
        except Exception as exc:  # noqa: BLE001 -- a check that cannot reach a verdict is an error
            status, message = "error", f"the check could not run: {describe_exception(exc)}"
    if guard.attempts:
        attempted = "the plugin attempted network access: " + "; ".join(dict.fromkeys(guard.attempts))
        if status in ("passed", "skipped"):
            status, message = "failed", attempted
        else:
            message = f"{message}\n{attempted}"
    duration = time.perf_counter() - started
    if message is not None:
        # Plugin text can hold lone surrogates (undecodable input): keep them printable.
        message = redact(message, tuple(secrets)).encode("utf-8", "backslashreplace").decode("utf-8")
    return status, message, duration


def resolve(status: str, known_failure: str | None) -> str:
    """Apply a known failure: strict xfail (a pass becomes ``xpassed``, a failure)."""
    if known_failure is None:
        return status
    if status == "failed":
        return "xfailed"
    if status == "passed":
        return "xpassed"
    return status


def result_of(check: Check, status: str, message: str | None, duration: float) -> Result:
    outcome = resolve(status, check.known_failure)
    if outcome == "xpassed":
        message = f"passed, but is declared a known failure: remove the declaration (reason given: {check.known_failure})"
    elif outcome == "xfailed":
        message = f"known failure: {check.known_failure}\n{message or ''}".rstrip()
    return Result(
        id=check.id,
        vendor=check.vendor,
        check=check.name,
        subject=check.subject,
        outcome=outcome,
        duration=duration,
        message=message,
        known_failure=check.known_failure,
    )


def run(
    plans: Sequence[VendorPlan],
    options: Options,
    on_result: Callable[[Result], None] | None = None,
) -> Run:
    """Run every planned check; ``on_result`` sees each result as it comes."""
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    vendors: list[VendorRun] = []
    for plan in plans:
        results: list[Result] = []
        for check in plan.checks:
            status, message, duration = execute(check, plan.secrets)
            result = result_of(check, status, message, duration)
            results.append(result)
            if on_result is not None:
                on_result(result)
        vendors.append(VendorRun(plan, results))
    return Run(options, vendors, started_at, time.perf_counter() - started)
