"""``robustness::push``: malformed pushes derived from the plugin's valid push
cases get canonical reports and typed item errors, ``PayloadError``, or
(with credentials configured) ``AuthenticationError``; never anything else."""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import attrs

from .... import errors as err
from ....fixtures import Case, error_type
from ....request import Headers, PushRequest
from ...context import Context, json_body, push_request
from ...outcomes import CheckSkipped
from ...sandbox import call_with_limit
from .explore import explore, judge_result, leak
from .mutations import (
    Mutation,
    apply_json,
    body_mutations,
    dumps,
    edge_time_mutations,
    edge_time_params,
    json_mutations,
    mutate_params,
    param_mutations,
)

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

__all__ = ["check", "PushSeed", "push_seeds", "apply_push"]


@attrs.frozen
class PushSeed:
    case: Case
    request: PushRequest
    credentials: dict[str, str]
    payload: Any
    schema: Any

    @property
    def is_json(self) -> bool:
        return self.payload is not None


def load_schema(ctx: Context, name: str | None) -> Any:
    if not name or ctx.info.schemas is None:
        return None
    try:
        return json.loads((ctx.info.schemas / name).read_text("utf-8"))
    except (OSError, ValueError):
        return None


def push_seeds(ctx: Context) -> list[PushSeed]:
    seeds = []
    for case in ctx.cases:
        if case.kind != "push" or case.xfail or case.data.get("payload_valid") is False:
            continue
        if "reports" not in case.data["expect"]:
            continue
        request = push_request(case)
        payload: Any = None
        if json_body(request):
            try:
                payload = json.loads(request.body)
            except ValueError:
                continue
        seeds.append(
            PushSeed(
                case,
                request,
                dict(case.data.get("credentials") or {}),
                payload,
                load_schema(ctx, case.data.get("payload_schema")),
            )
        )
    return seeds


def push_mutations(seed: PushSeed) -> SearchStrategy[Mutation]:
    from hypothesis import strategies as st

    request = seed.request
    found: list[SearchStrategy[Mutation]] = []
    if seed.is_json:
        found += json_mutations(seed.payload, seed.schema)
    elif request.body and request.content_type == "application/x-www-form-urlencoded":
        found += param_mutations(
            "form", parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True)
        )
    if request.query_params or not request.body:
        found += param_mutations("query", request.query_params)
    found += body_mutations(request.body)
    found.append(st.sampled_from(["GET", "PUT", "POST", "HEAD"]).map(lambda m: Mutation("method", value=m)))
    return st.one_of(found)


def apply_push(seed: PushSeed, mutation: Mutation) -> PushRequest:
    request = seed.request
    kind = mutation.kind
    if kind in ("drop", "replace", "root"):
        return attrs.evolve(request, body=dumps(apply_json(seed.payload, mutation)))
    if kind == "truncate":
        return attrs.evolve(request, body=request.body[: mutation.value])
    if kind == "bytes":
        return attrs.evolve(request, body=mutation.value)
    if kind == "content-type":
        headers = [(k, v) for k, v in request.headers.raw_items() if k.lower() != "content-type"]
        if mutation.value is not None:
            headers.append(("Content-Type", mutation.value))
        return attrs.evolve(request, headers=Headers(headers))
    if kind == "method":
        return attrs.evolve(request, method=mutation.value)
    if kind.startswith("param-"):
        if mutation.path[0] == "form":
            params = parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True)
            return attrs.evolve(request, body=urlencode(mutate_params(params, mutation)).encode())
        parts = urlsplit(request.url)
        query = urlencode(mutate_params(request.query_params, mutation))
        return attrs.evolve(request, url=urlunsplit(parts._replace(query=query)))
    raise AssertionError(f"unknown mutation {kind}")


def _pair(seed: PushSeed, mutation: Mutation) -> tuple[PushSeed, Mutation]:
    return seed, mutation


def edge_examples(seeds: list[PushSeed]) -> list[tuple[PushSeed, Mutation]]:
    """Every edge time at every time field, once per payload shape (the first
    seed of each payload schema, and of each parameter set)."""
    found: list[tuple[PushSeed, Mutation]] = []
    shapes: set[object] = set()
    for seed in seeds:
        request = seed.request
        if seed.is_json:
            shape: object = seed.case.data.get("payload_schema")
            mutations = edge_time_mutations(seed.payload, seed.schema)
        elif request.body and request.content_type == "application/x-www-form-urlencoded":
            params = parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True)
            shape = ("form", tuple(sorted(k for k, _ in params)))
            mutations = edge_time_params("form", params)
        else:
            shape = ("query", tuple(sorted(k for k, _ in request.query_params)))
            mutations = edge_time_params("query", request.query_params)
        if shape in shapes or not mutations:
            continue
        shapes.add(shape)
        found += [(seed, m) for m in mutations]
    return found


def check(ctx: Context) -> None:
    from hypothesis import strategies as st

    seeds = push_seeds(ctx)
    if not seeds:
        raise CheckSkipped("no valid push case to derive malformed inputs from")
    limit = ctx.options.time_limit

    def probe(example: tuple[PushSeed, Mutation]) -> str | None:
        seed, mutation = example
        request = apply_push(seed, mutation)
        creds = ctx.registry.credentials(ctx.vendor, seed.credentials)
        outcome = call_with_limit(lambda: ctx.registry.parse_push(ctx.vendor, request, creds), limit)
        secrets = creds.secret_values()  # what the plugin declares secret; account ids may show
        if outcome.timed_out:
            return f"timeout: took {outcome.duration:.2f}s (limit {limit:g}s)"
        exc = outcome.error
        if exc is None:
            return judge_result(outcome.value)
        if isinstance(exc, err.PayloadError) or (
            isinstance(exc, err.AuthenticationError) and any(seed.credentials.values())
        ):
            return leak(f"{exc} {exc!r}", secrets)
        return f"raised {error_type(exc)} error: {exc}"

    strategy = st.one_of([push_mutations(s).map(functools.partial(_pair, s)) for s in seeds])
    explore(
        ctx,
        "robustness::push",
        strategy,
        probe,
        lambda ex: f"{ex[1].describe()} (seed {ex[0].case.id})",
        examples=edge_examples(seeds),
    )
