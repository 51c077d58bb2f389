"""The per-id fetch loop on the plugin surface (smsstatus.plugin.fetch_each)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from smsstatus.plugin import (
    Channel,
    FetchResult,
    Headers,
    HttpResponse,
    ItemError,
    NotFoundError,
    PayloadError,
    Record,
    Status,
    StatusReport,
    VendorError,
    fetch_each,
)

AT = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)


def response(status: int, body: Any) -> HttpResponse:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return HttpResponse(
        status_code=status, headers=Headers([]), content=content, url="https://x/", received_at=AT
    )


def report(message_id: str) -> StatusReport:
    return StatusReport(
        vendor="acme",
        message_id=message_id,
        status=Status.SENT,
        received_at=AT,
        channel=Channel.FETCH,
        raw={},
    )


def answer(data: Any, got: HttpResponse) -> StatusReport:
    record = Record("acme", data)
    return report(record.ident("id"))


def error(body: Any, got: HttpResponse) -> tuple[str | None, str]:
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        return body["code"], body.get("message", "?")
    return None, f"HTTP {got.status_code}"


ANSWERS = {
    "ok": response(200, {"id": "ok"}),
    "gone": response(404, {"code": "20404", "message": "not found"}),
    "down": response(503, b"<html>maintenance</html>"),
    "garbled": response(200, b"{not json"),
    "odd": response(200, {"no_id": True}),
}


def test_each_id_fails_alone_and_keeps_its_position_and_body() -> None:
    asked: list[str] = []

    def request(fetch_id: str) -> HttpResponse:
        asked.append(fetch_id)
        return ANSWERS[fetch_id]

    result = fetch_each("acme", ["ok", " ", "gone", "down", "garbled", "odd"], request, answer, error=error)
    assert asked == ["ok", "gone", "down", "garbled", "odd"]  # a blank id costs no request
    assert [r.message_id for r in result.reports] == ["ok"]
    kinds = [(e.index, e.key, type(e.error).__name__) for e in result.errors]
    assert kinds == [
        (1, None, "PayloadError"),
        (2, "gone", "NotFoundError"),
        (3, "down", "VendorError"),
        (4, "garbled", "PayloadError"),
        (5, "odd", "PayloadError"),
    ]
    blank, gone, down, garbled, odd = result.errors
    assert isinstance(blank.error, PayloadError) and blank.error.field == "ids[1]"
    assert isinstance(gone.error, NotFoundError)
    assert (gone.error.http_status, gone.error.vendor_code) == (404, "20404")
    assert gone.raw == {"code": "20404", "message": "not found"}
    assert isinstance(down.error, VendorError) and down.error.http_status == 503
    assert down.raw == "<html>maintenance</html>"  # not JSON: kept as text
    assert isinstance(garbled.error, PayloadError) and garbled.error.field == "$"
    assert isinstance(odd.error, PayloadError) and odd.raw == {"no_id": True}


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_credential_fails_the_whole_fetch(status: int) -> None:
    refused = response(status, {"code": "20003", "message": "Authenticate"})
    with pytest.raises(VendorError) as info:
        fetch_each("acme", ["ok", "other"], lambda _id: refused, answer, error=error)
    assert (info.value.http_status, info.value.vendor_code) == (status, "20003")


def test_without_an_error_reader_the_message_is_the_http_status() -> None:
    result = fetch_each("acme", ["x"], lambda _id: response(500, {"code": "E"}), answer)
    (item,) = result.errors
    assert isinstance(item.error, VendorError) and item.error.vendor_code is None
    assert "HTTP 500" in str(item.error)


def test_an_answer_of_several_records_gives_their_items_this_ids_position() -> None:
    def several(data: Any, got: HttpResponse) -> FetchResult:
        bad = PayloadError("acme", "$.items[1]", "unreadable")
        return FetchResult(
            reports=(report("a"),),
            errors=(ItemError(error=bad, raw={}, index=1, key=None), ItemError(error=bad, raw={}, key="own")),
        )

    result = fetch_each("acme", ["first", "second"], lambda _id: response(200, {}), several)
    assert [r.message_id for r in result.reports] == ["a", "a"]
    assert [(e.index, e.key) for e in result.errors] == [(0, "first"), (0, "own"), (1, "second"), (1, "own")]
