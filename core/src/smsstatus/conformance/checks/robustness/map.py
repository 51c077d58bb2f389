"""``robustness::map``: ``map_status`` answers any value (odd spellings of
documented ones, random text) with a ``MappedStatus``, ``unknown`` whenever
it says ``unmapped``; it never raises."""

from __future__ import annotations

from ....fixtures import error_type
from ....model import MappedStatus, MappingKind, Status
from ...context import Context
from ...sandbox import call_with_limit
from .explore import explore
from .mutations import SPECIAL_STRINGS, show

__all__ = ["check"]


def check(ctx: Context) -> None:
    from hypothesis import strategies as st

    documented = [s.value for s in ctx.info.statuses] or ["x"]
    codes = [s.code for s in ctx.info.statuses if s.code is not None] or ["0"]
    text = st.one_of(st.text(max_size=24), st.sampled_from(SPECIAL_STRINGS))
    variants = st.sampled_from(documented).flatmap(
        lambda v: st.sampled_from([v.lower(), v.upper(), f" {v} ", v + "\x00", v[:-1], v * 2])
    )
    statuses = st.one_of(variants, text)
    code_values = st.one_of(st.none(), st.sampled_from(codes), text)
    limit = ctx.options.time_limit

    def probe(example: tuple[str, str | None]) -> str | None:
        status, code = example
        outcome = call_with_limit(lambda: ctx.registry.map_status(ctx.vendor, status, code), limit)
        if outcome.timed_out:
            return f"timeout: took {outcome.duration:.2f}s (limit {limit:g}s)"
        if outcome.error is not None:
            return f"raised {error_type(outcome.error)} error: {outcome.error} (map_status never raises)"
        mapped: MappedStatus = outcome.value
        if mapped.mapping is MappingKind.UNMAPPED and mapped.status is not Status.UNKNOWN:
            return f"answered {mapped.status.value} with mapping unmapped (unmapped means unknown)"
        return None

    explore(
        ctx,
        "robustness::map",
        st.tuples(statuses, code_values),
        probe,
        lambda ex: f"map_status({show(ex[0])}, {show(ex[1])})",
    )
