"""``batch-limit``: fetch splits ids the way the poll policy declares.

``PollPolicy.batch_limit`` tells pollers how many ids one ``fetch`` call
request can carry. The check calls ``fetch`` with one id more than the limit
(ids shaped like a fixture case's, so a plugin that validates them accepts
them), answers every request with that case's recorded answers, and counts the
ids each request carries (in the path, the query, the body). The most any
request carries must be the declared limit: more is a request the vendor
refuses; fewer means the declaration is not what the plugin does (a limit of
50 on an endpoint that takes one id).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx

from ...fixtures import Case
from ...http import RetryPolicy
from ...replay import body_bytes, pairs
from ..context import Context, Family, Item, expects_reports, fetch_with
from ..outcomes import CheckFailed, CheckSkipped

_SEPARATORS = re.compile(r"[,;|\s]+")


def probe_ids(like: str, count: int) -> list[str]:
    """``count`` distinct ids shaped like ``like`` (its trailing digits, or
    hex digits, replaced by a counter; else a counter appended)."""
    digits = len(str(count - 1))
    if re.search(rf"[0-9]{{{digits}}}$", like):
        return [like[:-digits] + str(i).zfill(digits) for i in range(count)]
    width = len(format(count - 1, "x"))
    tail = re.search(rf"[0-9a-fA-F]{{{width}}}$", like)
    if tail:
        upper = tail.group().isupper()
        return [
            like[:-width] + (format(i, f"0{width}x").upper() if upper else format(i, f"0{width}x"))
            for i in range(count)
        ]
    return [f"{like}-{i}" for i in range(count)]


def _leaves(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def request_tokens(request: httpx.Request) -> set[str]:
    """Every value a request carries: path segments, query values, body leaves
    (each also split on commas and the like)."""
    found: set[str] = set(unquote(s) for s in request.url.path.split("/"))
    found.update(
        v for _, v in parse_qsl(request.url.query.decode("ascii", "replace"), keep_blank_values=True)
    )
    body = request.content
    if body:
        try:
            found.update(_leaves(json.loads(body)))
        except (ValueError, UnicodeDecodeError):
            text = body.decode("utf-8", "replace")
            found.update(v for _, v in parse_qsl(text, keep_blank_values=True))
            found.add(text)
    return found | {part for token in found for part in _SEPARATORS.split(token) if part}


class AnsweringTransport(httpx.BaseTransport):
    """Answers every request with the next of some recorded answers (cycling), and keeps the requests."""

    def __init__(self, responses: Sequence[Any]) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        spec = self.responses[len(self.requests) % len(self.responses)]
        self.requests.append(request)
        content, content_type = body_bytes(spec.get("body"))
        headers = pairs(spec.get("headers"))
        if content_type and not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", content_type))
        return httpx.Response(spec["status_code"], headers=headers, content=content)


def _seed(ctx: Context) -> Case | None:
    for case in ctx.cases:
        usable = case.kind == "fetch" and not case.xfail and case.data["exchanges"] and case.data["ids"]
        if (
            usable
            and expects_reports(case)
            and all(x["response"]["status_code"] < 300 for x in case.data["exchanges"])
        ):
            return case
    return None


def ids_per_request(requests: Iterable[httpx.Request], ids: Sequence[str]) -> list[int]:
    wanted = set(ids)
    return [len(request_tokens(r) & wanted) for r in requests]


def check(ctx: Context) -> None:
    poll = ctx.info.poll
    if poll is None:
        raise CheckSkipped("no poll policy declared (nothing to compare fetch with)")
    seed = _seed(ctx)
    if seed is None:
        raise CheckSkipped("no fetch case with successful recorded answers to answer the requests with")
    limit = poll.batch_limit
    ids = probe_ids(str(seed.data["ids"][0]), limit + 1)
    transport = AnsweringTransport([x["response"] for x in seed.data["exchanges"]])
    with contextlib.suppress(Exception):  # only the requests made are judged
        fetch_with(ctx, seed, transport, ids=ids, retry=RetryPolicy(attempts=1))
    counts = ids_per_request(transport.requests, ids)
    if not any(counts):
        raise CheckSkipped(
            f"fetch of {len(ids)} ids made {len(transport.requests)} request(s) in which none of the ids"
            " could be found (in the path, the query or the body)"
        )
    most = max(counts)
    if most > limit:
        raise CheckFailed(
            f"poll.batch_limit is {limit}, but one request carried {most} of the {len(ids)} ids fetch was given"
        )
    if most < limit:
        raise CheckFailed(
            f"poll.batch_limit is {limit}, but given {len(ids)} ids fetch put at most {most} in one request"
            f" ({len(transport.requests)} requests): declare the limit the vendor's endpoint has"
        )


def plan(ctx: Context) -> Iterator[Item]:
    if "fetch" in ctx.hooks:
        yield Item(None, lambda: check(ctx))


FAMILY = Family("batch-limit", plan, runs_fixtures=True)
