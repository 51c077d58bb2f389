"""What the operator's side costs the push path, two ways.

1. **In process** (``--micro``, quick and steady): the time of one
   ``Metrics.push_answered`` call, the only thing metrics add to a push on the
   event loop, and of one ``Metrics.applied`` call for a one-report push (in
   the writer thread, after the commit).
2. **End to end**: ``smsstatus serve`` under the same loopback load
   (``benchmarks/load_receiver.py``'s D7 single-report pushes, two reports per
   message), three ways, interleaved so drift on a shared machine hits all
   alike:

   * ``plain``: no admin token, no callbacks (metrics are not even imported);
   * ``metrics``: an admin token (every push, report and commit counted);
   * ``metrics+callbacks``: also a callback URL: every applied change is
     written to the outbox in its transaction and posted to a loopback sink.

    .venv/bin/python benchmarks/ops_overhead.py --micro
    .venv/bin/python benchmarks/ops_overhead.py [--requests 3000] [--clients 16] [--rounds 3]

Prints the median reports per second of each (with the spread) and the
server's CPU time per request. Only 127.0.0.1 is contacted; bounded by the
request count and load_receiver's time limit.
"""

from __future__ import annotations

import argparse
import http.server
import statistics
import sys
import tempfile
import threading
import timeit
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_receiver import measure

TOKEN = "benchmark-token-0123456789"
KINDS = ("plain", "metrics", "metrics+callbacks")


class _Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


def micro() -> None:
    from smsstatus.model import Channel, Status, StatusReport
    from smsstatus.server.metrics import Metrics
    from smsstatus.tracker import message_key
    from smsstatus.tracker.records import ApplyResult, Outcome
    from smsstatus.tracker.transitions import Decision

    metrics = Metrics(["d7", "twilio"])
    report = StatusReport(
        vendor="d7",
        message_id="m-1",
        status=Status.DELIVERED,
        vendor_status="DELIVERED",
        received_at=datetime(2026, 12, 1, tzinfo=UTC),
        channel=Channel.PUSH,
        raw={},
    )
    applied = ApplyResult(
        outcomes=(Outcome(index=0, key=message_key(report), event_id=1, decision=Decision.FIRST),), changes=()
    )
    for name, call in (
        ("push_answered (event loop)", lambda: metrics.push_answered("d7", 200)),
        ("applied, 1 report (writer thread)", lambda: metrics.applied([report], applied)),
    ):
        number = 200_000
        best = min(timeit.repeat(call, number=number, repeat=5)) / number
        print(f"{name:34} {best * 1e9:7.0f} ns a call (best of 5 x {number})")


def one_run(kind: str, requests: int, clients: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="smsstatus-ops-") as tmp_name:
        tmp = Path(tmp_name)
        db = f"sqlite:///{tmp / 'load.sqlite3'}"
        config = tmp / "ops.toml"
        sink = None
        text = ""
        if kind != "plain":
            text += f'[server]\nadmin_token = "{TOKEN}"\n'
        if kind == "metrics+callbacks":
            sink = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
            threading.Thread(target=sink.serve_forever, daemon=True).start()
            text += f'[callbacks]\nurl = "http://127.0.0.1:{sink.server_address[1]}/cb"\nsecret = "{TOKEN}"\n'
        config.write_text(text)
        try:
            result = measure(
                "receiver",
                db,
                tmp,
                shape="single",
                requests=requests,
                clients=clients,
                time_limit=120.0,
                config=config,
            )
        finally:
            if sink is not None:
                sink.shutdown()
                sink.server_close()
        if not result["nothing_lost"] or result["failed"]:
            raise SystemExit(f"{kind}: reports lost or refused: {result}")
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--micro", action="store_true", help="only the in-process cost of the metrics calls")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.micro:
        micro()
        return
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
    for _ in range(args.rounds):
        for kind in KINDS:
            runs[kind].append(one_run(kind, args.requests, args.clients))
    base = statistics.median(r["reports_per_second"] for r in runs["plain"])
    for kind in KINDS:
        rates = [float(r["reports_per_second"]) for r in runs[kind]]
        # Server CPU per answered request: steadier than throughput when
        # others share the machine.
        cpu_us = [
            1e6 * float(r["server_cpu_percent"]) / 100 / float(r["requests_per_second"])
            for r in runs[kind]
            if r.get("server_cpu_percent") is not None
        ]
        median = statistics.median(rates)
        cpu = f", server CPU {statistics.median(cpu_us):.0f} us a request" if cpu_us else ""
        print(
            f"{kind:18} {median:8.0f} reports/s (min {min(rates):.0f}, max {max(rates):.0f}),"
            f" {median / base:.2f} of plain{cpu}"
        )


if __name__ == "__main__":
    main()
