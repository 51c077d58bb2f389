"""Robustness: malformed inputs generated with hypothesis, derived from the fixtures.

Seeds are the plugin's own valid inputs (push requests, fetch responses);
mutations are drawn from what the payload schema says (required members to
drop, typed members to give another type) and from the generic ways input
goes wrong (any member dropped or replaced, random JSON, truncated or random
bytes, another or no content type, form and query fields dropped, changed or
repeated, odd HTTP statuses). A plugin must answer each with a result whose
reports are canonical, or with the errors its contract names (PayloadError;
AuthenticationError when credentials are configured; for fetch any vendor
error), within the time bound; never with anything else (PluginError: it
raised a bare exception). Runs are reproducible: a fixed seed per check id,
a bounded example count, no example database.
"""

from __future__ import annotations

import base64
import copy
import functools
import json
import re
import zlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import attrs

from .. import errors as err
from ..fixtures import Case, build_push_request, error_type
from ..http import RetryPolicy
from ..model import MappedStatus, MappingKind, Status
from ..replay import Exchange, ReplayTransport, body_bytes, pairs
from ..request import Headers, PushRequest
from .engine import CheckFailed, CheckSkipped
from .sandbox import call_with_limit

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

    from .checks import Context

__all__ = ["check_push", "check_fetch", "check_map", "Mutation"]

Path = tuple[str | int, ...]

#: Strings that break naive parsers.
SPECIAL_STRINGS = (
    "",
    " ",
    "null",
    "0",
    "-1",
    "1e309",
    "NaN",
    "9" * 40,
    "2024-13-45T99:99:99Z",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "2024-05-01 10:00:00",
    "1714557600000",
    "\x00",
    "\ud7ff\ue000\U0001f4a9",
    "../../etc/passwd",
    "' OR 1=1 --",
    "%zz",
    "a" * 2000,
)
CONTENT_TYPES = (
    None,
    "application/json",
    "application/json; charset=utf-16",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "text/plain",
    "text/xml",
    "application/octet-stream",
    "",
)
#: Times that break naive time parsing (out of range once shifted to UTC, impossible dates, no zone, ...).
ODD_TIMES: tuple[Any, ...] = (
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "2024-02-30T10:00:00Z",
    "2024-05-01T25:61:00Z",
    "2024-05-01T10:00:00",
    "2024-05-01T10:00:00+25:00",
    "2024-05-01",
    "20240501100000",
    "2024/05/01 10:00:00",
    "",
    "0",
    "-1",
    "99999999999999999999",
    0,
    -1,
    2**63,
    10**20,
    1714557600.5,
    "1714557600000",
)
HTTP_STATUSES = (200, 201, 202, 204, 301, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503)


@attrs.frozen
class Mutation:
    """One way to spoil a seed input, described for the failure message."""

    kind: str
    path: Path = ()
    value: Any = None
    exchange: int | None = None

    def describe(self) -> str:
        where = "" if self.exchange is None else f"response {self.exchange}: "
        kind, path, value = self.kind, self.path, self.value
        if kind == "drop":
            text = f"drop {_path(path)}"
        elif kind == "replace":
            text = f"set {_path(path)} to {_show(value)}"
        elif kind == "root":
            text = f"replace the JSON body with {_show(value)}"
        elif kind == "truncate":
            text = f"truncate the body to {value} bytes"
        elif kind == "bytes":
            text = f"replace the body with bytes {_show(value)}"
        elif kind == "content-type":
            text = "remove Content-Type" if value is None else f"set Content-Type to {value!r}"
        elif kind == "param-drop":
            text = f"drop {path[0]} parameter {path[1]!r}"
        elif kind == "param-set":
            text = f"set {path[0]} parameter {path[1]!r} to {_show(value)}"
        elif kind == "param-add":
            text = f"add {path[0]} parameter {path[1]!r}={_show(value)}"
        elif kind == "method":
            text = f"use method {value}"
        elif kind == "status":
            text = f"answer HTTP {value}"
        else:
            text = "drop every response header"
        return where + text


def _path(path: Path) -> str:
    out = "$"
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.isidentifier():
            out += f".{part}"
        else:
            out += f"[{part!r}]"
    return out


