"""``smsstatus.server.mount``: the receiver and the poller inside your own
Starlette or FastAPI application, started and stopped by its lifespan.

Adding ``receiver.routes()`` to an app's routes is not enough: the writer
threads would never be stopped (pushes still queued at shutdown lost their
group commit) and the poller would never start. :func:`mount` adds the
routes and wraps the app's lifespan so that, around the host's own:

* startup starts the poller (when one is configured and has vendors);
* shutdown stops the poller, then the receiver's writers (after the pushes
  already queued are stored), then closes the store.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .build import Server, build_server
from .config import ServerConfig, load_config

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from ..registry import Registry

__all__ = ["mount"]


def mount(
    app: Starlette,
    prefix: str = "/webhooks",
    *,
    db: str | None = None,
    config_path: str | None = None,
    config: ServerConfig | None = None,
    registry: Registry | None = None,
    poll: bool = True,
    environ: Mapping[str, str] | None = None,
) -> Server:
    """Attach the webhook receiver (``{prefix}/{vendor}`` for every push
    vendor) and the poller to ``app``; returns the :class:`Server` (its
    ``tracker`` answers status queries).

    Configuration is the same as ``smsstatus serve``'s: ``config`` or the TOML
    file at ``config_path`` (``SMSSTATUS_CONFIG``), the store at ``db`` (or
    the config's ``database``), credentials from the config and
    ``SMSSTATUS_<VENDOR>_<NAME>``; ``prefix`` replaces the config's
    ``[receiver] prefix``. Call it before the app starts serving. The store is
    opened (and migrated) now; the poller starts with the app's lifespan.
    """
    from starlette.concurrency import run_in_threadpool

    config = config or load_config(config_path)
    config = attrs.evolve(config, receiver=attrs.evolve(config.receiver, prefix=prefix.rstrip("/")))
    server = build_server(db=db, config=config, registry=registry, poll=poll, environ=environ)
    receiver = server.receiver
    assert receiver is not None  # build_server(app=True) always builds one
    app.router.routes.extend(receiver.routes())
    host_lifespan = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(host: Any) -> AsyncIterator[Any]:
        if server.poller is not None:
            await run_in_threadpool(server.poller.start)
        if server.callbacks is not None:
            await run_in_threadpool(server.callbacks.start)
        try:
            async with host_lifespan(host) as state:
                yield state
        finally:
            await run_in_threadpool(receiver.close)
            await run_in_threadpool(server.close)

    app.router.lifespan_context = lifespan
    return server
