"""The smsstatus benchmark suite: one command, one table.

    .venv/bin/python benchmarks/run.py [--quick] [--json PATH]

For every installed vendor plugin and every push shape its fixtures cover
(one valid push case per payload schema):

* reports per second through the public ``Registry.parse_push``: bytes in
  (a ``PushRequest`` built from the raw body), canonical reports out;
* the same bytes through ``json.loads`` alone, in the same run, as the
  baseline (form and query pushes: the same fields as a JSON object, since
  their bytes are not JSON), and the ratio of the two per-push times.

Then: peak memory for 100,000 reports, import time of smsstatus plus loading
every plugin, ``smsstatus --help`` start-up, and a full conformance run.

Timings are the best of several repeats (the least disturbed run), so a busy
machine shifts them up, not down. Nothing here asserts: the numbers are for
docs/performance.md and the issue notes.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import inherent
import smsstatus
from smsstatus import hotpath
from smsstatus.fixtures import build_push_request, load_cases, offline_push_transport, push_payload

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 3.0


def per_call(func: Callable[[], Any], number: int) -> float:
    """Mean seconds per call over ``number`` calls, with the garbage collector
    off, as in ``timeit``: otherwise a collection that earlier allocations
    provoked lands on whichever measurement happens to be running (memory is
    measured separately)."""
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(number):
            func()
        return (time.perf_counter() - start) / number
    finally:
        gc.enable()


def paired_rounds(
    candidate: Callable[[], Any], baseline: Callable[[], Any], *, number: int, rounds: int
) -> tuple[list[float], list[float]]:
    """Per-call seconds of ``candidate`` and ``baseline``, measured back to back
    in each of ``rounds`` rounds (alternating which goes first), so that the
    load of a shared machine hits both sides of each ratio alike."""
    candidate(), baseline()  # warm up: first-call imports, caches
    gc.collect()
    cand: list[float] = []
    base: list[float] = []
    for i in range(rounds):
        if i % 2:
            base.append(per_call(baseline, number))
            cand.append(per_call(candidate, number))
        else:
            cand.append(per_call(candidate, number))
            base.append(per_call(baseline, number))
    return cand, base


#: Headers every real HTTP request carries besides the fixture's own (a
#: framework hands them all to the PushRequest).
TRANSPORT_HEADERS = [
    ("host", "hooks.example.test"),
    ("user-agent", "vendor-dlr/1.0"),
    ("accept-encoding", "gzip"),
    ("x-forwarded-for", "203.0.113.7"),
]


def encoding_of(request: smsstatus.PushRequest) -> str:
    """How a push carries its fields: json, form, multipart or query (plus +gzip)."""
    if not request.body:
        kind = "query"
    else:
        content_type = request.content_type
        if content_type == "multipart/form-data":
            kind = "multipart"
        elif content_type == "application/x-www-form-urlencoded":
            kind = "form"
        elif content_type.endswith("json") or request.body.lstrip()[:1] in (b"{", b"["):
            kind = "json"
        else:
            kind = "form"
    gzip = (request.headers.get("content-encoding") or "").lower() == "gzip"
    return kind + ("+gzip" if gzip else "")


def push_shapes(registry: smsstatus.Registry) -> list[tuple[str, str, dict[str, Any]]]:
    """(vendor, shape, case): one successful push case per payload schema and
    encoding, found in each installed plugin's fixtures, preferring an
    unauthenticated one (signature checks cost what they cost: see
    benchmarks/inherent.py), else the fixture file's first."""
    shapes = []
    for vendor_id, vendor in sorted(registry.vendors.items()):
        chosen: dict[tuple[str, str], dict[str, Any]] = {}
        for case in load_cases(vendor.info):
            data = case.data
            if case.kind != "push" or data.get("payload_valid") is False:
                continue
            if not data["expect"].get("reports") or data["expect"].get("errors"):
                continue
            key = (data["payload_schema"].removesuffix(".schema.json"), encoding_of(build_push_request(data)))
            if key not in chosen or (chosen[key].get("credentials") and not data.get("credentials")):
                chosen[key] = data
        schemas = {schema for schema, _ in chosen}
        for (schema, encoding), data in chosen.items():
            several = sum(1 for s, _ in chosen if s == schema) > 1 or len(schemas) == 1
            shapes.append((vendor_id, f"{schema} ({encoding})" if several else schema, data))
    return shapes


