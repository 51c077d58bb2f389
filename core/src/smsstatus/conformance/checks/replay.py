"""``replay::<file stem>::<case id>``: with its last recorded exchange
removed, a fetch case makes a request nobody recorded, which the replay
refuses: every request goes through the host's HTTP client."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from ...fixtures import Case
from ..context import Context, Family, Item, replay_fetch
from ..outcomes import CheckFailed, CheckSkipped


def check(ctx: Context, case: Case) -> None:
    exchanges = case.data["exchanges"]
    full, _ = replay_fetch(ctx, case)
    if full.problems or full.unused:
        raise CheckSkipped(f"the case does not replay cleanly (see case::{case.id})")
    short, _ = replay_fetch(ctx, case, exchanges[:-1])
    if not short.problems:
        raise CheckFailed(
            f"with the last of {len(exchanges)} recorded exchange(s) removed, fetch made no unrecorded"
            " request: some request does not go through the host's HTTP client"
        )


def plan(ctx: Context) -> Iterator[Item]:
    for case in ctx.cases:
        if case.kind == "fetch" and case.data["exchanges"]:
            yield Item(case.id, functools.partial(check, ctx, case))


FAMILY = Family("replay", plan, app_mode=True, runs_fixtures=True)