def _show(value: Any, limit: int = 80) -> str:
    if isinstance(value, bytes):
        text = repr(value)
    else:
        try:
            text = json.dumps(value, ensure_ascii=True)
        except (TypeError, ValueError):
            text = ascii(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _seed_for(base: int, check_id: str) -> int:
    return (base * 1_000_003 + zlib.crc32(check_id.encode())) % (2**32)


# -- JSON paths from the schema and the instance ----------------------------------------------


def _resolve(schema: Any, root: Any) -> Any:
    seen = 0
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and schema["$ref"].startswith("#"):
        seen += 1
        if seen > 20:
            return {}
        target: Any = root
        for raw in schema["$ref"][1:].split("/")[1:]:
            part = raw.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, dict) else None
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **rest} if isinstance(target, dict) else rest
    return schema


def schema_paths(
    schema: Any, instance: Any, root: Any = None, path: Path = (), depth: int = 0
) -> list[tuple[str, Path]]:
    """``("drop", path)`` for required members present in ``instance`` and
    ``("retype", path)`` for typed members, as the schema describes them."""
    root = schema if root is None else root
    schema = _resolve(schema, root)
    if not isinstance(schema, dict) or depth > 10:
        return []
    found: list[tuple[str, Path]] = []
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key, []) or []:
            found += schema_paths(sub, instance, root, path, depth + 1)
    if isinstance(instance, dict):
        for name in schema.get("required", []) or []:
            if name in instance:
                found.append(("drop", (*path, name)))
        properties = schema.get("properties", {})
        if isinstance(properties, dict):
            for name, sub in properties.items():
                if name in instance:
                    found.append(("retype", (*path, name)))
                    found += schema_paths(sub, instance[name], root, (*path, name), depth + 1)
    if isinstance(instance, str) and schema.get("format") in ("date-time", "date", "time"):
        found.append(("time", path))
    if isinstance(instance, list):
        prefix = schema.get("prefixItems", []) or []
        items = schema.get("items")
        for i, value in enumerate(instance[:3]):
            sub = prefix[i] if i < len(prefix) else items
            if isinstance(sub, dict):
                found.append(("retype", (*path, i)))
                found += schema_paths(sub, value, root, (*path, i), depth + 1)
    return list(dict.fromkeys(found))


def all_paths(value: Any, path: Path = (), depth: int = 0, limit: int = 300) -> list[Path]:
    """Every member and element path of a JSON value (bounded)."""
    found: list[Path] = []
    if depth > 10:
        return found
    children: Sequence[tuple[str | int, Any]] = ()
    if isinstance(value, dict):
        children = list(value.items())
    elif isinstance(value, list):
        children = list(enumerate(value))[:5]
    for key, child in children:
        found.append((*path, key))
        found += all_paths(child, (*path, key), depth + 1, limit)
        if len(found) >= limit:
            break
    return found[:limit]


def _get(value: Any, path: Path) -> Any:
    for part in path:
        value = value[part]
    return value


def _apply_json(payload: Any, mutation: Mutation) -> Any:
    if mutation.kind == "root":
        return mutation.value
    data = copy.deepcopy(payload)
    parent = _get(data, mutation.path[:-1])
    last = mutation.path[-1]
    if mutation.kind == "drop":
        del parent[last]
    else:
        parent[last] = mutation.value
    return data


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")


# -- strategies ---------------------------------------------------------------------------------------


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


_ODD_VALUES: tuple[Any, ...] = (None, True, 0, 1.5, -1, "", "x", [], {})


@functools.cache
def _values() -> tuple[SearchStrategy[Any], SearchStrategy[Any]]:
    from hypothesis import strategies as st

    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(),
        st.text(max_size=20),
        st.sampled_from(SPECIAL_STRINGS),
    )
    values = st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
        max_leaves=6,
    )
    return scalars, values


def _replacement(original: Any) -> SearchStrategy[Any]:
    """Another JSON type first (what schemas forbid), any odd value after."""
    from hypothesis import strategies as st

    scalars, values = _values()
    kind = _json_type(original)
    other = st.one_of(
        st.sampled_from([v for v in (*_ODD_VALUES, [original]) if _json_type(v) != kind]),
        values.filter(lambda v: _json_type(v) != kind),
    )
    return st.one_of(other, st.sampled_from(SPECIAL_STRINGS), scalars, values)


