"""``capability-fixtures``: a declared push or fetch has a case expecting
reports; an undeclared one has no cases."""

from __future__ import annotations

from collections.abc import Iterator

from ...vendor import Capability
from ..context import Context, Family, Item, expects_reports
from ..outcomes import CheckFailed


def check(ctx: Context) -> None:
    problems: list[str] = []
    cases = ctx.cases
    for capability in (Capability.PUSH, Capability.FETCH):
        kind = capability.value
        declared = capability in ctx.info.capabilities
        if declared and not any(c.kind == kind and expects_reports(c) for c in cases):
            problems.append(f"declares {kind} but no {kind} case expects reports")
        if not declared and any(c.kind == kind for c in cases):
            problems.append(f"has {kind} cases but does not declare {kind}")
    if problems:
        raise CheckFailed("\n".join(problems))


def plan(ctx: Context) -> Iterator[Item]:
    yield Item(None, lambda: check(ctx))


FAMILY = Family("capability-fixtures", plan)
