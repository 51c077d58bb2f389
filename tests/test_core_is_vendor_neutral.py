"""Nothing in core may know a vendor's name: no string in core's code (docstrings
and comments aside, where vendors serve as examples) and nothing in the
canonical schemas names a bundled vendor."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDORS = sorted(p.parent.name for p in (ROOT / "plugins").glob("*/pyproject.toml"))


def _code_strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_the_bundled_vendors_are_found() -> None:
    assert {"d7", "innopaas", "uspeedo", "huawei", "contacta"} <= set(VENDORS)


def test_no_vendor_name_in_core_code() -> None:
    found = []
    for path in sorted((ROOT / "core" / "src").rglob("*.py")):
        if "scaffold" in path.parts:  # the plugin template's example vendor is "acme"
            continue
        for line, text in _code_strings(path):
            words = re.findall(r"[a-z0-9]+", text.lower())
            found += [f"{path.relative_to(ROOT)}:{line}: {v}" for v in VENDORS if v in words]
    assert found == []


def test_no_vendor_name_in_the_canonical_schemas() -> None:
    for path in (ROOT / "schemas").glob("*.json"):
        text = path.read_text("utf-8").lower()
        assert [v for v in VENDORS if f'"{v}"' in text] == [], path.name
