"""``benchmarks/run.py`` keeps working as plugins and fixtures change.

docs/performance.md's push table is only as good as the command that
reproduces it, and nothing else runs that command: a plugin whose fixtures
the benchmark cannot drive, a shape it silently skips, or a lean path its
requests never reach would only show the next time someone measures. This
runs the push part once with one call per round. It times nothing and
asserts nothing about speed (speed stays out of unit tests): only that every
installed vendor with a successful push fixture is measured, each shape
yields reports, and the path column tells lean from detailed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import smsstatus
from smsstatus.plugin.testing import load_cases

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = smsstatus.load()


def _pushed_vendors() -> set[str]:
    """Vendors with at least one push case that succeeds with reports (what the benchmark measures)."""
    found = set()
    for vendor_id, vendor in REGISTRY.vendors.items():
        for case in load_cases(vendor.info):
            data = case.data
            if case.kind != "push" or data.get("payload_valid") is False:
                continue
            if data["expect"].get("reports") and not data["expect"].get("errors"):
                found.add(vendor_id)
                break
    return found


def test_the_push_benchmark_measures_every_vendor_and_shape(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    completed = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--pushes-only",
            "--rounds",
            "1",
            "--number",
            "1",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    results = json.loads(out.read_text())
    rows = results["pushes"]
    assert {row["vendor"] for row in rows} == _pushed_vendors()
    for row in rows:
        assert row["reports_per_push"] >= 1, row["shape"]
        assert row["path"] in {"lean", "detailed", "-"}, row
        assert row["ratio"] > 0
    # Requests built as a framework builds them (transport headers included) still reach lean paths.
    paths = {(row["vendor"], row["path"]) for row in rows}
    assert ("d7", "lean") in paths
    assert ("vonage", "lean") in paths
    # The shapes whose format carries work of its own are shown apart.
    apart = {(row["vendor"], row["shape"].split(" (")[0]) for row in rows if "inherent_us" in row}
    assert {("aws", "sns"), ("aws", "firehose"), ("kannel", "dlr-url")} <= apart
    # Both decoders when msgspec is installed: the same shapes measured on the standard library's.
    if results["decoder"] != "json":
        stdlib = {(row["vendor"], row["shape"]) for row in results["pushes_stdlib_json"]}
        assert stdlib == {(row["vendor"], row["shape"]) for row in rows}


def test_the_path_column_tells_a_push_the_lean_path_passed_on() -> None:
    # Which bundled shapes still lack a lean path changes as lean paths land, so
    # the "detailed" label is checked on a push every lean path passes on: a
    # Vonage receipt with a signature secret configured (the detailed path
    # checks the signature first), against the same receipt unsigned.
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import run
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    request = smsstatus.PushRequest.build(
        method="GET", url="https://h.test/dlr", query="messageId=0B00000127FDBC63&status=delivered"
    )
    signed = {"signature_secret": "a-long-signature-secret-value"}

    def unsigned_push() -> object:
        return REGISTRY.parse_push("vonage", request)

    def signed_push() -> object:
        try:
            return REGISTRY.parse_push("vonage", request, signed)
        except smsstatus.AuthenticationError:  # no sig: the detailed path's answer
            return None

    assert run.served_by(unsigned_push) == "lean"
    assert run.served_by(signed_push) == "detailed"
