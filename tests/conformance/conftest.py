"""Fixtures of the conformance kit's tests; the harness is in harness.py."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # cfk_plugins and harness, importable in process
    sys.path.insert(0, str(HERE))

from harness import Site  # noqa: E402 -- needs the path above


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield Site(tmp_path / "site")


@pytest.fixture(scope="module")
def module_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return Site(tmp_path_factory.mktemp("site"))
