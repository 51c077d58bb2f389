"""The webhook receiver: an ASGI (Starlette) application an app can mount.

One route per push vendor, ``{prefix}/{vendor}`` (GET and POST: InnoPaaS's
legacy push is a GET). For each request:

1. reject a body over ``max_body_bytes`` (413) before reading it all;
2. build the :class:`~smsstatus.PushRequest`: the full public URL (configured
   public base URL, else trusted ``X-Forwarded-Proto``/``-Host``, else the
   Host header) with the raw path and query as sent, every header, the raw
   body, the receive time and the remote address;
3. ``Registry.parse_push`` with the vendor's credentials;
4. store the reports, plus a dead letter for the batch items that failed,
   in one transaction;
5. answer the vendor's expected reply, only after the commit. Listeners
   hear of the applied changes after the reply is sent.

A malformed push answers 400, an unauthenticated one 401, a plugin bug 500;
each is kept as a dead letter with its redacted request. When the store fails
the answer is 503 and nothing was acknowledged, so the vendor retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import queue
import threading
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import attrs
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from ..adapters import asgi_remote_addr, push_request_from_asgi
from ..credentials import Credentials
from ..errors import AuthenticationError, NotAStatusError, PayloadError, SmsStatusError
from ..fixtures import error_type
from ..forwarding import PublicAddress
from ..model import StatusReport
from ..registry import Registry
from ..request import PushRequest
from ..serialize import to_dict
from ..tracker import DeadLetter, StatusChange, Tracker, message_key
from ..tracker.errors import StoreBusy, StoreError
from ..tracker.records import Authentication
from ..vendor import Capability
from .config import ReceiverConfig
from .deadlines import BodyDeadlines
from .observe import PushObserver
from .redact import Redactor
from .replay_copy import make_replay_copy
from .sources import SourceAllowlist

__all__ = ["Receiver", "Handled", "create_app"]

log = logging.getLogger("smsstatus.receiver")


@attrs.frozen(kw_only=True)
class Handled:
    """The answer to one push, and what to tell listeners afterwards."""

    status_code: int
    body: bytes = b""
    content_type: str | None = None
    changes: tuple[StatusChange, ...] = ()
    dead_letter_id: int | None = None
    #: The answer's ASGI header pairs, encoded once: a shared answer
    #: (:meth:`Receiver._answer`) is sent for many pushes.
    head: tuple[tuple[bytes, bytes], ...] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        head = [(b"content-length", str(len(self.body)).encode())]
        if self.content_type:
            head.append((b"content-type", self.content_type.encode("latin-1")))
        object.__setattr__(self, "head", tuple(head))


@attrs.define
class _Prepared:
    """A parsed push waiting for its transaction (fields in the order
    :meth:`Receiver.prepare` gives them positionally for the usual push)."""

    vendor: str
    request: PushRequest | None = None
    reports: list[StatusReport] = attrs.field(factory=list)
    letter: DeadLetter | None = None
    status_code: int = 200
    body: bytes = b""
    content_type: str | None = None
    #: For a rejected push: the fields of the JSON problem answer.
    problem: dict[str, Any] | None = None


def _problem(status_code: int, **fields: Any) -> Handled:
    return Handled(
        status_code=status_code,
        body=json.dumps(fields, ensure_ascii=False).encode("utf-8"),
        content_type="application/json",
    )


class Receiver:
    """Turns vendor pushes into stored reports; see the module docstring.

    ``credentials`` maps a vendor id to its credentials; ``redactors`` to the
    redactor of its dead letters (built from ``VendorInfo.secret_fields`` and
    the configured secret values when not given).
    """

    def __init__(
        self,
        registry: Registry,
        tracker: Tracker,
        *,
        vendors: Sequence[str] | None = None,
        credentials: Mapping[str, Credentials | Mapping[str, str]] | None = None,
        config: ReceiverConfig | None = None,
        redactors: Mapping[str, Redactor] | None = None,
        clock: Callable[[], datetime] | None = None,
        sources: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.registry = registry
        #: Receive time of a request (tests replaying recorded pushes set it).
        self.clock = clock or (lambda: datetime.now(UTC))
        self.tracker = tracker
        self.config = config or ReceiverConfig()
        push_vendors = [v for v, lv in registry.vendors.items() if Capability.PUSH in lv.info.capabilities]
        self.vendors = [v for v in (vendors if vendors is not None else push_vendors) if v in push_vendors]
        given = credentials or {}
        self.credentials = {v: registry.credentials(v, given.get(v)) for v in self.vendors}
        #: What each push's parse is given: ``None`` for a vendor with no
        #: credentials configured. The registry then uses its shared empty
        #: instance (equal to the empty one above: a mapping with no values)
        #: instead of checking a ready-made instance's names on every push.
        self._parse_credentials = {v: creds or None for v, creds in self.credentials.items()}
        self.redactors: dict[str, Redactor] = {}
        #: Per vendor: the configured secrets by name (cut out of replay copies).
        self._secrets: dict[str, dict[str, str]] = {}
        #: Per vendor: whether push credentials are configured (pushes are authenticated).
        self.push_authenticated: dict[str, bool] = {}
        for v in self.vendors:
            info = registry.info(v)
            public = {c.name for c in info.credentials if not c.secret}
            creds = self.credentials[v]
            self._secrets[v] = {k: value for k in creds if k not in public and (value := creds[k].reveal())}
            self.push_authenticated[v] = any(
                c.used_for == "push" and creds.optional(c.name) for c in info.credentials
            )
            redactor = (redactors or {}).get(v)
            if redactor is None:
                redactor = Redactor(info.secret_fields, list(self._secrets[v].values()))
            self.redactors[v] = redactor
        #: How the public URL and the client address are told (shared with smsstatus.adapters).
        self.address = PublicAddress(self.config.public_base_url, self.config.forwarded_allow_ips)
        #: Per vendor: the client addresses its pushes may come from (none: any).
        self.sources = {
            v: SourceAllowlist(entries) for v, entries in (sources or {}).items() if v in self.vendors
        }
        writers = self.config.writers or (1 if tracker.store.dialect.name == "sqlite" else 4)
        self._batcher = _Batcher(
            self, writers=writers, max_batch=self.config.max_batch, on_loop=tracker.store.inline_writes
        )
        #: Told of every answer (``smsstatus serve``'s metrics); settable.
        self.observer: PushObserver | None = None
        self._deadlines: BodyDeadlines | None = None
        self._answers: dict[tuple[int, bytes, str | None], Handled] = {}

    def close(self) -> None:
        """Stop the writer threads (after the pushes already queued)."""
        self._batcher.stop()

    def body_deadlines(self, loop: asyncio.AbstractEventLoop | None = None) -> BodyDeadlines:
        """The body deadlines of the running event loop's requests (``loop``:
        that loop, when the caller has it already). Only the last loop's are
        remembered: a request keeps the one it started with, so serving from
        several loops costs a new one now and then, nothing else."""
        if loop is None:
            loop = asyncio.get_running_loop()
        deadlines = self._deadlines
        if deadlines is None or deadlines.loop is not loop:
            deadlines = self._deadlines = BodyDeadlines(loop)
        return deadlines

    # -- the synchronous core (runs on writer threads) --------------------------

    def handle(self, vendor: str, request: PushRequest) -> Handled:
        """Parse, store and answer one push (blocking: call it off the event loop)."""
        return self.handle_many([(vendor, request)])[0]

    def handle_many(self, pushes: Sequence[tuple[str, PushRequest]]) -> list[Handled]:
        """Parse each push, then store all of them in ONE transaction (group
        commit); the answers are valid only because that commit succeeded.
        If the transaction fails, each push is retried in its own, so one
        push the database (or anything else) refuses cannot fail the others."""
        return self.store_many([self._prepare_alone(vendor, request) for vendor, request in pushes])

    def store_many(self, prepared: Sequence[_Prepared]) -> list[Handled]:
        """Store parsed pushes in one transaction, each alone if that fails."""
        if len(prepared) > 1:
            try:
                return self._store(prepared)
            except Exception as exc:  # noqa: BLE001 -- retried one by one below
                log.warning("group commit of %d pushes failed, storing each alone: %s", len(prepared), exc)
        return [self._store_alone(one) for one in prepared]

    def try_store_many(self, prepared: Sequence[_Prepared]) -> list[Handled] | None:
        """:meth:`store_many` in one transaction without waiting for the
        store (on the event loop): ``None`` when the store is busy or the
        group commit failed, with nothing stored; the caller then hands the
        pushes to a writer thread, which waits and isolates them."""
        try:
            return self._store(prepared, wait=False)
        except StoreBusy:
            return None
        except Exception as exc:  # noqa: BLE001 -- the writer thread retries each alone
            log.warning("group commit of %d pushes failed, storing each alone: %s", len(prepared), exc)
            return None

    def _prepare_alone(self, vendor: str, request: PushRequest) -> _Prepared:
        """:meth:`prepare`, with any bug it hits confined to this push (500)."""
        try:
            return self.prepare(vendor, request)
        except Exception:
            log.exception("push from %s could not be prepared", vendor)
            return _Prepared(vendor=vendor, status_code=500, problem={"error": "internal", "vendor": vendor})

    def _store_alone(self, one: _Prepared) -> Handled:
        try:
            (answer,) = self._store([one])
        except StoreError as exc:
            log.error("push from %s not stored: %s", one.vendor, exc)
            return _problem(503, error="store", vendor=one.vendor)
        except Exception as exc:
            if _nested_too_deeply(exc) and one.request is not None:
                # Parsed, but too deep to serialise: the sender's nesting.
                refused = PayloadError(one.vendor, "$", _TOO_DEEP)
                return self._store_alone(self._payload_problem(one.vendor, one.request, refused))
            log.exception("push from %s not stored", one.vendor)
            return _problem(500, error="internal", vendor=one.vendor)
        return answer

    def _store(self, prepared: Sequence[_Prepared], *, wait: bool = True) -> list[Handled]:
        reports = [r for p in prepared for r in p.reports]
        letters = [p.letter for p in prepared if p.letter is not None]
        applied = self.tracker.apply(
            reports,
            dead_letters=letters,
            notify=False,
            wait=wait,
            keep_changes=self.tracker.has_listeners,  # read below only for listeners
            keep_outcomes=False,  # never read here (the tracker's observer still gets them)
        )
        letter_ids = iter(applied.dead_letter_ids)
        answers = []
        for p in prepared:
            letter_id = next(letter_ids) if p.letter is not None else None
            if p.problem is not None:
                answer = _problem(p.status_code, **p.problem, dead_letter=letter_id)
                if letter_id is not None:
                    answer = attrs.evolve(answer, dead_letter_id=letter_id)
            elif letter_id is None:
                answer = self._answer(p.status_code, p.body, p.content_type)
            else:
                answer = Handled(
                    status_code=p.status_code,
                    body=p.body,
                    content_type=p.content_type,
                    dead_letter_id=letter_id,
                )
            answers.append(answer)
        if answers and applied.changes and self.tracker.has_listeners:
            # Told to listeners after the first of these answers is sent.
            answers[0] = attrs.evolve(answers[0], changes=applied.changes)
        return answers

    def _answer(self, status_code: int, body: bytes, content_type: str | None) -> Handled:
        """The answer to a stored push: nearly always one of a few, each
        vendor's acknowledgement, so the (immutable) answers are kept and
        shared instead of built for every push."""
        key = (status_code, body, content_type)
        answer = self._answers.get(key)
        if answer is None:
            answer = Handled(status_code=status_code, body=body, content_type=content_type)
            if len(body) <= _SHARED_ANSWER_BYTES:
                if len(self._answers) >= _SHARED_ANSWERS:  # a vendor echoing each push: keep none
                    self._answers.clear()
                self._answers[key] = answer
        return answer

    def prepare(self, vendor: str, request: PushRequest) -> _Prepared:
        """Parse one push: its trackable reports, its dead letter (failed
        push, or failed items of a batch) and the answer to give once stored."""
        try:
            result = self.registry.parse_push(vendor, request, self._parse_credentials[vendor])
        except AuthenticationError as exc:
            return _Prepared(
                vendor=vendor,
                letter=self._letter(vendor, request, "authentication", exc, authentication="failed"),
                status_code=401,
                problem={"error": "authentication", "vendor": vendor, "credential": exc.credential},
            )
        except PayloadError as exc:
            return self._payload_problem(vendor, request, exc)
        except SmsStatusError as exc:
            if _nested_too_deeply(exc):
                return self._payload_problem(vendor, request, PayloadError(vendor, "$", _TOO_DEEP))
            log.error("push from %s: %s", vendor, self._text(vendor, str(exc)))
            return _Prepared(
                vendor=vendor,
                letter=self._letter(vendor, request, error_type(exc), exc),
                status_code=500,
                problem={"error": error_type(exc), "vendor": vendor},
            )
        if not result.errors:
            for report in result.reports:
                if not report.message_id:
                    break
            else:
                # The usual push: every report trackable (``message_key`` is
                # None exactly when there is no message id), nothing to
                # dead-letter. Positional: keywords cost twice as much to bind
                # here, on every push.
                reply = result.reply
                return _Prepared(
                    vendor,
                    request,
                    list(result.reports),
                    None,
                    reply.status_code,
                    reply.body,
                    reply.content_type,
                )
        redactor = self.redactors[vendor]
        acknowledged = [item for item in result.errors if isinstance(item.error, NotAStatusError)]
        if acknowledged:
            # Traffic that is no status (an inbound message, a count-only
            # summary): answered as the vendor expects, nothing to fix or replay.
            log.info(
                "push from %s: acknowledged %d item(s) that are not delivery statuses: %s",
                vendor,
                len(acknowledged),
                self._text(vendor, str(acknowledged[0].error)),
            )
        items: list[dict[str, Any]] = [
            {
                "index": item.index,
                "key": item.key,
                "error_type": error_type(item.error),
                "field": getattr(item.error, "field", None),
                "error": redactor.text(str(item.error)),
                "raw": redactor.raw(_jsonable(item.raw)),
            }
            for item in result.errors
            if not isinstance(item.error, NotAStatusError)
        ]
        trackable = []
        for index, report in enumerate(result.reports):
            if message_key(report) is None:
                items.append(
                    {
                        "index": None,
                        "key": None,
                        "error_type": "untrackable",
                        "field": "message_id",
                        "error": f"report {index} has no message id",
                        "raw": redactor.raw(to_dict(report)),
                    }
                )
            else:
                trackable.append(report)
        letter = None
        if items:
            summary = "; ".join(f"{i['error_type']}: {i['error']}" for i in items[:3])
            letter = self._dead_letter(
                vendor,
                request,
                kind="items",
                etype=items[0]["error_type"],
                error=summary,
                items=items,
                # Read, so its credentials (if any are configured) were accepted.
                authentication="passed" if self.push_authenticated[vendor] else "none",
            )
        reply = result.reply
        return _Prepared(
            vendor=vendor,
            request=request,
            reports=trackable,
            letter=letter,
            status_code=reply.status_code,
            body=reply.body,
            content_type=reply.content_type,
        )

    def _payload_problem(self, vendor: str, request: PushRequest, exc: PayloadError) -> _Prepared:
        return _Prepared(
            vendor=vendor,
            letter=self._letter(vendor, request, "payload", exc),
            status_code=400,
            problem={
                "error": "payload",
                "vendor": vendor,
                "field": exc.field,
                "reason": self._text(vendor, exc.reason),
            },
        )

    def _text(self, vendor: str, text: str) -> str:
        return self.redactors[vendor].text(text)

    def _dead_letter(
        self,
        vendor: str,
        request: PushRequest,
        *,
        kind: str,
        etype: str,
        error: str,
        items: list[dict[str, Any]] | None = None,
        body_complete: bool = True,
        authentication: Authentication | None = None,
    ) -> DeadLetter:
        """The letter of a push: redacted for display, plus the replay copy
        (the request minus the configured secrets) replay rebuilds it from."""
        redactor = self.redactors[vendor]
        if authentication is None:
            # Failed before its credentials could be known to be good.
            authentication = "unverified" if self.push_authenticated[vendor] else "none"
        headers = request.headers.raw_items()
        copy = None
        if body_complete:
            copy = make_replay_copy(
                method=request.method,
                url=request.url,
                headers=headers,
                body=request.body,
                secrets=self._secrets[vendor],
            )
        return DeadLetter(
            vendor=vendor,
            kind="items" if kind == "items" else "request",
            error_type=etype,
            error=redactor.text(error),
            method=request.method,
            url=redactor.url(request.url),
            headers=redactor.headers(headers),
            body=redactor.body(request.body, request.content_type) if body_complete else b"",
            body_complete=body_complete,
            received_at=request.received_at,
            remote_addr=request.remote_addr,
            items=tuple(items) if items is not None else None,
            authentication=authentication,
            replay_copy=copy,
        )

    def _letter(
        self,
        vendor: str,
        request: PushRequest,
        etype: str,
        exc: Exception,
        authentication: Authentication | None = None,
    ) -> DeadLetter:
        return self._dead_letter(
            vendor, request, kind="request", etype=etype, error=str(exc), authentication=authentication
        )

    def _rejected(self, letter: DeadLetter, status_code: int, **fields: Any) -> Handled:
        try:
            letter_id = self.tracker.add_dead_letter(letter)
        except StoreError as exc:
            log.error("dead letter of %s not stored: %s", letter.vendor, exc)
            return _problem(503, error="store", vendor=letter.vendor)
        return attrs.evolve(_problem(status_code, **fields, dead_letter=letter_id), dead_letter_id=letter_id)

    def too_large(self, vendor: str, request: PushRequest) -> Handled:
        limit = self.config.max_body_bytes
        letter = self._dead_letter(
            vendor,
            request,
            kind="request",
            etype="too_large",
            error=f"body larger than {limit} bytes",
            body_complete=False,
        )
        return self._rejected(letter, 413, error="too_large", vendor=vendor, max_body_bytes=limit)

    # -- ASGI ------------------------------------------------------------------

    def push_request(self, scope: Scope, body: bytes, received_at: datetime) -> PushRequest:
        """The push an ASGI request carries: the public URL and client address
        exactly as the framework adapters build them."""
        return push_request_from_asgi(scope, body, address=self.address, received_at=received_at)

    async def notify_after(self, handled: Handled) -> None:
        """Tell the listeners of the changes a push made, once its answer is
        sent (they may block: a worker thread runs them)."""
        if handled.changes:
            await run_in_threadpool(self.tracker.notify, handled.changes)

    def endpoint(self, vendor: str) -> _Endpoint:
        """The ASGI app receiving ``vendor``'s pushes (a Starlette route's endpoint)."""
        return _Endpoint(self, vendor)

    async def refuse_too_large(self, vendor: str, push: PushRequest) -> Handled:
        return await run_in_threadpool(self.too_large, vendor, push)

    def webhooks(self) -> dict[str, _Endpoint]:
        """Each webhook path (``{prefix}/{vendor}``, also with a trailing
        ``/``) and its endpoint."""
        prefix = self.config.prefix
        paths = {}
        for vendor in self.vendors:
            endpoint = self.endpoint(vendor)
            for path in (f"{prefix}/{vendor}", f"{prefix}/{vendor}/"):
                paths[path] = endpoint
        return paths

    def routes(self) -> list[Route]:
        """The webhook routes, to mount in any Starlette app."""
        return [Route(path, endpoint, methods=list(_METHODS)) for path, endpoint in self.webhooks().items()]


class _Endpoint:
    """One vendor's webhook as a plain ASGI app: the request is read straight
    from the ASGI messages and the answer sent as two messages, without a
    framework request or response object on the path every push takes."""

    def __init__(self, receiver: Receiver, vendor: str) -> None:
        self.receiver = receiver
        self.vendor = vendor
        self.allowlist = receiver.sources.get(vendor)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Under a Starlette route (``Receiver.routes()``): a bug goes to its error middleware.
        await self.serve(scope, receive, send, guarded=False)

    async def serve(self, scope: Scope, receive: Receive, send: Send, *, guarded: bool = True) -> None:
        """The push. ``guarded``: outside Starlette's error middleware
        (:class:`ReceiverApp` dispatches here directly), a bug still gets a
        500 (when nothing was sent yet) and a log line, never a hung request.

        The guard is this coroutine's own ``try`` rather than a coroutine
        around it: every push would pay for one more coroutine, and for one
        more frame each time it resumes."""
        answering = False  # once true, an answer is on its way: never a second one
        try:
            receiver, vendor = self.receiver, self.vendor
            received_at = receiver.clock()
            if self.allowlist is not None:
                source = asgi_remote_addr(scope, address=receiver.address)
                if not self.allowlist.allows(source):
                    # Refused before the body is read: nothing from an address the
                    # operator did not allow is parsed, stored or dead-lettered.
                    log.info("push to %s refused: source %s is not in allowed_sources", vendor, source)
                    refused = {"error": "forbidden", "vendor": vendor, "reason": "source address not allowed"}
                    answering = True
                    await self._reply(send, _problem(403, **refused), close=True)
                    return
            limit = receiver.config.max_body_bytes
            declared = _content_length(scope)
            # Refused before reading when the declared length is over the limit.
            too_large = declared is not None and declared.isdigit() and int(declared) > limit
            body = b""
            loop = asyncio.get_running_loop()
            if not too_large:
                task = asyncio.current_task(loop)
                if task is None:  # pragma: no cover -- an ASGI server runs each request in a task
                    raise RuntimeError("the receiver's endpoint must run in an asyncio task")
                deadlines = receiver.body_deadlines(loop)
                deadlines.start(task, receiver.config.body_timeout)
                timed_out = False
                # Only ``receive()`` is awaited while the deadline runs, so that is
                # where its cancellation arrives.
                try:
                    while True:
                        message = await receive()
                        if message["type"] != "http.request":
                            return  # the sender went away: nobody to answer
                        chunk = message.get("body", b"")
                        if chunk:
                            body = body + chunk if body else chunk
                            if len(body) > limit:
                                break
                        if not message.get("more_body", False):
                            break
                except asyncio.CancelledError:
                    if not deadlines.expired(task):
                        raise  # the server's, not the deadline's
                    timed_out = True
                finally:
                    deadlines.stop(task)
                if timed_out:
                    # A stalled or trickling sender: nothing readable to keep; the
                    # vendor retries. Closing the connection frees what it held.
                    log.info(
                        "push to %s: body not received within %g s", vendor, receiver.config.body_timeout
                    )
                    timeout = {
                        "error": "timeout",
                        "vendor": vendor,
                        "body_timeout": receiver.config.body_timeout,
                    }
                    answering = True
                    await self._reply(send, _problem(408, **timeout), close=True)
                    return
                too_large = len(body) > limit
            if too_large:
                handled = await receiver.refuse_too_large(
                    vendor, receiver.push_request(scope, b"", received_at)
                )
                answering = True
                await self._reply(send, handled)
                await receiver.notify_after(handled)
                return
            push = receiver.push_request(scope, body, received_at)
            handled = await receiver._batcher.submit(vendor, push, loop)
            answering = True
            await self._reply(send, handled)
            if handled.changes:  # without a coroutine per push when nobody listens
                await receiver.notify_after(handled)
        except Exception:
            if not guarded:
                raise
            log.exception("push to %s failed", self.vendor)
            if not answering:
                await self._reply(send, _problem(500, error="internal", vendor=self.vendor))

    async def _reply(self, send: Send, handled: Handled, *, close: bool = False) -> None:
        # A new list each time: the server owns what it is handed and may change it.
        headers = list(handled.head)
        if close:
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": handled.status_code, "headers": headers})
        await send({"type": "http.response.body", "body": handled.body})
        # Metrics (``smsstatus serve`` with an operator's token): a counter
        # increment, nothing else, on the push path.
        observer = self.receiver.observer
        if observer is not None:
            observer.push_answered(self.vendor, handled.status_code)


def _content_length(scope: Scope) -> bytes | None:
    """The first Content-Length of the request as sent (digits are compared
    as bytes: nothing to decode)."""
    for key, value in scope["headers"]:
        if key == b"content-length" or key.lower() == b"content-length":
            return bytes(value)
    return None


@attrs.define
class _Job:
    vendor: str
    request: PushRequest
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Handled]
    #: Parsed already (on the event loop, whose store attempt found it busy).
    prepared: _Prepared | None = None


class _Batcher:
    """Group commit: every push waiting to be stored goes into one
    transaction (up to ``max_batch``), then each waiting request is answered.

    Where the store allows it (:attr:`Store.inline_writes`: SQLite without
    an fsync per commit) the group is parsed and stored on the event loop
    itself, as soon as the loop has taken in what arrived: all pushes that
    came in while the previous group was being stored, and those of one more
    poll of the sockets. A write costs only CPU
    there, and one interpreter runs one thread at a time anyway, so a writer
    thread would add two thread hand-offs per group and nothing in parallel.
    The loop never waits for the store: if another thread or process holds
    its write lock, or the group fails, the group goes to a writer thread,
    which waits and stores each push alone if needed.

    Otherwise (PostgreSQL: every statement waits for the network; SQLite with
    ``synchronous=FULL``) writer threads take the queued pushes, so the loop
    keeps reading requests while they wait."""

    def __init__(self, receiver: Receiver, *, writers: int, max_batch: int, on_loop: bool) -> None:
        self.receiver = receiver
        self.writers = writers
        self.max_batch = max_batch
        self.on_loop = on_loop
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._pending: list[_Job] = []

    def submit(
        self, vendor: str, request: PushRequest, loop: asyncio.AbstractEventLoop
    ) -> asyncio.Future[Handled]:
        """The future answer to a push (``loop``: the running loop)."""
        future: asyncio.Future[Handled] = loop.create_future()
        job = _Job(vendor, request, loop, future)
        if self.on_loop:
            self._pending.append(job)
            if len(self._pending) == 1:
                # Stored one loop iteration later, after the next poll of the
                # sockets: the requests read in this iteration join the group,
                # and so do those the next poll reads (their endpoints run
                # before the group is stored). Under load that doubles the
                # group (about 11 to 23 pushes with benchmarks/load_receiver.py's
                # 32 clients), so a commit's fixed cost is shared by twice as
                # many; an idle loop's next poll returns at once.
                loop.call_soon(loop.call_soon, self._store_pending)
        else:
            self._to_thread(job)
        return future

    def _store_pending(self) -> None:
        jobs, self._pending = self._pending, []
        receiver = self.receiver
        for start in range(0, len(jobs), self.max_batch):
            group = jobs[start : start + self.max_batch]
            try:
                prepared = [receiver._prepare_alone(job.vendor, job.request) for job in group]
                answers = receiver.try_store_many(prepared)
            except Exception:  # a bug, not a push problem: answer 500, keep serving
                log.exception("storing %d push(es) failed", len(group))
                answers = [_problem(500, error="internal") for _ in group]
            if answers is None:
                for job, one in zip(group, prepared, strict=True):
                    job.prepared = one
                    self._to_thread(job)
                continue
            for job, answer in zip(group, answers, strict=True):
                if not job.future.done():  # the client may have gone away
                    job.future.set_result(answer)

    def _to_thread(self, job: _Job) -> None:
        if len(self._threads) < self.writers:
            self._start()
        self._queue.put(job)

    def _start(self) -> None:
        with self._lock:
            while len(self._threads) < self.writers:
                thread = threading.Thread(
                    target=self._run, name=f"smsstatus-writer-{len(self._threads)}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def _run(self) -> None:
        receiver = self.receiver
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stopping = False
            while len(batch) < self.max_batch:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stopping = True
                    break
                batch.append(job)
            try:
                prepared = [job.prepared or receiver._prepare_alone(job.vendor, job.request) for job in batch]
                answers = receiver.store_many(prepared)
            except Exception:  # a bug, not a push problem: answer 500, keep serving
                log.exception("storing %d push(es) failed", len(batch))
                answers = [_problem(500, error="internal") for _ in batch]
            by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Handled], Handled]]] = {}
            for job, answer in zip(batch, answers, strict=True):
                by_loop.setdefault(job.loop, []).append((job.future, answer))
            for loop, pairs in by_loop.items():
                with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is waiting
                    loop.call_soon_threadsafe(_resolve, pairs)
            if stopping:
                return

    def stop(self, timeout: float = 30.0) -> None:
        with self._lock:
            threads, self._threads = self._threads, []
        for _ in threads:
            self._queue.put(None)
        for thread in threads:
            thread.join(timeout)


def _resolve(pairs: list[tuple[asyncio.Future[Handled], Handled]]) -> None:
    for future, answer in pairs:
        if not future.done():  # the client may have gone away
            future.set_result(answer)


_TOO_DEEP = "nested too deeply to read"
#: Answers to stored pushes kept for reuse (Receiver._answer): how many, and
#: the largest body kept.
_SHARED_ANSWERS = 64
_SHARED_ANSWER_BYTES = 512


def _nested_too_deeply(exc: BaseException) -> bool:
    """A plugin ran out of stack on the sender's nesting: the sender's fault
    (400), not a plugin bug. The registry wraps the RecursionError."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, RecursionError):
            return True
        seen = seen.__cause__
    return False


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
    return value


