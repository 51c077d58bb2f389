"""``benchmarks/load_receiver.py`` keeps measuring what docs/performance.md says.

The receiver figures (its share of the bare-app ceiling) come from this
script only, so a change that broke its load client, its warm-up or its
"nothing lost" check would only show the next time someone measures. One
tiny ceiling round, timed nothing: the figures are not looked at, only that
both servers answered every push, the warm-up pushes were sent apart from
the timed ones and stored too, and the CPU figures cover the timed phase.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytest.importorskip("uvicorn")


def test_a_ceiling_round_answers_and_stores_every_push_warm_up_included() -> None:
    completed = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "load_receiver.py"),
            "--ceiling",
            "--rounds",
            "1",
            "--requests",
            "40",
            "--warmup",
            "12",
            "--clients",
            "4",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    summary = json.loads(completed.stdout)["ceiling"]
    (run,) = summary["runs"]
    for kind in ("bare", "receiver"):
        assert run[kind]["requests"] == 40, kind  # only the timed pushes are counted
        assert run[kind]["failed"] == 0
        assert run[kind]["warmup_reports"] == 12  # one report per D7 push, sent before the timed ones
        # Measured by the client around its timed phase (/proc ticks are 10 ms: 40 pushes may read 0).
        assert run[kind]["server_cpu_us_per_request"] >= 0
    receiver = run["receiver"]
    # Warm-up and timed pushes are all in the store: 52 reports of this run.
    assert receiver["stored_reports"] == 52
    assert receiver["nothing_lost"] is True
    assert summary["nothing_lost"] is True
