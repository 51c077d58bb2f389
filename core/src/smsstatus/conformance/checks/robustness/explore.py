"""Running hypothesis for a robustness check, and judging what a plugin answered.

Runs are reproducible: the seed of each check is derived from ``--seed`` and
the check id, the example count is bounded, there is no example database. A
failure shows the smallest input hypothesis found.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .... import errors as err
from ....fixtures import error_type
from ...leaks import find_secrets
from ...outcomes import CheckFailed, CheckSkipped

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

    from ...context import Context

__all__ = ["explore", "judge_result", "leak"]


def seed_for(base: int, check_id: str) -> int:
    return (base * 1_000_003 + zlib.crc32(check_id.encode())) % (2**32)


def judge_result(result: Any) -> str | None:
    """What is wrong with a push or fetch result (``None``: nothing)."""
    from ....schemas import errors_of, validator
    from ....serialize import to_dict

    schema = validator("status-report")
    for i, report in enumerate(result.reports):
        try:
            data = to_dict(report)
        except Exception as exc:  # noqa: BLE001 -- an unserialisable report is the finding
            return f"returned report {i} that cannot be serialised: {type(exc).__name__}: {exc}"
        problems = errors_of(schema, data)
        if problems:
            return f"returned report {i} that breaks the canonical schema: {'; '.join(problems[:3])}"
    for item in result.errors:
        if not isinstance(item.error, err.SmsStatusError) or isinstance(item.error, err.PluginError):
            return f"returned an item error that is not a typed error: {error_type(item.error)}: {item.error}"
    return None


def leak(text: str, secrets: Sequence[str]) -> str | None:
    # ``secrets`` comes from Credentials.secret_values(): already the declared
    # secrets long enough to search for.
    found = find_secrets(text, {str(i): v for i, v in enumerate(secrets)})
    return "an error shows a credential value" if found else None


class _Found(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def explore(
    ctx: Context,
    local_id: str,
    strategy: SearchStrategy[Any],
    probe: Callable[[Any], str | None],
    describe: Callable[[Any], str],
) -> None:
    """Feed ``strategy``'s examples to ``probe`` (which answers what is wrong,
    or ``None``); fail with the smallest example it objects to."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
    from hypothesis.errors import Flaky

    slow: list[str] = []
    tried = 0

    @seed(seed_for(ctx.options.seed, f"{ctx.vendor}::{local_id}"))
    @settings(
        max_examples=ctx.options.max_examples,
        deadline=None,
        database=None,
        derandomize=False,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
        print_blob=False,
    )
    @given(strategy)
    def run(example: Any) -> None:
        nonlocal tried
        tried += 1
        problem = probe(example)
        if problem is None:
            return
        if problem.startswith("timeout:"):
            if len(slow) < 3:
                slow.append(f"{describe(example)}: {problem}")
            return
        raise _Found(f"{describe(example)}: {problem}")

    try:
        run()
    except _Found as exc:
        raise CheckFailed(f"{exc.message}\n(reproduce with --seed {ctx.options.seed})") from None
    except Flaky as exc:
        inner = [e for e in getattr(exc, "exceptions", ()) if isinstance(e, _Found)]
        detail = inner[0].message if inner else str(exc).splitlines()[0]
        raise CheckFailed(f"answers the same input differently from run to run: {detail}") from None
    if slow:
        raise CheckFailed("\n".join(slow))
    if tried == 0:
        raise CheckSkipped("hypothesis generated no input")
