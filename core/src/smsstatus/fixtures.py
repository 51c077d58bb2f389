"""Fixture files: loading, validating and running a plugin's test cases.

A plugin ships JSON fixture files (``schemas/fixture.schema.json``) in its
package. Each case is a push (with the HTTP exchanges its parsing makes, if
any, replayed), a fetch replayed from recorded exchanges, or a status mapping, with the canonical outcome written from the vendor's docs.
:func:`run_case` runs one case against a :class:`~smsstatus.Registry` and
raises :class:`CaseFailure` describing every difference; outcomes are compared
as structured values (instants as instants, amounts as decimals), never as
text.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from importlib.resources.abc import Traversable
from typing import Any

import attrs

from . import errors as err
from .credentials import Credentials, redact
from .registry import Registry
from .replay import Exchange, ReplayTransport, body_bytes, pairs
from .request import ItemError, PushRequest
from .schemas import errors_of, validator, validator_for
from .serialize import parse_instant, to_dict
from .vendor import VendorInfo

__all__ = [
    "Case",
    "CaseFailure",
    "FixtureError",
    "DEFAULT_RECEIVED_AT",
    "load_cases",
    "run_case",
    "payload_problems",
    "error_type",
    "build_push_request",
    "FROZEN_AT",
    "frozen_clock",
    "exchanges_of",
    "offline_push_transport",
]

#: Receive time of a push case that does not give one.
DEFAULT_RECEIVED_AT = "2025-01-01T00:00:00Z"
#: What the clock reads while a fetch case runs: requests whose headers depend
#: on the time (a signing date, a user name holding the Unix time) are recorded
#: as made at this instant.
FROZEN_AT = "2025-01-01T00:00:00Z"

_ERROR_TYPES: tuple[tuple[type[BaseException], str], ...] = (
    (err.NotFoundError, "not_found"),
    (err.TransportError, "transport"),
    (err.VendorError, "vendor"),
    (err.PayloadError, "payload"),
    (err.AuthenticationError, "authentication"),
    (err.CredentialsError, "credentials"),
    (err.UnsupportedError, "unsupported"),
    (err.NotAStatusError, "not_a_status"),
    (err.PluginError, "plugin"),
)


def error_type(exc: BaseException) -> str:
    """The fixture-format name of an error (``payload``, ``not_found``, ...)."""
    for cls, name in _ERROR_TYPES:
        if isinstance(exc, cls):
            return name
    return f"unexpected {type(exc).__name__}"


class FixtureError(Exception):
    """A fixture file is itself invalid (against the fixture schema, or ids)."""


class CaseFailure(AssertionError):
    """A case's outcome differs from its expectation."""


@attrs.frozen
class Case:
    vendor: str
    file: str
    data: Mapping[str, Any] = attrs.field(repr=False)

    @property
    def id(self) -> str:
        """Stable test id: ``<file stem>::<case id>``."""
        return f"{self.file.removesuffix('.json')}::{self.data['id']}"

    @property
    def kind(self) -> str:
        return str(self.data["kind"])

    @property
    def xfail(self) -> str | None:
        return self.data.get("xfail")


def _fixture_files(info: VendorInfo) -> list[Traversable]:
    if info.fixtures is None or not info.fixtures.is_dir():
        return []
    return sorted(
        (f for f in info.fixtures.iterdir() if f.name.endswith(".json")),
        key=lambda f: f.name,
    )


def load_cases(info: VendorInfo) -> list[Case]:
    """Every case of every fixture file of a vendor; raises
    :class:`FixtureError` for a file that breaks the fixture schema, names
    another vendor, or repeats a case id."""
    cases: list[Case] = []
    for file in _fixture_files(info):
        try:
            data = json.loads(file.read_text("utf-8"))
        except ValueError as exc:
            raise FixtureError(f"{file.name}: not valid JSON: {exc}") from None
        problems = errors_of(validator("fixture"), data)
        if problems:
            raise FixtureError(f"{file.name}: " + "; ".join(problems[:5]))
        if data["vendor"] != info.id:
            raise FixtureError(f"{file.name}: vendor {data['vendor']!r} is not {info.id!r}")
        seen: set[str] = set()
        for case in data["cases"]:
            if case["id"] in seen:
                raise FixtureError(f"{file.name}: duplicate case id {case['id']!r}")
            seen.add(case["id"])
            cases.append(Case(info.id, file.name, case))
    return cases


# -- payload schemas -------------------------------------------------------


