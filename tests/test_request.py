"""Push request: headers, query, form and multipart bodies, safe repr."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from smsstatus import Headers, PushReply, PushRequest


def test_headers_are_case_insensitive_and_multi_valued() -> None:
    headers = Headers([("X-Sig", "a"), ("content-type", "application/json"), ("x-sig", "b")])
    assert headers["x-SIG"] == "a"
    assert headers.get_all("X-SIG") == ["a", "b"]
    assert "CONTENT-TYPE" in headers
    assert list(headers) == ["X-Sig", "content-type"]
    assert len(headers) == 2
    assert headers.raw_items()[2] == ("x-sig", "b")
    assert Headers({"A": "1"}) == Headers([("a", "1")])


def test_headers_repr_hides_values() -> None:
    assert "s3cret" not in repr(Headers({"Authorization": "Bearer s3cret"}))


def test_build_keeps_the_full_url_and_raw_query_order() -> None:
    request = PushRequest.build(
        method="get", url="https://hooks.example.com:8443/dlr?z=1", query="b=2&a=%2B1&b=3"
    )
    assert request.method == "GET"
    assert request.url == "https://hooks.example.com:8443/dlr?z=1&b=2&a=%2B1&b=3"
    assert request.query_string == "z=1&b=2&a=%2B1&b=3"
    assert request.query_params == [("z", "1"), ("b", "2"), ("a", "+1"), ("b", "3")]


def test_form_urlencoded_body() -> None:
    request = PushRequest.build(
        body="updateTime=2018-04-13T06%3A31%3A46Z&status=DELIVRD&empty=",
        content_type="application/x-www-form-urlencoded; charset=utf-8",
    )
    assert request.content_type == "application/x-www-form-urlencoded"
    assert request.form_params() == [
        ("updateTime", "2018-04-13T06:31:46Z"),
        ("status", "DELIVRD"),
        ("empty", ""),
    ]


def test_multipart_form_body() -> None:
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="status"\r\n\r\ndelivered\r\n'
        b'--XyZ\r\nContent-Disposition: form-data; name="recipient"\r\n\r\n+971509752655\r\n'
        b"--XyZ--\r\n"
    )
    request = PushRequest.build(body=body, content_type="multipart/form-data; boundary=XyZ")
    assert request.form_params() == [("status", "delivered"), ("recipient", "+971509752655")]


def test_json_body_and_defaults() -> None:
    at = datetime(2025, 1, 1, tzinfo=UTC)
    request = PushRequest.build(
        body=b'{"a": 1}', content_type="application/json", received_at=at, remote_addr="203.0.113.9"
    )
    assert request.json() == {"a": 1}
    assert request.received_at == at
    assert request.remote_addr == "203.0.113.9"
    with pytest.raises(ValueError):
        PushRequest.build(body=b"{nope", content_type="application/json").json()


def test_repr_never_shows_query_or_body() -> None:
    request = PushRequest.build(method="GET", url="https://h/dlr", query="pswd=hunter2", body="pswd=hunter2")
    assert "hunter2" not in repr(request)


def test_reply_helpers() -> None:
    assert PushReply.json({"code": 0, "message": "ok"}).body == b'{"code":0,"message":"ok"}'
    assert PushReply.text("ACK/Jasmin").content_type == "text/plain; charset=utf-8"
    assert PushReply().status_code == 200 and PushReply().body == b""


@pytest.mark.parametrize(
    "text",
    [
        "a=1&b=2",
        "a=&b",
        "&&a=1&&",
        "k=%2B971%205&x=a+b&pct=%E4%B8%AD%E6%96%87",
        "bad=%zz&utf=%ff",
        "a=1=2&=v&name+with+plus=x",
        "",
    ],
)
def test_parse_urlencoded_agrees_with_the_stdlib(text: str) -> None:
    from urllib.parse import parse_qsl

    from smsstatus.request import parse_urlencoded

    assert parse_urlencoded(text) == parse_qsl(text, keep_blank_values=True)


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([("content-type", "application/json")], "application/json"),
        ([("Content-Type", "Application/JSON; charset=UTF-8")], "application/json"),
        ([("CONTENT-TYPE", "  text/plain ;format=flowed")], "text/plain"),
        ([("content-typo", "text/plain"), ("x-content-type", "text/html")], ""),
        ([("Content-type", ""), ("content-type", "application/json")], ""),  # the first one counts
        ([("host", "h"), ("content-type", "multipart/form-data; boundary=x")], "multipart/form-data"),
        ([], ""),
    ],
)
def test_content_type_is_the_first_headers_media_type(pairs: list[tuple[str, str]], expected: str) -> None:
    # RFC 9110 8.3.1: the type and subtype are case-insensitive, parameters follow ";".
    assert PushRequest(headers=pairs).content_type == expected
    assert PushRequest(headers=pairs).content_type == expected  # again: from the table of seen values


def test_the_table_of_seen_content_types_is_bounded() -> None:
    from smsstatus import request

    saved = dict(request._MEDIA_TYPES)
    request._MEDIA_TYPES.clear()
    try:
        long_value = "application/json; junk=" + "x" * 10_000
        assert PushRequest(headers=[("content-type", long_value)]).content_type == "application/json"
        assert long_value not in request._MEDIA_TYPES  # a sender's long header is not kept
        for number in range(1_000):
            media = PushRequest(headers=[("content-type", f"Text/X-{number}; q=1")]).content_type
            assert media == f"text/x-{number}"  # answered right, kept or not
        assert len(request._MEDIA_TYPES) == request._MEDIA_TYPES_MAX
    finally:
        request._MEDIA_TYPES.clear()
        request._MEDIA_TYPES.update(saved)
