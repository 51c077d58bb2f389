"""The fixed cost of one push, piece by piece: what every vendor pays whatever it parses.

    .venv/bin/python benchmarks/fixed_cost.py [--rounds R] [--number N]

Each piece is timed alone, with a do-nothing plugin where a plugin is needed,
and the pieces alternate round by round in one process (best round of each),
so a busy shared machine slows them alike. ``json.loads`` of a 150-byte
report is the yardstick the push table in docs/performance.md divides by.
Nothing here asserts: equality with the attrs constructors and the stdlib
decoders is tests/test_hotpath.py's job.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from smsstatus import PushRequest, Registry
from smsstatus.hotpath import fast_form, fast_path, new_push_result, new_report
from smsstatus.model import MappingKind, Status
from smsstatus.plugin import Capability, Channel, PushReply, PushResult, VendorInfo, hookimpl, on_first_call

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
#: A form push's own two headers and the four every request carries (as benchmarks/run.py builds them).
PAIRS = [
    ("content-type", "application/x-www-form-urlencoded"),
    ("content-length", "99"),
    ("host", "hooks.example.test"),
    ("user-agent", "vendor-dlr/1.0"),
    ("accept-encoding", "gzip"),
    ("x-forwarded-for", "203.0.113.7"),
]
QUERY = "MessageSid=SM1f0e8ae6ade43cb3c0ce4525424e404f&MessageStatus=delivered&To=%2B15558675310&From=%2B15017122661"
JSON = json.dumps(dict(pair.split("=", 1) for pair in QUERY.split("&"))).encode()


def _report() -> Any:
    return new_report(
        "noop", "SM1f0e8ae6", None, None, None, None, Status.DELIVERED, MappingKind.EXACT, None, "delivered",
        None, None, None, None, None, None, None, None, None, None, None, NOW, Channel.PUSH, {}, {}, (),
    )  # fmt: skip


REPLY = PushReply()  # a plugin's module constant
RESULT = new_push_result((_report(),), REPLY, ())


def _vendor(name: str, parse: Callable[..., PushResult]) -> object:
    class Plugin:
        @staticmethod
        @hookimpl
        def vendor_info() -> VendorInfo:
            return VendorInfo(
                id=name, display_name=name, capabilities=frozenset({Capability.PUSH}), statuses=()
            )

        @staticmethod
        @hookimpl
        def parse_push(vendor: str, request: PushRequest, credentials: Any) -> PushResult:
            return parse(vendor, request, credentials)

    return Plugin


def _layered(lean: Callable[..., PushResult | None]) -> Callable[..., PushResult]:
    """A plugin's usual layers: the entry module's on_first_call, then fast_path, then the lean path."""

    @fast_path(lean)
    def detailed(vendor: str, request: PushRequest, credentials: Any) -> PushResult:
        raise AssertionError("the lean path answers every push here")

    @on_first_call
    def load() -> Callable[..., PushResult]:
        return detailed

    return load


def _reads_content_type(vendor: str, request: PushRequest, credentials: Any) -> PushResult | None:
    """A lean path that asks what every lean path asks first, then builds its answer."""
    if request.content_type != "application/x-www-form-urlencoded":
        return None
    return new_push_result((_report(),), REPLY, ())


def pieces() -> dict[str, Callable[[], Any]]:
    registry = Registry(
        vendors={
            "bare": _vendor("bare", lambda vendor, request, credentials: RESULT),
            "layered": _vendor("layered", _layered(lambda vendor, request, credentials: RESULT)),
            "building": _vendor(
                "building",
                _layered(lambda vendor, request, credentials: new_push_result((_report(),), REPLY, ())),
            ),
            "whole": _vendor("whole", _layered(_reads_content_type)),
        }
    )
    request = PushRequest(
        method="GET", url=f"https://hooks.example.test/dlr?{QUERY}", headers=PAIRS, received_at=NOW
    )

    def fresh() -> PushRequest:
        return PushRequest(
            method="POST", url="https://hooks.example.test/dlr", headers=PAIRS, body=b"", received_at=NOW
        )

    return {
        "json.loads of the 4 fields (the yardstick)": lambda: json.loads(JSON),
        "PushRequest(keywords, 6 header pairs)": fresh,
        "... and its content_type": lambda: fresh().content_type,
        "query_string": lambda: request.query_string,
        "fast_form of the query (4 fields, 2 escapes)": lambda: fast_form(QUERY),
        "parse_push, plugin returns a ready result": lambda: registry.parse_push("bare", request, {}),
        "... through on_first_call and fast_path": lambda: registry.parse_push("layered", request, {}),
        "... building the report and result": lambda: registry.parse_push("building", request, {}),
        "the whole fixed part: a fresh request, its content_type, the above": lambda: registry.parse_push(
            "whole", fresh(), {}
        ),
        "new_report (26 positional arguments)": _report,
        "new_push_result": lambda: new_push_result((RESULT.reports[0],), REPLY, ()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=301, help="alternating rounds (default 301)")
    parser.add_argument("--number", type=int, default=100, help="calls per round (default 100)")
    args = parser.parse_args()
    cases = pieces()
    best = dict.fromkeys(cases, float("inf"))
    names = list(cases)
    gc.disable()
    try:
        for round_ in range(args.rounds):
            for name in names if round_ % 2 == 0 else reversed(names):
                fn = cases[name]
                start = time.perf_counter()
                for _ in range(args.number):
                    fn()
                best[name] = min(best[name], (time.perf_counter() - start) / args.number)
    finally:
        gc.enable()
    for name in names:
        print(f"{best[name] * 1e6:8.3f} µs  {name}")


if __name__ == "__main__":
    main()
