"""Running hypothesis for a robustness check, and judging what a plugin answered.

Runs are reproducible: the seed of each check is derived from ``--seed`` and
the check id, the example count is bounded, there is no example database. A
failure shows the smallest input hypothesis found.

Hypothesis also draws constants (string and number literals) from the source
of every "local" module loaded, which would make what a run finds depend on
how smsstatus is installed (an editable checkout counts as local, a wheel does
not) and on which modules happened to load first. While a robustness check
runs, those constants are the literals of the plugin's own source files, and
nothing else: the plugin's field names and status words are good mutations,
and the same plugin always gets the same ones.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .... import errors as err
from ....fixtures import error_type
from ....leaks import find_secrets
from ...context import plugin_files
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


@contextlib.contextmanager
def plugin_constants(files: Sequence[Path]) -> Iterator[None]:
    """Hypothesis's local constants: those of ``files`` only (private API, used
    only when it is there)."""
    try:
        from hypothesis.internal.conjecture import providers
        from hypothesis.internal.constants_ast import Constants, _constants_from_source
    except ImportError:  # pragma: no cover - another hypothesis version
        yield
        return
    original = getattr(providers, "_get_local_constants", None)
    cache = getattr(getattr(providers, "CONSTANTS_CACHE", None), "cache", None)
    if original is None or cache is None:  # pragma: no cover - another hypothesis version
        yield
        return
    constants = Constants()
    for file in files:
        try:
            constants |= _constants_from_source(file.read_bytes(), limit=True)
        except Exception:  # noqa: BLE001,S112 -- a file hypothesis cannot read adds nothing
            continue
    providers._get_local_constants = lambda: constants
    cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.clear()


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
    *,
    examples: Sequence[Any] = (),
) -> None:
    """Feed ``examples``, then ``strategy``'s draws, to ``probe`` (which answers
    what is wrong, or ``None``); fail with the first example or the smallest
    draw it objects to."""
    from hypothesis import HealthCheck, Phase, Verbosity, example, given, seed, settings
    from hypothesis.errors import Flaky

    slow: list[str] = []
    tried = 0

    @seed(seed_for(ctx.options.seed, f"{ctx.vendor}::{local_id}"))
    @settings(
        max_examples=ctx.options.max_examples,
        deadline=None,
        database=None,
        derandomize=False,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
        print_blob=False,
    )
    @given(strategy)
    def run(drawn: Any) -> None:
        nonlocal tried
        tried += 1
        problem = probe(drawn)
        if problem is None:
            return
        if problem.startswith("timeout:"):
            if len(slow) < 3:
                slow.append(f"{describe(drawn)}: {problem}")
            return
        raise _Found(f"{describe(drawn)}: {problem}")

    for fixed in reversed(examples):  # each decorator goes outside the last: keep the given order
        run = example(fixed)(run)
    assert ctx.loaded is not None
    try:
        with plugin_constants(plugin_files(ctx.loaded.plugin)):
            run()
    except _Found as exc:
        raise CheckFailed(f"{exc.message}\n(reproduce with --seed {ctx.options.seed})") from None
    except BaseExceptionGroup as group:  # several explicit examples failed
        found = group.subgroup(_Found)
        if found is None:
            raise
        first = found.exceptions[0]
        while isinstance(first, BaseExceptionGroup):
            first = first.exceptions[0]
        assert isinstance(first, _Found)
        raise CheckFailed(f"{first.message}\n(reproduce with --seed {ctx.options.seed})") from None
    except Flaky as exc:
        inner = [e for e in getattr(exc, "exceptions", ()) if isinstance(e, _Found)]
        detail = inner[0].message if inner else str(exc).splitlines()[0]
        raise CheckFailed(f"answers the same input differently from run to run: {detail}") from None
    if slow:
        raise CheckFailed("\n".join(slow))
    if tried == 0:
        raise CheckSkipped("hypothesis generated no input")
