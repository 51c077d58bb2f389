"""``case::<file stem>::<case id>``: one fixture case gives exactly what it
expects (:func:`smsstatus.fixtures.run_case`); its own ``xfail`` makes it a
known failure."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from ... import errors as err
from ...fixtures import Case, CaseFailure, FixtureError, error_type, run_case
from ..context import Context, Family, Item
from ..outcomes import CheckFailed


def check(ctx: Context, case: Case) -> None:
    try:
        run_case(ctx.registry, case)
    except CaseFailure as exc:
        text = str(exc)
        raise CheckFailed(text.split("\n", 1)[1].strip() if "\n" in text else text) from None
    except FixtureError as exc:
        raise CheckFailed(f"bad fixture: {exc}") from None
    except err.SmsStatusError as exc:
        raise CheckFailed(f"unexpected {error_type(exc)} error: {exc}") from None


def plan(ctx: Context) -> Iterator[Item]:
    for case in ctx.cases:
        yield Item(case.id, functools.partial(check, ctx, case), known_failure=case.xfail)


FAMILY = Family("case", plan, app_mode=True, runs_fixtures=True)