def _json_mutations(payload: Any, schema: Any) -> list[SearchStrategy[Mutation]]:
    from hypothesis import strategies as st

    _, values = _values()
    hints = schema_paths(schema, payload) if isinstance(schema, (dict, bool)) else []
    generic = all_paths(payload)
    drops = list(dict.fromkeys([p for k, p in hints if k == "drop"] + [p for p in generic if p]))
    retypes = list(dict.fromkeys([p for k, p in hints if k == "retype"] + generic))
    strings = [p for p in retypes if isinstance(_get(payload, p), str)]
    times = list(
        dict.fromkeys(
            [p for k, p in hints if k == "time"] + [p for p in retypes if _timelike(_get(payload, p))]
        )
    )
    strategies: list[SearchStrategy[Mutation]] = [values.map(lambda v: Mutation("root", value=v))]
    if strings:
        odd = st.sampled_from(SPECIAL_STRINGS)
        strategies.append(st.tuples(st.sampled_from(strings), odd).map(lambda pv: _replace(*pv)))
    if times:
        odd_times = st.sampled_from(ODD_TIMES)
        strategies.append(st.tuples(st.sampled_from(times), odd_times).map(lambda pv: _replace(*pv)))
    if drops:
        strategies.append(st.sampled_from(drops).map(lambda p: Mutation("drop", p)))
    if retypes:
        # Built once per path: hypothesis validates a strategy on first use.
        replacements = {
            p: _replacement(_get(payload, p)).map(functools.partial(_replace, p)) for p in retypes
        }
        strategies.append(st.sampled_from(retypes).flatmap(replacements.__getitem__))
    return strategies


_TIMELIKE = re.compile(r"^\d{4}-\d{2}-\d{2}|^\d{4}/\d{2}/\d{2}|^\d{10}(\d{3})?$|^\d{14}$")


