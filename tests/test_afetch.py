"""Registry.afetch gives what Registry.fetch gives: every fetch fixture case of every installed plugin
(the plugins' own specification of their fetch: reports, item errors, typed errors, recorded requests)
runs through ``await registry.afetch(...)`` on an ``httpx.AsyncClient`` with the same checks as
through ``fetch``; plus what only the async side has (the host's client, the event loop kept free)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
import smsstatus
from smsstatus.fixtures import Case, load_cases, run_case
from smsstatus.replay import Exchange, ReplayTransport

REGISTRY = smsstatus.load()
FETCH_CASES = [
    case
    for vendor in sorted(REGISTRY.vendors)
    for case in load_cases(REGISTRY.info(vendor))
    if case.kind == "fetch" and not case.xfail
]


class ViaAfetch:
    """A registry whose ``fetch`` is ``afetch`` on an AsyncClient, for the fixture runner."""

    def __init__(self, registry: smsstatus.Registry) -> None:
        self._registry = registry

    def __getattr__(self, name: str) -> Any:
        return getattr(self._registry, name)

    def fetch(
        self, vendor: str, ids: Any, credentials: Any = None, *, transport: Any = None, **options: Any
    ) -> smsstatus.FetchResult:
        async def run() -> smsstatus.FetchResult:
            # The recorded exchanges, replayed to the AsyncClient (ReplayTransport serves both kinds).
            async with httpx.AsyncClient(transport=transport) as client:
                return await self._registry.afetch(vendor, ids, credentials, client=client, **options)

        return asyncio.run(run())


def test_there_are_fetch_cases_to_compare() -> None:
    assert {c.vendor for c in FETCH_CASES} >= {"d7", "uspeedo", "contacta"}


@pytest.mark.parametrize("case", FETCH_CASES, ids=lambda c: c.id)
def test_every_fetch_case_passes_through_afetch(case: Case) -> None:
    run_case(ViaAfetch(REGISTRY), case)  # type: ignore[arg-type]  # raises CaseFailure listing every difference


def test_the_runner_would_notice_a_difference() -> None:
    """The check above can fail: a fetch case replayed with a changed answer fails through afetch."""
    [case] = [c for c in FETCH_CASES if c.vendor == "d7"][:1]
    changed = dict(case.data)
    exchanges = [dict(x) for x in changed["exchanges"]]
    exchanges[0] = {**exchanges[0], "response": {"status_code": 500, "body": {"text": "down"}}}
    changed["exchanges"] = exchanges * 4
    with pytest.raises(AssertionError):
        run_case(ViaAfetch(REGISTRY), Case(case.vendor, case.file, changed))  # type: ignore[arg-type]


def test_offline_replay_through_the_transport_argument() -> None:
    """``transport=`` replaces the network in afetch as in fetch (no AsyncClient needed)."""
    case = next(c for c in FETCH_CASES if c.vendor == "d7" and "reports" in c.data["expect"])
    replay = ReplayTransport([Exchange(x["request"], x["response"]) for x in case.data["exchanges"]])
    result = asyncio.run(
        REGISTRY.afetch(
            "d7", case.data["ids"], case.data["credentials"], transport=replay, sleep=lambda _s: None
        )
    )
    replay.verify()
    assert len(result.reports) == len(case.data["expect"]["reports"])


def test_errors_are_the_same_typed_errors() -> None:
    with pytest.raises(smsstatus.UnknownVendorError):
        asyncio.run(REGISTRY.afetch("nosuch", ["1"]))
    with pytest.raises(smsstatus.UnsupportedError):
        asyncio.run(REGISTRY.afetch("innopaas", ["1"]))


@pytest.fixture
def slow_api(loopback_api: Any) -> str:
    """A loopback D7-like API answering every request after 0.3 s."""

    def route(_path: str, _authorization: str | None) -> tuple[int, Any]:
        time.sleep(0.3)
        return 200, {"request_id": "r", "messages": []}

    base: str = loopback_api(route)
    return base


def test_the_event_loop_keeps_running_and_the_hosts_client_is_used(slow_api: str) -> None:
    sent: list[str] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request.url.path)

    async def run() -> tuple[int, smsstatus.FetchResult]:
        ticks = 0
        stop = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                await asyncio.sleep(0.01)

        task = asyncio.create_task(ticker())
        async with httpx.AsyncClient(event_hooks={"request": [record]}) as client:
            result = await REGISTRY.afetch(
                "d7", ["r"], {"api_token": "t-not-a-secret"}, base_url=slow_api, client=client
            )
        stop.set()
        await task
        return ticks, result

    ticks, result = asyncio.run(run())
    assert result.reports == ()
    assert sent == ["/report/v1/message-log/r"]  # through the host's client (its event hooks ran)
    assert ticks >= 10  # the loop ran while the vendor took 0.3 s


def test_the_deadline_holds_through_the_bridge(slow_api: str) -> None:
    """A vendor slower than ``timeout`` ends in the same typed error as with fetch, on time."""
    started = time.monotonic()
    options: dict[str, Any] = {
        "base_url": slow_api,
        "timeout": 0.1,
        "retry": smsstatus.RetryPolicy(attempts=1),
    }
    with pytest.raises(smsstatus.TransportError) as through_afetch:
        asyncio.run(REGISTRY.afetch("d7", ["r"], {"api_token": "t-not-a-secret"}, **options))
    assert time.monotonic() - started < 1.0
    with pytest.raises(smsstatus.TransportError) as through_fetch:
        REGISTRY.fetch("d7", ["r"], {"api_token": "t-not-a-secret"}, **options)
    assert type(through_afetch.value) is type(through_fetch.value)
