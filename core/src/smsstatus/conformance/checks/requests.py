"""``requests``: a fetch sends each secret only where its recording has it.

Replay compares the method, the URL, the body and the headers a recording
lists, so a request that also carries a secret somewhere else (an extra
header, a query parameter, the body) replays cleanly, and so does one that
drops a header the recording left out. Every fetch case runs again (with the
clock frozen, as when it was recorded) and every request it makes is searched
for each secret credential, verbatim or encoded (a Basic header is base64 of
``user:secret``): each header, query parameter, the path and the body that
carries one must carry it in the recording too. So a time-based header
(``Authorization: Basic base64("<unix time>:<token>")``) must be recorded, and
then replay checks it exactly.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import httpx

from ...fixtures import FROZEN_AT
from ...leaks import found_in
from ...replay import body_bytes, pairs
from ..context import Context, Family, Item, replay_fetch, secret_credentials
from ..outcomes import CheckFailed, CheckSkipped


def _places(
    headers: list[tuple[str, str]], url: str, body: bytes, secrets: Mapping[str, str]
) -> dict[tuple[str, str], str]:
    """``(credential, place) -> encoding`` for every secret found in a request."""
    parts = urlsplit(url)
    fields: list[tuple[str, str]] = [(f"header {name.title()!r}", value) for name, value in headers]
    fields.append(("the URL path", unquote(parts.path)))
    fields += [(f"query parameter {k!r}", v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    fields.append(("the body", body.decode("utf-8", "replace")))
    found: dict[tuple[str, str], str] = {}
    for place, text in fields:
        for name, value in secrets.items():
            encoding = found_in(text, value)
            if encoding is not None:
                found.setdefault((name, place), encoding)
    return found


def _recorded(spec: Mapping[str, Any], secrets: Mapping[str, str]) -> dict[tuple[str, str], str]:
    body, _ = body_bytes(spec.get("body")) if spec.get("body") is not None else (b"", None)
    return _places(pairs(spec.get("headers")), spec["url"], body, secrets)


def _sent(request: httpx.Request, secrets: Mapping[str, str]) -> dict[tuple[str, str], str]:
    headers = [(k, v) for k, v in request.headers.items()]
    return _places(headers, str(request.url), request.content, secrets)


def check(ctx: Context) -> None:
    found: dict[tuple[str, str, str, str], list[int]] = {}
    ran = 0
    for case in ctx.cases:
        if case.kind != "fetch" or case.xfail or not case.data["exchanges"]:
            continue
        secrets = secret_credentials(ctx, case.data.get("credentials") or {})
        if not secrets:
            continue
        ran += 1
        transport, _ = replay_fetch(ctx, case)
        exchanges = case.data["exchanges"]
        for i, request in enumerate(transport.requests):
            recorded = _recorded(exchanges[i]["request"], secrets) if i < len(exchanges) else {}
            for (name, place), encoding in _sent(request, secrets).items():
                if (name, place) not in recorded:
                    found.setdefault((case.id, name, place, encoding), []).append(i)
    if found:
        lines = [
            f"{case_id}: request {', '.join(map(str, requests))} carries credential {name!r}"
            f"{'' if encoding == 'verbatim' else f' ({encoding})'} in {place}, where the recording has none"
            for (case_id, name, place, encoding), requests in found.items()
        ]
        lines.append(
            f"record it (fetch cases run with the clock frozen at {FROZEN_AT}, so a time-based value"
            " records exactly) or stop sending it"
        )
        raise CheckFailed("\n".join(lines))
    if not ran:
        raise CheckSkipped("no fetch case with recorded exchanges carries a secret credential")


def plan(ctx: Context) -> Iterator[Item]:
    if "fetch" in ctx.hooks:
        yield Item(None, lambda: check(ctx))


FAMILY = Family("requests", plan, runs_fixtures=True)
