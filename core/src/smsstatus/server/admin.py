"""The operator's token: who may see ``/metrics``, ``/api/*`` and ``/ui``.

* **Machines** send ``Authorization: Bearer <token>`` (Prometheus scrapers
  can); the token is compared in constant time.
* **People** log in once (``POST /ui/login`` with the token) and get a session
  cookie: HttpOnly, SameSite=Strict, Secure when the request came over https.
  Sessions are stateless, so every worker process accepts them: the cookie is
  ``<expiry>.<nonce>.<mac>``, the MAC an HMAC-SHA256 under a key derived from
  the token, so changing the token ends every session.
* **State-changing requests** (every POST) from a session must carry the
  session's CSRF token (an HMAC of its nonce, put in each form) **and** an
  ``Origin`` (or, failing that, ``Referer``) equal to this server's own public
  origin. A request authenticated by its ``Authorization`` header needs
  neither: browsers never add that header by themselves.

Without a configured token none of these routes exist (404).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import attrs
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from ..forwarding import PublicAddress

__all__ = ["AdminAuth", "Session", "COOKIE", "MIN_TOKEN_LENGTH"]

COOKIE = "smsstatus_session"
#: A shorter token is refused at start: it could be guessed.
MIN_TOKEN_LENGTH = 16

Endpoint = Callable[[Request], Awaitable[Response]]


@attrs.frozen
class Session:
    nonce: str
    expires: int
    #: Put in every form of this session; checked on every POST.
    csrf: str


class AdminAuth:
    """Checks the operator's token, issues and verifies sessions."""

    def __init__(
        self,
        token: str,
        address: PublicAddress,
        *,
        session_seconds: float = 12 * 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._token = token.encode("utf-8")
        self._key = hmac.new(self._token, b"smsstatus session key v1", hashlib.sha256).digest()
        self.address = address
        self.session_seconds = session_seconds
        self.clock = clock

    def __repr__(self) -> str:
        return "AdminAuth(token=***)"

    # -- the token ----------------------------------------------------------------

    def token_matches(self, given: str) -> bool:
        return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), self._token)

    def bearer(self, request: Request) -> bool:
        """Whether the request carries ``Authorization: Bearer <the token>``."""
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and self.token_matches(value.strip())

    # -- sessions ---------------------------------------------------------------

    def _mac(self, message: str) -> str:
        return hmac.new(self._key, message.encode("ascii"), hashlib.sha256).hexdigest()

    def new_session(self) -> tuple[str, Session]:
        """A fresh session and its cookie value."""
        nonce = secrets.token_hex(16)
        expires = int(self.clock() + self.session_seconds)
        body = f"{expires}.{nonce}"
        return f"{body}.{self._mac(body)}", Session(nonce, expires, self._mac(f"csrf.{nonce}"))

    def session(self, request: Request) -> Session | None:
        """The request's valid session, if it has one."""
        value = request.cookies.get(COOKIE, "")
        parts = value.split(".")
        if len(parts) != 3 or not parts[0].isdigit() or len(parts[0]) > 12:
            return None
        expires_text, nonce, mac = parts
        if not hmac.compare_digest(mac.encode(), self._mac(f"{expires_text}.{nonce}").encode()):
            return None
        if int(expires_text) <= self.clock():
            return None
        return Session(nonce, int(expires_text), self._mac(f"csrf.{nonce}"))

    def secure(self, request: Request) -> bool:
        """Whether the browser reached us over https (a trusted proxy may say so)."""
        return self.origin(request).startswith("https://")

    def set_cookie(self, response: Response, request: Request, value: str) -> None:
        response.set_cookie(
            COOKIE,
            value,
            max_age=int(self.session_seconds),
            path="/",
            httponly=True,
            samesite="strict",
            secure=self.secure(request),
        )

    def clear_cookie(self, response: Response, request: Request) -> None:
        response.delete_cookie(
            COOKIE, path="/", httponly=True, samesite="strict", secure=self.secure(request)
        )

    # -- cross-site requests ----------------------------------------------------------

    def origin(self, request: Request) -> str:
        """This server's public origin as the browser sees it."""
        url = self.address.url(
            scheme=request.url.scheme,
            target="/",
            headers=request.headers,
            client=request.client.host if request.client else None,
        )
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}".lower()

    def same_origin(self, request: Request) -> bool:
        """The ``Origin`` header (else the ``Referer``'s origin) is ours; a
        request with neither is refused."""
        claimed = request.headers.get("origin")
        if not claimed or claimed == "null":
            referer = request.headers.get("referer")
            if not referer:
                return False
            parts = urlsplit(referer)
            claimed = f"{parts.scheme}://{parts.netloc}"
        return hmac.compare_digest(claimed.lower().encode(), self.origin(request).encode())

    def csrf_ok(self, request: Request, session: Session, form_token: str) -> bool:
        return self.same_origin(request) and hmac.compare_digest(form_token.encode(), session.csrf.encode())

    # -- guards ----------------------------------------------------------------------

    def machine(self, endpoint: Endpoint) -> Endpoint:
        """A read-only endpoint for machines (bearer token) or a logged-in browser."""

        async def guarded(request: Request) -> Response:
            if self.bearer(request) or self.session(request) is not None:
                return await endpoint(request)
            return PlainTextResponse(
                "the operator's token is required\n", status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )

        return guarded

    def page(self, endpoint: Endpoint, login_path: str) -> Endpoint:
        """A dashboard page: a browser without a session is sent to log in."""

        async def guarded(request: Request) -> Response:
            if self.session(request) is not None or self.bearer(request):
                return await endpoint(request)
            if "text/html" in request.headers.get("accept", ""):
                return RedirectResponse(login_path, status_code=303)
            return PlainTextResponse(
                "the operator's token is required\n", status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )

        return guarded