def push_parser(
    registry: smsstatus.Registry, vendor: str, template: smsstatus.PushRequest, credentials: dict[str, str]
) -> Callable[[], int]:
    """One push through the public API, as a web framework makes it: a fresh
    PushRequest from the raw header pairs and body bytes, then parse_push."""
    pairs = list(template.headers.raw_items()) + TRANSPORT_HEADERS
    method, url, body, received_at = template.method, template.url, template.body, template.received_at
    PushRequest = smsstatus.PushRequest

    def parse() -> int:
        request = PushRequest(method=method, url=url, headers=pairs, body=body, received_at=received_at)
        return len(registry.parse_push(vendor, request, credentials).reports)

    return parse


def baseline_of(template: smsstatus.PushRequest) -> Callable[[], Any]:
    """``json.loads`` of the push's JSON (inflated when gzip), or of its form
    or query fields as a JSON object."""
    payload = push_payload(template)
    is_json = encoding_of(template).startswith("json")
    data = json.dumps(payload, ensure_ascii=False).encode() if not is_json else None
    if data is None:
        body = template.body
        if encoding_of(template).endswith("+gzip"):
            body = zlib.decompress(body, 16 + zlib.MAX_WBITS)
        data = body
    return lambda: json.loads(data)


def served_by(parse: Callable[[], Any]) -> str:
    """Which path parsed the push: ``lean`` (a plugin's fast path took it),
    ``detailed`` (its lean path passed it on) or ``-`` (the plugin has none)."""
    with hotpath.fast_path_mode("compare") as counts:
        parse()
        took = [value for value in counts.values() if value != [0, 0]]
    if not took:
        return "-"
    return "lean" if any(value[0] for value in took) else "detailed"


def bench_pushes(
    registry: smsstatus.Registry, number: int, rounds: int, vendors: list[str] | None = None
) -> list[dict[str, Any]]:
    rows = []
    for vendor, shape, case in push_shapes(registry):
        if vendors and vendor not in vendors:
            continue
        template = build_push_request(case)
        credentials = case.get("credentials") or {}
        parse = push_parser(registry, vendor, template, credentials)
        reports_per_push = parse()
        path = served_by(parse)
        cand, base = paired_rounds(parse, baseline_of(template), number=number, rounds=rounds)
        ratios = sorted(c / b for c, b in zip(cand, base, strict=True))
        quartiles = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [ratios[0]] * 3
        row = {
            "vendor": vendor,
            "shape": shape,
            "bytes": len(template.body) or len(template.query_string),  # GET pushes carry the query
            "reports_per_push": reports_per_push,
            "auth": "yes" if credentials else "no",
            "path": path,
            "reports_per_second": reports_per_push / min(cand),
            "parse_push_us": min(cand) * 1e6,
            "json_loads_us": min(base) * 1e6,
            "ratio": min(cand) / min(base),
            "ratio_median": statistics.median(ratios),
            "ratio_q1": quartiles[0],
            "ratio_q3": quartiles[2],
            "ratio_min": ratios[0],
            "ratio_max": ratios[-1],
        }
        extra = inherent.measure(
            vendor,
            shape,
            case,
            template,
            parse=parse,
            timer=lambda a, b: paired_rounds(a, b, number=number, rounds=rounds),
        )
        if extra is not None:
            row |= extra
        rows.append(row)
    return rows


