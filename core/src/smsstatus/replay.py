"""Offline replay of recorded HTTP exchanges, for testing ``fetch``.

A :class:`ReplayTransport` is an httpx transport that answers each request
with the next recorded response, after checking the request is the one that
was recorded (method, URL with the query compared as a multiset, the recorded
headers, and the body). Any request that was not recorded, or a recorded one
that never came, is a failure: :attr:`ReplayTransport.problems` lists them and
:meth:`ReplayTransport.verify` raises.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import attrs
import httpx

__all__ = ["Exchange", "ReplayTransport", "UnexpectedRequest", "body_bytes", "pairs"]


class UnexpectedRequest(AssertionError):
    """The code under test made a request that was not recorded."""


def pairs(value: Mapping[str, str] | Sequence[Sequence[str]] | None) -> list[tuple[str, str]]:
    if value is None:
        return []
    if isinstance(value, Mapping):
        return list(value.items())
    return [(str(k), str(v)) for k, v in value]


def body_bytes(spec: Mapping[str, Any] | None) -> tuple[bytes, str | None]:
    """A fixture body spec (``json``/``form``/``text``/``base64``) to bytes
    and the content type it implies."""
    if not spec:
        return b"", None
    if "json" in spec:
        return json.dumps(
            spec["json"], separators=(",", ":"), ensure_ascii=False
        ).encode(), "application/json"
    if "form" in spec:
        return urlencode(pairs(spec["form"])).encode(), "application/x-www-form-urlencoded"
    if "text" in spec:
        return str(spec["text"]).encode("utf-8"), "text/plain; charset=utf-8"
    if "base64" in spec:
        return base64.b64decode(spec["base64"]), None
    raise ValueError(f"unknown body spec {sorted(spec)!r}")


@attrs.frozen
class Exchange:
    """One recorded request and the response it got."""

    request: Mapping[str, Any]
    response: Mapping[str, Any]


def _query_multiset(url: str) -> list[tuple[str, str]]:
    return sorted(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def _base(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


class ReplayTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Answers from the recorded exchanges, to a sync or an async httpx client
    (``Registry.fetch(transport=...)``, ``httpx.AsyncClient(transport=...)``)."""

    def __init__(self, exchanges: Sequence[Exchange], *, strict: bool = True) -> None:
        self._pending = list(exchanges)
        self._strict = strict
        self.problems: list[str] = []
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self._strict:
            return self._answer_any(request)
        self.requests.append(request)
        if not self._pending:
            problem = f"unrecorded request {request.method} {request.url.copy_with(query=None)}"
            self.problems.append(problem)
            raise UnexpectedRequest(problem)
        exchange = self._pending.pop(0)
        mismatch = self._mismatch(exchange.request, request)
        if mismatch:
            self.problems.append(mismatch)
            raise UnexpectedRequest(mismatch)
        return self._response(exchange.response)

    def _answer_any(self, request: httpx.Request) -> httpx.Response:
        for exchange in self._pending:
            if self._mismatch(exchange.request, request) is None:
                return self._response(exchange.response)
        raise httpx.ConnectError(
            f"offline: no recorded exchange for {request.method} {request.url.copy_with(query=None)}",
            request=request,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return self.handle_request(request)

    @staticmethod
    def _mismatch(expected: Mapping[str, Any], actual: httpx.Request) -> str | None:
        where = f"{actual.method} {actual.url.copy_with(query=None)}"
        if expected["method"].upper() != actual.method:
            return f"{where}: expected method {expected['method']}"
        if _base(expected["url"]) != _base(str(actual.url)):
            return f"{where}: expected URL {_base(expected['url'])}"
        if _query_multiset(expected["url"]) != _query_multiset(str(actual.url)):
            # Parameter names only: values can be credentials.
            want = sorted(k for k, _ in _query_multiset(expected["url"]))
            return f"{where}: query differs from the recorded one (recorded parameters {want})"
        for name, value in pairs(expected.get("headers")):
            if actual.headers.get(name) != value:
                return f"{where}: header {name!r} differs from the recorded one"
        body = expected.get("body")
        if body is not None:
            if "json" in body:
                try:
                    sent = json.loads(actual.content)
                except ValueError:
                    return f"{where}: body is not JSON"
                if sent != body["json"]:
                    return f"{where}: JSON body differs: sent {sent!r}"
            elif body_bytes(body)[0] != actual.content:
                return f"{where}: body differs from the recorded one"
        return None

    @staticmethod
    def _response(spec: Mapping[str, Any]) -> httpx.Response:
        content, content_type = body_bytes(spec.get("body"))
        headers = pairs(spec.get("headers"))
        if content_type and not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", content_type))
        extensions: dict[str, Any] = {}
        if "received_at" in spec:
            extensions["smsstatus_received_at"] = datetime.fromisoformat(spec["received_at"])
        return httpx.Response(spec["status_code"], headers=headers, content=content, extensions=extensions)

    @property
    def unused(self) -> int:
        """Recorded exchanges never requested (always 0 for a lenient replay)."""
        return len(self._pending) if self._strict else 0

    def verify(self) -> None:
        """Raise if any request was unexpected or any recorded one was not made."""
        problems = list(self.problems)
        if self._pending:
            problems.append(f"{len(self._pending)} recorded exchange(s) never requested")
        if problems:
            raise UnexpectedRequest("; ".join(problems))
