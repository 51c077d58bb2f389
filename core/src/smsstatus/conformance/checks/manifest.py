"""``manifest``: the known-failure manifest (``conformance.toml``) is valid
and names only checks that exist."""

from __future__ import annotations

from collections.abc import Iterator

from .. import MANIFEST_NAME
from ..context import Context, Family, Item
from ..outcomes import CheckFailed, CheckSkipped

#: Checks that cannot be declared known failures.
NOT_DECLARABLE = frozenset({"load", "manifest"})


def check(ctx: Context) -> None:
    manifest = ctx.manifest
    if not manifest.present:
        raise CheckSkipped(f"no {MANIFEST_NAME}: no known failures declared")
    problems = list(manifest.problems)
    for entry in manifest.entries:
        head = entry.check.split("::", 1)[0]
        if head in NOT_DECLARABLE:
            problems.append(f"{entry.check!r}: the {head} check cannot be declared a known failure")
        elif entry.check not in ctx.known_ids:
            problems.append(f"{entry.check!r}: no such check for {ctx.vendor} (stale or misspelled)")
    if problems:
        raise CheckFailed("\n".join(problems))


def plan(ctx: Context) -> Iterator[Item]:
    yield Item(None, lambda: check(ctx))


FAMILY = Family("manifest", plan)