def peak_memory(registry: smsstatus.Registry, total: int) -> dict[str, Any]:
    """Peak traced memory while normalising ``total`` reports and keeping them all."""
    shapes = push_shapes(registry)
    if not shapes:
        return {}
    vendor, _, case = max(shapes, key=lambda s: len(s[2]["expect"]["reports"]))
    template = build_push_request(case)
    credentials = case.get("credentials") or {}
    kept: list[smsstatus.StatusReport] = []
    gc.collect()
    tracemalloc.start()
    while len(kept) < total:
        request = smsstatus.PushRequest(
            method=template.method, url=template.url, headers=template.headers, body=template.body
        )
        kept.extend(registry.parse_push(vendor, request, credentials).reports)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "vendor": vendor,
        "reports": len(kept),
        "peak_mib": peak / 2**20,
        "bytes_per_report": peak / len(kept),
    }


def wall(args: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - start)
    return min(times)


def startup(runs: int) -> dict[str, float]:
    """Start-up as an installed package starts: with its bytecode compiled.

    pip compiles a wheel's modules when it installs them; an editable checkout
    compiles them on first import, unless PYTHONDONTWRITEBYTECODE is set (as on
    some CI machines), when every start-up compiles all of smsstatus and its
    plugins again (about a third of the figure). So each command runs once,
    untimed, with bytecode writing allowed, and is then timed with it."""
    python = sys.executable
    smsstatus_cli = str(Path(python).with_name("smsstatus"))
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    commands = {
        "bare": [python, "-c", "pass"],
        "load": [python, "-c", "import smsstatus; smsstatus.load()"],
        "help": [smsstatus_cli, "--help"],
    }
    for command in commands.values():
        wall(command, 1, env)  # writes the bytecode cache
    bare, load, helped = (wall(command, runs, env) for command in commands.values())
    return {
        "python_bare_ms": bare * 1e3,
        "import_and_load_ms": (load - bare) * 1e3,
        "import_and_load_wall_ms": load * 1e3,
        "help_wall_ms": helped * 1e3,
    }


def conformance_time() -> dict[str, Any]:
    cli = str(Path(sys.executable).with_name("smsstatus"))
    start = time.perf_counter()
    result = subprocess.run(
        [cli, "conformance", "--format", "json"], capture_output=True, text=True, check=False
    )
    return {"seconds": time.perf_counter() - start, "exit_code": result.returncode}


def table(rows: list[dict[str, Any]], columns: list[tuple[str, str, str]]) -> str:
    header = [title for _, title, _ in columns]
    body = [[format(row[key], fmt) for key, _, fmt in columns] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines += ["  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) for r in body]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer iterations (a smoke run)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--no-conformance", action="store_true", help="skip the conformance run")
    parser.add_argument("--pushes-only", action="store_true", help="only the push table")
    parser.add_argument("--vendor", action="append", help="only this vendor's pushes (repeatable)")
    parser.add_argument("--rounds", type=int, help="paired rounds per push shape (default 101; --quick 3)")
    parser.add_argument("--number", type=int, help="calls per round (default 100; --quick 300)")
    parser.add_argument(
        "--no-receiver", action="store_true", help="skip the receiver load (load_receiver.py)"
    )
    args = parser.parse_args()
    number, rounds, runs = (300, 3, 3) if args.quick else (100, 101, 10)
    number, rounds = args.number or number, args.rounds or rounds

    registry = smsstatus.load()
    # Pushes whose parsing makes HTTP requests get their recorded answers, never the network.
    registry.use_push_transport(
        offline_push_transport([c for v in registry.vendors.values() for c in load_cases(v.info)])
    )
    results: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": platform.platform(),
            "processor": platform.machine(),
        },
    }
    # Every push twice: with the JSON decoder lean paths use by default (msgspec when
    # installed) and with the standard library's, the pure-Python fallback.
    installed = hotpath.use_json_decoder(None)
    results["decoder"] = installed
    results["pushes"] = bench_pushes(registry, number, rounds, args.vendor)
    if installed != "json":
        hotpath.use_json_decoder("json")
        results["pushes_stdlib_json"] = bench_pushes(registry, number, rounds, args.vendor)
        hotpath.use_json_decoder(None)
    if not args.pushes_only:
        results["memory"] = peak_memory(registry, 10_000 if args.quick else 100_000)
        results["startup"] = startup(runs)
        if not args.no_conformance:
            results["conformance"] = conformance_time()

    print(
        f"smsstatus benchmarks on Python {results['machine']['python']}, {results['machine']['platform']}\n"
        f"parse_push and json.loads: per call, best of {rounds} paired rounds of {number:,} calls;"
        f" ratio: best parse_push / best json.loads; median [q1-q3]: the rounds' own ratios\n"
    )
    print_pushes(results)
    if args.pushes_only:
        _write(args.json, results)
        return
    memory = results["memory"]
    if memory:
        print(
            f"peak memory for {memory['reports']:,} {memory['vendor']} reports kept: "
            f"{memory['peak_mib']:.1f} MiB ({memory['bytes_per_report']:.0f} bytes/report)"
        )
    s = results["startup"]
    print(
        f"import smsstatus + load all plugins (bytecode compiled): {s['import_and_load_ms']:.0f} ms over a bare interpreter "
        f"({s['import_and_load_wall_ms']:.0f} ms wall; target < 150 ms)"
    )
    print(f"smsstatus --help: {s['help_wall_ms']:.0f} ms wall (target < 300 ms)")
    if "conformance" in results:
        c = results["conformance"]
        print(f"full conformance run: {c['seconds']:.1f} s (exit {c['exit_code']})")
    # -- the receiver under load: its own module (benchmarks/load_receiver.py) --
    if not args.no_receiver:
        from load_receiver import receiver_benchmark

        results["receiver"] = receiver_benchmark(
            quick=args.quick, postgres=os.environ.get("SMSSTATUS_TEST_POSTGRES_DSN")
        )
    _write(args.json, results)


