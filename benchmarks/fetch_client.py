"""What a fetch pays for its HTTP client: ``Registry.fetch`` makes a client per
call, and the TLS context of that client's network transport used to be built
per call too (loading the CA bundle).

    .venv/bin/python benchmarks/fetch_client.py [--calls N]

Prints, best of three runs of ``--calls`` sequential ``Registry.fetch("d7", ...)``
calls against a loopback D7 API (plain HTTP: no TLS handshake to measure, only
the client's set-up): the time per call, how many TLS contexts were built, and
what building one costs on its own (median of 20 ``httpx.create_ssl_context()``).
Run it on two checkouts to compare. Only 127.0.0.1 is contacted; nothing asserts.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import httpx
import smsstatus
from afetch import serve  # benchmarks/afetch.py: the same loopback D7 API


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=100)
    args = parser.parse_args()

    create = httpx.create_ssl_context
    built = [0]

    def counting(*a: Any, **k: Any) -> Any:
        built[0] += 1
        return create(*a, **k)

    alone = []
    for _ in range(20):
        started = time.perf_counter()
        create()
        alone.append(time.perf_counter() - started)

    httpx.create_ssl_context = counting  # type: ignore[assignment]
    registry = smsstatus.load()
    creds = {"api_token": "bench-token-not-a-secret"}
    server, url = serve(0.0)
    registry.fetch("d7", ["r-1"], creds, base_url=url)  # first-use imports
    built[0] = 0

    def run() -> float:
        started = time.perf_counter()
        for _ in range(args.calls):
            result = registry.fetch("d7", ["r-1"], creds, base_url=url)
            assert result.reports[0].status is smsstatus.Status.DELIVERED
        return (time.perf_counter() - started) / args.calls

    per_call = min(run() for _ in range(3))
    server.shutdown()
    print(
        f"Registry.fetch, loopback D7, a client per call: {per_call * 1e3:.2f} ms per call (best of 3 x"
        f" {args.calls}); TLS contexts built during the {3 * args.calls} timed calls: {built[0]};"
        f" building one: {statistics.median(alone) * 1e3:.1f} ms (median of 20)"
    )


if __name__ == "__main__":
    main()
