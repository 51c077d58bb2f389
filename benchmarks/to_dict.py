"""``serialize.to_dict`` (the hand-written report path) against the cattrs converter it replaces.

    .venv/bin/python benchmarks/to_dict.py [--number N] [--rounds R]

Reports: the first report of D7's first push fixture case (what the receiver
stores per D7 push), and every report of every installed plugin's push and
fetch fixture cases (the mean per report). The two ways alternate round by
round in one process and the best round of each counts, so a busy shared
machine slows both alike. Nothing here asserts; the equality of the two is
tests/test_serialize_fast.py's job.
"""

from __future__ import annotations

import argparse
import contextlib
import timeit
from collections.abc import Callable
from typing import Any

from smsstatus import fixtures, serialize
from smsstatus.model import StatusReport
from smsstatus.plugin.testing import CaseFailure, load, load_cases, run_case


def fixture_reports() -> tuple[StatusReport, list[StatusReport]]:
    """Every report the fixture runner turns into a dict (offline, as the tests run them)."""
    registry = load(environ={})
    seen: dict[int, StatusReport] = {}
    original = serialize.to_dict

    def collect(report: StatusReport) -> dict[str, Any]:
        seen.setdefault(id(report), report)
        return original(report)

    fixtures.__dict__["to_dict"] = collect  # the runner's own name for it
    first_d7: StatusReport | None = None
    try:
        for vendor in sorted(registry.vendors):
            for case in load_cases(registry.info(vendor)):
                if case.kind not in ("push", "fetch"):
                    continue
                before = len(seen)
                with contextlib.suppress(CaseFailure):
                    run_case(registry, case)
                if vendor == "d7" and case.kind == "push" and first_d7 is None and len(seen) > before:
                    first_d7 = list(seen.values())[before]
    finally:
        fixtures.__dict__["to_dict"] = original
    if first_d7 is None:
        raise SystemExit("the d7 plugin is not installed")
    return first_d7, list(seen.values())


def best(fn: Callable[[], Any], number: int, rounds: int, each: int) -> float:
    """Best of ``rounds`` in µs per report."""
    return min(timeit.repeat(fn, number=number, repeat=rounds)) / number / each * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--number", type=int, default=20_000, help="calls per round (one D7 report)")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    d7, every = fixture_reports()
    unstructure = serialize.converter.unstructure
    to_dict = serialize.to_dict
    fast = [r for r in every if serialize.fast_report_dict(r) is not None]
    results: dict[str, list[list[float]]] = {"cattrs": [[], []], "to_dict": [[], []]}
    for _ in range(args.rounds):
        for name, fn in (("cattrs", unstructure), ("to_dict", to_dict)):
            results[name][0].append(best(lambda fn=fn: fn(d7), args.number, 1, 1))  # type: ignore[misc]
            results[name][1].append(
                best(lambda fn=fn: [fn(r) for r in every], max(1, args.number // len(every)), 1, len(every))  # type: ignore[misc]
            )
    print(
        f"{len(every)} push and fetch fixture reports of every installed plugin, {len(fast)} on the fast path"
    )
    for name, (ones, means) in results.items():
        one, mean = min(ones), min(means)
        print(f"{name:8} one D7 report {one:6.2f} µs   every fixture report, mean {mean:6.2f} µs")


if __name__ == "__main__":
    main()
