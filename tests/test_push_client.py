"""parse_push's optional HTTP client: given only to plugins that name it,
shared per vendor (so a plugin can cache per client), replaced per call by
an offline transport, and replayed strictly in push fixture cases."""

from __future__ import annotations

import copy
import json
import weakref
from pathlib import Path
from typing import Any

import httpx
import pytest
import smsstatus
from smsstatus import HttpClient, PushRequest, PushResult, TransportError, hookimpl
from smsstatus.fixtures import Case, CaseFailure, offline_push_transport, run_case
from smsstatus.replay import Exchange, ReplayTransport

from .test_fixtures import PUSH_CASE, PUSH_SCHEMA

KEY_URL = "https://keys.acme.invalid/key.txt"


def key_exchange(body: str = "fixture-token-1") -> dict[str, Any]:
    return {
        "request": {"method": "GET", "url": KEY_URL},
        "response": {"status_code": 200, "body": {"text": body}},
    }


@pytest.fixture
def fetching_vendor(fake_vendor_cls: Any, tmp_path: Path) -> Any:
    """A vendor whose push token is checked against a key it downloads
    (cached per client, as the hookspec advises)."""
    (tmp_path / "schemas").mkdir()
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "schemas" / "push.schema.json").write_text(json.dumps(PUSH_SCHEMA))

    class Fetching(fake_vendor_cls):  # type: ignore[misc,valid-type]
        def __init__(self) -> None:
            super().__init__("acme", tmp_path)
            self.clients: list[HttpClient] = []
            self.keys: weakref.WeakKeyDictionary[HttpClient, str] = weakref.WeakKeyDictionary()

        @hookimpl
        def parse_push(
            self, vendor: str, request: PushRequest, credentials: smsstatus.Credentials, client: HttpClient
        ) -> PushResult:
            self.clients.append(client)
            key = self.keys.get(client)
            if key is None:
                key = self.keys[client] = client.request("GET", KEY_URL).text
            result: PushResult = super().parse_push(
                vendor, request, smsstatus.Credentials(vendor, {"token": key})
            )
            return result

    return Fetching()


def push() -> PushRequest:
    return PushRequest.build(body='{"id": "m1", "status": "ok", "token": "fixture-token-1"}')


def recorder(log: list[str], body: str = "fixture-token-1") -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        log.append(str(request.url))
        return httpx.Response(200, text=body)

    return httpx.MockTransport(answer)


def test_a_plugin_without_client_gets_none_and_no_client_is_made(fake_vendor_cls: Any) -> None:
    registry = smsstatus.Registry(vendors={"acme": fake_vendor_cls()})
    log: list[str] = []
    registry.use_push_transport(recorder(log))
    result = registry.parse_push("acme", push(), {"token": "fixture-token-1"}, transport=recorder(log))
    assert [r.message_id for r in result.reports] == ["m1"]
    assert log == []
    assert registry._push_clients == {}  # nothing was created for it


def test_the_shared_client_is_kept_per_vendor_so_a_cache_works(fetching_vendor: Any) -> None:
    registry = smsstatus.Registry(vendors={"acme": fetching_vendor})
    log: list[str] = []
    registry.use_push_transport(recorder(log))
    for _ in range(3):
        assert registry.parse_push("acme", push()).reports[0].message_id == "m1"
    assert log == [KEY_URL]  # downloaded once, then cached on the shared client
    first = fetching_vendor.clients[0]
    assert all(c is first for c in fetching_vendor.clients)
    assert first.base_url == "" and first.retry.attempts == 1
    # A new transport replaces the client: what was cached for the old one is gone.
    registry.use_push_transport(recorder(log))
    registry.parse_push("acme", push())
    assert log == [KEY_URL, KEY_URL]
    assert fetching_vendor.clients[-1] is not first


def test_a_transport_per_call_gets_a_fresh_client(fetching_vendor: Any) -> None:
    registry = smsstatus.Registry(vendors={"acme": fetching_vendor})
    log: list[str] = []
    for _ in range(2):
        registry.parse_push("acme", push(), transport=recorder(log))
    assert log == [KEY_URL, KEY_URL]
    assert fetching_vendor.clients[0] is not fetching_vendor.clients[1]


def test_a_given_client_is_passed_as_is(fetching_vendor: Any) -> None:
    registry = smsstatus.Registry(vendors={"acme": fetching_vendor})
    log: list[str] = []
    with HttpClient("acme", None, transport=recorder(log)) as mine:
        registry.parse_push("acme", push(), client=mine)
    assert fetching_vendor.clients == [mine]


def test_a_failed_exchange_is_a_transport_error(fetching_vendor: Any) -> None:
    registry = smsstatus.Registry(vendors={"acme": fetching_vendor})
    registry.use_push_transport(offline_push_transport([]))
    with pytest.raises(TransportError, match="offline: no recorded exchange for GET"):
        registry.parse_push("acme", push())


def test_lenient_replay_answers_any_recorded_request_any_number_of_times() -> None:
    exchange = key_exchange("k")
    transport = ReplayTransport([Exchange(exchange["request"], exchange["response"])], strict=False)
    with HttpClient("acme", None, transport=transport) as client:
        assert [client.request("GET", KEY_URL).text for _ in range(2)] == ["k", "k"]
        with pytest.raises(TransportError):
            client.request("GET", KEY_URL.replace("key.txt", "other.txt"))
    assert transport.unused == 0 and transport.problems == []


def run(vendor: Any, data: dict[str, Any]) -> None:
    run_case(smsstatus.Registry(vendors={"acme": vendor}), Case("acme", "cases.json", data))


def test_push_cases_replay_their_exchanges_strictly(fetching_vendor: Any) -> None:
    case = copy.deepcopy(PUSH_CASE)
    case["exchanges"] = [key_exchange()]
    run(fetching_vendor, case)
    missing = copy.deepcopy(PUSH_CASE)
    with pytest.raises(CaseFailure, match=f"unrecorded request GET {KEY_URL}"):
        run(fetching_vendor, missing)
    twice = copy.deepcopy(case)
    twice["exchanges"].append(key_exchange())
    with pytest.raises(CaseFailure, match="1 recorded exchange"):
        run(fetching_vendor, twice)


def test_a_push_case_with_an_unused_exchange_fails_for_a_plugin_without_client(
    fake_vendor_cls: Any, tmp_path: Path
) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "push.schema.json").write_text(json.dumps(PUSH_SCHEMA))
    case = copy.deepcopy(PUSH_CASE)
    case["exchanges"] = [key_exchange()]
    with pytest.raises(CaseFailure, match="1 recorded exchange"):
        run(fake_vendor_cls("acme", tmp_path), case)


def test_a_wrapper_naming_client_gets_one_for_every_vendor(fake_vendor_cls: Any) -> None:
    seen: list[object] = []

    class Wrapper:
        @hookimpl(wrapper=True)
        def parse_push(self, vendor: str, client: HttpClient) -> Any:
            seen.append(client)
            return (yield)

    registry = smsstatus.Registry(vendors={"acme": fake_vendor_cls()}, wrappers=[Wrapper()])
    registry.use_push_transport(recorder([]))
    registry.parse_push("acme", push(), {"token": "fixture-token-1"})
    assert len(seen) == 1 and isinstance(seen[0], HttpClient)
