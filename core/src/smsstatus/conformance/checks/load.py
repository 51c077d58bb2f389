"""``load``: the entry point imports and registers under its name, its hooks
match the specs (every failure the registry records while loading)."""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, Family, Item
from ..outcomes import CheckFailed


def check(ctx: Context) -> None:
    if ctx.load_problems:
        raise CheckFailed("\n".join(ctx.load_problems))


def plan(ctx: Context) -> Iterator[Item]:
    yield Item(None, lambda: check(ctx))


FAMILY = Family("load", plan, app_mode=True)
