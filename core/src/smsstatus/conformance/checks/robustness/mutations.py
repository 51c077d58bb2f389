"""Ways to spoil a valid input: the mutations the robustness checks draw.

Drawn from what the payload schema says (required members to drop, typed
members to give another type, date-time members to give odd times) and from
the generic ways input goes wrong (any member dropped or replaced, random
JSON, truncated or random bytes, another or no content type, form and query
fields dropped, changed or repeated, odd HTTP statuses).
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

__all__ = [
    "Mutation",
    "JsonPath",
    "SPECIAL_STRINGS",
    "ODD_TIMES",
    "HTTP_STATUSES",
    "schema_paths",
    "all_paths",
    "apply_json",
    "dumps",
    "show",
    "json_mutations",
    "EDGE_TIMES",
    "time_paths",
    "edge_time_mutations",
    "edge_time_params",
    "body_mutations",
    "param_mutations",
    "mutate_params",
]

JsonPath = tuple[str | int, ...]


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
    path: JsonPath = ()
    value: Any = None
    exchange: int | None = None

    def describe(self) -> str:
        where = "" if self.exchange is None else f"response {self.exchange}: "
        kind, path, value = self.kind, self.path, self.value
        if kind == "drop":
            text = f"drop {_path(path)}"
        elif kind == "replace":
            text = f"set {_path(path)} to {show(value)}"
        elif kind == "root":
            text = f"replace the JSON body with {show(value)}"
        elif kind == "truncate":
            text = f"truncate the body to {value} bytes"
        elif kind == "bytes":
            text = f"replace the body with bytes {show(value)}"
        elif kind == "content-type":
            text = "remove Content-Type" if value is None else f"set Content-Type to {value!r}"
        elif kind == "param-drop":
            text = f"drop {path[0]} parameter {path[1]!r}"
        elif kind == "param-set":
            text = f"set {path[0]} parameter {path[1]!r} to {show(value)}"
        elif kind == "param-add":
            text = f"add {path[0]} parameter {path[1]!r}={show(value)}"
        elif kind == "method":
            text = f"use method {value}"
        elif kind == "status":
            text = f"answer HTTP {value}"
        else:
            text = "drop every response header"
        return where + text


def _path(path: JsonPath) -> str:
    out = "$"
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.isidentifier():
            out += f".{part}"
        else:
            out += f"[{part!r}]"
    return out


def show(value: Any, limit: int = 80) -> str:
    if isinstance(value, bytes):
        text = repr(value)
    else:
        try:
            text = json.dumps(value, ensure_ascii=True)
        except (TypeError, ValueError):
            text = ascii(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
    schema: Any, instance: Any, root: Any = None, path: JsonPath = (), depth: int = 0
) -> list[tuple[str, JsonPath]]:
    """``("drop", path)`` for required members present in ``instance`` and
    ``("retype", path)`` for typed members, as the schema describes them."""
    root = schema if root is None else root
    schema = _resolve(schema, root)
    if not isinstance(schema, dict) or depth > 10:
        return []
    found: list[tuple[str, JsonPath]] = []
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


def all_paths(value: Any, path: JsonPath = (), depth: int = 0, limit: int = 300) -> list[JsonPath]:
    """Every member and element path of a JSON value (bounded)."""
    found: list[JsonPath] = []
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


def _get(value: Any, path: JsonPath) -> Any:
    for part in path:
        value = value[part]
    return value


def apply_json(payload: Any, mutation: Mutation) -> Any:
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


def dumps(value: Any) -> bytes:
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


#: Times every time field of every payload shape is given, before anything is
#: drawn at random: the edges a time parser most often gets wrong.
EDGE_TIMES: tuple[Any, ...] = (
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "2024-02-30T10:00:00Z",
    "2024-05-01T10:00:00+25:00",
    "99999999999999999999",
    2**63,
    -1,
    "",
)


def time_paths(payload: Any, schema: Any) -> list[JsonPath]:
    """Members holding a time: ``date-time`` in the schema, or time-like values."""
    hints = schema_paths(schema, payload) if isinstance(schema, (dict, bool)) else []
    found = [p for k, p in hints if k == "time"] + [
        p for p in all_paths(payload) if _timelike(_get(payload, p))
    ]
    return list(dict.fromkeys(found))


def edge_time_mutations(payload: Any, schema: Any) -> list[Mutation]:
    """Every edge time at every time member: tried deterministically, first."""
    return [Mutation("replace", path, value) for path in time_paths(payload, schema) for value in EDGE_TIMES]


def edge_time_params(where: str, params: list[tuple[str, str]]) -> list[Mutation]:
    """The same for form and query parameters holding a time."""
    names = [k for k, v in dict(params).items() if _timelike(v)]
    return [Mutation("param-set", (where, k), v) for k in names for v in EDGE_TIMES if isinstance(v, str)]


def json_mutations(payload: Any, schema: Any) -> list[SearchStrategy[Mutation]]:
    from hypothesis import strategies as st

    _, values = _values()
    hints = schema_paths(schema, payload) if isinstance(schema, (dict, bool)) else []
    generic = all_paths(payload)
    drops = list(dict.fromkeys([p for k, p in hints if k == "drop"] + [p for p in generic if p]))
    retypes = list(dict.fromkeys([p for k, p in hints if k == "retype"] + generic))
    strings = [p for p in retypes if isinstance(_get(payload, p), str)]
    times = time_paths(payload, schema)
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


def _replace(path: JsonPath, value: Any) -> Mutation:
    return Mutation("replace", path, value)


def body_mutations(body: bytes) -> list[SearchStrategy[Mutation]]:
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


def param_mutations(where: str, params: list[tuple[str, str]]) -> list[SearchStrategy[Mutation]]:
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


def mutate_params(params: list[tuple[str, str]], mutation: Mutation) -> list[tuple[str, str]]:
    name = str(mutation.path[1])
    if mutation.kind == "param-drop":
        return [(k, v) for k, v in params if k != name]
    if mutation.kind == "param-set":
        return [(k, mutation.value if k == name else v) for k, v in params]
    return [*params, (name, mutation.value)]
