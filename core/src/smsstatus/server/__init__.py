"""The webhook receiver, the poller and ``smsstatus serve``.

Needs the ``server`` extra (starlette, uvicorn); PostgreSQL needs the
``postgres`` extra (psycopg). Submodules load their dependencies on import,
so import what you use::

    from smsstatus.server.app import Receiver, create_app
    from smsstatus.server.poller import Poller
    from smsstatus.server.build import build_server

To run the receiver and the poller inside your own Starlette or FastAPI
application, with its lifespan, use :func:`mount` (``smsstatus.server.mount``).

See ``docs/tracker.md`` and ``docs/receiving-webhooks.md``.
"""

from .mounting import mount

__all__ = ["mount"]
