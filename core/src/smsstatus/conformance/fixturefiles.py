"""Reading and linting fixture files one by one.

:func:`smsstatus.fixtures.load_cases` stops at the first bad file; the kit
checks every file on its own (``fixture-file::<name>``) and runs the cases of
the good ones, so one bad file hides nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import attrs

from ..fixtures import Case
from ..schemas import errors_of, validator
from ..vendor import VendorInfo
from .outcomes import UsageError

__all__ = ["FixtureFile", "read_fixture_files", "vendors_in", "credential_values"]

#: Description lint: one plain line.
MAX_DESCRIPTION = 300


@attrs.frozen
class FixtureFile:
    name: str
    problems: tuple[str, ...]
    cases: tuple[Case, ...]
    #: Every credential value the file carries (even when it is invalid), for redaction.
    secrets: tuple[str, ...] = ()


def _json_files(directory: Traversable | None) -> list[Traversable]:
    if directory is None or not directory.is_dir():
        return []
    return sorted(
        (f for f in directory.iterdir() if f.name.endswith(".json") and f.is_file()), key=lambda f: f.name
    )


def credential_values(data: Any) -> tuple[str, ...]:
    """Credential values anywhere in a fixture file's cases (best effort on bad files)."""
    found: list[str] = []
    cases = data.get("cases") if isinstance(data, dict) else None
    for case in cases if isinstance(cases, list) else ():
        creds = case.get("credentials") if isinstance(case, dict) else None
        if isinstance(creds, dict):
            found.extend(v for v in creds.values() if isinstance(v, str) and v)
    return tuple(dict.fromkeys(found))


def _lint_text(where: str, text: Any) -> Iterator[str]:
    if not isinstance(text, str):
        return
    if "\n" in text or "\r" in text:
        yield f"{where}: description must be one line"
    if text != text.strip():
        yield f"{where}: description has leading or trailing whitespace"
    if len(text) > MAX_DESCRIPTION:
        yield f"{where}: description is {len(text)} characters (at most {MAX_DESCRIPTION})"


def _lint(vendor: str, info: VendorInfo | None, name: str, data: Any) -> list[str]:
    problems = errors_of(validator("fixture"), data)
    if problems:
        return problems[:10] + ([f"... and {len(problems) - 10} more"] if len(problems) > 10 else [])
    if data["vendor"] != vendor:
        problems.append(f"$.vendor: {data['vendor']!r} is not {vendor!r}")
    problems += _lint_text("$.description", data["description"])
    seen: dict[str, int] = {}
    for i, case in enumerate(data["cases"]):
        where = f"$.cases[{i}]"
        if case["id"] in seen:
            problems.append(f"{where}.id: {case['id']!r} repeats $.cases[{seen[case['id']]}]")
        seen.setdefault(case["id"], i)
        problems += _lint_text(f"{where}.description", case["description"])
        if info is None:
            continue
        schema_names = [case["payload_schema"]] if case["kind"] == "push" else []
        if case["kind"] == "fetch":
            schema_names += [
                x["response"]["payload_schema"]
                for x in case["exchanges"]
                if "payload_schema" in x["response"]
            ]
        for schema_name in schema_names:
            if info.schemas is None or not (info.schemas / schema_name).is_file():
                problems.append(
                    f"{where}: payload schema {schema_name!r} is not in the plugin's schemas directory"
                )
    return problems


def read_fixture_files(
    vendor: str,
    directory: Traversable | None,
    info: VendorInfo | None = None,
    only: Collection[str] | None = None,
) -> list[FixtureFile]:
    """Every ``*.json`` file of ``directory`` (or those named in ``only``),
    linted; the cases of a file with problems are not run."""
    files: list[FixtureFile] = []
    for file in _json_files(directory):
        if only is not None and file.name not in only:
            continue
        try:
            data = json.loads(file.read_text("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            files.append(FixtureFile(file.name, (f"not valid JSON: {exc}",), ()))
            continue
        secrets = credential_values(data)
        problems = _lint(vendor, info, file.name, data)
        cases = () if problems else tuple(Case(vendor, file.name, c) for c in data["cases"])
        files.append(FixtureFile(file.name, tuple(problems), cases, secrets))
    return files


def vendors_in(directory: Path) -> dict[str, list[str]]:
    """The vendors an application's fixture directory names, with their files."""
    found: dict[str, list[str]] = {}
    for file in _json_files(directory):
        try:
            data = json.loads(file.read_text("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise UsageError(f"{file}: not valid JSON: {exc}") from None
        vendor = data.get("vendor") if isinstance(data, dict) else None
        if not isinstance(vendor, str) or not vendor:
            raise UsageError(f"{file}: not a fixture file (no vendor)")
        found.setdefault(vendor, []).append(file.name)
    return found
