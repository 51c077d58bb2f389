"""Plugins use smsstatus only through the plugin API: ``smsstatus.plugin`` (and,
in their tests, ``smsstatus.plugin.testing``).

Scans every ``plugins/*/`` distribution (source and tests, so a plugin added
later is held to the same rule the day it lands) and the files
``smsstatus new-plugin`` generates, reading imports from the syntax tree.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import smsstatus.plugin
import smsstatus.plugin.testing
from smsstatus.apiversion import DECLARATION, incompatibility
from smsstatus.conformance.scaffold import write_plugin

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = sorted(p.parent for p in (ROOT / "plugins").glob("*/pyproject.toml"))

SURFACE = "smsstatus.plugin"
TESTING = "smsstatus.plugin.testing"
EXPORTS = {SURFACE: frozenset(smsstatus.plugin.__all__), TESTING: frozenset(smsstatus.plugin.testing.__all__)}


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def violations(source: str, *, is_test: bool) -> list[str]:
    """Every use of smsstatus in ``source`` that is not the plugin API, as ``line: what``."""
    allowed = (SURFACE, TESTING) if is_test else (SURFACE,)
    found: list[str] = []

    def check_module(line: int, module: str, names: list[str] | None) -> None:
        if module != "smsstatus" and not module.startswith("smsstatus."):
            return
        if module not in allowed:
            found.append(f"{line}: imports {module} (use {' or '.join(allowed)})")
            return
        for name in names or ():
            if name not in EXPORTS[module]:
                found.append(f"{line}: {module} does not export {name!r}")

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                check_module(node.lineno, alias.name, None)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [alias.name for alias in node.names]
            if node.module == "smsstatus" and names == ["plugin"]:
                continue  # from smsstatus import plugin: the surface itself
            check_module(node.lineno, node.module, names)
        elif isinstance(node, ast.Call) and _dotted(node.func) in ("importlib.import_module", "__import__"):
            target = node.args[0] if node.args else None
            if isinstance(target, ast.Constant) and isinstance(target.value, str):
                check_module(node.lineno, target.value, None)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "smsstatus"
            and node.attr != "plugin"
        ):
            # `import smsstatus.plugin` binds `smsstatus`: reaching past the surface from it.
            found.append(f"{node.lineno}: uses smsstatus.{node.attr} (use {SURFACE})")
    return found


def _python_files(directory: Path) -> Iterator[Path]:
    yield from sorted(p for p in directory.rglob("*.py") if "__pycache__" not in p.parts)


def _check_tree(distribution: Path) -> list[str]:
    problems = []
    for kind, is_test in (("src", False), ("tests", True)):
        for path in _python_files(distribution / kind):
            rel = path.relative_to(distribution.parent)
            problems += [f"{rel}:{v}" for v in violations(path.read_text("utf-8"), is_test=is_test)]
    return problems


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_plugin("acme", tmp_path_factory.mktemp("scaffold"), display_name="Acme SMS")


def test_the_bundled_plugins_are_scanned() -> None:
    names = {p.name for p in PLUGINS}
    assert {"contacta", "d7", "huawei", "innopaas", "uspeedo"} <= names
    for plugin in PLUGINS:
        assert list(_python_files(plugin / "src")), plugin.name
        assert list(_python_files(plugin / "tests")), plugin.name


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_a_bundled_plugin_imports_only_the_plugin_api(plugin: Path) -> None:
    assert _check_tree(plugin) == []


def test_the_scaffolded_plugin_imports_only_the_plugin_api(scaffolded: Path) -> None:
    assert len(list(_python_files(scaffolded))) >= 3  # the hooks, the mapping, the tests
    assert _check_tree(scaffolded) == []


# -- the plugin API version each plugin declares --------------------------------------------


def _entry_module(distribution: Path) -> Path:
    config = tomllib.loads((distribution / "pyproject.toml").read_text("utf-8"))
    (target,) = config["project"]["entry-points"]["smsstatus.vendors"].values()
    package = distribution / "src" / Path(*target.split(":")[0].split("."))
    return package / "__init__.py" if package.is_dir() else package.with_suffix(".py")


def declared_api(source: str) -> str | None:
    """The module-level ``SMSSTATUS_PLUGIN_API = "..."`` literal (``None``: absent or not a literal)."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == DECLARATION for t in targets):
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                return value.value
            return None
    return None


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_a_bundled_plugin_declares_a_compatible_api_version_as_a_literal(plugin: Path) -> None:
    declared = declared_api(_entry_module(plugin).read_text("utf-8"))
    assert declared is not None, f"{plugin.name}: no {DECLARATION} = '<MAJOR.MINOR>' literal"
    assert incompatibility(declared) is None


