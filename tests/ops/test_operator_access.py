"""The operator's routes (/metrics, /api/stats, /ui) over HTTP: never
reachable without the token, off (404) without one configured, sessions
with safe cookies, cross-site requests refused, vendor text escaped."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import smsstatus
from smsstatus.server.build import Server, build_server
from smsstatus.server.config import ConfigError, parse_config
from starlette.testclient import TestClient

from tests.tracker.helpers import PushVendor, push_body

TOKEN = "operator-token-0123456789"
PSWD = "pa55-word-secret"
ORIGIN = "http://testserver"


def make_server(db_url: str, **tables: Any) -> Server:
    registry = smsstatus.Registry(vendors={"acme": PushVendor("acme")})
    config = parse_config({"vendors": {"acme": {"credentials": {"pswd": PSWD}}}, **tables})
    return build_server(db=db_url, config=config, registry=registry, poll=False, environ={})


@pytest.fixture
def server(db_url: str) -> Iterator[Server]:
    built = make_server(db_url, server={"admin_token": TOKEN})
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def client(server: Server) -> Iterator[TestClient]:
    assert server.app is not None
    with TestClient(server.app, follow_redirects=False) as c:
        yield c


def login(client: TestClient) -> str:
    """Logs in; the page's CSRF token."""
    answer = client.post("/ui/login", data={"token": TOKEN}, headers={"origin": ORIGIN})
    assert answer.status_code == 303 and answer.headers["location"] == "/ui"
    page = client.get("/ui")
    assert page.status_code == 200
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    assert found
    return found.group(1)


def test_without_a_token_configured_the_routes_do_not_exist(db_url: str) -> None:
    built = make_server(db_url)
    try:
        assert built.app is not None and built.metrics is None
        with TestClient(built.app) as c:
            for path in (
                "/metrics",
                "/api/stats",
                "/ui",
                "/ui/login",
                "/ui/messages",
                "/ui/static/dashboard.js",
            ):
                assert c.get(path, headers={"authorization": f"Bearer {TOKEN}"}).status_code == 404, path
            # The receiver still works.
            assert c.post("/webhooks/acme", content=push_body("m-1", "sent", pswd=PSWD)).status_code == 200
    finally:
        built.close()


