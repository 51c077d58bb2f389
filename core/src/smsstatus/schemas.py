"""The canonical JSON Schemas (draft 2020-12) and validators for them.

The schema files live in ``schemas/`` at the repository root and ship inside
the wheel as ``smsstatus/schemas``. jsonschema is imported lazily: validating
is for fixtures, conformance and explaining bad input, not the push hot path.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jsonschema

__all__ = ["SCHEMA_NAMES", "schema_dir", "load_schema", "validator", "validator_for", "errors_of"]

#: Public schema names (``smsstatus schema NAME``) and their files.
SCHEMA_NAMES: dict[str, str] = {
    "status-report": "status-report.schema.json",
    "fixture": "fixture.schema.json",
    "conformance-report": "conformance-report.schema.json",
}


def schema_dir() -> Traversable:
    """Where the canonical schemas are: inside the installed package, or the
    repository's ``schemas/`` in a development checkout (editable install)."""
    packaged = resources.files("smsstatus") / "schemas"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "schemas"


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    file = SCHEMA_NAMES.get(name, name)
    data: dict[str, Any] = json.loads((schema_dir() / file).read_text("utf-8"))
    return data


@functools.cache
def _registry() -> Any:
    from referencing import Registry, Resource

    resources_ = [
        (load_schema(name)["$id"], Resource.from_contents(load_schema(name))) for name in SCHEMA_NAMES
    ]
    return Registry().with_resources(resources_)


@functools.cache
def validator(name: str) -> jsonschema.protocols.Validator:
    """A reusable validator of one canonical schema, checking ``format``."""
    import jsonschema

    schema = load_schema(name)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, registry=_registry(), format_checker=cls.FORMAT_CHECKER)


def validator_for(schema: dict[str, Any]) -> jsonschema.protocols.Validator:
    """A validator for a plugin's own schema (which may ``$ref`` the canonical ones)."""
    import jsonschema

    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    cls.check_schema(schema)
    return cls(schema, registry=_registry(), format_checker=cls.FORMAT_CHECKER)


def errors_of(validator_: jsonschema.protocols.Validator, instance: Any) -> list[str]:
    """Every validation error as ``path: message``, sorted by path."""
    found = sorted(validator_.iter_errors(instance), key=lambda e: (e.json_path, e.message))
    return [f"{e.json_path}: {e.message}" for e in found]
