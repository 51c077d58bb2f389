"""What the pytest door does once ``--smsstatus-conformance`` is given."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from . import SUITE_VERSION
from .engine import Check, Options, UsageError, VendorPlan, build_plans, execute, select_targets

__all__ = ["ConformanceSession", "ConformanceItem"]

_VENDOR_LIST = re.compile(r"^[a-z0-9][a-z0-9_-]*(,[a-z0-9][a-z0-9_-]*)*$")


class ConformanceFailure(AssertionError):
    """The check failed (a declared known failure expects exactly this)."""


class ConformanceError(Exception):
    """The check could not reach a verdict."""


class ConformanceItem(pytest.Item):
    """One conformance check; its node id is the check's stable id."""

    def __init__(self, *, check: Check, secrets: Sequence[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check
        self.secrets = tuple(secrets)

    def runtest(self) -> None:
        status, message, _ = execute(self.check, self.secrets)
        if status == "passed":
            return
        if status == "skipped":
            pytest.skip(message or "skipped")
        if status == "failed":
            raise ConformanceFailure(message or "failed")
        raise ConformanceError(message or "error")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, (ConformanceFailure, ConformanceError)):
            return f"{self.check.id}\n{excinfo.value}"
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, self.check.id


def _options(config: pytest.Config) -> tuple[list[str], Options]:
    raw = str(config.getoption("smsstatus_conformance") or "")
    if raw and not _VENDOR_LIST.fullmatch(raw):
        raise pytest.UsageError(
            f"--smsstatus-conformance took {raw!r} as its vendor list: write"
            " --smsstatus-conformance=VENDOR[,VENDOR...] (with '='), or put the option after any paths"
        )
    fixtures = config.getoption("smsstatus_conformance_fixtures")
    options = Options(
        strict=bool(config.getoption("smsstatus_conformance_strict")),
        fixtures_dir=Path(fixtures) if fixtures else None,
        seed=int(config.getoption("smsstatus_conformance_seed")),
        max_examples=int(config.getoption("smsstatus_conformance_max_examples")),
        time_limit=float(config.getoption("smsstatus_conformance_time_limit")),
    )
    return [v for v in raw.split(",") if v], options


class ConformanceSession:
    """Adds one item per planned check to the collected tests."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.plans: list[VendorPlan] = []

    def pytest_report_header(self, config: pytest.Config) -> str:
        from .report import fixture_format

        return f"smsstatus conformance: suite {SUITE_VERSION}, fixture format {fixture_format()}"

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        names, options = _options(config)
        try:
            self.plans = build_plans(select_targets(names, options), options)
        except UsageError as exc:
            raise pytest.UsageError(str(exc)) from None
        for plan in self.plans:
            for check in plan.checks:
                item = ConformanceItem.from_parent(
                    session, name=check.id, nodeid=check.id, check=check, secrets=plan.secrets
                )
                if check.known_failure is not None:
                    item.add_marker(
                        pytest.mark.xfail(reason=check.known_failure, strict=True, raises=ConformanceFailure)
                    )
                items.append(item)
        self._junit_properties()

    def _junit_properties(self) -> None:
        try:
            from _pytest.junitxml import xml_key
        except ImportError:  # pragma: no cover - private API moved
            return
        xml = self.config.stash.get(xml_key, None)
        if xml is None:
            return
        import platform

        from .. import __version__
        from .report import fixture_format

        xml.add_global_property("smsstatus_version", __version__)
        xml.add_global_property("suite_version", SUITE_VERSION)
        xml.add_global_property("fixture_format", str(fixture_format()))
        xml.add_global_property("python_version", platform.python_version())
        for plan in self.plans:
            xml.add_global_property(f"{plan.vendor}.distribution", plan.distribution or "")
            xml.add_global_property(f"{plan.vendor}.version", plan.version or "")