def _plugin_schema(info: VendorInfo, name: str) -> dict[str, Any]:
    if info.schemas is None:
        raise FixtureError(f"{info.id}: plugin declares no schemas directory")
    file = info.schemas / name
    if not file.is_file():
        raise FixtureError(f"{info.id}: payload schema {name!r} not found")
    data: dict[str, Any] = json.loads(file.read_text("utf-8"))
    return data


_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def push_payload(request: PushRequest) -> Any:
    """The payload a push schema describes: the JSON body, else the form or
    query parameters as an object (first value of a repeated key). A body
    whose Content-Type is neither JSON nor a form is sniffed, as vendors that
    omit the header leave no other clue. A gzip body (``Content-Encoding:
    gzip``) is inflated first."""
    content_type = request.content_type
    body = _inflated(request)
    if body and (
        content_type.endswith("json")
        or (content_type not in _FORM_TYPES and body.lstrip()[:1] in (b"{", b"["))
    ):
        return json.loads(body)
    if body is not request.body:
        request = PushRequest(method=request.method, url=request.url, headers=request.headers, body=body)
    params = request.form_params() if body else request.query_params
    payload: dict[str, str] = {}
    for key, value in params:
        payload.setdefault(key, value)
    return payload


#: The most a fixture's gzip body may inflate to.
_MAX_INFLATED = 64 * 1024 * 1024


def _inflated(request: PushRequest) -> bytes:
    """The body, gzip-inflated when its Content-Encoding says so (``ValueError`` when it cannot be)."""
    if (request.headers.get("content-encoding") or "").strip().lower() != "gzip":
        return request.body
    import zlib

    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        body = inflater.decompress(request.body, _MAX_INFLATED)
    except zlib.error as exc:
        raise ValueError(f"gzip body cannot be inflated: {exc}") from None
    if inflater.unconsumed_tail:
        raise ValueError("gzip body inflates beyond the fixture limit")
    return body


def payload_problems(info: VendorInfo, case: Case) -> list[str]:
    """Where a case's inputs disagree with the plugin's payload schemas
    (valid inputs must validate; ``payload_valid: false`` ones must not)."""
    checks: list[tuple[str, bool, Any, str]] = []
    if case.kind == "push":
        try:
            payload = push_payload(build_push_request(case.data))
        except ValueError as exc:
            payload = _Undecodable(str(exc))
        checks.append((case.data["payload_schema"], case.data.get("payload_valid", True), payload, "request"))
    if case.kind in ("push", "fetch"):
        for i, exchange in enumerate(case.data.get("exchanges", ())):
            response = exchange["response"]
            if "payload_schema" in response:
                content, _ = body_bytes(response.get("body"))
                try:
                    payload = json.loads(content)
                except ValueError as exc:
                    payload = _Undecodable(str(exc))
                checks.append(
                    (
                        response["payload_schema"],
                        response.get("payload_valid", True),
                        payload,
                        f"exchange {i}",
                    )
                )
    problems: list[str] = []
    for schema_name, should_pass, payload, where in checks:
        if isinstance(payload, _Undecodable):
            if should_pass:
                problems.append(f"{where}: payload cannot be decoded: {payload.reason}")
            continue
        found = errors_of(validator_for(_plugin_schema(info, schema_name)), payload)
        if should_pass and found:
            problems.append(f"{where}: does not satisfy {schema_name}: " + "; ".join(found[:3]))
        if not should_pass and not found:
            problems.append(f"{where}: marked payload_valid=false but satisfies {schema_name}")
    return problems


@attrs.frozen
class _Undecodable:
    reason: str


# -- running ---------------------------------------------------------------


def build_push_request(case: Mapping[str, Any]) -> PushRequest:
    spec = case["request"]
    body, implied = body_bytes(spec.get("body"))
    headers = pairs(spec.get("headers"))
    if implied and not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", implied))
    return PushRequest(
        method=spec["method"].upper(),
        url=spec["url"],
        headers=headers,
        body=body,
        received_at=parse_instant(spec.get("received_at", DEFAULT_RECEIVED_AT)),
        remote_addr=spec.get("remote_addr"),
    )


def run_case(registry: Registry, case: Case) -> None:
    """Run one case; raise :class:`CaseFailure` listing every difference."""
    problems = payload_problems(registry.info(case.vendor), case)
    problems += _RUNNERS[case.kind](registry, case)
    if problems:
        raise CaseFailure(f"{case.id}:\n  " + "\n  ".join(problems))


def _credentials(registry: Registry, case: Case) -> Credentials:
    return registry.credentials(case.vendor, case.data.get("credentials") or {})


