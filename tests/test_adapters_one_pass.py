"""push_request_from_asgi reads the headers the public URL and the caller's address come from in its
one pass over the raw ASGI pairs. Whatever the names' case, order, repetitions and values, the request
must be the one the documented policy (smsstatus.forwarding's module docstring) gives when read through
a case-insensitive header mapping: the signature schemes of the vendors depend on that URL."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from smsstatus import adapters
from smsstatus.adapters import PublicAddress, asgi_remote_addr, push_request_from_asgi
from smsstatus.request import Headers, PushRequest

TRUSTED = "10.0.0.5"


def _first(value: str | None) -> str | None:
    return (value.split(",", 1)[0].strip() or None) if value else None


def _by_policy(scope: dict[str, Any], address: PublicAddress) -> tuple[str, str | None]:
    """The URL and remote address, the policy restated over a header mapping."""
    headers = Headers([(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]])
    client = scope["client"][0] if scope.get("client") else None
    target = scope["raw_path"].decode("latin-1") + (
        "?" + scope["query_string"].decode("latin-1") if scope["query_string"] else ""
    )
    trusted = address.trusts(client)
    if address.public_base_url:
        url = address.public_base_url + target
    else:
        scheme, host = scope["scheme"], headers.get("host")
        if trusted:
            scheme = _first(headers.get("x-forwarded-proto")) or scheme
            host = _first(headers.get("x-forwarded-host")) or host
        if not host:
            name, port = scope["server"]
            host = name if port in (None, 80, 443) else f"{name}:{port}"
        url = f"{scheme}://{host}{target}"
    forwarded = _first(headers.get("x-forwarded-for")) if trusted else None
    return url, forwarded or client


NAMES = st.sampled_from(
    [b"host", b"x-forwarded-proto", b"x-forwarded-host", b"x-forwarded-for", b"content-type", b"x-signature"]
).flatmap(lambda name: st.sampled_from([name, name.upper(), name.title(), name.capitalize()]))
VALUES = st.sampled_from(
    [
        b"",
        b" ",
        b"hooks.example.com",
        b"https",
        b"a.example, b.example",
        b" , x",
        b"203.0.113.9, 10.0.0.1",
        b"\xe9t\xe9",
    ]
)
ADDRESSES = st.sampled_from(
    [
        PublicAddress(),
        PublicAddress(forwarded_allow_ips=[TRUSTED]),
        PublicAddress(forwarded_allow_ips=["*"]),
        PublicAddress(public_base_url="https://public.example.org/", forwarded_allow_ips=["10.0.0.0/24"]),
    ]
)


@settings(max_examples=400, deadline=None)
@given(
    pairs=st.lists(st.tuples(NAMES, VALUES), max_size=8),
    address=ADDRESSES,
    client=st.sampled_from([TRUSTED, "198.51.100.7", "127.0.0.1", None]),
    server=st.sampled_from([("internal", 8000), ("internal", 443), ("internal", None)]),
    scheme=st.sampled_from(["http", "https"]),
)
def test_the_one_pass_gives_what_the_policy_gives(
    pairs: list[tuple[bytes, bytes]],
    address: PublicAddress,
    client: str | None,
    server: tuple[str, int | None],
    scheme: str,
) -> None:
    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "scheme": scheme,
        "path": "/hooks/acme",
        "raw_path": b"/hooks/a%2Fcme",
        "query_string": b"sig=a%2Bb",
        "headers": pairs,
        "client": (client, 50000) if client else None,
        "server": server,
    }
    push = push_request_from_asgi(scope, b"{}", address=address)
    assert (push.url, push.remote_addr) == _by_policy(scope, address)
    assert asgi_remote_addr(scope, address=address) == push.remote_addr
    # Every pair kept as sent, in order, names in their own spelling.
    assert push.headers.raw_items() == tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in pairs)
    # Built positionally, without the pair check: the same request the public constructor builds.
    public = PushRequest(
        method="POST",
        url=push.url,
        headers=list(push.headers.raw_items()),
        body=b"{}",
        received_at=push.received_at,
        remote_addr=push.remote_addr,
    )
    assert push == public and vars(push) == vars(public) and repr(push) == repr(public)
    assert push.headers == public.headers and push.content_type == public.content_type
    assert all(pair.__class__ is tuple for pair in push.headers.raw_items())


def test_header_names_remembered_are_bounded_and_still_read_right() -> None:
    address = PublicAddress(forwarded_allow_ips=[TRUSTED])
    for n in range(3 * adapters._REMEMBERED_NAMES):
        scope = {
            "scheme": "http",
            "raw_path": b"/hooks/acme",
            "query_string": b"",
            "headers": [
                (f"x-junk-{n}".encode(), b"1"),
                (b"Host", b"h.example"),
                (b"X-Forwarded-For", b"192.0.2.1"),
            ],
            "client": (TRUSTED, 1),
            "server": ("internal", 8000),
        }
        push = push_request_from_asgi(scope, b"", address=address)
        assert (push.url, push.remote_addr) == ("http://h.example/hooks/acme", "192.0.2.1")
        assert push.headers[f"X-Junk-{n}"] == "1"
    assert len(adapters._NAMES) <= adapters._REMEMBERED_NAMES
