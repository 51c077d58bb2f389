"""The plugin API version: a plugin written for an API this host does not provide
is refused at load time with a message that says so, by the registry, by
``smsstatus plugins`` (text and JSON) and by the conformance kit's ``load`` check.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import types
from typing import Any

import pytest
import smsstatus_d7
from smsstatus.apiversion import DECLARATION, PLUGIN_API_VERSION, UNDECLARED_VERSION, incompatibility
from smsstatus.plugin import VendorInfo, hookimpl
from smsstatus.plugin.testing import PluginError, Registry

# -- the rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize("declared", ["1.0", "1.2", "1.3"])
def test_same_major_and_a_minor_no_newer_is_compatible(declared: str) -> None:
    assert incompatibility(declared, provided="1.3") is None


@pytest.mark.parametrize(
    ("declared", "remedy"),
    [
        ("1.4", "upgrade smsstatus"),  # uses what 1.4 added
        ("2.0", "upgrade smsstatus"),
        ("0.9", "upgrade the plugin"),  # written for an API 1.x changed
        ("0.3", "upgrade the plugin"),
    ],
)
def test_another_major_or_a_newer_minor_is_not(declared: str, remedy: str) -> None:
    problem = incompatibility(declared, provided="1.3")
    assert problem is not None
    assert f"built for plugin API {declared}, but this smsstatus provides plugin API 1.3" in problem
    assert problem.endswith(remedy) or remedy + " " in problem


@pytest.mark.parametrize("declared", [1.0, 1, "1", "1.0.0", "v1.0", " 1.0", "01.0", "1.-1", "", b"1.0"])
def test_a_malformed_declaration_is_not(declared: object) -> None:
    problem = incompatibility(declared)
    assert problem is not None
    assert problem.startswith(f"declares plugin API {declared!r} in {DECLARATION}")
    assert "'MAJOR.MINOR'" in problem


def test_this_host_provides_1_6_and_keeps_plugins_built_for_1_4() -> None:
    # 1.6 added network_of; a plugin declaring 1.4 or 1.5 uses none of it and still loads.
    assert PLUGIN_API_VERSION == "1.6"
    assert incompatibility("1.4") is None and incompatibility("1.5") is None
    assert incompatibility("1.6") is None and incompatibility("1.7") is not None
    registry = Registry(vendors={"built14": _plugin("built14", "1.4")})
    assert registry.failures == () and registry.vendors["built14"].plugin_api == "1.4"


def test_no_declaration_means_the_first_versioned_api() -> None:
    assert UNDECLARED_VERSION == "1.0"
    assert incompatibility(None, provided="1.5") is None
    assert incompatibility(None, provided="2.0") is not None


def test_a_huge_declaration_is_cut_in_the_message() -> None:
    problem = incompatibility("9" * 10_000)
    assert problem is not None and len(problem) < 200


# -- the registry -----------------------------------------------------------------------------


def _plugin(vendor: str, declared: object = None, **hooks: Any) -> types.ModuleType:
    """A vendor plugin module; ``declared`` goes into its declaration unless ``None``."""
    module = types.ModuleType(f"plugin_{vendor}")

    @hookimpl
    def vendor_info() -> VendorInfo:
        return VendorInfo(id=vendor, display_name=vendor, capabilities=frozenset(), statuses=())

    module.vendor_info = vendor_info  # type: ignore[attr-defined]
    for name, function in hooks.items():
        setattr(module, name, hookimpl(function))
    if declared is not None:
        setattr(module, DECLARATION, declared)
    return module


def test_a_compatible_plugin_loads_and_its_declaration_is_kept() -> None:
    registry = Registry(vendors={"now": _plugin("now", PLUGIN_API_VERSION), "old": _plugin("old")})
    assert registry.failures == ()
    assert registry.vendors["now"].plugin_api == PLUGIN_API_VERSION
    assert registry.vendors["old"].plugin_api is None  # predates the declaration: taken as 1.0


def test_an_incompatible_plugin_is_a_failure_and_the_others_still_load() -> None:
    registry = Registry(vendors={"future": _plugin("future", "2.0"), "now": _plugin("now", "1.0")})
    assert list(registry.vendors) == ["now"]
    (failure,) = registry.failures
    assert failure.name == "future"
    assert failure.error.startswith(
        f"built for plugin API 2.0, but this smsstatus provides plugin API {PLUGIN_API_VERSION}"
    )
    with pytest.raises(PluginError, match="failed to load: built for plugin API 2.0"):
        registry.info("future")


def test_the_version_is_checked_before_the_hooks() -> None:
    # A plugin for a future API may implement a hook this host has no spec for; without the
    # version check first it would be reported as a misspelled hook, which misleads.
    def report_future_thing(vendor: str) -> None:
        raise AssertionError("never called")

    registry = Registry(
        vendors={"future": _plugin("future", "1.99", report_future_thing=report_future_thing)}
    )
    (failure,) = registry.failures
    assert "plugin API 1.99" in failure.error and "upgrade smsstatus" in failure.error
    assert "unknown hook" not in failure.error
    # ...and the refused plugin left nothing registered behind.
    assert registry.plugin_manager.get_plugins() == set()


def test_a_declaration_that_raises_is_a_failure() -> None:
    class Weird:
        def __getattr__(self, name: str) -> Any:
            raise RuntimeError("boom")

        @hookimpl
        def vendor_info(self) -> VendorInfo:
            return VendorInfo(id="weird", display_name="W", capabilities=frozenset(), statuses=())

    registry = Registry(vendors={"weird": Weird()})
    (failure,) = registry.failures
    assert failure.error == f"reading {DECLARATION} raised RuntimeError"


def test_a_malformed_declaration_is_a_failure() -> None:
    registry = Registry(vendors={"typo": _plugin("typo", 1.0)})
    (failure,) = registry.failures
    assert failure.error.startswith(f"declares plugin API 1.0 in {DECLARATION}; expected a string")


# -- smsstatus plugins and smsstatus conformance -----------------------------------------------

FUTURE = textwrap.dedent(
    f"""
    from smsstatus.plugin import Capability, VendorInfo, hookimpl

    {DECLARATION} = "2.0"

    @hookimpl
    def vendor_info():
        return VendorInfo(id="future", display_name="Future", capabilities=frozenset(), statuses=())
    """
)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """``future``, installed as a distribution (dist-info with an entry point) on PYTHONPATH."""
    site = tmp_path_factory.mktemp("site")
    info = site / "smsstatus_future-3.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: smsstatus-future\nVersion: 3.0\n")
    (info / "entry_points.txt").write_text("[smsstatus.vendors]\nfuture = future_plugin\n")
    (site / "future_plugin.py").write_text(FUTURE)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SMSSTATUS_")}
    environ["PYTHONPATH"] = os.pathsep.join([str(site), environ.get("PYTHONPATH", "")])
    environ["SMSSTATUS_VENDORS"] = "future,d7"
    return environ


def _smsstatus(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smsstatus.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


WANT = f"built for plugin API 2.0, but this smsstatus provides plugin API {PLUGIN_API_VERSION}"


def test_smsstatus_plugins_shows_the_incompatible_plugin(env: dict[str, str]) -> None:
    table = _smsstatus(env, "plugins")
    assert table.returncode == 0, table.stderr
    (line,) = [line for line in table.stdout.splitlines() if line.startswith("future")]
    assert "smsstatus-future 3.0" in line and f"BROKEN: {WANT}" in line

    data = json.loads(_smsstatus(env, "plugins", "--format", "json").stdout)
    assert data["plugin_api"] == PLUGIN_API_VERSION
    (failure,) = data["failures"]
    assert failure["name"] == "future" and failure["distribution"] == "smsstatus-future"
    assert failure["error"].startswith(WANT)
    (vendor,) = data["vendors"]  # a bundled plugin, listed with what it declares
    assert vendor["id"] == "d7" and vendor["plugin_api"] == smsstatus_d7.SMSSTATUS_PLUGIN_API


def test_the_conformance_load_check_reports_it(env: dict[str, str]) -> None:
    run = _smsstatus(env, "conformance", "future")
    assert run.returncode != 0
    assert "load" in run.stdout and WANT in run.stdout, run.stdout