def exchanges_of(case: Case) -> list[Exchange]:
    """The recorded HTTP exchanges of a push or fetch case."""
    return [Exchange(x["request"], x["response"]) for x in case.data.get("exchanges", ())]


def offline_push_transport(cases: Sequence[Case]) -> ReplayTransport:
    """A lenient replay of every push case's exchanges: what pushes derived
    from the cases (altered, repeated, benchmarked) get instead of the network."""
    return ReplayTransport([x for c in cases if c.kind == "push" for x in exchanges_of(c)], strict=False)


def _run_push(registry: Registry, case: Case) -> list[str]:
    expect = case.data["expect"]
    creds = _credentials(registry, case)
    # Every push case runs offline: the exchanges it recorded, in order, and nothing else.
    transport = ReplayTransport(exchanges_of(case))
    try:
        result = registry.parse_push(case.vendor, build_push_request(case.data), creds, transport=transport)
    except err.SmsStatusError as exc:
        return _replay_problems(transport) + _expected_error(expect, exc) + _leaks(creds, str(exc))
    if "error" in expect:
        return [
            *_replay_problems(transport),
            f"expected a {expect['error']['type']} error, got {len(result.reports)} report(s)",
        ]
    problems = _replay_problems(transport)
    problems += _compare_reports(expect["reports"], [to_dict(r) for r in result.reports])
    reply = expect["reply"]
    if result.reply.status_code != reply["status_code"]:
        problems.append(f"reply status {result.reply.status_code} != {reply['status_code']}")
    if "content_type" in reply and result.reply.content_type != reply["content_type"]:
        problems.append(f"reply content type {result.reply.content_type!r} != {reply['content_type']!r}")
    if "body" in reply:
        problems += _compare_body(reply["body"], result.reply.body)
    problems += _compare_item_errors(expect.get("errors", []), result.errors)
    text = json.dumps([to_dict(r) for r in result.reports]) + result.reply.body.decode("utf-8", "replace")
    text += " ".join(str(e.error) + json.dumps(e.raw, default=str) for e in result.errors)
    return problems + _leaks(creds, text)


@contextlib.contextmanager
def frozen_clock() -> Iterator[None]:
    """Stop the clock at :data:`FROZEN_AT` (wall-clock time only: ``time.time``,
    ``datetime.now`` and the like, wherever they were imported from;
    ``time.monotonic`` still runs, so timeouts work)."""
    try:
        import time_machine
    except ImportError:  # pragma: no cover - the conformance extra installs it
        raise FixtureError(
            "fetch cases run with the clock frozen, which needs time-machine:"
            " pip install 'smsstatus[conformance]'"
        ) from None
    with time_machine.travel(parse_instant(FROZEN_AT), tick=False):
        yield


def _replay_problems(transport: ReplayTransport) -> list[str]:
    problems = list(transport.problems)
    if transport.unused:
        problems.append(f"{transport.unused} recorded exchange(s) never requested")
    return problems


def _run_fetch(registry: Registry, case: Case) -> list[str]:
    expect = case.data["expect"]
    creds = _credentials(registry, case)
    transport = ReplayTransport(exchanges_of(case))
    try:
        with frozen_clock():
            result = registry.fetch(
                case.vendor,
                case.data["ids"],
                creds,
                base_url=case.data.get("base_url"),
                transport=transport,
                sleep=lambda _seconds: None,
            )
    except err.SmsStatusError as exc:
        return [*_replay_problems(transport), *_expected_error(expect, exc), *_leaks(creds, str(exc))]
    problems = _replay_problems(transport)
    if "error" in expect:
        return [*problems, f"expected a {expect['error']['type']} error, got {len(result.reports)} report(s)"]
    problems += _compare_reports(expect["reports"], [to_dict(r) for r in result.reports])
    problems += _compare_item_errors(expect.get("errors", []), result.errors)
    text = json.dumps([to_dict(r) for r in result.reports]) + " ".join(str(e.error) for e in result.errors)
    return problems + _leaks(creds, text)


def _run_map(registry: Registry, case: Case) -> list[str]:
    expect = case.data["expect"]
    mapped = registry.map_status(case.vendor, case.data["status"], case.data.get("code"))
    actual = {
        "status": mapped.status.value,
        "reason": mapped.reason.value if mapped.reason else None,
        "mapping": mapped.mapping.value,
    }
    return [
        f"{k}: {actual[k]!r} != expected {expect[k]!r}"
        for k in ("status", "reason", "mapping")
        if actual[k] != expect[k]
    ]


