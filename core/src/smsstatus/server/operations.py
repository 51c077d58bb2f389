"""The operator's routes of ``smsstatus serve``: ``/metrics``, ``/api/stats``
and the dashboard (``/ui``), all behind the operator's token
(:mod:`smsstatus.server.admin`). Built only when a token is configured;
without one these paths are 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..tracker.stats import as_json
from .admin import AdminAuth
from .metrics import CONTENT_TYPE_LATEST, Metrics
from .stats_command import compute

if TYPE_CHECKING:
    from .build import Server

__all__ = ["operator_routes"]


def operator_routes(server: Server, auth: AdminAuth, metrics: Metrics) -> list[BaseRoute]:
    async def metrics_page(_request: Request) -> Response:
        return Response(await run_in_threadpool(metrics.exposition), media_type=CONTENT_TYPE_LATEST)

    async def stats(request: Request) -> Response:
        since = request.query_params.get("since", "24h")
        by = request.query_params.get("by", "vendor")
        try:
            figures = await run_in_threadpool(
                compute, server.tracker.store, server.registry, since=since, by=by
            )
        except ValueError as exc:
            return JSONResponse({"error": "bad_request", "reason": str(exc)}, status_code=400)
        return JSONResponse(as_json(figures))

    routes: list[BaseRoute] = [
        Route("/metrics", auth.machine(metrics_page), methods=["GET"]),
        Route("/api/stats", auth.machine(stats), methods=["GET"]),
    ]
    from .ui import ui_routes

    routes += ui_routes(server, auth)
    return routes
