"""afetch against fetch, on loopback: what the thread bridge costs and what it buys.

    .venv/bin/python benchmarks/afetch.py [--calls N] [--latency SECONDS]

A loopback HTTP server answers D7's message-log endpoint after ``--latency``
seconds (a vendor API's round trip). Measured, best of three:

* per call, no latency, one after another: ``Registry.fetch`` as is (a new
  client per call), ``fetch`` on one shared ``httpx.HTTPTransport``, and
  ``await Registry.afetch`` on one shared ``httpx.AsyncClient``; the last two
  differ only by the bridge (a worker-thread hop, one loop round trip for the
  answer's head and one per body chunk);
* ``--calls`` fetches with latency: sequential ``fetch``; ``asyncio.gather``
  of ``afetch`` on one shared ``httpx.AsyncClient``; and the event loop's
  worst stall meanwhile (a ticker task's largest delay past 10 ms), which is
  what "does not block the event loop" means in numbers.

Only 127.0.0.1 is contacted. Nothing here asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import http.server
import json
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import smsstatus

ANSWER = json.dumps(
    {
        "request_id": "r-1",
        "total_recipients": 1,
        "channel": "sms",
        "messages": [
            {
                "msg_id": "m-1",
                "recipient": "+971576545600",
                "status": "delivered",
                "created_at": "2024-02-01T00:10:00Z",
                "updated_at": "2024-02-01T00:11:00Z",
            }
        ],
    }
).encode()


def serve(latency: float) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            if latency:
                time.sleep(latency)
            # One write: headers and body in separate segments would meet the
            # client's delayed ACK (~40 ms a call on Linux) and measure TCP, not us.
            head = (
                f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(ANSWER)}\r\n\r\n"
            )
            self.wfile.write(head.encode() + ANSWER)

        def log_message(self, *_args: Any) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        request_queue_size = 256  # the default 5 drops a burst of connects (1 s SYN retries)

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def best(run: Callable[[], float], repeats: int = 3) -> float:
    return min(run() for _ in range(repeats))


async def stall_meter(stop: asyncio.Event, stalls: list[float]) -> None:
    while not stop.is_set():
        before = time.perf_counter()
        await asyncio.sleep(0.01)
        stalls.append(time.perf_counter() - before - 0.01)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--per-call", type=int, default=200)
    args = parser.parse_args()
    registry = smsstatus.load()
    creds = {"api_token": "bench-token-not-a-secret"}

    fast, fast_url = serve(0.0)
    n = args.per_call

    def sync_per_call(transport: httpx.BaseTransport | None = None) -> float:
        started = time.perf_counter()
        for _ in range(n):
            registry.fetch("d7", ["r-1"], creds, base_url=fast_url, transport=transport)
        return (time.perf_counter() - started) / n

    shared = httpx.HTTPTransport()

    async def async_per_call() -> float:
        async with httpx.AsyncClient() as client:
            started = time.perf_counter()
            for _ in range(n):
                await registry.afetch("d7", ["r-1"], creds, base_url=fast_url, client=client)
            return (time.perf_counter() - started) / n

    per_sync = best(sync_per_call)
    per_shared = best(lambda: sync_per_call(shared))
    per_async = best(lambda: asyncio.run(async_per_call()))
    fast.shutdown()

    slow, slow_url = serve(args.latency)
    calls = args.calls

    def sequential() -> float:
        started = time.perf_counter()
        for _ in range(calls):
            registry.fetch("d7", ["r-1"], creds, base_url=slow_url)
        return time.perf_counter() - started

    stalls: list[float] = []

    async def gathered() -> float:
        stop = asyncio.Event()
        meter = asyncio.create_task(stall_meter(stop, stalls))
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=100)) as client:
            started = time.perf_counter()
            results = await asyncio.gather(
                *(
                    registry.afetch("d7", ["r-1"], creds, base_url=slow_url, client=client)
                    for _ in range(calls)
                )
            )
            took = time.perf_counter() - started
        stop.set()
        await meter
        assert all(r.reports[0].status is smsstatus.Status.DELIVERED for r in results)
        return took

    seq = best(sequential, repeats=1)
    asyncio.run(gathered())  # warm-up: first-use imports on the loop and in the workers
    stalls.clear()
    gat = best(lambda: asyncio.run(gathered()))
    slow.shutdown()
    print(
        f"per call, loopback, no latency: fetch {per_sync * 1e3:.2f} ms (a client per call),"
        f" fetch on a shared transport {per_shared * 1e3:.2f} ms, afetch on a shared AsyncClient"
        f" {per_async * 1e3:.2f} ms (bridge: {(per_async - per_shared) * 1e3:+.2f} ms)"
    )
    print(
        f"{calls} calls, {args.latency * 1e3:.0f} ms latency: sequential fetch {seq:.2f} s,"
        f" gathered afetch {gat:.2f} s ({seq / gat:.1f}x)"
    )
    stalls.sort()
    p99 = stalls[int(len(stalls) * 0.99)]
    print(
        f"event loop lag while gathering (10 ms ticker): median {statistics.median(stalls) * 1e3:.2f} ms,"
        f" p99 {p99 * 1e3:.1f} ms, max {stalls[-1] * 1e3:.1f} ms over {len(stalls)} ticks"
    )


if __name__ == "__main__":
    main()
