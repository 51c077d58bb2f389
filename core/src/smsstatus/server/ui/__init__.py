"""The operator's dashboard at ``/ui`` (``docs/operations.md``, "Dashboard").

Server-rendered pages (Jinja2, autoescaping: every vendor-controlled value is
escaped), one small vendored chart library (uPlot, ``static/``, no CDN: the
pages work offline) and one small script that draws the chart from data the
page embeds. Every page needs a session (``POST /ui/login`` with the
operator's token) or the bearer token; every POST also needs the session's
CSRF token and this server's own ``Origin``. Pages are sent with a strict
Content-Security-Policy (scripts and styles from this server only), no
framing and no caching.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ...tracker.errors import NotTrackedError
from ...tracker.outbox import Outbox
from ...tracker.stats import GROUPINGS, delivery_rate_series, parse_period
from ..admin import AdminAuth, Session
from ..stats_command import compute, printable, stats_rows

if TYPE_CHECKING:
    import jinja2

    from ..build import Server

__all__ = ["ui_routes", "STATIC_FILES"]

#: The static files served under /ui/static/ (nothing else is).
STATIC_FILES = {
    "uPlot.iife.min.js": "text/javascript; charset=utf-8",
    "uPlot.min.css": "text/css; charset=utf-8",
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
}

_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
        " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

_PERIODS = ("1h", "6h", "24h", "7d", "30d")


def _environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("smsstatus.server.ui", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["printable"] = lambda value: printable(str(value))
    env.filters["instant"] = _instant
    return env


def _instant(value: datetime | None) -> str:
    from ...serialize import format_instant

    return "-" if value is None else format_instant(value)


def _bucket(period: timedelta) -> timedelta:
    if period <= timedelta(hours=6):
        return timedelta(minutes=10)
    if period <= timedelta(hours=48):
        return timedelta(hours=1)
    if period <= timedelta(days=14):
        return timedelta(hours=6)
    return timedelta(days=1)


def ui_routes(server: Server, auth: AdminAuth) -> list[BaseRoute]:
    env = _environment()
    vendors = sorted(server.registry.vendors)
    outbox = Outbox(server.tracker.store)

    def render(
        request: Request, name: str, session: Session | None, status_code: int = 200, **values: Any
    ) -> Response:
        html = env.get_template(name).render(
            csrf=session.csrf if session else "", logged_in=session is not None, vendors=vendors, **values
        )
        return HTMLResponse(html, status_code=status_code, headers=_HEADERS)

    def page(
        handler: Callable[[Request, Session | None], Awaitable[Response]],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            return await handler(request, auth.session(request))

        return auth.page(endpoint, "/ui/login")

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC_FILES:
            return Response("not found\n", status_code=404, media_type="text/plain")
        content = importlib.resources.files(__name__).joinpath("static", name).read_bytes()
        return Response(
            content, media_type=STATIC_FILES[name], headers={"Cache-Control": "private, max-age=3600"}
        )

    async def login_form(request: Request) -> Response:
        return render(request, "login.html", None, error=None)

    async def login(request: Request) -> Response:
        form = await _form(request)
        token = form.get("token", "")
        if not auth.same_origin(request):
            return render(request, "login.html", None, status_code=403, error="cross-site login refused")
        if not auth.token_matches(token):
            return render(request, "login.html", None, status_code=401, error="wrong token")
        value, _ = auth.new_session()
        response = RedirectResponse("/ui", status_code=303)
        auth.set_cookie(response, request, value)
        return response

    async def state_change(request: Request) -> tuple[Session | None, Mapping[str, str], Response | None]:
        """A POST from a logged-in browser: its session, its form, or the refusal."""
        form = await _form(request)
        if auth.bearer(request):
            return None, form, None
        session = auth.session(request)
        if session is None:
            return None, form, Response("log in first\n", status_code=401, media_type="text/plain")
        if not auth.csrf_ok(request, session, form.get("csrf", "")):
            return (
                None,
                form,
                Response("cross-site request refused\n", status_code=403, media_type="text/plain"),
            )
        return session, form, None

    async def logout(request: Request) -> Response:
        _, _, refused = await state_change(request)
        if refused is not None:
            return refused
        response = RedirectResponse("/ui/login", status_code=303)
        auth.clear_cookie(response, request)
        return response

    async def overview(request: Request, session: Session | None) -> Response:
        since = request.query_params.get("since", "24h")
        by = request.query_params.get("by", "vendor")
        if since not in _PERIODS:
            since = "24h"
        if by not in GROUPINGS:
            by = "vendor"

        def collect() -> dict[str, Any]:
            figures = compute(server.tracker.store, server.registry, since=since, by=by)
            rows, columns = stats_rows(figures)
            period = parse_period(since)
            points = delivery_rate_series(
                server.tracker.store, since=figures.since, until=figures.until, bucket=_bucket(period)
            )
            return {
                "rows": rows,
                "columns": columns,
                "chart": _chart(points, figures.since, figures.until, _bucket(period)),
                "outbox": outbox.summary(),
                "failed_callbacks": outbox.rows(state="failed", limit=20),
                "callbacks_configured": server.callbacks is not None,
                "dead_letters": _pending_dead_letters(server),
            }

        data = await run_in_threadpool(collect)
        return render(
            request,
            "overview.html",
            session,
            since=since,
            by=by,
            periods=_PERIODS,
            groupings=GROUPINGS,
            **data,
        )

    async def message(request: Request, session: Session | None) -> Response:
        vendor = request.query_params.get("vendor", "")
        message_id = request.query_params.get("id", "")
        records = None
        error = None
        if vendor and message_id:
            if vendor not in server.registry.vendors:
                error = "no such vendor"
            else:
                try:
                    records = await run_in_threadpool(server.tracker.message, vendor, message_id)
                except NotTrackedError:
                    error = "no such message"
        return render(
            request,
            "message.html",
            session,
            vendor=vendor,
            message_id=message_id,
            records=records,
            error=error,
        )

    async def dead_letters(request: Request, session: Session | None) -> Response:
        def collect() -> dict[str, Any]:
            return {
                "letters": server.tracker.dead_letters(limit=200),
                "drops": server.tracker.dead_letter_drops(),
            }

        return render(request, "dead_letters.html", session, **(await run_in_threadpool(collect)))

    async def dead_letter(request: Request, session: Session | None) -> Response:
        return await _letter_page(request, session, result=None)

    async def _letter_page(request: Request, session: Session | None, result: Any) -> Response:
        letter_id = request.path_params["letter_id"]
        found = await run_in_threadpool(
            lambda: server.tracker.dead_letters(state=None, ids=[letter_id], limit=1)
        )
        if not found:
            return render(
                request, "dead_letter.html", session, status_code=404, letter=None, body=None, result=None
            )
        letter = found[0]
        body = letter.body.decode("utf-8", "replace")
        return render(request, "dead_letter.html", session, letter=letter, body=body, result=result)

    async def replay(request: Request) -> Response:
        session, form, refused = await state_change(request)
        if refused is not None:
            return refused
        from ..replay import replay_dead_letters

        letter_id = request.path_params["letter_id"]
        include = form.get("include_unauthenticated") == "yes"
        outcomes = await run_in_threadpool(
            replay_dead_letters,
            server.registry,
            server.tracker,
            server.credentials,
            ids=[letter_id],
            include_unauthenticated=include,
        )
        result = outcomes[0] if outcomes else None
        return await _letter_page(request, session, result=result or "not pending")

    return [
        Route("/ui/static/{name}", auth.machine(static), methods=["GET"]),
        Route("/ui/login", login_form, methods=["GET"]),
        Route("/ui/login", login, methods=["POST"]),
        Route("/ui/logout", logout, methods=["POST"]),
        Route("/ui", page(overview), methods=["GET"]),
        Route("/ui/messages", page(message), methods=["GET"]),
        Route("/ui/dead-letters", page(dead_letters), methods=["GET"]),
        Route("/ui/dead-letters/{letter_id:int}", page(dead_letter), methods=["GET"]),
        Route("/ui/dead-letters/{letter_id:int}/replay", replay, methods=["POST"]),
    ]


def _pending_dead_letters(server: Server) -> int:
    with server.tracker.store.read() as tx:
        row = tx.one("SELECT COUNT(*) FROM dead_letters WHERE state = 'pending'")
    return int(row[0]) if row else 0


#: The dashboard's forms are a few short fields.
_MAX_FORM_BYTES = 4096


async def _form(request: Request) -> dict[str, str]:
    """A small urlencoded form (the dashboard's own); anything else reads as empty."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        return {}
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > _MAX_FORM_BYTES:
            return {}
    fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=8)
    return {name: values[0] for name, values in fields.items() if values}


def _chart(points: list[Any], since: datetime, until: datetime, bucket: timedelta) -> dict[str, Any]:
    """uPlot's data: x = bucket starts (unix seconds), one series per vendor,
    its delivery rate in percent (null where nothing is final yet)."""
    step = bucket.total_seconds()
    count = max(1, int((until - since).total_seconds() // step) + 1)
    xs = [int((since + timedelta(seconds=i * step)).replace(tzinfo=UTC).timestamp()) for i in range(count)]
    series: dict[str, list[float | None]] = {}
    for point in points:
        index = int((point.start - since).total_seconds() // step)
        if 0 <= index < count:
            values = series.setdefault(point.vendor, [None] * count)
            rate = point.delivery_rate
            values[index] = None if rate is None else round(rate * 100, 2)
    return {"x": xs, "series": [{"vendor": v, "rates": r} for v, r in sorted(series.items())]}
