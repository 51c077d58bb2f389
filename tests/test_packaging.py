"""Meta-test: every distribution in the workspace carries the metadata its package page needs.

The pattern (docs/writing-a-plugin.md, "Package metadata"): one version source per distribution,
a README that works on the package page (what it covers, how to install it, no links relative to
this repository), classifiers, project URLs. ``python3 tasks.py wheels`` then checks the built
wheels with ``twine check --strict``.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import smsstatus

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = sorted(p.parent for p in (ROOT / "plugins").glob("*/pyproject.toml"))
MEMBERS = [ROOT / "core", *PLUGINS]
REQUIRED_CLASSIFIERS = {"Programming Language :: Python :: 3", "Typing :: Typed"}
# A Markdown link or image whose target is neither absolute nor an anchor: it breaks on the package page.
RELATIVE_LINK = re.compile(r"\]\((?!https?://|#|mailto:)([^)]+)\)")
VERSION_LITERAL = re.compile(r"^__version__\s*=", re.MULTILINE)


def project(member: Path) -> dict[str, object]:
    table: dict[str, object] = tomllib.loads((member / "pyproject.toml").read_text())["project"]
    return table


@pytest.mark.parametrize("member", MEMBERS, ids=[m.name for m in MEMBERS])
def test_package_page_metadata(member: Path) -> None:
    meta = project(member)
    description = meta.get("description")
    assert isinstance(description, str) and 20 <= len(description) <= 200 and "\n" not in description
    assert meta.get("readme") == "README.md", "the README is the package page"
    assert meta.get("license") and meta.get("requires-python") == ">=3.11"
    classifiers = meta.get("classifiers")
    assert isinstance(classifiers, list)
    missing = REQUIRED_CLASSIFIERS - set(classifiers)
    assert not missing, f"{member.name}: classifiers lack {sorted(missing)}"
    urls = meta.get("urls")
    assert isinstance(urls, dict)
    assert {"Homepage", "Documentation", "Source", "Issues"} <= set(urls), f"{member.name}: urls {urls}"
    assert all(str(u).startswith("https://") for u in urls.values())


@pytest.mark.parametrize("member", MEMBERS, ids=[m.name for m in MEMBERS])
def test_readme_stands_alone_on_the_package_page(member: Path) -> None:
    readme = (member / "README.md").read_text()
    name = project(member)["name"]
    assert len(readme.split()) >= 60, f"{member.name}/README.md is too short to describe the package"
    assert f"pip install {name}" in readme, f"{member.name}/README.md does not say how to install {name}"
    relative = RELATIVE_LINK.findall(readme)
    assert not relative, f"{member.name}/README.md links relative to the repository: {relative}"


@pytest.mark.parametrize("plugin", PLUGINS, ids=[p.name for p in PLUGINS])
def test_plugin_version_has_one_source(plugin: Path) -> None:
    """A plugin's version is written once, in pyproject.toml; the host reads it from the
    installed metadata, so nothing in the package repeats it."""
    meta = project(plugin)
    assert isinstance(meta.get("version"), str) and "version" not in meta.get("dynamic", [])
    repeated = [p for p in (plugin / "src").rglob("*.py") if VERSION_LITERAL.search(p.read_text())]
    assert not repeated, f"version written again in {repeated}"


@pytest.mark.parametrize("plugin", PLUGINS, ids=[p.name for p in PLUGINS])
def test_plugin_documentation_url_is_its_vendor_page(plugin: Path) -> None:
    urls = project(plugin)["urls"]
    assert isinstance(urls, dict)
    page = f"docs/vendors/{plugin.name}.md"
    assert str(urls["Documentation"]).endswith(page) and (ROOT / page).is_file()


def test_core_version_has_one_source() -> None:
    """Core's version lives in smsstatus.__version__ only; hatch reads it from there."""
    pyproject = tomllib.loads((ROOT / "core" / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"] and pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["tool"]["hatch"]["version"]["path"] == "src/smsstatus/__init__.py"
    assert re.fullmatch(r"\d+\.\d+\.\d+(?:\.dev\d+|(?:a|b|rc)\d+)?", smsstatus.__version__)
    assert metadata.version("smsstatus") == smsstatus.__version__
    sources = [
        p
        for p in (ROOT / "core" / "src").rglob("*.py")
        if VERSION_LITERAL.search(p.read_text()) and p.name != "__init__.py"
    ]
    assert not sources, f"a second version source: {sources}"
