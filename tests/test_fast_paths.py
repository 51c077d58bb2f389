"""Every installed plugin's lean push path answers exactly as its detailed path.

A plugin's ``parse_push`` may take a lean path for the shape its vendor
documents (:func:`smsstatus.plugin.fast_path`). These tests run every push
fixture case of every installed plugin twice: in ``compare`` mode, where each
push the lean path takes is parsed by the detailed path too and any
difference (a report field, a warning, the reply, an item error, an error
where the lean path answered) fails the case; and with the lean paths off,
where the fixtures must pass on the detailed path alone. Then each case's
fields are altered one by one (removed, null, another type, too long, control
characters, repeated...) and the two paths compared again on every variant.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import smsstatus
from smsstatus.fixtures import build_push_request, exchanges_of, push_payload
from smsstatus.hotpath import FastPathMismatch, fast_path_mode
from smsstatus.plugin.testing import Case, PluginError, ReplayTransport, load_cases, run_case

REGISTRY = smsstatus.load()
PUSH_CASES = [
    case for vendor in REGISTRY.vendors.values() for case in load_cases(vendor.info) if case.kind == "push"
]

PLUGIN_PACKAGES = tuple(
    f"{getattr(v.plugin, '__name__', '?').split('.')[0]}." for v in REGISTRY.vendors.values()
)


def _id(case: Case) -> str:
    return f"{case.vendor}:{case.id}"


@pytest.mark.parametrize("case", PUSH_CASES, ids=_id)
def test_push_case_gives_the_same_answer_on_both_paths(case: Case) -> None:
    with fast_path_mode("compare"):
        run_case(REGISTRY, case)
    with fast_path_mode("detailed"):
        run_case(REGISTRY, case)


def test_every_lean_path_takes_some_fixture_case() -> None:
    """A lean path no fixture reaches would be compared with nothing."""
    taken: Counter[str] = Counter()
    with fast_path_mode("compare") as counts:
        for case in PUSH_CASES:
            with contextlib.suppress(AssertionError):  # reported by the test above
                run_case(REGISTRY, case)
        for key, (took, _) in counts.items():
            if key.startswith(PLUGIN_PACKAGES):  # not the lean paths other tests define
                taken[key] += took
    assert taken, "no lean path was registered by any installed plugin"
    assert not [key for key, took in taken.items() if not took]


# -- altered pushes ------------------------------------------------------------------

#: What a field is replaced with: other JSON types, blanks, bounds, controls.
ODD_VALUES: list[Any] = [
    None,
    "",
    " ",
    0,
    -1,
    1.5,
    True,
    [],
    {},
    "x" * 300,
    "a\x00b",
    "\u0663\u0664",
    10**30,
    "2025-13-45T25:61:00Z",
    "+8613800000000",
    "DELIVRD",
]
ODD_FORM_VALUES = ["", " ", "%FF", "x" * 300, "-1", "1.5", "%00", "%2B8613800000000", "0", "999999"]


def _first_positive_cases() -> list[Case]:
    """One successful push case per vendor, payload schema and body kind."""
    chosen: dict[tuple[str, str, str], Case] = {}
    for case in PUSH_CASES:
        expect = case.data["expect"]
        if not expect.get("reports") or case.data.get("payload_valid") is False:
            continue
        request = build_push_request(case.data)
        kind = "query" if not request.body else request.content_type
        chosen.setdefault((case.vendor, case.data["payload_schema"], kind), case)
    return list(chosen.values())


def _json_variants(data: Any) -> Iterator[Any]:
    """``data`` with one field (at the top, or in the first item of an array of objects) altered."""
    if not isinstance(data, dict):
        return
    for key, value in data.items():
        yield {k: v for k, v in data.items() if k != key}
        for odd in ODD_VALUES:
            yield {**data, key: odd}
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for item in _json_variants(value[0]):
                yield {**data, key: [item, *value[1:]]}
        elif isinstance(value, dict):
            for inner in _json_variants(value):
                yield {**data, key: inner}


def _form_variants(pairs: list[tuple[str, str]]) -> Iterator[list[tuple[str, str]]]:
    for i, (name, value) in enumerate(pairs):
        yield pairs[:i] + pairs[i + 1 :]
        yield [*pairs, (name, value + "x")]  # repeated
        for odd in ODD_FORM_VALUES:
            yield [*pairs[:i], (name, odd), *pairs[i + 1 :]]


def _encode(pairs: list[tuple[str, str]]) -> str:
    # Odd values are written already escaped (%FF stays an invalid escape).
    return "&".join(f"{quote(n, safe='')}={v if v.startswith('%') else quote(v, safe='')}" for n, v in pairs)


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_BOUNDARY = "b0undary"


def _multipart(pairs: list[tuple[str, str]]) -> bytes:
    parts = [f'--{_BOUNDARY}\r\nContent-Disposition: form-data; name="{n}"\r\n\r\n{v}\r\n' for n, v in pairs]
    return ("".join(parts) + f"--{_BOUNDARY}--\r\n").encode()


def _variants(case: Case) -> Iterator[smsstatus.PushRequest]:
    request = build_push_request(case.data)
    if not request.body or request.content_type in _FORM_TYPES:
        params = request.query_params if not request.body else request.form_params()
        for pairs in _form_variants(params):
            if request.content_type == "multipart/form-data":
                yield smsstatus.PushRequest(
                    url=request.url,
                    headers=[("Content-Type", f"multipart/form-data; boundary={_BOUNDARY}")],
                    body=_multipart(pairs),
                    received_at=request.received_at,
                )
            elif not request.body:
                base = request.url.partition("?")[0]
                yield smsstatus.PushRequest(
                    method=request.method,
                    url=f"{base}?{_encode(pairs)}",
                    headers=request.headers,
                    received_at=request.received_at,
                )
            else:
                yield smsstatus.PushRequest(
                    url=request.url,
                    headers=request.headers,
                    body=_encode(pairs).encode(),
                    received_at=request.received_at,
                )
        return
    if request.headers.get("content-encoding"):
        return
    at = request.received_at
    try:
        payload = push_payload(request)
    except ValueError:
        return
    for altered in _json_variants(payload):
        body = json.dumps(altered).encode()
        yield smsstatus.PushRequest(url=request.url, headers=request.headers, body=body, received_at=at)
    for headers in ([("Content-Type", "text/plain")], []):
        yield smsstatus.PushRequest(url=request.url, headers=headers, body=request.body, received_at=at)


@pytest.mark.parametrize("case", _first_positive_cases(), ids=_id)
def test_altered_pushes_give_the_same_answer_on_both_paths(case: Case) -> None:
    credentials = case.data.get("credentials") or {}
    transport = ReplayTransport(exchanges_of(case), strict=False)
    checked = 0
    with fast_path_mode("compare"):
        for request in _variants(case):
            try:
                REGISTRY.parse_push(case.vendor, request, credentials, transport=transport)
            except PluginError as exc:
                if isinstance(exc.__cause__, FastPathMismatch):
                    pytest.fail(f"{exc.__cause__} (body {request.body[:300]!r}, url {request.url[:200]})")
                raise
            except smsstatus.SmsStatusError:
                pass  # the detailed path's answer, whichever path ran
            checked += 1
    assert checked > 0
