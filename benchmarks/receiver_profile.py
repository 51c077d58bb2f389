"""The receiver's own work per push, without an HTTP server: where the time
of ``benchmarks/load_receiver.py``'s single pushes goes beyond uvicorn's.

    .venv/bin/python benchmarks/receiver_profile.py [--pushes 6000] [--concurrency 32] [--profile]

Builds the same server ``smsstatus serve --no-poll`` builds (SQLite in a
temporary directory), then calls its ASGI app directly with D7 pushes (two
reports per message, ``sent`` then ``delivered``, as the load script sends),
32 at a time (``--concurrency``) on one event loop (uvloop when installed, as
``serve``), so the group commit groups them as it does under load: all 32 in
one group here, where ``load_receiver.py``'s 32 HTTP clients gave groups of
about 11 on average (2 to 32); ``--concurrency 11`` is closer to that. Prints the CPU per push of
the app alone: request object, routing, parsing, storing (group commit on
the loop), answer. ``--profile`` repeats the run under cProfile and prints
the functions with the most cumulative time (the profiler inflates every
call, so read them as shares, not as microseconds).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import tempfile
import time
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

from smsstatus.server.build import build_server

CONCURRENCY = 32
WARM_UP = 200


def bodies(count: int) -> list[bytes]:
    run = uuid.uuid4().hex[:10]
    return [
        json.dumps(
            {
                "request_id": f"{run}-req",
                "msg_id": f"{run}-{n // 2}",
                "recipient": "+971501234567",
                "originator": "B",
                "status": "sent" if n % 2 == 0 else "delivered",
            }
        ).encode()
        for n in range(count)
    ]


async def push(app: Any, body: bytes) -> None:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/webhooks/d7",
        "raw_path": b"/webhooks/d7",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    received = False

    async def receive() -> dict[str, Any]:
        nonlocal received
        if received:  # the app only asks again to watch for a disconnect
            await asyncio.Event().wait()
        received = True
        return {"type": "http.request", "body": body, "more_body": False}

    statuses: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    if statuses != [200]:
        raise SystemExit(f"the receiver answered {statuses}, not 200")


async def load(app: Any, items: list[bytes], concurrency: int = CONCURRENCY) -> None:
    pending = list(reversed(items))

    async def client() -> None:
        while pending:
            await push(app, pending.pop())

    await asyncio.gather(*(client() for _ in range(concurrency)))


def run_loop(main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    try:
        import uvloop
    except ImportError:
        asyncio.run(main())
    else:
        uvloop.run(main())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pushes", type=int, default=6000, help="pushes measured (after a warm-up)")
    parser.add_argument(
        "--concurrency", type=int, default=CONCURRENCY, help="pushes in flight (the group commit's size)"
    )
    parser.add_argument("--profile", action="store_true", help="also profile a second run")
    args = parser.parse_args()
    if not 1 <= args.pushes <= 1_000_000:
        parser.error("--pushes must be between 1 and 1000000")
    if not 1 <= args.concurrency <= 1000:
        parser.error("--concurrency must be between 1 and 1000")

    with tempfile.TemporaryDirectory(prefix="smsstatus-profile-") as tmp:
        server = build_server(db=f"sqlite:///{tmp}/profile.sqlite3", poll=False)
        app = server.app
        try:

            async def measured() -> None:
                await load(app, bodies(WARM_UP), args.concurrency)
                items = bodies(args.pushes)
                wall, cpu = time.perf_counter(), time.process_time()
                await load(app, items, args.concurrency)
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                print(
                    f"{args.pushes:,} D7 pushes through the receiver's ASGI app (SQLite, group commit,"
                    f" {args.concurrency} at a time): {1e6 * cpu / args.pushes:.1f} µs CPU a push"
                    f" ({1e6 * wall / args.pushes:.1f} µs wall)"
                )

            run_loop(measured)
            if args.profile:
                profiler = cProfile.Profile()

                async def profiled() -> None:
                    items = bodies(args.pushes)
                    profiler.enable()
                    await load(app, items, args.concurrency)
                    profiler.disable()

                run_loop(profiled)
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        finally:
            server.close()


if __name__ == "__main__":
    main()
