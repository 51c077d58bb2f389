"""``hooks``: ``map_status`` is implemented; no hook is a wrapper, has
defaults, or takes arguments its spec does not pass."""

from __future__ import annotations

from collections.abc import Iterator

from ...hookspecs import HOOK_NAMES
from ..context import Context, Family, Item
from ..outcomes import CheckFailed


def check(ctx: Context) -> None:
    assert ctx.loaded is not None
    plugin = ctx.loaded.plugin
    problems: list[str] = []
    if "map_status" not in ctx.loaded.hooks:
        problems.append("does not implement map_status (every vendor maps its documented statuses)")
    for caller in ctx.registry.plugin_manager.get_hookcallers(plugin) or []:
        if caller.spec is None:
            problems.append(f"unknown hook {caller.name!r} (hooks: {', '.join(HOOK_NAMES)})")
            continue
        for impl in caller.get_hookimpls():
            if impl.plugin is not plugin:
                continue
            if impl.hookwrapper or impl.wrapper:
                problems.append(
                    f"{caller.name} is a wrapper: wrappers belong in smsstatus.plugins, not in a vendor"
                )
            if impl.kwargnames:
                problems.append(
                    f"{caller.name} gives defaults to {', '.join(impl.kwargnames)} (never passed)"
                )
            extra = sorted(set(impl.argnames) - set(caller.spec.argnames))
            if extra:
                problems.append(f"{caller.name} takes arguments the spec does not pass: {', '.join(extra)}")
    if problems:
        raise CheckFailed("\n".join(problems))


def plan(ctx: Context) -> Iterator[Item]:
    yield Item(None, lambda: check(ctx))


FAMILY = Family("hooks", plan)
