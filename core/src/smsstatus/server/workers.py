"""``smsstatus serve --workers N``: N receiver processes on one port and one
PostgreSQL store.

uvicorn's process manager binds the port once, starts N worker processes that
accept on it (the kernel spreads connections over them), restarts a worker
that dies and stops them all on SIGINT/SIGTERM. Each worker builds the whole
server from the same configuration (:func:`worker_app`): its own connection
pool, writer threads, poller and drain loop. Pollers and drainers of all
workers share the work through the leases in the store (a poll target or a
vendor account is held by one process at a time), so they never overlap.

SQLite allows one writer at a time for the whole file: several processes
would only queue on its lock (and a process waiting for it blocks its writer
for up to ``busy_timeout``), so more than one worker needs PostgreSQL.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import AsyncIterator
from typing import Any

from .. import logs
from .build import build_server

__all__ = ["worker_app", "WORKER_SPEC", "worker_spec", "requires_postgres"]

#: Environment variable carrying the worker's settings from ``serve``.
WORKER_SPEC = "SMSSTATUS_SERVE_WORKER"

log = logging.getLogger("smsstatus.server")


def worker_spec(*, db: str | None, config_path: str | None, poll: bool, log_level: str) -> str:
    """What ``serve`` hands its workers (through the environment, not argv:
    a database URL may hold a password)."""
    return json.dumps({"db": db, "config": config_path, "poll": poll, "log_level": log_level})


def requires_postgres(url: str) -> str | None:
    """Why ``url`` cannot take several workers, or ``None`` when it can."""
    if url.split(":", 1)[0].lower() in ("postgresql", "postgres"):
        return None
    return (
        "several workers need a PostgreSQL store: SQLite lets one process write at a time, so"
        " more processes would only wait for each other (use --workers 1, or --db postgresql://...)"
    )


def worker_app() -> Any:
    """The app of one worker process (uvicorn's ``factory``): the same server
    ``serve`` builds, whose store is closed when the worker stops."""
    from starlette.concurrency import run_in_threadpool

    spec = json.loads(os.environ[WORKER_SPEC])
    # The same safe one-line records as serve's own process (a spawned
    # worker starts with no logging set up).
    logs.configure(str(spec["log_level"]))
    server = build_server(db=spec["db"], config_path=spec["config"], poll=bool(spec["poll"]))
    app = server.app
    assert app is not None
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(host: Any) -> AsyncIterator[Any]:
        try:
            async with inner(host) as state:
                yield state
        finally:
            # After the receiver's writers stored what was queued.
            await run_in_threadpool(server.close)

    app.router.lifespan_context = lifespan
    return app