_RUNNERS = {"push": _run_push, "fetch": _run_fetch, "map": _run_map}


# -- comparison --------------------------------------------------------------


def _expected_error(expect: Mapping[str, Any], exc: BaseException) -> list[str]:
    actual = error_type(exc)
    if "error" not in expect:
        return [f"unexpected {actual} error: {exc}"]
    return _compare_error(expect["error"], exc, "error")


def _compare_error(want: Mapping[str, Any], exc: BaseException, where: str) -> list[str]:
    actual = error_type(exc)
    if actual != want["type"]:
        return [f"{where}: expected a {want['type']} error, got {actual}: {exc}"]
    problems = []
    for key in ("field", "credential", "http_status", "vendor_code"):
        if key in want and getattr(exc, key, None) != want[key]:
            problems.append(f"{where}: {key} {getattr(exc, key, None)!r} != expected {want[key]!r}")
    return problems


def _compare_item_errors(expected: Sequence[Mapping[str, Any]], actual: Sequence[ItemError]) -> list[str]:
    if len(expected) != len(actual):
        got = [f"{error_type(e.error)} at {e.index}/{e.key}: {e.error}" for e in actual]
        return [f"{len(actual)} item error(s) != expected {len(expected)}: {got}"]
    problems: list[str] = []
    for i, (want, item) in enumerate(zip(expected, actual, strict=True)):
        for key in ("index", "key"):
            if key in want and getattr(item, key) != want[key]:
                problems.append(f"errors[{i}].{key}: {getattr(item, key)!r} != expected {want[key]!r}")
        problems += _compare_error(want["error"], item.error, f"errors[{i}]")
    return problems


def _compare_body(want: Mapping[str, Any], body: bytes) -> list[str]:
    if "json" in want:
        try:
            actual = json.loads(body)
        except ValueError:
            return [f"reply body is not JSON: {body[:80]!r}"]
        return [] if actual == want["json"] else [f"reply body {actual!r} != expected {want['json']!r}"]
    expected, _ = body_bytes(want)
    return [] if expected == body else [f"reply body {body!r} != expected {expected!r}"]


_INSTANT_FIELDS = frozenset({"submitted_at", "status_at", "notified_at", "received_at"})


def _normalise(report: Mapping[str, Any]) -> dict[str, Any]:
    """Structured values for comparison: instants as datetimes, amounts as Decimals."""
    out = dict(report)
    for key in _INSTANT_FIELDS:
        value = out.get(key)
        if isinstance(value, str):
            # Unparseable text stays text: the schema check reports it.
            with contextlib.suppress(ValueError):
                out[key] = parse_instant(value)
    price = out.get("price")
    if isinstance(price, Mapping) and isinstance(price.get("amount"), str):
        out["price"] = {**price, "amount": Decimal(price["amount"])}
    # An expectation without part_ref (added in 1.2) names no segment.
    out.setdefault("part_ref", None)
    # An expectation without warnings expects none. A warning is compared by
    # field and code: its reason is free text, written for people.
    warnings = out.get("warnings", [])
    if isinstance(warnings, list):
        out["warnings"] = [
            {k: w.get(k) for k in ("field", "code")} if isinstance(w, Mapping) else w for w in warnings
        ]
    return out


def _compare_reports(expected: Sequence[Mapping[str, Any]], actual: Sequence[Mapping[str, Any]]) -> list[str]:
    problems: list[str] = []
    schema = validator("status-report")
    for i, report in enumerate(actual):
        problems += [f"reports[{i}] breaks the canonical schema: {p}" for p in errors_of(schema, report)]
    if len(expected) != len(actual):
        return [*problems, f"{len(actual)} report(s) != expected {len(expected)}"]
    for i, (want, got) in enumerate(zip(expected, actual, strict=True)):
        want_n, got_n = _normalise(want), _normalise(got)
        for key in sorted(set(want_n) | set(got_n)):
            if want_n.get(key, _ABSENT) != got_n.get(key, _ABSENT):
                problems.append(
                    f"reports[{i}].{key}: {_show(got_n.get(key, _ABSENT))} != expected {_show(want_n.get(key, _ABSENT))}"
                )
    return problems


_ABSENT = object()


def _show(value: Any) -> str:
    if value is _ABSENT:
        return "<absent>"
    if isinstance(value, datetime):
        return value.isoformat()
    return repr(value)


def _leaks(creds: Credentials, text: str) -> list[str]:
    return [
        f"a secret credential appears in the output: {redact(text, (v,))[:200]}"
        for v in creds.secret_values()
        if v in text
    ]
