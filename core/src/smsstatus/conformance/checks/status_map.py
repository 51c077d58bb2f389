"""``status-map``: ``map_status`` answers every documented status as declared,
the declared list agrees with the fixture map cases, and an undocumented value
is answered without raising.

A plugin that builds its declared list from the table its mapper reads makes
the first comparison a tautology: a wrong row is declared wrong too. The
fixture map cases are written from the vendor's documentation, on their own,
so they are the independent evidence: every documented status with a map case
must be declared exactly as that case expects (and ``--strict`` requires a map
case for every documented status).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ... import errors as err
from ...fixtures import Case, error_type
from ...model import MappedStatus, MappingKind, Status
from ...vendor import DocumentedStatus
from ..context import Context, Family, Item, status_label
from ..outcomes import CheckFailed

#: A status value no vendor documents: map_status must answer it without raising.
UNDOCUMENTED_STATUS = "smsstatus-conformance-undocumented-status"

_FIELDS = ("status", "reason", "mapping")


def _value(value: Any) -> str:
    return repr(value.value) if hasattr(value, "value") else repr(value)


def _as_fixture(mapped: MappedStatus) -> dict[str, str | None]:
    return {
        "status": mapped.status.value,
        "reason": mapped.reason.value if mapped.reason is not None else None,
        "mapping": mapped.mapping.value,
    }


def _map_cases(ctx: Context) -> dict[tuple[str, str | None], list[Case]]:
    found: dict[tuple[str, str | None], list[Case]] = {}
    for case in ctx.cases:
        if case.kind == "map" and not case.xfail:
            found.setdefault((case.data["status"], case.data.get("code")), []).append(case)
    return found


def _against_map_cases(documented: DocumentedStatus, cases: list[Case]) -> Iterator[str]:
    declared = _as_fixture(documented.expected)
    for case in cases:
        expect = case.data["expect"]
        for field in _FIELDS:
            if declared[field] != expect[field]:
                yield (
                    f"{status_label(documented)}: declared {field} {declared[field]!r}, but map case"
                    f" {case.id} expects {expect[field]!r} (the declared list and the fixtures must agree)"
                )


def check(ctx: Context) -> None:
    problems: list[str] = []
    map_cases = _map_cases(ctx)
    for documented in ctx.info.statuses:
        label = status_label(documented)
        want = documented.expected
        if want.mapping is MappingKind.UNMAPPED:
            problems.append(f"{label}: declared unmapped, but a documented status has a meaning")
        problems += _against_map_cases(documented, map_cases.get((documented.value, documented.code), []))
        try:
            got = ctx.registry.map_status(ctx.vendor, documented.value, documented.code)
        except err.SmsStatusError as exc:
            problems.append(f"{label}: map_status raised {error_type(exc)}: {exc}")
            continue
        for field in _FIELDS:
            have, expected = getattr(got, field), getattr(want, field)
            if have != expected:
                problems.append(f"{label}: {field} {_value(have)} != declared {_value(expected)}")
    try:
        probe = ctx.registry.map_status(ctx.vendor, UNDOCUMENTED_STATUS, None)
    except err.SmsStatusError as exc:
        problems.append(f"an undocumented value raised {error_type(exc)}: {exc} (answer unknown/unmapped)")
    else:
        if probe.mapping is MappingKind.EXACT:
            problems.append(
                "an undocumented value mapped as exact (answer unknown/unmapped or vendor_default)"
            )
        elif probe.mapping is MappingKind.UNMAPPED and probe.status is not Status.UNKNOWN:
            problems.append(f"an unmapped value gave status {probe.status.value} (unmapped means unknown)")
    if problems:
        raise CheckFailed("\n".join(problems))


def plan(ctx: Context) -> Iterator[Item]:
    yield Item(None, lambda: check(ctx))


FAMILY = Family("status-map", plan)
