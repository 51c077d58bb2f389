"""The host's HTTP client: retries, backoff, Retry-After, no retry on 4xx."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from smsstatus import HttpClient, RetryPolicy, TransportError
from smsstatus.http import parse_retry_after


def client_for(make: Any, handler: object, sleeps: list[float], **kwargs: object) -> HttpClient:
    """``make`` is the ``make_http_client`` fixture: the client as fetch and as afetch get it."""
    client: HttpClient = make(
        "acme",
        "https://api.acme.invalid/v1/",
        transport=httpx.MockTransport(handler),  # type: ignore[arg-type]
        sleep=sleeps.append,
        rng=lambda: 1.0,
        secrets=("k3y-secret",),
        **kwargs,  # type: ignore[arg-type]
    )
    return client


def test_retries_5xx_and_429_honouring_retry_after(make_http_client: Any) -> None:
    answers = [
        httpx.Response(503),
        httpx.Response(429, headers={"Retry-After": "7"}),
        httpx.Response(200, json={}),
    ]
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return answers.pop(0)

    sleeps: list[float] = []
    response = client_for(make_http_client, handler, sleeps).request("GET", "/status/1", params={"a": "b"})
    assert response.status_code == 200
    assert seen == ["https://api.acme.invalid/v1/status/1?a=b"] * 3
    assert sleeps == [0.5, 7.0]  # backoff (0.5 * 2**0 * rng=1.0), then the server's Retry-After


def test_never_retries_other_4xx(make_http_client: Any) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(404, json={"detail": "nope"})

    response = client_for(make_http_client, handler, []).request("GET", "x")
    assert response.status_code == 404 and len(calls) == 1
    assert response.json() == {"detail": "nope"}


def test_gives_up_after_the_last_attempt_and_returns_the_answer(make_http_client: Any) -> None:
    sleeps: list[float] = []
    response = client_for(
        make_http_client, lambda r: httpx.Response(502), sleeps, retry=RetryPolicy(attempts=3)
    ).request("GET", "x")
    assert response.status_code == 502
    assert sleeps == [0.5, 1.0]


def test_too_long_retry_after_is_not_waited_for(make_http_client: Any) -> None:
    sleeps: list[float] = []
    answer = httpx.Response(503, headers={"Retry-After": "3600"})
    assert client_for(make_http_client, lambda r: answer, sleeps).request("GET", "x").status_code == 503
    assert sleeps == []


def test_connection_errors_are_retried_then_raised_without_secrets(make_http_client: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot connect to {request.url}")

    sleeps: list[float] = []
    with pytest.raises(TransportError) as info:
        client_for(make_http_client, handler, sleeps).request("GET", "/status", params={"auth": "k3y-secret"})
    assert len(sleeps) == 3
    assert "k3y-secret" not in str(info.value)
    assert info.value.vendor == "acme" and info.value.http_status is None


def test_json_body_is_sent_compactly(make_http_client: Any) -> None:
    bodies = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append((request.headers["content-type"], request.content))
        return httpx.Response(200)

    client_for(make_http_client, handler, []).request("POST", "api", json={"Action": "X", "Set": ["a"]})
    assert bodies == [("application/json", b'{"Action":"X","Set":["a"]}')]


def test_parse_retry_after_forms() -> None:
    now = datetime(2025, 1, 1, 0, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 01 Jan 2025 00:00:30 GMT", now) == 30.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_absolute_urls_and_missing_base() -> None:
    client = HttpClient("acme", None, transport=httpx.MockTransport(lambda r: httpx.Response(204)))
    assert client.request("GET", "https://other.invalid/x").status_code == 204
    with pytest.raises(TransportError, match="no base URL"):
        client.request("GET", "/relative")


def test_httpx_request_log_lines_never_show_a_secret(
    caplog: pytest.LogCaptureFixture, make_http_client: Any
) -> None:
    caplog.set_level("INFO", logger="httpx")
    client_for(make_http_client, lambda r: httpx.Response(200), []).request(
        "GET", "/check", params={"auth": "k3y-secret", "token": "1"}
    )
    messages = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert messages, "httpx logs each request at INFO"
    assert all("k3y-secret" not in m for m in messages)
    assert any("auth=%2A%2A%2A" in m or "auth=***" in m for m in messages)


def test_an_answer_echoing_a_secret_reaches_the_plugin_masked(make_http_client: Any) -> None:
    # Vendors echo requests (an error body repeating the Authorization header, a
    # query string with the key): nothing a plugin reads may carry the secret.
    def handler(request: httpx.Request) -> httpx.Response:
        echoed = f'{{"error": "bad request", "auth": "{request.headers["Authorization"]}", "url": "{request.url}"}}'
        return httpx.Response(400, content=echoed.encode())

    client = client_for(make_http_client, handler, [])
    response = client.request(
        "GET", "check", params={"key": "k3y-secret"}, headers={"Authorization": "Bearer k3y-secret"}
    )
    assert b"k3y-secret" not in response.content
    assert response.json()["auth"] == "Bearer ***"
    assert response.json()["url"] == "https://api.acme.invalid/v1/check?key=***"


def test_a_secret_the_request_did_not_carry_is_not_an_echo_and_stays(make_http_client: Any) -> None:
    # A plugin may download what it needs (a signing key) with a request that carries no credential.
    client = client_for(make_http_client, lambda request: httpx.Response(200, text="k3y-secret"), [])
    assert client.request("GET", "key.txt").text == "k3y-secret"


def test_a_urls_own_query_is_kept_with_params(make_http_client: Any) -> None:
    # httpx 0.28 replaces a URL's query with params; a vendor endpoint such as
    # ".../status?version=2" must keep its own query and get the params after it.
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200)

    client = client_for(make_http_client, handler, [])
    client.request("GET", "/status?version=2&fmt=a%2Cb", params={"id": "m 1"})
    client.request("GET", "https://other.acme.invalid/q?a=1", params=[("a", "2"), ("b", "x/y")])
    client.request("GET", "/status?version=2")
    client.request("GET", "/status?version=2", params={})
    assert seen == [
        # the URL's own spelling untouched (%2C stays), the params encoded after it
        "https://api.acme.invalid/v1/status?version=2&fmt=a%2Cb&id=m+1",
        # a name in both is sent twice, the URL's first
        "https://other.acme.invalid/q?a=1&a=2&b=x%2Fy",
        "https://api.acme.invalid/v1/status?version=2",
        "https://api.acme.invalid/v1/status?version=2",
    ]
