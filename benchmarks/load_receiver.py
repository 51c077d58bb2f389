"""Bounded loopback load on ``smsstatus serve``: reports per second, stored.

    .venv/bin/python benchmarks/load_receiver.py --db sqlite:///... [--shape single|batch]

Starts ``smsstatus serve`` (receiver only, ``--no-poll``) on 127.0.0.1 and a
random port, sends a FIXED number of pushes from a few client threads with
keep-alive connections, and stops by itself when they are sent or when the
time limit passes, whichever is first. Then it checks that every report
acknowledged with HTTP 200 is in the store, and prints reports per second.

Shapes: ``single`` = D7 DLR pushes, one report per request (HTTP-bound);
``batch`` = Huawei batch pushes of 50 reports per request (store-bound).
Each message gets two reports (``sent`` then the final one) so the tracker
does real transitions, not only inserts. Only 127.0.0.1 is ever contacted.

Without ``--db`` a SQLite file in a temporary directory is used. For
PostgreSQL pass ``--db postgresql://...`` (e.g. from scripts/ci-postgres.sh);
the tables are created if needed and the run's message ids are unique, so an
existing database is not disturbed beyond the rows added.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

BATCH = 50


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bodies(shape: str, requests: int, run: str) -> list[tuple[str, bytes, int]]:
    """(path, body, reports in it) per request: two reports per message."""
    out: list[tuple[str, bytes, int]] = []
    if shape == "single":
        for n in range(requests):
            mid = f"{run}-{n // 2}"
            status = "sent" if n % 2 == 0 else "delivered"
            body = {
                "request_id": f"{run}-req",
                "msg_id": mid,
                "recipient": "+971501234567",
                "originator": "B",
                "status": status,
            }
            out.append(("/webhooks/d7", json.dumps(body).encode(), 1))
        return out
    for n in range(requests):
        first = (n // 2) * BATCH
        status, minute = ("ACCEPTD", "00") if n % 2 == 0 else ("DELIVRD", "01")
        items = [
            {
                "smsMsgId": f"{run}_{first + i}",
                "total": "1",
                "sequence": "1",
                "status": status,
                "source": "2",
                "updateTime": f"2025-06-10T09:{minute}:00Z",
            }
            for i in range(BATCH)
        ]
        out.append(("/webhooks/huawei", json.dumps({"statusReportList": items}).encode(), BATCH))
    return out


def start_server(db: str, port: int, cwd: Path, config: Path | None) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMSSTATUS_")}
    command = [sys.executable, "-m", "smsstatus.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--db", db, "--no-poll", "--log-level", "warning"]
    if config is not None:
        command += ["--config", str(config)]
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server not ready after 30 s")


def load(ports: list[int], work: list[tuple[str, bytes, int]], clients: int, limit: float) -> dict[str, Any]:
    deadline = time.monotonic() + limit
    acked = [0] * clients
    reports = [0] * clients
    failures = [0] * clients
    latencies: list[list[float]] = [[] for _ in range(clients)]

    def worker(w: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", ports[w % len(ports)], timeout=30)
        headers = {"Content-Type": "application/json"}
        for path, body, count in work[w::clients]:
            if time.monotonic() > deadline:
                return
            t0 = time.perf_counter()
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            latencies[w].append(time.perf_counter() - t0)
            if response.status == 200:
                acked[w] += 1
                reports[w] += count
            else:
                failures[w] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(limit + 60)
    elapsed = time.perf_counter() - started
    lat = sorted(x for per in latencies for x in per)
    return {
        "requests": sum(acked),
        "failed": sum(failures),
        "reports": sum(reports),
        "seconds": round(elapsed, 3),
        "requests_per_second": round(sum(acked) / elapsed, 1),
        "reports_per_second": round(sum(reports) / elapsed, 1),
        "latency_ms_p50": round(statistics.median(lat) * 1000, 2) if lat else None,
        "latency_ms_p99": round(lat[int(len(lat) * 0.99) - 1] * 1000, 2) if lat else None,
        "timed_out": time.monotonic() > deadline,
    }


def stored_reports(db: str, run: str) -> int:
    from smsstatus.tracker import open_store

    with open_store(db) as store, store.read() as tx:
        row = tx.one(
            "SELECT COUNT(*) FROM events e JOIN messages m ON m.id = e.message_pk WHERE m.message_id LIKE ?",
            (f"{run}%",),
        )
    return int(row[0]) if row else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=None, help="store URL (default: SQLite in a temporary directory)")
    parser.add_argument("--shape", choices=["single", "batch"], default="single")
    parser.add_argument("--requests", type=int, default=4000, help="pushes to send (fixed)")
    parser.add_argument("--clients", type=int, default=8, help="client threads (keep-alive connections)")
    parser.add_argument("--servers", type=int, default=1, help="receiver processes on the same store")
    parser.add_argument(
        "--writers", type=int, default=None, help="receiver writer threads (default: the server's)"
    )
    parser.add_argument(
        "--time-limit", type=float, default=120.0, help="stop sending after this many seconds"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object only")
    args = parser.parse_args()
    if args.requests < 1 or args.requests > 1_000_000:
        parser.error("--requests must be between 1 and 1000000")

    with tempfile.TemporaryDirectory(prefix="smsstatus-load-") as tmp:
        db = args.db or f"sqlite:///{Path(tmp) / 'load.sqlite3'}"
        run = f"load{uuid.uuid4().hex[:10]}"
        work = bodies(args.shape, args.requests, run)
        ports = [free_port() for _ in range(args.servers)]
        # Create the schema once before several servers start on it.
        from smsstatus.tracker import open_store

        open_store(db).close()
        config = None
        if args.writers is not None:
            config = Path(tmp) / "load.toml"
            config.write_text(f"[receiver]\nwriters = {args.writers}\n")
        servers = [start_server(db, port, Path(tmp), config) for port in ports]
        try:
            result = load(ports, work, args.clients, args.time_limit)
        finally:
            for proc in servers:
                proc.terminate()
            for proc in servers:
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
        stored = stored_reports(db, run)
        from smsstatus.tracker import redact_url

        result.update(
            shape=args.shape,
            store=redact_url(db).split(":", 1)[0],
            servers=args.servers,
            clients=args.clients,
            writers=args.writers,
            stored_reports=stored,
            nothing_lost=stored >= result["reports"],
        )
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{result['shape']} pushes on {result['store']} ({result['servers']} server(s), {result['clients']} clients):"
        f" {result['requests']} requests, {result['reports']} reports in {result['seconds']} s ="
        f" {result['reports_per_second']} reports/s ({result['requests_per_second']} requests/s),"
        f" p50 {result['latency_ms_p50']} ms, p99 {result['latency_ms_p99']} ms;"
        f" stored {stored}, nothing lost: {result['nothing_lost']}"
    )


if __name__ == "__main__":
    main()
