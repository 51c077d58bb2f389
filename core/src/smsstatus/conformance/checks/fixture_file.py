"""``fixture-file::<name>``: one fixture file is valid (read and linted by
:mod:`..fixturefiles`); a bad file fails alone and its cases do not run."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from ..context import Context, Family, Item
from ..fixturefiles import FixtureFile
from ..outcomes import CheckFailed


def check(file: FixtureFile) -> None:
    if file.problems:
        raise CheckFailed("\n".join(file.problems))


def plan(ctx: Context) -> Iterator[Item]:
    for file in ctx.files:
        yield Item(file.name, functools.partial(check, file))


FAMILY = Family("fixture-file", plan, app_mode=True)