def test_the_scaffolded_plugin_declares_a_compatible_api_version(scaffolded: Path) -> None:
    declared = declared_api(_entry_module(scaffolded).read_text("utf-8"))
    assert declared is not None and incompatibility(declared) is None


# -- the checks themselves can fail ---------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "is_test", "expected"),
    [
        ("from smsstatus.model import Status", False, ["1: imports smsstatus.model (use smsstatus.plugin)"]),
        ("from smsstatus import Status", False, ["1: imports smsstatus (use smsstatus.plugin)"]),
        (
            "import smsstatus",
            True,
            ["1: imports smsstatus (use smsstatus.plugin or smsstatus.plugin.testing)"],
        ),
        ("import smsstatus.fields as f", False, ["1: imports smsstatus.fields (use smsstatus.plugin)"]),
        (
            "if X:\n    from smsstatus.http import HttpClient",
            False,
            ["2: imports smsstatus.http (use smsstatus.plugin)"],
        ),
        ("from smsstatus.plugin import Registry", True, ["1: smsstatus.plugin does not export 'Registry'"]),
        (
            "from smsstatus.plugin import _ON_ACCESS",
            False,
            ["1: smsstatus.plugin does not export '_ON_ACCESS'"],
        ),
        ("from smsstatus.plugin import *", False, ["1: smsstatus.plugin does not export '*'"]),
        (
            "from smsstatus.plugin.testing import Registry",
            False,
            ["1: imports smsstatus.plugin.testing (use smsstatus.plugin)"],
        ),
        (
            "import smsstatus.plugin\nx = smsstatus.registry",
            False,
            ["2: uses smsstatus.registry (use smsstatus.plugin)"],
        ),
        (
            "import importlib\nimportlib.import_module('smsstatus.times')",
            False,
            ["2: imports smsstatus.times (use smsstatus.plugin)"],
        ),
    ],
)
def test_the_import_check_catches(source: str, is_test: bool, expected: list[str]) -> None:
    assert violations(source, is_test=is_test) == expected


def test_the_import_check_lets_the_plugin_api_pass() -> None:
    source = (
        "from smsstatus.plugin import Record, hookimpl\n"
        "from smsstatus.plugin.testing import Registry, run_case\n"
        "from smsstatus import plugin\n"
        "import smsstatus.plugin\n"
        "x = smsstatus.plugin.Status\n"
        "import smsstatus_other\n"
        "from .mapping import TABLE\n"
    )
    assert violations(source, is_test=True) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('SMSSTATUS_PLUGIN_API = "1.0"', "1.0"),
        ('SMSSTATUS_PLUGIN_API: str = "1.3"', "1.3"),
        ("from x import V\nSMSSTATUS_PLUGIN_API = V", None),  # tracks whatever is installed
        ('def f():\n    SMSSTATUS_PLUGIN_API = "1.0"', None),  # not at module level
        ("VENDOR = 'x'", None),
    ],
)
def test_the_declaration_check_reads_only_a_module_level_literal(source: str, expected: str | None) -> None:
    assert declared_api(source) == expected


# -- the surface itself -----------------------------------------------------------------------


@pytest.mark.parametrize("module", [smsstatus.plugin, smsstatus.plugin.testing], ids=lambda m: m.__name__)
def test_every_exported_name_resolves(module: object) -> None:
    names = module.__all__  # type: ignore[attr-defined]
    assert len(names) == len(set(names))
    missing = [n for n in names if getattr(module, n, None) is None]
    assert missing == []
    assert set(names) <= set(dir(module))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        smsstatus.plugin.Nope  # type: ignore[attr-defined]  # noqa: B018


def test_importing_the_surface_costs_no_more_than_importing_smsstatus() -> None:
    code = (
        "import sys\n"
        "import smsstatus\n"
        "before = set(sys.modules)\n"
        "import smsstatus.plugin\n"
        # on_first_call's module (40 lines, no imports) is the one addition: every entry module uses it.
        "print(sorted(set(sys.modules) - before - {'smsstatus.plugin', 'smsstatus.lazy'}))\n"
        "print(sorted(m for m in ('httpx', 'cattrs', 'jsonschema') if m in sys.modules))\n"
        "from smsstatus.plugin import Record\n"
        "print('smsstatus.fields' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:3] == ["[]", "[]", "True"]
