"""``robustness::fetch``: spoiled answers to the plugin's valid fetch cases
(replayed with retries off and the clock frozen) get canonical reports and
typed item errors, or a typed smsstatus error other than ``PluginError`` and
``UnsupportedError``."""

from __future__ import annotations

import base64
import functools
import json
from typing import TYPE_CHECKING, Any

import attrs

from .... import errors as err
from ....fixtures import Case, error_type
from ....http import RetryPolicy
from ....replay import Exchange, ReplayTransport, body_bytes, pairs
from ...context import Context, fetch_with
from ...outcomes import CheckSkipped
from ...sandbox import call_with_limit
from .explore import explore, judge_result, leak
from .mutations import HTTP_STATUSES, Mutation, apply_json, body_mutations, dumps, json_mutations

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

__all__ = ["check", "fetch_seeds", "apply_fetch"]


def fetch_seeds(ctx: Context) -> list[Case]:
    return [
        c
        for c in ctx.cases
        if c.kind == "fetch" and not c.xfail and c.data["exchanges"] and "reports" in c.data["expect"]
    ]


def _response_mutations(response: dict[str, Any]) -> list[SearchStrategy[Mutation]]:
    from hypothesis import strategies as st

    body, _ = body_bytes(response.get("body"))
    found = body_mutations(body)
    found += [
        st.sampled_from(HTTP_STATUSES).map(lambda s: Mutation("status", value=s)),
        st.just(Mutation("no-headers")),
    ]
    if body:
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        else:
            found += json_mutations(payload, None)
    return found


def _at_exchange(index: int, mutation: Mutation) -> Mutation:
    return attrs.evolve(mutation, exchange=index)


def fetch_mutations(case: Case) -> SearchStrategy[Mutation]:
    from hypothesis import strategies as st

    return st.one_of(
        [
            st.one_of(_response_mutations(x["response"])).map(functools.partial(_at_exchange, i))
            for i, x in enumerate(case.data["exchanges"])
        ]
    )


def apply_fetch(case: Case, mutation: Mutation) -> list[Exchange]:
    exchanges = [Exchange(x["request"], dict(x["response"])) for x in case.data["exchanges"]]
    assert mutation.exchange is not None
    response: dict[str, Any] = dict(exchanges[mutation.exchange].response)
    body, implied = body_bytes(response.get("body"))
    headers = pairs(response.get("headers"))
    if implied and not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", implied))
    kind = mutation.kind
    if kind in ("drop", "replace", "root"):
        body = dumps(apply_json(json.loads(body), mutation))
    elif kind == "truncate":
        body = body[: mutation.value]
    elif kind == "bytes":
        body = mutation.value
    elif kind == "content-type":
        headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
        if mutation.value is not None:
            headers.append(("Content-Type", mutation.value))
    elif kind == "status":
        response["status_code"] = mutation.value
    elif kind == "no-headers":
        headers = []
    response["body"] = {"base64": base64.b64encode(body).decode()}
    response["headers"] = headers
    exchanges[mutation.exchange] = Exchange(exchanges[mutation.exchange].request, response)
    return exchanges


def _pair(case: Case, mutation: Mutation) -> tuple[Case, Mutation]:
    return case, mutation


def check(ctx: Context) -> None:
    from hypothesis import strategies as st

    seeds = fetch_seeds(ctx)
    if not seeds:
        raise CheckSkipped("no fetch case with recorded exchanges to derive malformed answers from")
    limit = ctx.options.time_limit

    def probe(example: tuple[Case, Mutation]) -> str | None:
        case, mutation = example
        transport = ReplayTransport(apply_fetch(case, mutation))
        creds = ctx.registry.credentials(ctx.vendor, dict(case.data.get("credentials") or {}))
        outcome = call_with_limit(
            lambda: fetch_with(ctx, case, transport, retry=RetryPolicy(attempts=1)), limit
        )
        if outcome.timed_out:
            return f"timeout: took {outcome.duration:.2f}s (limit {limit:g}s)"
        if transport.problems:
            return None  # the spoiled answer led to requests nobody recorded: inconclusive
        exc = outcome.error
        if exc is None:
            return judge_result(outcome.value)
        if isinstance(exc, err.SmsStatusError) and not isinstance(
            exc, (err.PluginError, err.UnsupportedError)
        ):
            return leak(f"{exc} {exc!r}", creds.secret_values())
        return f"raised {error_type(exc)} error: {exc}"

    strategy = st.one_of([fetch_mutations(c).map(functools.partial(_pair, c)) for c in seeds])
    explore(ctx, "robustness::fetch", strategy, probe, lambda ex: f"{ex[1].describe()} (seed {ex[0].id})")