class ReceiverApp(Starlette):
    """The receiver's Starlette app: a push to a webhook path goes straight
    to its vendor's endpoint; everything else (``/healthz``, routes added
    later, middleware) is plain Starlette.

    Routing a push through the whole Starlette stack (two exception
    middlewares and a router matching every route's regex) cost about as much
    as everything the receiver does on the event loop, so the webhook paths are
    dispatched by a dictionary lookup first. This stops as soon as middleware
    is added to the app: then every request takes the middleware's path.
    """

    def __init__(self, receiver: Receiver, **options: Any) -> None:
        super().__init__(**options)
        self._webhooks = receiver.webhooks()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self.user_middleware:
            endpoint = self._webhooks.get(scope["path"])
            if endpoint is not None and scope["method"] in _METHODS:
                scope["app"] = self
                await endpoint.serve(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


_METHODS = ("GET", "POST", "PUT")


def create_app(
    receiver: Receiver,
    *,
    lifespan_hooks: Sequence[tuple[Callable[[], None], Callable[[], None]]] = (),
    health_path: str = "/healthz",
    extra_routes: Sequence[BaseRoute] = (),
) -> ReceiverApp:
    """The receiver as a Starlette app (plus ``GET /healthz``).

    ``lifespan_hooks`` are (start, stop) pairs run at startup and shutdown
    (``smsstatus serve`` starts the poller this way). To mount the receiver
    in a bigger Starlette app, use ``receiver.routes()`` directly.
    ``extra_routes`` come before the vendors' (the operator's ``/metrics``,
    ``/api``, ``/ui``).
    """

    async def health(_request: Request) -> Response:
        def check() -> dict[str, Any]:
            with receiver.tracker.store.read() as tx:
                tx.one("SELECT 1")
            return {"ok": True, "store": receiver.tracker.store.dialect.name, "vendors": receiver.vendors}

        try:
            return JSONResponse(await run_in_threadpool(check))
        except StoreError as exc:
            return JSONResponse({"ok": False, "error": str(exc)}, status_code=503)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        for start, _ in lifespan_hooks:
            await run_in_threadpool(start)
        try:
            yield
        finally:
            for _, stop in reversed(lifespan_hooks):
                await run_in_threadpool(stop)
            await run_in_threadpool(receiver.close)

    routes = [Route(health_path, health, methods=["GET"]), *extra_routes, *receiver.routes()]
    return ReceiverApp(receiver, routes=routes, lifespan=lifespan)
