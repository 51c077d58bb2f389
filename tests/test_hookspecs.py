"""Meta-tests: every hook is specified, documented, and listed for plugin authors."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from smsstatus import hookspecs

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.parametrize("name", hookspecs.HOOK_NAMES)
def test_every_hook_has_a_spec_with_a_docstring(name: str) -> None:
    spec = getattr(hookspecs, name)
    assert inspect.getdoc(spec), f"hook {name} has no docstring"
    assert getattr(spec, "smsstatus_spec", None) is not None, f"{name} is not marked as a hookspec"


@pytest.mark.parametrize("name", hookspecs.HOOK_NAMES)
def test_every_hook_is_explained_in_the_plugin_tutorial(name: str) -> None:
    assert f"{name}" in (DOCS / "writing-a-plugin.md").read_text("utf-8")


def test_hook_names_match_the_module() -> None:
    marked = {n for n, obj in vars(hookspecs).items() if getattr(obj, "smsstatus_spec", None) is not None}
    assert marked == set(hookspecs.HOOK_NAMES)


@pytest.mark.parametrize("name", hookspecs.HOOK_NAMES)
def test_every_hook_takes_vendor_first_except_metadata(name: str) -> None:
    params = list(inspect.signature(getattr(hookspecs, name)).parameters)
    if name == "vendor_info":
        assert params == []
    else:
        assert params[0] == "vendor"  # wrappers that see every vendor can tell them apart
