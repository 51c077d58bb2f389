"""``core-capabilities`` (``--strict`` only): what every production plugin
should have, down to a fixture map case for every documented status."""

from __future__ import annotations

from collections.abc import Iterator

from ...fixtures import Case
from ...vendor import Capability
from ..context import Context, Family, Item, status_label
from ..outcomes import CheckFailed, CheckSkipped
from .auth import push_secrets


def _expects_error(case: Case, kind: str) -> bool:
    return bool(case.data["expect"].get("error", {}).get("type") == kind)


def _unmapped(case: Case) -> bool:
    expect = case.data["expect"]
    if case.kind == "map":
        return bool(expect["mapping"] == "unmapped")
    return any(r.get("mapping") == "unmapped" for r in expect.get("reports", []))


def check(ctx: Context) -> None:
    if not ctx.options.strict:
        raise CheckSkipped("runs with --strict")
    info = ctx.info
    cases = ctx.cases
    problems: list[str] = []
    if not info.capabilities & {Capability.PUSH, Capability.FETCH}:
        problems.append("declares neither push nor fetch")
    if not info.docs_url:
        problems.append("docs_url is not set")
    if Capability.FETCH in info.capabilities:
        if not info.default_base_url:
            problems.append("fetch vendor without default_base_url")
        if info.poll is None:
            problems.append("fetch vendor without a poll policy")
    if Capability.PUSH in info.capabilities and not any(
        c.kind == "push" and (c.data.get("payload_valid") is False or _expects_error(c, "payload"))
        for c in cases
    ):
        problems.append("no malformed-push case (payload_valid false or an expected payload error)")
    if push_secrets(info) and not any(
        c.kind == "push" and _expects_error(c, "authentication") for c in cases
    ):
        problems.append("push credentials but no case expecting an authentication error")
    if not any(_unmapped(c) for c in cases):
        problems.append("no case with an unknown vendor status (expected mapping unmapped)")
    mapped = {(c.data["status"], c.data.get("code")) for c in cases if c.kind == "map"}
    missing = [status_label(s) for s in info.statuses if (s.value, s.code) not in mapped]
    if missing:
        problems.append(f"documented statuses without a map case: {', '.join(missing)}")
    if problems:
        raise CheckFailed("\n".join(problems))


def plan(ctx: Context) -> Iterator[Item]:
    yield Item(None, lambda: check(ctx))


FAMILY = Family("core-capabilities", plan)
