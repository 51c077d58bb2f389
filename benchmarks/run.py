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
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import smsstatus
from smsstatus.fixtures import build_push_request, load_cases, offline_push_transport, push_payload

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 3.0


def best_per_call(func: Callable[[], Any], *, number: int, repeat: int) -> float:
    """Best mean seconds per call over ``repeat`` runs of ``number`` calls.

    The garbage collector is off while timing, as in ``timeit``: otherwise a
    collection that the allocations of earlier runs provoked lands on whichever
    measurement happens to be running (memory is measured separately)."""
    gc.collect()
    best = float("inf")
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.perf_counter()
            for _ in range(number):
                func()
            best = min(best, (time.perf_counter() - start) / number)
    finally:
        gc.enable()
    return best


def push_shapes(registry: smsstatus.Registry) -> list[tuple[str, str, dict[str, Any]]]:
    """(vendor, shape, case): one successful push case per payload schema,
    preferring an unauthenticated one (signature checks are measured apart)."""
    shapes = []
    for vendor_id, vendor in sorted(registry.vendors.items()):
        chosen: dict[str, dict[str, Any]] = {}
        for case in load_cases(vendor.info):
            data = case.data
            if case.kind != "push" or "reports" not in data["expect"] or data.get("payload_valid") is False:
                continue
            if not data["expect"]["reports"]:
                continue
            shape = data["payload_schema"]
            if shape not in chosen or (chosen[shape].get("credentials") and not data.get("credentials")):
                chosen[shape] = data
        for shape, data in chosen.items():
            shapes.append((vendor_id, shape.removesuffix(".schema.json"), data))
    return shapes


def push_parser(
    registry: smsstatus.Registry, vendor: str, template: smsstatus.PushRequest, credentials: dict[str, str]
) -> Callable[[], int]:
    """One push through the public API: a fresh PushRequest from the raw bytes, then parse_push."""

    def parse() -> int:
        request = smsstatus.PushRequest(
            method=template.method,
            url=template.url,
            headers=template.headers,
            body=template.body,
            received_at=template.received_at,
        )
        return len(registry.parse_push(vendor, request, credentials).reports)

    return parse


def bench_pushes(registry: smsstatus.Registry, number: int, repeat: int) -> list[dict[str, Any]]:
    rows = []
    for vendor, shape, case in push_shapes(registry):
        template = build_push_request(case)
        credentials = case.get("credentials") or {}
        is_json = template.content_type.endswith("json")
        baseline_bytes = template.body if is_json else json.dumps(push_payload(template)).encode()
        parse = push_parser(registry, vendor, template, credentials)
        reports_per_push = parse()
        baseline = best_per_call(lambda b=baseline_bytes: json.loads(b), number=number, repeat=repeat)
        per_push = best_per_call(parse, number=number, repeat=repeat)
        rows.append(
            {
                "vendor": vendor,
                "shape": shape,
                "bytes": len(template.body) or len(template.query_string),  # GET pushes carry the query
                "reports_per_push": reports_per_push,
                "auth": "yes" if credentials else "no",
                "reports_per_second": reports_per_push / per_push,
                "parse_push_us": per_push * 1e6,
                "json_loads_us": baseline * 1e6,
                "ratio": per_push / baseline,
            }
        )
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


def wall(args: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times)


def startup(runs: int) -> dict[str, float]:
    python = sys.executable
    smsstatus_cli = str(Path(python).with_name("smsstatus"))
    bare = wall([python, "-c", "pass"], runs)
    load = wall([python, "-c", "import smsstatus; smsstatus.load()"], runs)
    helped = wall([smsstatus_cli, "--help"], runs)
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
    args = parser.parse_args()
    number, repeat, runs = (300, 3, 3) if args.quick else (3000, 7, 10)

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
        "pushes": bench_pushes(registry, number, repeat),
        "memory": peak_memory(registry, 10_000 if args.quick else 100_000),
        "startup": startup(runs),
    }
    if not args.no_conformance:
        results["conformance"] = conformance_time()

    print(
        f"smsstatus benchmarks on Python {results['machine']['python']}, {results['machine']['platform']}\n"
    )
    print(
        table(
            results["pushes"],
            [
                ("vendor", "vendor", ""),
                ("shape", "push shape", ""),
                ("bytes", "bytes", "d"),
                ("reports_per_push", "reports/push", "d"),
                ("auth", "auth", ""),
                ("reports_per_second", "reports/s", ",.0f"),
                ("parse_push_us", "parse_push µs", ".1f"),
                ("json_loads_us", "json.loads µs", ".2f"),
                ("ratio", "ratio", ".2f"),
            ],
        )
    )
    worst = max((r["ratio"] for r in results["pushes"]), default=0.0)
    print(
        f"\nworst ratio {worst:.2f} (target <= {TARGET_RATIO}); median "
        f"{statistics.median([r['ratio'] for r in results['pushes']] or [0]):.2f}"
    )
    memory = results["memory"]
    if memory:
        print(
            f"peak memory for {memory['reports']:,} {memory['vendor']} reports kept: "
            f"{memory['peak_mib']:.1f} MiB ({memory['bytes_per_report']:.0f} bytes/report)"
        )
    s = results["startup"]
    print(
        f"import smsstatus + load all plugins: {s['import_and_load_ms']:.0f} ms over a bare interpreter "
        f"({s['import_and_load_wall_ms']:.0f} ms wall; target < 150 ms)"
    )
    print(f"smsstatus --help: {s['help_wall_ms']:.0f} ms wall (target < 300 ms)")
    if "conformance" in results:
        c = results["conformance"]
        print(f"full conformance run: {c['seconds']:.1f} s (exit {c['exit_code']})")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
