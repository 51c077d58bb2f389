"""What the operator's side costs the push path: ``smsstatus serve`` under
the same loopback load (``benchmarks/load_receiver.py``'s D7 single-report
pushes) three ways, in one run:

* ``plain``: no admin token, no callbacks (no metrics are even imported);
* ``metrics``: an admin token (every push, report and commit counted);
* ``metrics+callbacks``: also a callback URL: every applied change is written
  to the outbox in its transaction and posted to a loopback sink.

    .venv/bin/python benchmarks/ops_overhead.py [--requests 3000] [--repeat 3]

Prints the median reports per second of each (and the spread). Only
127.0.0.1 is contacted; bounded by the request count and load_receiver's
time limit.
"""

from __future__ import annotations

import argparse
import http.server
import statistics
import subprocess
import sys
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_receiver import bodies, free_port, load, start_server, stored_reports

TOKEN = "benchmark-token-0123456789"


class _Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


def one_run(kind: str, requests: int, clients: int) -> float:
    with tempfile.TemporaryDirectory(prefix="smsstatus-ops-") as tmp:
        db = f"sqlite:///{Path(tmp) / 'load.sqlite3'}"
        config = Path(tmp) / "ops.toml"
        sink = None
        text = ""
        if kind != "plain":
            text += f'[server]\nadmin_token = "{TOKEN}"\n'
        if kind == "metrics+callbacks":
            sink = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
            threading.Thread(target=sink.serve_forever, daemon=True).start()
            text += f'[callbacks]\nurl = "http://127.0.0.1:{sink.server_address[1]}/cb"\nsecret = "{TOKEN}"\n'
        config.write_text(text)
        run = f"ops{uuid.uuid4().hex[:8]}"
        port = free_port()
        server = start_server(db, port, Path(tmp), config)
        try:
            result = load([port], bodies("single", requests, run), clients, 120.0)
        finally:
            server.terminate()
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
            if sink is not None:
                sink.shutdown()
        assert stored_reports(db, run) >= result["reports"], "reports lost"
        return float(result["reports_per_second"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    kinds = ("plain", "metrics", "metrics+callbacks")
    figures: dict[str, list[float]] = {k: [] for k in kinds}
    for _ in range(args.repeat):
        for kind in kinds:  # interleaved, so drift on a shared machine hits all alike
            figures[kind].append(one_run(kind, args.requests, args.clients))
    base = statistics.median(figures["plain"])
    for kind in kinds:
        values = figures[kind]
        median = statistics.median(values)
        print(
            f"{kind:18} {median:8.0f} reports/s (min {min(values):.0f}, max {max(values):.0f}),"
            f" {median / base:.2f} of plain"
        )


if __name__ == "__main__":
    main()