def _timelike(value: Any) -> bool:
    """A time as vendors send them: ISO dates, 2024/05/01, Unix seconds or millis, yyyyMMddHHmmss."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 10**9 <= value < 10**13 * 5
    return isinstance(value, str) and bool(_TIMELIKE.match(value))


def _replace(path: Path, value: Any) -> Mutation:
    return Mutation("replace", path, value)


def _body_mutations(body: bytes) -> list[SearchStrategy[Mutation]]:
    from hypothesis import strategies as st

    found = [
        st.binary(max_size=48).map(lambda b: Mutation("bytes", value=b)),
        st.sampled_from(CONTENT_TYPES).map(lambda c: Mutation("content-type", value=c)),
    ]
    if body:
        found.append(
            st.integers(min_value=0, max_value=len(body) - 1).map(lambda n: Mutation("truncate", value=n))
        )
    return found


def _param_mutations(where: str, params: list[tuple[str, str]]) -> list[SearchStrategy[Mutation]]:
    from hypothesis import strategies as st

    text = st.one_of(st.text(max_size=20), st.sampled_from(SPECIAL_STRINGS))
    names = sorted({k for k, _ in params})
    found = [
        st.tuples(st.text(min_size=1, max_size=8), text).map(
            lambda kv: Mutation("param-add", (where, kv[0]), kv[1])
        )
    ]
    if names:
        found += [
            st.sampled_from(names).map(lambda k: Mutation("param-drop", (where, k))),
            st.tuples(st.sampled_from(names), text).map(
                lambda kv: Mutation("param-set", (where, kv[0]), kv[1])
            ),
            st.tuples(st.sampled_from(names), text).map(
                lambda kv: Mutation("param-add", (where, kv[0]), kv[1])
            ),
        ]
    return found


def _mutate_params(params: list[tuple[str, str]], mutation: Mutation) -> list[tuple[str, str]]:
    name = str(mutation.path[1])
    if mutation.kind == "param-drop":
        return [(k, v) for k, v in params if k != name]
    if mutation.kind == "param-set":
        return [(k, mutation.value if k == name else v) for k, v in params]
    return [*params, (name, mutation.value)]


# -- push ----------------------------------------------------------------------------------------------


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


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def json_body(request: PushRequest) -> bool:
    """Whether the body is JSON: by Content-Type, or sniffed when the type is
    neither JSON nor a form (as the fixture runner reads payloads)."""
    content_type = request.content_type
    return bool(request.body) and (
        content_type.endswith("json")
        or (content_type not in _FORM_TYPES and request.body.lstrip()[:1] in (b"{", b"["))
    )


def _load_schema(ctx: Context, name: str | None) -> Any:
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
        request = build_push_request(case.data)
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
                _load_schema(ctx, case.data.get("payload_schema")),
            )
        )
    return seeds


def push_mutations(seed: PushSeed) -> SearchStrategy[Mutation]:
    from hypothesis import strategies as st

    request = seed.request
    found: list[SearchStrategy[Mutation]] = []
    if seed.is_json:
        found += _json_mutations(seed.payload, seed.schema)
    elif request.body and request.content_type == "application/x-www-form-urlencoded":
        found += _param_mutations(
            "form", parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True)
        )
    if request.query_params or not request.body:
        found += _param_mutations("query", request.query_params)
    found += _body_mutations(request.body)
    found.append(st.sampled_from(["GET", "PUT", "POST", "HEAD"]).map(lambda m: Mutation("method", value=m)))
    return st.one_of(found)


def apply_push(seed: PushSeed, mutation: Mutation) -> PushRequest:
    request = seed.request
    kind = mutation.kind
    if kind in ("drop", "replace", "root"):
        return attrs.evolve(request, body=_dumps(_apply_json(seed.payload, mutation)))
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
            return attrs.evolve(request, body=urlencode(_mutate_params(params, mutation)).encode())
        parts = urlsplit(request.url)
        query = urlencode(_mutate_params(request.query_params, mutation))
        return attrs.evolve(request, url=urlunsplit(parts._replace(query=query)))
    raise AssertionError(f"unknown mutation {kind}")


def _judge_result(result: Any) -> str | None:
    from ..schemas import errors_of, validator
    from ..serialize import to_dict

    schema = validator("status-report")
    for i, report in enumerate(result.reports):
        try:
            data = to_dict(report)
        except Exception as exc:  # noqa: BLE001 -- an unserialisable report is the finding
            return f"returned report {i} that cannot be serialised: {type(exc).__name__}: {exc}"
        problems = errors_of(schema, data)
        if problems:
            return f"returned report {i} that breaks the canonical schema: {'; '.join(problems[:3])}"
    for item in result.errors:
        if not isinstance(item.error, err.SmsStatusError) or isinstance(item.error, err.PluginError):
            return f"returned an item error that is not a typed error: {error_type(item.error)}: {item.error}"
    return None


def _leak(text: str, secrets: Sequence[str]) -> str | None:
    # ``secrets`` comes from Credentials.secret_values(): already the declared
    # secrets long enough to search for.
    return "an error shows a credential value" if any(v in text for v in secrets) else None


def check_push(ctx: Context) -> None:
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
            return _judge_result(outcome.value)
        if isinstance(exc, err.PayloadError) or (
            isinstance(exc, err.AuthenticationError) and any(seed.credentials.values())
        ):
            return _leak(f"{exc} {exc!r}", secrets)
        return f"raised {error_type(exc)} error: {exc}"

    strategy = st.one_of([push_mutations(s).map(functools.partial(_pair, s)) for s in seeds])
    _explore(
        ctx, "robustness::push", strategy, probe, lambda ex: f"{ex[1].describe()} (seed {ex[0].case.id})"
    )


# -- fetch -----------------------------------------------------------------------------------------------


def fetch_seeds(ctx: Context) -> list[Case]:
    return [
        c
        for c in ctx.cases
        if c.kind == "fetch" and not c.xfail and c.data["exchanges"] and "reports" in c.data["expect"]
    ]


def _response_mutations(response: dict[str, Any]) -> list[SearchStrategy[Mutation]]:
    from hypothesis import strategies as st

    body, _ = body_bytes(response.get("body"))
    found = _body_mutations(body)
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
            found += _json_mutations(payload, None)
    return found


def fetch_mutations(case: Case) -> SearchStrategy[Mutation]:
    from hypothesis import strategies as st

    return st.one_of(
        [
            st.one_of(_response_mutations(x["response"])).map(functools.partial(_at_exchange, i))
            for i, x in enumerate(case.data["exchanges"])
        ]
    )


def _at_exchange(index: int, mutation: Mutation) -> Mutation:
    return attrs.evolve(mutation, exchange=index)


def _pair(seed: Any, mutation: Mutation) -> tuple[Any, Mutation]:
    return seed, mutation


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
        body = _dumps(_apply_json(json.loads(body), mutation))
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


def check_fetch(ctx: Context) -> None:
    from hypothesis import strategies as st

    seeds = fetch_seeds(ctx)
    if not seeds:
        raise CheckSkipped("no fetch case with recorded exchanges to derive malformed answers from")
    limit = ctx.options.time_limit

    def probe(example: tuple[Case, Mutation]) -> str | None:
        case, mutation = example
        transport = ReplayTransport(apply_fetch(case, mutation))
        creds = ctx.registry.credentials(ctx.vendor, dict(case.data.get("credentials") or {}))

        def call() -> Any:
            return ctx.registry.fetch(
                ctx.vendor,
                case.data["ids"],
                creds,
                base_url=case.data.get("base_url"),
                transport=transport,
                retry=RetryPolicy(attempts=1),
                sleep=lambda _s: None,
            )

        outcome = call_with_limit(call, limit)
        if outcome.timed_out:
            return f"timeout: took {outcome.duration:.2f}s (limit {limit:g}s)"
        if transport.problems:
            return None  # the spoiled answer led to requests nobody recorded: inconclusive
        exc = outcome.error
        if exc is None:
            return _judge_result(outcome.value)
        if isinstance(exc, err.SmsStatusError) and not isinstance(
            exc, (err.PluginError, err.UnsupportedError)
        ):
            return _leak(f"{exc} {exc!r}", creds.secret_values())
        return f"raised {error_type(exc)} error: {exc}"

    strategy = st.one_of([fetch_mutations(c).map(functools.partial(_pair, c)) for c in seeds])
    _explore(ctx, "robustness::fetch", strategy, probe, lambda ex: f"{ex[1].describe()} (seed {ex[0].id})")


# -- map -----------------------------------------------------------------------------------------------------


def check_map(ctx: Context) -> None:
    from hypothesis import strategies as st

    documented = [s.value for s in ctx.info.statuses] or ["x"]
    codes = [s.code for s in ctx.info.statuses if s.code is not None] or ["0"]
    text = st.one_of(st.text(max_size=24), st.sampled_from(SPECIAL_STRINGS))
    variants = st.sampled_from(documented).flatmap(
        lambda v: st.sampled_from([v.lower(), v.upper(), f" {v} ", v + "\x00", v[:-1], v * 2])
    )
    statuses = st.one_of(variants, text)
    code_values = st.one_of(st.none(), st.sampled_from(codes), text)
    limit = ctx.options.time_limit

    def probe(example: tuple[str, str | None]) -> str | None:
        status, code = example
        outcome = call_with_limit(lambda: ctx.registry.map_status(ctx.vendor, status, code), limit)
        if outcome.timed_out:
            return f"timeout: took {outcome.duration:.2f}s (limit {limit:g}s)"
        if outcome.error is not None:
            return f"raised {error_type(outcome.error)} error: {outcome.error} (map_status never raises)"
        mapped: MappedStatus = outcome.value
        if mapped.mapping is MappingKind.UNMAPPED and mapped.status is not Status.UNKNOWN:
            return f"answered {mapped.status.value} with mapping unmapped (unmapped means unknown)"
        return None

    _explore(
        ctx,
        "robustness::map",
        st.tuples(statuses, code_values),
        probe,
        lambda ex: f"map_status({_show(ex[0])}, {_show(ex[1])})",
    )


# -- running hypothesis ------------------------------------------------------------------------------------


class _Found(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _explore(
    ctx: Context,
    local_id: str,
    strategy: SearchStrategy[Any],
    probe: Callable[[Any], str | None],
    describe: Callable[[Any], str],
) -> None:
    from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
    from hypothesis.errors import Flaky

    slow: list[str] = []
    tried = 0

    @seed(_seed_for(ctx.options.seed, f"{ctx.vendor}::{local_id}"))
    @settings(
        max_examples=ctx.options.max_examples,
        deadline=None,
        database=None,
        derandomize=False,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
        print_blob=False,
    )
    @given(strategy)
    def explore(example: Any) -> None:
        nonlocal tried
        tried += 1
        problem = probe(example)
        if problem is None:
            return
        if problem.startswith("timeout:"):
            if len(slow) < 3:
                slow.append(f"{describe(example)}: {problem}")
            return
        raise _Found(f"{describe(example)}: {problem}")

    try:
        explore()
    except _Found as exc:
        raise CheckFailed(f"{exc.message}\n(reproduce with --seed {ctx.options.seed})") from None
    except Flaky as exc:
        inner = [e for e in getattr(exc, "exceptions", ()) if isinstance(e, _Found)]
        detail = inner[0].message if inner else str(exc).splitlines()[0]
        raise CheckFailed(f"answers the same input differently from run to run: {detail}") from None
    if slow:
        raise CheckFailed("\n".join(slow))
    if tried == 0:
        raise CheckSkipped("hypothesis generated no input")