def _write(path: Path | None, results: dict[str, Any]) -> None:
    if path is not None:
        path.write_text(json.dumps(results, indent=2))


def print_pushes(results: dict[str, Any]) -> None:
    rows = results["pushes"]
    stdlib = {(r["vendor"], r["shape"]): r for r in results.get("pushes_stdlib_json", ())}
    for row in rows:
        row["spread"] = f"{row['ratio_median']:.2f} [{row['ratio_q1']:.2f}-{row['ratio_q3']:.2f}]"
        other = stdlib.get((row["vendor"], row["shape"]))
        if other is not None:
            row["ratio_json"] = f"{other['ratio']:.2f} ({other['ratio_median']:.2f})"
    columns = [
        ("vendor", "vendor", ""),
        ("shape", "push shape", ""),
        ("bytes", "bytes", "d"),
        ("reports_per_push", "reports", "d"),
        ("auth", "auth", ""),
        ("path", "path", ""),
        ("reports_per_second", "reports/s", ",.0f"),
        ("parse_push_us", "parse_push µs", ".1f"),
        ("json_loads_us", "json.loads µs", ".2f"),
        ("ratio", f"ratio ({results['decoder']})", ".2f"),
        ("spread", "median [q1-q3]", ""),
    ]
    if stdlib:
        columns.append(("ratio_json", "ratio json (median)", ""))
    print(table(rows, columns))
    special = [r for r in rows if "inherent_us" in r]
    if special:
        print("\nShapes whose format carries work of its own (benchmarks/inherent.py):")
        print(
            table(
                special,
                [
                    ("vendor", "vendor", ""),
                    ("shape", "push shape", ""),
                    ("what", "inherent work", ""),
                    ("inherent_us", "inherent µs", ".1f"),
                    ("documents_us", "json.loads of every document µs", ".2f"),
                    ("ratio_without_inherent", "(parse_push - inherent) / documents", ".2f"),
                ],
            )
        )
    for key, label in (("pushes", results["decoder"]), ("pushes_stdlib_json", "json")):
        if results.get(key):
            ratios = [r["ratio"] for r in results[key]]
            print(
                f"{label}: worst ratio {max(ratios):.2f} (target <= {TARGET_RATIO}),"
                f" median {statistics.median(ratios):.2f}"
            )


if __name__ == "__main__":
    main()
