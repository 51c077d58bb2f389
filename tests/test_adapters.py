"""smsstatus.adapters: a PushRequest from a WSGI environ or an ASGI scope, with the public URL and
client address decided by smsstatus.forwarding.PublicAddress exactly as the receiver decides them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from smsstatus.adapters import PublicAddress, asgi_remote_addr, push_request_from_asgi, push_request_from_wsgi

PROXY = "10.0.0.5"
WHEN = datetime(2024, 2, 1, tzinfo=UTC)


def environ(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/hooks/acme",
        "QUERY_STRING": "sig=a%2Bb&x=1",
        "SERVER_NAME": "internal",
        "SERVER_PORT": "8000",
        "REMOTE_ADDR": PROXY,
        "wsgi.url_scheme": "http",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": "2",
        "HTTP_HOST": "internal:8000",
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_X_FORWARDED_HOST": "hooks.example.com, proxy.local",
        "HTTP_X_FORWARDED_FOR": "203.0.113.9, 10.0.0.1",
        "HTTP_X_SIGNATURE": "abc",
        "wsgi.input": object(),
    }
    base.update(overrides)
    return base


def scope(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "scheme": "http",
        "path": "/hooks/acme",
        "raw_path": b"/hooks/acme",
        "query_string": b"sig=a%2Bb&x=1",
        "server": ("internal", 8000),
        "client": (PROXY, 51000),
        "headers": [
            (b"host", b"internal:8000"),
            (b"content-type", b"application/json"),
            (b"x-forwarded-proto", b"https"),
            (b"x-forwarded-host", b"hooks.example.com, proxy.local"),
            (b"x-forwarded-for", b"203.0.113.9, 10.0.0.1"),
            (b"x-signature", b"abc"),
        ],
    }
    base.update(overrides)
    return base


BUILDERS = {
    "wsgi": lambda address, **kw: push_request_from_wsgi(
        environ(**kw), b"{}", address=address, received_at=WHEN
    ),
    "asgi": lambda address, **kw: push_request_from_asgi(
        scope(**kw), b"{}", address=address, received_at=WHEN
    ),
}


@pytest.fixture(params=sorted(BUILDERS))
def build(request: pytest.FixtureRequest) -> Any:
    return BUILDERS[request.param]


def test_a_trusted_proxy_decides_scheme_host_and_client(build: Any) -> None:
    push = build(PublicAddress(forwarded_allow_ips=["10.0.0.0/24"]))
    assert push.url == "https://hooks.example.com/hooks/acme?sig=a%2Bb&x=1"
    assert push.remote_addr == "203.0.113.9"
    assert push.method == "POST" and push.body == b"{}" and push.received_at == WHEN
    assert push.headers["X-Signature"] == "abc" and push.content_type == "application/json"


def test_forwarding_headers_from_anyone_else_are_ignored(build: Any) -> None:
    push = build(PublicAddress())  # trusts 127.0.0.1 and ::1 only
    assert push.url == "http://internal:8000/hooks/acme?sig=a%2Bb&x=1"
    assert push.remote_addr == PROXY


def test_a_configured_public_base_url_wins(build: Any) -> None:
    push = build(PublicAddress(public_base_url="https://public.example.org/", forwarded_allow_ips=["*"]))
    assert push.url == "https://public.example.org/hooks/acme?sig=a%2Bb&x=1"
    assert push.remote_addr == "203.0.113.9"


def test_the_raw_path_is_kept_as_sent() -> None:
    address = PublicAddress(public_base_url="https://h.example")
    # WSGI decodes PATH_INFO; the server's raw target keeps the vendor's escapes.
    wsgi = push_request_from_wsgi(
        environ(PATH_INFO="/hooks/a b/ü", RAW_URI="/hooks/a%20b/%C3%BC?sig=a%2Bb"), b"", address=address
    )
    assert wsgi.url == "https://h.example/hooks/a%20b/%C3%BC?sig=a%2Bb"
    uwsgi = push_request_from_wsgi(environ(REQUEST_URI="/hooks/%7Eme?q"), b"", address=address)
    assert uwsgi.url == "https://h.example/hooks/%7Eme?q"
    # Without one, the path is re-encoded as PEP 3333 describes (latin-1 characters of UTF-8 bytes).
    rebuilt = push_request_from_wsgi(
        environ(PATH_INFO="/hooks/a b/\xc3\xbc", QUERY_STRING=""), b"", address=address
    )
    assert rebuilt.url == "https://h.example/hooks/a%20b/%C3%BC"
    asgi = push_request_from_asgi(scope(raw_path=b"/hooks/a%20b", query_string=b""), b"", address=address)
    assert asgi.url == "https://h.example/hooks/a%20b"


def test_without_host_header_the_server_address_is_used() -> None:
    wsgi = push_request_from_wsgi(environ(HTTP_HOST="", SERVER_PORT="8080"), b"", address=PublicAddress())
    assert wsgi.url.startswith("http://internal:8080/hooks/acme")
    asgi_headers = [(k, v) for k, v in scope()["headers"] if k != b"host"]
    asgi = push_request_from_asgi(
        scope(headers=asgi_headers, server=("internal", 443)), b"", address=PublicAddress()
    )
    assert asgi.url.startswith("http://internal/hooks/acme")


def test_wsgi_headers_come_back_with_their_names() -> None:
    push = push_request_from_wsgi(environ(), b"{}")
    names = {name.lower() for name in push.headers}
    assert {"content-type", "content-length", "host", "x-signature", "x-forwarded-for"} <= names
    assert "wsgi.input" not in names and "remote-addr" not in names


@pytest.mark.parametrize(
    ("client", "forwarded", "expected"),
    [
        ("198.51.100.7", [], "198.51.100.7"),
        ("198.51.100.7", [b"203.0.113.9"], "198.51.100.7"),  # an untrusted peer cannot name another address
        ("127.0.0.1", [b"203.0.113.9, 127.0.0.1"], "203.0.113.9"),
        ("127.0.0.1", [b"203.0.113.9", b"192.0.2.1"], "203.0.113.9"),
        ("127.0.0.1", [], "127.0.0.1"),
        (None, [b"203.0.113.9"], None),
    ],
)
def test_asgi_remote_addr_is_the_address_push_request_from_asgi_gives(
    client: str | None, forwarded: list[bytes], expected: str | None
) -> None:
    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "scheme": "https",
        "path": "/webhooks/d7",
        "raw_path": b"/webhooks/d7",
        "query_string": b"",
        "headers": [(b"host", b"hooks.example.com")] + [(b"X-Forwarded-For", value) for value in forwarded],
        "client": (client, 50000) if client else None,
        "server": ("10.0.0.2", 8000),
    }
    address = PublicAddress(forwarded_allow_ips=("127.0.0.1",))
    assert asgi_remote_addr(scope, address=address) == expected
    assert push_request_from_asgi(scope, b"", address=address).remote_addr == expected
