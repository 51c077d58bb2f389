"""The pytest door of the conformance kit (registered as a ``pytest11`` plugin).

``pytest --smsstatus-conformance`` checks every installed vendor plugin;
``pytest --smsstatus-conformance=acme,d7`` checks those. Each check is one
test item whose node id is the check's stable id
(``<vendor>::<check>[::<subject>]``), run by the same engine as
``smsstatus conformance``; declared known failures are strict xfails.

Without the option this module only adds its options: it imports nothing
else, so every other pytest run stays as fast as it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

OPTION = "--smsstatus-conformance"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("smsstatus-conformance", "smsstatus conformance kit")
    group.addoption(
        OPTION,
        dest="smsstatus_conformance",
        nargs="?",
        const="",
        default=None,
        metavar="VENDORS",
        help="Run the smsstatus conformance checks for installed vendor plugins "
        "(all, or a comma-separated list: --smsstatus-conformance=acme,other).",
    )
    group.addoption(
        "--smsstatus-conformance-strict",
        dest="smsstatus_conformance_strict",
        action="store_true",
        help="Also require the core capabilities (as smsstatus conformance --strict).",
    )
    group.addoption(
        "--smsstatus-conformance-fixtures",
        dest="smsstatus_conformance_fixtures",
        default=None,
        metavar="DIR",
        help="Run these fixture files against the installed plugins they name.",
    )
    group.addoption(
        "--smsstatus-conformance-seed",
        dest="smsstatus_conformance_seed",
        type=int,
        default=0,
        help="Seed of the robustness checks (default 0).",
    )
    group.addoption(
        "--smsstatus-conformance-max-examples",
        dest="smsstatus_conformance_max_examples",
        type=int,
        default=100,
        help="Generated inputs per robustness check (default 100).",
    )
    group.addoption(
        "--smsstatus-conformance-time-limit",
        dest="smsstatus_conformance_time_limit",
        type=float,
        default=2.0,
        help="Seconds a plugin may take for one generated input (default 2).",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("smsstatus_conformance", None) is None:
        return
    from .pytest_session import ConformanceSession

    config.pluginmanager.register(ConformanceSession(config), "smsstatus-conformance-session")
