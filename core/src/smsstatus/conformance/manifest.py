"""The known-failure manifest: ``conformance.toml`` in a plugin's fixtures directory.

::

    manifest_format = 1

    [[known_failures]]
    check = "robustness::push"
    reason = "crashes on a non-object JSON body: https://example.invalid/issues/12"

``check`` names a whole check (``robustness``) or one item (``case::pushes::x``),
with or without the ``<vendor>::`` prefix. Each entry runs as a strict xfail.
It is TOML, not JSON, because every ``*.json`` file in the fixtures directory
is read as a fixture file.
"""

from __future__ import annotations

import functools
import json
import tomllib
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import attrs

from . import MANIFEST_NAME

__all__ = ["KnownFailure", "Manifest", "read_manifest", "manifest_schema"]


@attrs.frozen
class KnownFailure:
    check: str
    reason: str


@attrs.frozen
class Manifest:
    present: bool
    entries: tuple[KnownFailure, ...] = ()
    #: Problems with the file itself; its entries are then ignored.
    problems: tuple[str, ...] = ()


@functools.cache
def manifest_schema() -> dict[str, Any]:
    text = (resources.files("smsstatus.conformance") / "manifest.schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def read_manifest(vendor: str, fixtures: Traversable | None) -> Manifest:
    if fixtures is None or not fixtures.is_dir():
        return Manifest(False)
    file = fixtures / MANIFEST_NAME
    if not file.is_file():
        return Manifest(False)
    try:
        data = tomllib.loads(file.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return Manifest(True, problems=(f"{MANIFEST_NAME}: not valid TOML: {exc}",))
    from ..schemas import errors_of, validator_for

    problems = errors_of(validator_for(manifest_schema()), data)
    if problems:
        return Manifest(True, problems=tuple(f"{MANIFEST_NAME}: {p}" for p in problems))
    entries = []
    for item in data.get("known_failures", []):
        check = str(item["check"])
        check = check.removeprefix(f"{vendor}::")
        entries.append(KnownFailure(check, str(item["reason"]).strip()))
    return Manifest(True, tuple(entries))