@pytest.mark.parametrize("path", ["/metrics", "/api/stats", "/ui/static/uPlot.iife.min.js"])
def test_machine_routes_need_the_bearer_token(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"authorization": "Bearer wrong-token-0123456789"}).status_code == 401
    assert client.get(path, headers={"authorization": f"Basic {TOKEN}"}).status_code == 401
    answer = client.get(path, headers={"authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200


@pytest.mark.parametrize(
    "path", ["/ui", "/ui/messages?vendor=acme&id=m-1", "/ui/dead-letters", "/ui/dead-letters/1"]
)
def test_pages_refuse_without_a_session(client: TestClient, path: str) -> None:
    browser = client.get(path, headers={"accept": "text/html"})
    assert browser.status_code == 303 and browser.headers["location"] == "/ui/login"
    assert client.get(path).status_code == 401


def test_login_sets_a_safe_session_cookie(client: TestClient) -> None:
    answer = client.post("/ui/login", data={"token": TOKEN}, headers={"origin": ORIGIN})
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("smsstatus_session=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert "Secure" not in cookie  # plain http here
    assert TOKEN not in cookie
    assert client.get("/ui").status_code == 200


def test_cookie_is_secure_over_https(db_url: str) -> None:
    built = make_server(
        db_url, server={"admin_token": TOKEN}, receiver={"public_base_url": "https://ops.example.com"}
    )
    try:
        assert built.app is not None
        with TestClient(built.app, follow_redirects=False) as c:
            answer = c.post("/ui/login", data={"token": TOKEN}, headers={"origin": "https://ops.example.com"})
            assert answer.status_code == 303 and "Secure" in answer.headers["set-cookie"]
    finally:
        built.close()


def test_wrong_token_and_cross_site_login_are_refused(client: TestClient) -> None:
    wrong = client.post("/ui/login", data={"token": "not-the-token-0123"}, headers={"origin": ORIGIN})
    assert wrong.status_code == 401 and "set-cookie" not in wrong.headers
    cross = client.post("/ui/login", data={"token": TOKEN}, headers={"origin": "https://evil.example"})
    assert cross.status_code == 403 and "set-cookie" not in cross.headers
    neither = client.post("/ui/login", data={"token": TOKEN})
    assert neither.status_code == 403


def test_a_forged_or_expired_cookie_is_no_session(server: Server, client: TestClient) -> None:
    assert server.auth is not None
    value, _ = server.auth.new_session()
    expires, nonce, mac = value.split(".")
    client.cookies.set("smsstatus_session", f"{int(expires) + 10**6}.{nonce}.{mac}")
    assert client.get("/ui").status_code == 401
    client.cookies.set("smsstatus_session", f"1.{nonce}.{mac}")
    assert client.get("/ui").status_code == 401
    client.cookies.set("smsstatus_session", value)
    assert client.get("/ui").status_code == 200


def _dead_letter(client: TestClient) -> int:
    # A broken push (the plugin cannot read it): 400 and a replayable dead letter.
    answer = client.post(
        "/webhooks/acme", content=b'{"id": "m-9", "status": ', headers={"content-type": "application/json"}
    )
    assert answer.status_code == 400
    letter = answer.json()["dead_letter"]
    assert isinstance(letter, int)
    return letter


def test_replay_needs_csrf_token_and_same_origin(client: TestClient) -> None:
    letter = _dead_letter(client)
    csrf = login(client)
    path = f"/ui/dead-letters/{letter}/replay"
    assert (
        client.post(path, data={"csrf": csrf}, headers={"origin": "https://evil.example"}).status_code == 403
    )
    assert client.post(path, data={"csrf": "0" * 64}, headers={"origin": ORIGIN}).status_code == 403
    assert client.post(path, data={}, headers={"origin": ORIGIN}).status_code == 403
    assert client.post(path, data={"csrf": csrf}).status_code == 403  # neither Origin nor Referer
    # Same origin by Referer only (a browser that left Origin out) with the token: accepted.
    answer = client.post(path, data={"csrf": csrf}, headers={"referer": f"{ORIGIN}/ui/dead-letters/{letter}"})
    assert answer.status_code == 200
    # It cannot be read (the body is broken JSON): the replay fails, the letter stays pending.
    assert "replay: <strong>failed</strong>" in answer.text


def test_logout_needs_csrf_and_ends_the_browser_session(client: TestClient) -> None:
    csrf = login(client)
    assert client.post("/ui/logout", data={"csrf": "nope"}, headers={"origin": ORIGIN}).status_code == 403
    answer = client.post("/ui/logout", data={"csrf": csrf}, headers={"origin": ORIGIN})
    assert answer.status_code == 303
    assert (
        'smsstatus_session=""' in answer.headers["set-cookie"] or "Max-Age=0" in answer.headers["set-cookie"]
    )


def test_pages_escape_what_a_vendor_controls(client: TestClient) -> None:
    # The id carries markup (an id may not carry control characters: the host
    # refuses those); the raw status carries both markup and a terminal escape.
    evil = '<script>alert("x")</script>'
    status = "<b>bold</b>\x1b]0;pwned\x07"
    assert client.post("/webhooks/acme", content=push_body(evil, status, pswd=PSWD)).status_code == 200
    login(client)
    page = client.get("/ui/messages", params={"vendor": "acme", "id": evil})
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<b>bold</b>" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    # Shown with control characters escaped.
    assert "\x1b" not in page.text and "\\x1b]0;pwned\\x07" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'; script-src 'self'")
    assert page.headers["x-frame-options"] == "DENY"


def test_short_or_missing_secrets_are_refused_at_start(db_url: str) -> None:
    with pytest.raises(ConfigError, match="admin_token: must be at least 16") as info:
        make_server(db_url, server={"admin_token": "short"})
    assert "short" not in str(info.value).split(":", 1)[1].replace("admin_token", "")
    with pytest.raises(ConfigError, match="callbacks.secret"):
        make_server(db_url, callbacks={"url": "http://127.0.0.1:9/cb", "secret": "tiny"})
    with pytest.raises(ConfigError, match="callbacks.url"):
        make_server(db_url, callbacks={"url": "ftp://x", "secret": "s" * 20})


def test_token_from_the_environment_wins(db_url: str) -> None:
    registry = smsstatus.Registry(vendors={"acme": PushVendor("acme")})
    config = parse_config({"server": {"admin_token": TOKEN}})
    other = "environment-token-0123456789"
    built = build_server(
        db=db_url, config=config, registry=registry, poll=False, environ={"SMSSTATUS_ADMIN_TOKEN": other}
    )
    try:
        assert built.app is not None
        with TestClient(built.app) as c:
            assert c.get("/metrics", headers={"authorization": f"Bearer {TOKEN}"}).status_code == 401
            assert c.get("/metrics", headers={"authorization": f"Bearer {other}"}).status_code == 200
    finally:
        built.close()
    assert TOKEN not in repr(config) and TOKEN not in repr(built.auth)
