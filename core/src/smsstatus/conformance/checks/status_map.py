"""``status-map``: ``map_status`` answers every documented status as
declared, and an undocumented value without raising."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ... import errors as err
from ...fixtures import error_type
from ...model import MappingKind, Status
from ..context import Context, Family, Item, status_label
from ..outcomes import CheckFailed

#: A status value no vendor documents: map_status must answer it without raising.
UNDOCUMENTED_STATUS = "smsstatus-conformance-undocumented-status"


def _value(value: Any) -> str:
    return repr(value.value) if hasattr(value, "value") else repr(value)


def check(ctx: Context) -> None:
    problems: list[str] = []
    for documented in ctx.info.statuses:
        label = status_label(documented)
        want = documented.expected
        if want.mapping is MappingKind.UNMAPPED:
            problems.append(f"{label}: declared unmapped, but a documented status has a meaning")
        try:
            got = ctx.registry.map_status(ctx.vendor, documented.value, documented.code)
        except err.SmsStatusError as exc:
            problems.append(f"{label}: map_status raised {error_type(exc)}: {exc}")
            continue
        for field in ("status", "reason", "mapping"):
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
