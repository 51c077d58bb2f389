"""The webhook receiver, the poller and ``smsstatus serve``.

Needs the ``server`` extra (starlette, uvicorn); PostgreSQL needs the
``postgres`` extra (psycopg). Submodules load their dependencies on import,
so import what you use::

    from smsstatus.server.app import Receiver, create_app
    from smsstatus.server.poller import Poller
    from smsstatus.server.build import build_server

See ``docs/tracker.md``.
"""
