"""``smsstatus new-plugin``: writes a plugin distribution that passes conformance.

The templates next to this module (package data) describe an example vendor
with a JSON webhook and a status API; :func:`write_plugin` fills in the names
(``{{vendor}}``, ``{{package}}``, ...) and writes the tree.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

__all__ = ["ScaffoldError", "FILES", "names_for", "render", "write_plugin"]

#: Target path (with ``{package}`` and ``{module}`` fields) -> template file (None: empty file).
FILES: tuple[tuple[str, str | None], ...] = (
    ("pyproject.toml", "pyproject.toml.tmpl"),
    ("README.md", "README.md.tmpl"),
    (".gitignore", "gitignore.tmpl"),
    (".github/workflows/ci.yml", "ci.yml.tmpl"),
    ("src/{package}/__init__.py", "plugin.py.tmpl"),
    ("src/{package}/mapping.py", "mapping.py.tmpl"),
    ("src/{package}/py.typed", None),
    ("src/{package}/schemas/report.schema.json", "report.schema.json.tmpl"),
    ("src/{package}/fixtures/push.json", "push.json.tmpl"),
    ("src/{package}/fixtures/fetch.json", "fetch.json.tmpl"),
    ("src/{package}/fixtures/map.json", "map.json.tmpl"),
    ("tests/test_{module}.py", "test_plugin.py.tmpl"),
)

_NAME = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")
_DISPLAY = re.compile(r"^[^\"\\\x00-\x1f\x7f]{1,60}$")
_FIELD = re.compile(r"\{\{[a-z_]+\}\}")


class ScaffoldError(Exception):
    """The plugin cannot be written (bad name, target not empty)."""


def names_for(vendor: str, display_name: str | None = None) -> dict[str, str]:
    """The template fields for a vendor id."""
    if not _NAME.fullmatch(vendor) or len(vendor) > 30:
        raise ScaffoldError(
            f"{vendor!r} is not a usable vendor id: lower-case letters and digits, words joined by '-' or '_'"
        )
    display = display_name if display_name is not None else vendor.replace("-", " ").replace("_", " ").title()
    if not _DISPLAY.fullmatch(display):
        raise ScaffoldError(
            f"{display!r} is not a usable display name (1-60 characters, no quotes or backslashes)"
        )
    module = vendor.replace("-", "_")
    return {
        "vendor": vendor,
        "display_name": display,
        "module": module,
        "package": f"smsstatus_{module}",
        "distribution": f"smsstatus-{vendor.replace('_', '-')}",
        "host": vendor.replace("_", "-"),
        "env": module.upper(),
    }


def render(text: str, names: dict[str, str]) -> str:
    for key, value in names.items():
        text = text.replace("{{" + key + "}}", value)
    left = _FIELD.search(text)
    if left:
        raise ScaffoldError(f"template field {left.group()} has no value")
    return text


def write_plugin(vendor: str, directory: Path, *, display_name: str | None = None) -> Path:
    """Write ``<directory>/smsstatus-<vendor>/``; returns that path."""
    names = names_for(vendor, display_name)
    target = Path(directory) / names["distribution"]
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ScaffoldError(f"{target} already exists and is not empty")
    templates = resources.files(__name__)
    for path, template in FILES:
        file = target / path.format(package=names["package"], module=names["module"])
        file.parent.mkdir(parents=True, exist_ok=True)
        text = "" if template is None else render((templates / template).read_text("utf-8"), names)
        file.write_text(text, encoding="utf-8")
    return target
