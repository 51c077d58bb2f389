"""``metadata``: ``VendorInfo`` is complete and consistent."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from ...credentials import CredentialSpec
from ...model import MappedStatus
from ...vendor import Capability, DocumentedStatus
from ..context import Context, Family, Item, status_label
from ..outcomes import CheckFailed

VENDOR_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_CREDENTIAL_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _status_problems(statuses: Sequence[Any]) -> Iterator[str]:
    if not statuses:
        yield "statuses is empty: declare a DocumentedStatus for every status the vendor documents"
    seen: set[tuple[str, str | None]] = set()
    for status in statuses:
        if not isinstance(status, DocumentedStatus) or not isinstance(status.expected, MappedStatus):
            yield f"statuses holds {status!r}, not a DocumentedStatus with a MappedStatus"
            continue
        if not status.value:
            yield "a documented status has an empty value"
        key = (status.value, status.code)
        if key in seen:
            yield f"status {status_label(status)} is documented twice"
        seen.add(key)


def _credential_problems(specs: Sequence[Any], capabilities: frozenset[Capability]) -> Iterator[str]:
    used: set[tuple[str, str]] = set()
    for spec in specs:
        if not isinstance(spec, CredentialSpec):
            yield f"credentials holds {spec!r}, not a CredentialSpec"
            continue
        label = f"credential {spec.name!r}"
        if not _CREDENTIAL_NAME.fullmatch(spec.name or ""):
            yield f"{label}: name must be an identifier (it becomes SMSSTATUS_<VENDOR>_<NAME>)"
        if not spec.description or not spec.description.strip():
            yield f"{label}: description is empty"
        if spec.used_for not in ("push", "fetch", "drain"):
            yield f"{label}: used_for {spec.used_for!r} is not 'push', 'fetch' or 'drain'"
        elif Capability(spec.used_for) not in capabilities:
            yield f"{label}: used for {spec.used_for} but the plugin does not declare {spec.used_for}"
        if (spec.name, spec.used_for) in used:
            yield f"{label} is declared twice for {spec.used_for}"
        used.add((spec.name, spec.used_for))


def check(ctx: Context) -> None:
    info = ctx.info
    problems: list[str] = []
    if not VENDOR_ID.fullmatch(info.id):
        problems.append(f"id {info.id!r} is not a valid vendor id ({VENDOR_ID.pattern})")
    if not isinstance(info.display_name, str) or not info.display_name.strip():
        problems.append("display_name is empty")
    if not all(isinstance(c, Capability) for c in info.capabilities):
        problems.append("capabilities must be smsstatus.Capability values")
    problems += _status_problems(info.statuses)
    for what, folder in (("schemas", info.schemas), ("fixtures", info.fixtures)):
        if folder is None:
            problems.append(f"{what} directory is not declared")
        elif not folder.is_dir():
            problems.append(f"{what} directory {folder} does not exist (is it in the wheel?)")
    problems += _credential_problems(info.credentials, info.capabilities)
    if info.default_base_url is not None and not info.default_base_url.startswith(("https://", "http://")):
        problems.append(f"default_base_url {info.default_base_url!r} is not an http(s) URL")
    if not all(isinstance(f, str) and f for f in info.secret_fields):
        problems.append("secret_fields must be non-empty field names")
    if ctx.target.plugin is None and not ctx.distribution:
        problems.append("the entry point has no distribution metadata (name and version)")
    if problems:
        raise CheckFailed("\n".join(problems))


def plan(ctx: Context) -> Iterator[Item]:
    yield Item(None, lambda: check(ctx))


FAMILY = Family("metadata", plan)
