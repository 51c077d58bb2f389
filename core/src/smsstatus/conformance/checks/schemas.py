"""``schemas``: every payload schema the plugin ships is a valid draft 2020-12 JSON Schema."""

from __future__ import annotations

import json
from collections.abc import Iterator

from ..context import Context, Family, Item
from ..outcomes import CheckFailed

_DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def check(ctx: Context) -> None:
    import jsonschema
    import referencing.exceptions

    from ...schemas import validator_for

    info = ctx.info
    if info.schemas is None or not info.schemas.is_dir():
        raise CheckFailed("no schemas directory (see metadata)")
    files = sorted((f for f in info.schemas.iterdir() if f.name.endswith(".json")), key=lambda f: f.name)
    problems: list[str] = []
    if not files and info.capabilities:
        problems.append("no payload schemas (*.json) although the plugin takes payloads")
    for file in files:
        try:
            schema = json.loads(file.read_text("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            problems.append(f"{file.name}: not valid JSON: {exc}")
            continue
        if not isinstance(schema, dict):
            problems.append(f"{file.name}: a schema must be a JSON object")
            continue
        if schema.get("$schema", _DRAFT_2020_12).rstrip("#") != _DRAFT_2020_12:
            problems.append(f"{file.name}: $schema is {schema['$schema']!r}, not draft 2020-12")
        try:
            validator_for(schema)
        except jsonschema.exceptions.SchemaError as exc:
            problems.append(f"{file.name}: not a valid schema at {exc.json_path}: {exc.message}")
        except referencing.exceptions.Unresolvable as exc:
            problems.append(f"{file.name}: unresolvable reference: {exc}")
    if problems:
        raise CheckFailed("\n".join(problems))


def plan(ctx: Context) -> Iterator[Item]:
    yield Item(None, lambda: check(ctx))


FAMILY = Family("schemas", plan)
