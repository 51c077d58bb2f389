"""The reader of status callbacks sent as a form body or as a query."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from smsstatus import PayloadError, PushRequest
from smsstatus.callbacks import callback_fields, callback_params, fast_callback_fields

FORM = "application/x-www-form-urlencoded"


def test_a_form_body_is_read_in_order_with_repeats_kept() -> None:
    request = PushRequest.build(
        body="id=7&status=DELIVRD&id=8&to=%2B4915", content_type=f"{FORM}; charset=utf-8"
    )
    assert callback_params("acme", request) == (
        [("id", "7"), ("status", "DELIVRD"), ("id", "8"), ("to", "+4915")],
        "form",
    )
    # A repeated field counts with its first value, as form libraries read it.
    assert callback_fields("acme", request) == ({"id": "7", "status": "DELIVRD", "to": "+4915"}, "form")


def test_without_a_body_the_fields_are_the_query() -> None:
    request = PushRequest.build(method="GET", url="https://hooks.example.test/dlr?id=7&status=DELIVRD")
    assert callback_fields("acme", request) == ({"id": "7", "status": "DELIVRD"}, "query")
    assert fast_callback_fields(request) == {"id": "7", "status": "DELIVRD"}


def test_a_body_wins_over_the_query() -> None:
    request = PushRequest.build(url="https://hooks.example.test/dlr?token=t", body="id=7", content_type=FORM)
    assert callback_fields("acme", request) == ({"id": "7"}, "form")
    assert fast_callback_fields(request) == {"id": "7"}


def test_a_multipart_body_or_one_without_content_type_is_read_as_a_form() -> None:
    multipart = PushRequest.build(
        body=b'--B\r\nContent-Disposition: form-data; name="id"\r\n\r\n7\r\n--B--\r\n',
        content_type="multipart/form-data; boundary=B",
    )
    assert callback_fields("acme", multipart) == ({"id": "7"}, "form")
    untyped = PushRequest.build(body="id=7")
    assert callback_fields("acme", untyped) == ({"id": "7"}, "form")
    # The lean reader takes only the urlencoded case: the others go to the detailed path.
    assert fast_callback_fields(multipart) is None
    assert fast_callback_fields(untyped) is None


@pytest.mark.parametrize(
    ("content_type", "body", "reason"),
    [
        (
            "application/json",
            b'{"id": "7"}',
            "expected a form body (or the fields in the query), got 'application/json'",
        ),
        (FORM, b"id=\xff", "body is not valid form data: UnicodeDecodeError"),
        (
            "multipart/form-data",  # no boundary: no parts
            b"id=7",
            "body is not valid form data: ValueError",
        ),
    ],
)
def test_a_body_that_is_no_form_is_a_payload_error_naming_vendor_and_field(
    content_type: str, body: bytes, reason: str
) -> None:
    request = PushRequest.build(body=body, content_type=content_type)
    with pytest.raises(PayloadError) as caught:
        callback_fields("acme", request)
    assert (caught.value.vendor, caught.value.field) == ("acme", "form")
    assert caught.value.reason.startswith(reason)
    assert fast_callback_fields(request) is None


_text = st.text(alphabet=string.ascii_letters + "%+=&é", max_size=30)


@settings(max_examples=300)
@given(
    query=_text,
    body=st.one_of(st.just(b""), _text.map(str.encode), st.binary(max_size=8)),
    content_type=st.sampled_from([None, FORM, f"{FORM}; charset=utf-8", "text/plain", "application/json"]),
)
def test_the_lean_reader_answers_none_or_what_the_detailed_one_reads(
    query: str, body: bytes, content_type: str | None
) -> None:
    request = PushRequest.build(
        url="https://hooks.example.test/dlr", query=query, body=body, content_type=content_type
    )
    lean = fast_callback_fields(request)
    try:
        detailed: dict[str, str] | PayloadError = callback_fields("acme", request)[0]
    except PayloadError as exc:
        detailed = exc
    if lean is not None:
        assert lean == detailed
    elif not isinstance(detailed, PayloadError) and not body and len(request.query_params) == len(detailed):
        # The query, no name twice, valid: the lean reader must take it.
        pytest.fail(f"the lean reader passed on the plain query {request.query_string!r}")
