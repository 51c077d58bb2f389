"""Tests of the d7 plugin: every fixture case, plus targeted checks of the
tricky parts. Expected values come from D7's documentation, not from the code."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import smsstatus_d7
from smsstatus.plugin import (
    Capability,
    Credentials,
    CredentialsError,
    FetchResult,
    Headers,
    HttpResponse,
    MappingKind,
    NotFoundError,
    PayloadError,
    PushRequest,
    Reason,
    Record,
    Status,
    VendorError,
    fast_multipart,
)
from smsstatus.plugin.testing import Case, Registry, load, load_cases, run_case

REGISTRY = Registry(vendors={"d7": smsstatus_d7})
CASES = load_cases(REGISTRY.info("d7"))

RECEIVED = datetime(2025, 6, 10, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture(case: Case) -> None:
    run_case(REGISTRY, case)


def test_fixture_coverage() -> None:
    kinds = {c.kind for c in CASES}
    assert kinds == {"push", "fetch", "map"}
    mapped = {c.data["status"] for c in CASES if c.kind == "map"}
    documented = {s.value for s in REGISTRY.info("d7").statuses}
    assert documented <= mapped, documented - mapped


# -- plugin loading -----------------------------------------------------------


def test_entry_point_loads() -> None:
    registry = load(environ={"SMSSTATUS_VENDORS": "d7"})
    assert "d7" in registry.vendors
    assert not [f for f in registry.failures if f.name == "d7"]
    loaded = registry.vendors["d7"]
    assert loaded.distribution == "smsstatus-d7"
    assert loaded.hooks == {"vendor_info", "parse_push", "fetch", "map_status"}


def test_vendor_info() -> None:
    info = REGISTRY.info("d7")
    assert info.capabilities == {Capability.PUSH, Capability.FETCH}
    assert info.default_base_url == "https://api.d7networks.com"
    assert [(c.name, c.used_for, c.secret, c.required) for c in info.credentials] == [
        ("api_token", "fetch", True, True)
    ]
    assert info.poll is not None and info.poll.batch_limit == 1
    assert info.schemas is not None and (info.schemas / "push.schema.json").is_file()
    assert info.schemas is not None and (info.schemas / "message-log.schema.json").is_file()


def test_every_documented_status_maps_as_declared() -> None:
    statuses = REGISTRY.info("d7").statuses
    assert {s.value for s in statuses} == {
        "delivered",
        "sent",
        "scheduled",
        "un_delivered",
        "undelivered",
        "not_reachable",
        "spam_content",
        "insufficient_credit",
    }
    for documented in statuses:
        mapped = REGISTRY.map_status("d7", documented.value, documented.code)
        assert (mapped.status, mapped.reason, mapped.mapping) == (
            documented.expected.status,
            documented.expected.reason,
            documented.expected.mapping,
        ), documented.value


def test_failures_are_final_and_in_flight_are_not() -> None:
    for value in (
        "un_delivered",
        "undelivered",
        "not_reachable",
        "spam_content",
        "insufficient_credit",
        "delivered",
    ):
        assert REGISTRY.map_status("d7", value).final, value
    for value in ("sent", "scheduled"):
        assert not REGISTRY.map_status("d7", value).final, value


@pytest.mark.parametrize("value", ["accepted", "FAILED", "", "   ", "délivré", "un-delivered"])
def test_unknown_values_never_raise(value: str) -> None:
    mapped = REGISTRY.map_status("d7", value)
    assert mapped.status is Status.UNKNOWN
    assert mapped.mapping is MappingKind.UNMAPPED
    assert mapped.reason is None


# -- push content types -----------------------------------------------------------

DOC_PUSH = {
    "request_id": "d9835609-a4e0-10ea-a26a-eeafbe700fef",
    "msg_id": "d9835609-a4e0-10ea-a26a-eeafbe700fef",
    "recipient": "+971576545612",
    "originator": "SMSInfo",
    "status": "un_delivered",
}


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/octet-stream"])
def test_push_json_without_json_content_type_is_sniffed(content_type: str | None) -> None:
    request = PushRequest.build(body=json.dumps(DOC_PUSH), content_type=content_type, received_at=RECEIVED)
    result = REGISTRY.parse_push("d7", request)
    (report,) = result.reports
    assert report.status is Status.UNDELIVERED
    assert report.reason is Reason.UNKNOWN
    assert report.recipient == "+971576545612"
    assert report.received_at == RECEIVED
    assert report.status_at is None


def test_push_form_without_content_type_is_sniffed() -> None:
    body = "msg_id=abc&status=delivered&recipient=%2B971576545612"
    result = REGISTRY.parse_push("d7", PushRequest.build(body=body, received_at=RECEIVED))
    (report,) = result.reports
    assert report.message_id == "abc"
    assert report.recipient == "+971576545612"
    assert report.raw == {"msg_id": "abc", "status": "delivered", "recipient": "+971576545612"}


def test_push_form_repeated_field_first_value_counts() -> None:
    body = "msg_id=abc&status=delivered&status=sent"
    request = PushRequest.build(body=body, content_type="application/x-www-form-urlencoded")
    (report,) = REGISTRY.parse_push("d7", request).reports
    assert report.vendor_status == "delivered"


def test_push_reply_is_plain_200() -> None:
    result = REGISTRY.parse_push(
        "d7", PushRequest.build(body=json.dumps(DOC_PUSH), content_type="application/json")
    )
    assert (result.reply.status_code, result.reply.content_type, result.reply.body) == (200, None, b"")
    assert result.errors == ()


def test_push_integer_msg_id_becomes_string() -> None:
    body = json.dumps({**DOC_PUSH, "msg_id": 123456789012345678})
    (report,) = REGISTRY.parse_push(
        "d7", PushRequest.build(body=body, content_type="application/json")
    ).reports
    assert report.message_id == "123456789012345678"


@pytest.mark.parametrize(
    "body",
    [
        b"garbage",  # no parts at all
        (  # a part in a charset Python does not know
            b'--x\r\nContent-Disposition: form-data; name="msg_id"\r\n'
            b"Content-Type: text/plain; charset=nosuch\r\n\r\nabc\r\n--x--\r\n"
        ),
    ],
)
def test_push_broken_multipart_is_a_payload_error(body: bytes) -> None:
    request = PushRequest.build(body=body, content_type="multipart/form-data; boundary=x")
    with pytest.raises(PayloadError) as info:
        REGISTRY.parse_push("d7", request)
    assert info.value.field == "form"


def test_push_json_scalar_body_is_a_payload_error() -> None:
    request = PushRequest.build(body=b'"sent"', content_type="application/json")
    with pytest.raises(PayloadError) as info:
        REGISTRY.parse_push("d7", request)
    assert info.value.field == "$"


# -- fetch details -------------------------------------------------------------


class FakeClient:
    """Records requests and answers from a list (the fixtures use the real
    client with replay; this checks the path building on its own)."""

    def __init__(self, answers: list[tuple[int, object]]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str, dict[str, str]]] = []

    def request(self, method: str, path: str, *, headers: dict[str, str]) -> HttpResponse:
        self.calls.append((method, path, headers))
        status, body = self.answers.pop(0)
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return HttpResponse(status, Headers(), content, "https://api.d7networks.com/x", received_at=RECEIVED)


def _fetch(ids: list[str], client: FakeClient, token: str = "t0ken-value") -> FetchResult:
    creds = Credentials("d7", {"api_token": token})
    return smsstatus_d7.fetch(vendor="d7", ids=ids, credentials=creds, client=client)  # type: ignore[arg-type]


def test_fetch_quotes_the_id_into_the_path() -> None:
    client = FakeClient([(404, {"detail": "Not Found"})])
    result = _fetch(["a/b?c"], client)
    assert client.calls[0][1] == "report/v1/message-log/a%2Fb%3Fc"
    assert client.calls[0][2]["Authorization"] == "Bearer t0ken-value"
    (item,) = result.errors
    assert isinstance(item.error, NotFoundError)
    assert (item.index, item.key) == (0, "a/b?c")


def test_fetch_empty_id_is_an_item_error_without_a_request() -> None:
    client = FakeClient([])
    result = _fetch(["  "], client)
    assert client.calls == []
    (item,) = result.errors
    assert isinstance(item.error, PayloadError)
    assert item.error.field == "ids[0]"


def test_fetch_403_fails_the_whole_fetch() -> None:
    client = FakeClient([(403, {"detail": {"code": "FORBIDDEN", "message": "no access"}})])
    with pytest.raises(VendorError) as info:
        _fetch(["a", "b"], client)
    assert (info.value.http_status, info.value.vendor_code) == (403, "FORBIDDEN")
    assert len(client.calls) == 1


def test_fetch_error_body_not_json() -> None:
    client = FakeClient([(500, b"<html>oops</html>")])
    (item,) = _fetch(["a"], client).errors
    assert isinstance(item.error, VendorError)
    assert (item.error.http_status, item.error.vendor_code) == (500, None)
    assert item.raw == "<html>oops</html>"


def test_fetch_without_token_raises_credentials_error() -> None:
    creds = Credentials("d7", {})
    with pytest.raises(CredentialsError):
        smsstatus_d7.fetch(vendor="d7", ids=["a"], credentials=creds, client=FakeClient([]))  # type: ignore[arg-type]


def test_fetch_cost_is_decimal_from_float_repr_without_currency() -> None:
    body = {
        "request_id": "r",
        "messages": [{"msg_id": "m", "status": "sent", "sms_cost": 0.1, "number_of_sms": 3}],
    }
    (report,) = _fetch(["r"], FakeClient([(200, body)])).reports
    assert report.price is not None
    assert report.price.amount == Decimal("0.1")  # not 0.1000000000000000055511151231257827...
    assert report.price.currency is None
    assert report.segments == 3
    assert report.status_at is None
    assert report.received_at == RECEIVED


def test_fetch_integer_cost() -> None:
    body = {"request_id": "r", "messages": [{"msg_id": "m", "status": "sent", "sms_cost": 2}]}
    (report,) = _fetch(["r"], FakeClient([(200, body)])).reports
    assert report.price is not None and report.price.amount == Decimal(2)


def test_fetch_bool_cost_is_null_with_a_warning() -> None:
    body = {"request_id": "r", "messages": [{"msg_id": "m", "status": "sent", "sms_cost": True}]}
    result = _fetch(["r"], FakeClient([(200, body)]))
    assert result.errors == ()
    (report,) = result.reports
    assert report.price is None
    assert [(w.field, w.code.value) for w in report.warnings] == [("$.messages[0].sms_cost", "unreadable")]


def test_an_answer_with_more_messages_than_the_bound_fails_that_id_before_reading_them() -> None:
    # Issue 10 point 7: a vendor-controlled count is bounded before any per-item work.
    messages = [{"msg_id": f"m{i}", "status": "sent"} for i in range(smsstatus_d7.INFO.max_batch + 1)]
    result = _fetch(["r"], FakeClient([(200, {"request_id": "r", "messages": messages})]))
    assert result.reports == ()
    (item,) = result.errors
    assert isinstance(item.error, PayloadError)
    assert item.error.field == "$.messages"


@pytest.mark.parametrize("msg_id", ["m-1\x00", "m-1\r\nforged", "x" * 300])
def test_a_message_id_that_cannot_be_queried_fails_that_message(msg_id: str) -> None:
    # Issue 10 point 11: an id with a NUL or other control character was stored but could not be queried.
    body = {
        "request_id": "r",
        "messages": [{"msg_id": msg_id, "status": "sent"}, {"msg_id": "ok", "status": "sent"}],
    }
    result = _fetch(["r"], FakeClient([(200, body)]))
    assert [r.message_id for r in result.reports] == ["ok"]
    (item,) = result.errors
    assert isinstance(item.error, PayloadError)
    assert item.error.field == "$.messages[0].msg_id"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2021-08-05T12:52+05:30", "2021-08-05T07:22:00Z"),  # D7's send-page example: no seconds
        ("2025-01-01T00:30:00-03:00", "2025-01-01T03:30:00Z"),
        ("2025-06-10T07:22:00Z", "2025-06-10T07:22:00Z"),
        ("2025-06-10T07:22:00.250Z", "2025-06-10T07:22:00.250000Z"),
        ("2025-06-10T07:22:00", "2025-06-10T07:22:00Z"),  # zone-less: UTC assumed
        ("", None),
        (None, None),
    ],
)
def test_schedule_time(given: str | None, expected: str | None) -> None:
    record = Record("d7", {"schedule_time": given})
    assert record.optional("schedule_time", smsstatus_d7.message_log.schedule_time) == expected
    assert record.warnings == ()


@pytest.mark.parametrize("given", ["tomorrow", "2025-13-01T00:00:00Z", 1749545540, "0001-01-01T00:00+01:00"])
def test_schedule_time_in_an_unknown_format_is_null_with_a_warning(given: object) -> None:
    # Issue 10 point 12: it used to turn the whole message into an item error.
    record = Record("d7", {"schedule_time": given}, "$.messages[0]")
    assert record.optional("schedule_time", smsstatus_d7.message_log.schedule_time) is None
    (warning,) = record.warnings
    assert (warning.field, warning.code.value) == ("$.messages[0].schedule_time", "unreadable")


def test_fetch_token_never_in_errors() -> None:
    import httpx

    token = "fixture-secret-token-123"
    body = {"detail": {"code": "X", "message": f"token {token} refused"}}
    with pytest.raises(VendorError) as info:
        REGISTRY.fetch(
            "d7",
            ["r"],
            {"api_token": token},
            transport=httpx.MockTransport(lambda _request: httpx.Response(401, json=body)),
            sleep=lambda _s: None,
        )
    assert info.value.http_status == 401
    assert token not in str(info.value)
    assert token not in info.value.message


# -- the lean path's multipart reader ----------------------------------------------------------
# Core's fast_multipart reads the fields (tested against the MIME parser in
# tests/test_hotpath.py); here, that it reads D7's postback as D7 sends it.
MP_TYPE = "multipart/form-data; boundary=d7-b"


def _part(name: str, value: str) -> str:
    return f'--d7-b\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'


PLAIN = (
    _part("msg_id", "7052cd16-75fe-11ed-9e31-0242ac14001c") + _part("status", "delivered") + "--d7-b--\r\n"
)


def test_fast_multipart_reads_d7s_postback() -> None:
    assert fast_multipart(MP_TYPE, PLAIN.encode()) == {
        "msg_id": "7052cd16-75fe-11ed-9e31-0242ac14001c",
        "status": "delivered",
    }
    assert fast_multipart(MP_TYPE, (_part("a", "x") + "--d7-b--").encode().replace(b"x", b"\xff")) is None
