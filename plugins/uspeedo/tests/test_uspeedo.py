"""Tests of the uSpeedo plugin: every fixture case, plus targeted unit tests
whose expected values are reasoned from the vendor's docs and SDK, not
printed by the plugin."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import smsstatus_uspeedo
from smsstatus.plugin import (
    AuthenticationError,
    Channel,
    Credentials,
    FetchResult,
    HttpClient,
    MappingKind,
    NotFoundError,
    PayloadError,
    PushRequest,
    Reason,
    Status,
    VendorError,
    WarningCode,
)
from smsstatus.plugin.testing import Registry, fast_path_mode, load, load_cases, run_case
from smsstatus_uspeedo import pull, signature
from smsstatus_uspeedo.receipts import build_report

REGISTRY = Registry(vendors={"uspeedo": smsstatus_uspeedo})
CASES = load_cases(REGISTRY.info("uspeedo"))
CREDS = {"access_key_id": "key-id-1", "access_key_secret": "secret-1", "account_id": "60000011"}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture(case: Any) -> None:
    run_case(REGISTRY, case)


def test_fixture_files_cover_every_kind() -> None:
    kinds = {c.kind for c in CASES}
    assert kinds == {"push", "fetch", "map"}
    assert len(CASES) >= 80


# -- loading -------------------------------------------------------------------


def test_entry_point_is_found() -> None:
    registry = load(environ={})
    assert "uspeedo" in registry.vendors
    loaded = registry.vendors["uspeedo"]
    assert loaded.distribution == "smsstatus-uspeedo"
    assert loaded.hooks == frozenset({"vendor_info", "parse_push", "fetch", "map_status"})
    assert not [f for f in registry.failures if f.name == "uspeedo"]


def test_fetch_hook_is_not_shadowed_by_a_submodule() -> None:
    # Importing smsstatus_uspeedo.pull must leave the hook function in place,
    # so a registry built after a fetch still sees the fetch capability.
    assert callable(smsstatus_uspeedo.fetch)
    assert not isinstance(smsstatus_uspeedo.fetch, type(smsstatus_uspeedo))
    registry = Registry(vendors={"uspeedo": smsstatus_uspeedo})
    assert "fetch" in registry.get("uspeedo").hooks


def test_info() -> None:
    info = REGISTRY.info("uspeedo")
    assert info.default_base_url == "https://api.uspeedo.com"
    assert info.poll is not None
    assert (info.poll.first_after, info.poll.give_up_after, info.poll.batch_limit) == (300.0, 43_200.0, 100)
    specs = {c.name: c for c in info.credentials}
    assert specs["access_key_secret"].secret and specs["access_key_secret"].required
    assert not specs["access_key_id"].secret and not specs["account_id"].secret
    assert specs["webhook_token"].used_for == "push" and not specs["webhook_token"].required
    assert info.schemas is not None and (info.schemas / "push.schema.json").is_file()
    assert (info.schemas / "get-send-receipt-response.schema.json").is_file()
    assert (info.schemas / "get-send-receipt-request.schema.json").is_file()


@pytest.mark.parametrize("documented", REGISTRY.info("uspeedo").statuses, ids=lambda d: f"{d.value}/{d.code}")
def test_documented_status_maps_as_declared(documented: Any) -> None:
    mapped = REGISTRY.map_status("uspeedo", documented.value, documented.code)
    assert (mapped.status, mapped.reason, mapped.mapping) == (
        documented.expected.status,
        documented.expected.reason,
        documented.expected.mapping,
    )


def test_every_documented_result_spelling_is_declared() -> None:
    values = {d.value for d in REGISTRY.info("uspeedo").statuses}
    for spelling in (
        "Success",
        "Fail",
        "Unknow",
        "UNKNOWN",
        "SubmitFail",
        "发送成功",
        "发送失败",
        "状态未知",
    ):
        assert spelling in values


def test_failures_carry_a_reason_and_successes_none() -> None:
    for documented in REGISTRY.info("uspeedo").statuses:
        expected = documented.expected
        if expected.status in (Status.UNDELIVERED, Status.EXPIRED, Status.REJECTED):
            assert expected.reason is not None, documented
        else:
            assert expected.reason is None, documented


# -- signature -----------------------------------------------------------------

# Vectors from uSpeedo's Go SDK (uspeedo/auth/credential_test.go): the SDK's
# own test credentials and expected signatures.
SDK_SECRET = "NTk1Mzk0MAItOWI0My10MGM4LTg0NmMMNDM0ZGM5Y2ZkMmNk"


def test_signature_matches_sdk_vector_with_scalars() -> None:
    params = {
        "Action": "CreateUSMSTemplate",
        "AccountId": "60000011",
        "Purpose": "1",
        "Template": "your code is {1}",
        "TemplateName": "demo",
    }
    assert signature.sign(params, SDK_SECRET) == "11a0430ae6f1a4dc0c656e64dfc1886b0ac4b63a"


def test_signature_matches_sdk_vector_with_array() -> None:
    params = {
        "Action": "QueryUSMSTemplate",
        "AccountId": "60000011",
        "TemplateId": ["UTA230227EL4IW1", "UTA230227JVIB02"],
    }
    assert signature.sign(params, SDK_SECRET) == "258dc3d2d7115e9e7c9f4dd4910e671e17b224f1"


def test_signature_plaintext_by_hand() -> None:
    body = {"SessionNoSet": ["a", "b"], "Action": "GetUSMSSendReceipt", "AccountId": 7}
    # keys sorted: AccountId, Action, SessionNoSet; ints as decimal; arrays concatenated
    assert signature.plaintext(body) == "AccountId7ActionGetUSMSSendReceiptSessionNoSetab"
    expected = hashlib.sha1(b"AccountId7ActionGetUSMSSendReceiptSessionNoSetabs3cret").hexdigest()
    assert signature.sign(body, "s3cret") == expected


def test_signature_flattens_nested_values() -> None:
    body = {"b": {"y": 2, "x": True}, "a": [1, {"k": "v"}, None], "c": 1.5, "d": 2.0}
    # a: "1" + "kv" + "" ; b: sorted x,y -> "xtrue" "y2"; floats without exponent or trailing .0
    assert signature.plaintext(body) == "a1kvbxtruey2c1.5d2"


def test_request_headers() -> None:
    body = pull.request_body(60000011, ["s1"])
    assert body == {"Action": "GetUSMSSendReceipt", "AccountId": 60000011, "SessionNoSet": ["s1"]}
    headers = pull.request_headers(body, "key-id-1", "secret-1")
    assert headers["X-Access-Key-Id"] == "key-id-1"
    assert (
        headers["X-Signature"]
        == hashlib.sha1(b"AccountId60000011ActionGetUSMSSendReceiptSessionNoSets1secret-1").hexdigest()
    )
    assert headers["X-Timestamp"].isdigit()
    assert abs(int(headers["X-Timestamp"]) - datetime.now(UTC).timestamp()) < 60
    assert 1 <= len(headers["X-Nonce"]) <= 32
    assert headers["X-Nonce"] != pull.request_headers(body, "key-id-1", "secret-1")["X-Nonce"]
    assert "secret-1" not in json.dumps(headers)


# -- fetch: chunking and call-level errors -------------------------------------


class _Recorder(httpx.BaseTransport):
    """Answers every call with a receipt for the first id of the call, or with
    a RetCode error for the calls listed in ``fail``."""

    def __init__(self, fail: frozenset[int] = frozenset()) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.fail = fail

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        assert request.url.path == "/api"
        assert request.url.params["Action"] == "GetUSMSSendReceipt"
        assert request.headers["X-Signature"] == signature.sign(body, "secret-1")
        if len(self.bodies) - 1 in self.fail:
            return httpx.Response(200, json={"RetCode": 215400, "Message": "Server error"})
        first = body["SessionNoSet"][0]
        receipt = {
            "Phone": "8618512345678",
            "CostCount": 1,
            "ReceiptResult": "Success",
            "ReceiptCode": "DELIVRD",
            "ReceiptDesc": "ok",
            "ReceiptTime": 1748736125,
        }
        data = [{"SessionNo": first, "ReceiptSet": [receipt]}]
        return httpx.Response(200, json={"RetCode": 0, "Action": "GetUSMSSendReceiptResponse", "Data": data})


def _fetch(ids: list[str], transport: httpx.BaseTransport) -> FetchResult:
    return REGISTRY.fetch("uspeedo", ids, CREDS, transport=transport, sleep=lambda _s: None)


def test_chunks_of_at_most_100() -> None:
    ids = [f"s{i}" for i in range(250)]
    transport = _Recorder()
    result = _fetch(ids, transport)
    assert [len(b["SessionNoSet"]) for b in transport.bodies] == [100, 100, 50]
    assert [sid for b in transport.bodies for sid in b["SessionNoSet"]] == ids
    assert all(b["AccountId"] == 60000011 for b in transport.bodies)
    assert [r.message_id for r in result.reports] == ["s0", "s100", "s200"]
    # every other id is a not-found item error, at its position in ids
    assert len(result.errors) == 247
    assert all(isinstance(e.error, NotFoundError) for e in result.errors)
    assert [e.index for e in result.errors][:3] == [1, 2, 3]
    assert {e.key for e in result.errors} == set(ids) - {"s0", "s100", "s200"}


def test_failed_call_becomes_item_errors_when_others_succeed() -> None:
    ids = [f"s{i}" for i in range(150)]
    result = _fetch(ids, _Recorder(fail=frozenset({0})))
    assert [r.message_id for r in result.reports] == ["s100"]
    vendor_errors = [e for e in result.errors if not isinstance(e.error, NotFoundError)]
    assert [e.key for e in vendor_errors] == ids[:100]
    assert all(isinstance(e.error, VendorError) and e.error.vendor_code == "215400" for e in vendor_errors)
    assert len(result.errors) == 100 + 49


def test_every_call_failing_raises() -> None:
    ids = [f"s{i}" for i in range(150)]
    with pytest.raises(VendorError) as info:
        _fetch(ids, _Recorder(fail=frozenset({0, 1})))
    assert info.value.vendor_code == "215400"
    assert info.value.http_status == 200


def test_deeply_nested_answer_is_a_payload_error() -> None:
    class Deep(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, content=b"[" * 100_000 + b"]" * 100_000)

    with pytest.raises(PayloadError) as info:
        _fetch(["s1"], Deep())
    assert info.value.field == "$"


def test_no_ids_no_calls() -> None:
    transport = _Recorder()
    result = _fetch([], transport)
    assert result.reports == () and result.errors == ()
    assert transport.bodies == []


def test_fetch_through_client_directly() -> None:
    with HttpClient("uspeedo", "https://api.uspeedo.com", transport=_Recorder()) as client:
        result = pull.fetch("uspeedo", ["x"], Credentials("uspeedo", CREDS), client)
    assert [r.status for r in result.reports] == [Status.DELIVERED]
    assert result.reports[0].received_at.tzinfo is not None


# -- receipts --------------------------------------------------------------------

RECEIVED = datetime(2025, 6, 1, 0, 5, tzinfo=UTC)


def _receipt(**changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "SessionNo": "sess-1",
        "Phone": "8618512345678",
        "CostCount": 2,
        "ReceiptTime": 1563867000,
        "ReceiptResult": "Fail",
        "ReceiptCode": "MSBLACK",
        "ReceiptDesc": "Anti-harassment blacklist.",
        "UserId": "ref-1",
    }
    item.update(changes)
    return {k: v for k, v in item.items() if v is not _DROP}


_DROP = object()


def test_receipt_fields() -> None:
    item = _receipt(AccountId=60000011, BrevityCode="CN", CountryCode="86")
    report = build_report("uspeedo", item, "$[0]", channel=Channel.PUSH, received_at=RECEIVED)
    assert report.message_id == report.batch_id == "sess-1"
    assert report.recipient == "+8618512345678"
    assert report.recipient_raw == "8618512345678"
    assert (report.status, report.reason, report.mapping) == (
        Status.REJECTED,  # MSBLACK: the carrier's gateway refused it (core carrier-code table)
        Reason.BLOCKED,
        MappingKind.EXACT,
    )
    assert report.final is True
    # 1563867000 = 18100 days (2019-07-23) + 27000 s (07:30:00)
    assert report.status_at == datetime(2019, 7, 23, 7, 30, tzinfo=UTC)
    assert report.received_at == RECEIVED
    assert report.segments == 2
    assert report.client_ref == "ref-1"
    assert report.extra == {"account_id": 60000011, "brevity_code": "CN", "country_code": "86"}
    assert report.raw is item


def test_masked_phone_has_no_e164() -> None:
    report = build_report(
        "uspeedo",
        _receipt(Phone="86185****9057"),
        "$[0]",
        channel=Channel.PUSH,
        received_at=RECEIVED,
    )
    assert report.recipient is None
    assert report.recipient_raw == "86185****9057"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1563867000, datetime(2019, 7, 23, 7, 30, tzinfo=UTC)),
        ("1563867000", datetime(2019, 7, 23, 7, 30, tzinfo=UTC)),
        (946684800, datetime(2000, 1, 1, tzinfo=UTC)),
        (0, None),
        ("0", None),
    ],
)
def test_receipt_time(value: Any, expected: datetime | None) -> None:
    report = build_report(
        "uspeedo", _receipt(ReceiptTime=value), "$[0]", channel=Channel.PUSH, received_at=RECEIVED
    )
    assert report.status_at == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (6, WarningCode.OUT_OF_RANGE),  # the doc's filler example
        (1563867000123, WarningCode.OUT_OF_RANGE),  # milliseconds
        (-1, WarningCode.OUT_OF_RANGE),
        ("9" * 5000, WarningCode.UNREADABLE),  # never int() a huge digit string
        (1.5, WarningCode.UNREADABLE),
        (True, WarningCode.UNREADABLE),
        ("soon", WarningCode.UNREADABLE),
        ("", None),
        (None, None),
        (_DROP, None),
    ],
)
def test_an_unreadable_receipt_time_is_null_with_a_warning(value: Any, code: WarningCode | None) -> None:
    # Issue 10 point 12: ReceiptTime used to be required and reject the receipt.
    report = build_report(
        "uspeedo", _receipt(ReceiptTime=value), "$.Data[3]", channel=Channel.PUSH, received_at=RECEIVED
    )
    assert report.status_at is None
    expected = [] if code is None else [("$.Data[3].ReceiptTime", code)]
    assert [(w.field, w.code) for w in report.warnings] == expected


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"SessionNo": _DROP}, "$.Data[0].SessionNo"),
        ({"SessionNo": ""}, "$.Data[0].SessionNo"),
        ({"SessionNo": 1.5}, "$.Data[0].SessionNo"),
        ({"SessionNo": "sess\x00"}, "$.Data[0].SessionNo"),
        ({"Phone": ""}, "$.Data[0].Phone"),
        ({"Phone": _DROP}, "$.Data[0].Phone"),
        ({"Phone": "8618512345678\r\n"}, "$.Data[0].Phone"),
        ({"ReceiptResult": None}, "$.Data[0].ReceiptResult"),
    ],
)
def test_bad_identity_or_result_rejects_the_receipt(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(PayloadError) as info:
        build_report("uspeedo", _receipt(**changes), "$.Data[0]", channel=Channel.PUSH, received_at=RECEIVED)
    assert info.value.field == field


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"ReceiptCode": 0}, "$.Data[0].ReceiptCode", WarningCode.UNREADABLE),
        ({"ReceiptDesc": ["x"]}, "$.Data[0].ReceiptDesc", WarningCode.UNREADABLE),
        ({"CostCount": -1}, "$.Data[0].CostCount", WarningCode.OUT_OF_RANGE),
        ({"CostCount": 10_000_000}, "$.Data[0].CostCount", WarningCode.OUT_OF_RANGE),  # point 7: <= 255
        ({"CostCount": "2"}, "$.Data[0].CostCount", WarningCode.UNREADABLE),
        ({"UserId": 5}, "$.Data[0].UserId", WarningCode.UNREADABLE),
        ({"AccountId": "x"}, "$.Data[0].AccountId", WarningCode.UNREADABLE),
        ({"BrevityCode": 1}, "$.Data[0].BrevityCode", WarningCode.UNREADABLE),
    ],
)
def test_any_other_unreadable_field_is_null_with_a_warning(
    changes: dict[str, Any], field: str, code: WarningCode
) -> None:
    item = _receipt(**changes)
    report = build_report("uspeedo", item, "$.Data[0]", channel=Channel.PUSH, received_at=RECEIVED)
    assert [(w.field, w.code) for w in report.warnings] == [(field, code)]
    assert report.raw == item


def test_numeric_session_and_phone_are_read_as_text() -> None:
    # The identity rule of every plugin (smsstatus.plugin.identity): a string or an integer.
    report = build_report(
        "uspeedo",
        _receipt(SessionNo=12, Phone=8618512345678),
        "$",
        channel=Channel.PUSH,
        received_at=RECEIVED,
    )
    assert (report.message_id, report.recipient) == ("12", "+8618512345678")


# -- push ----------------------------------------------------------------------------


def _push(body: Any, url: str = "https://hooks.example.com/u", creds: dict[str, str] | None = None) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = PushRequest.build(url=url, body=raw, content_type="application/json", received_at=RECEIVED)
    return REGISTRY.parse_push("uspeedo", request, creds or {})


def test_push_reply_is_ucloud_ack() -> None:
    result = _push({"MsgType": 2, "Data": [_receipt()]})
    assert result.reply.status_code == 200
    assert result.reply.content_type == "application/json"
    assert json.loads(result.reply.body) == {"code": 0, "message": "ok"}


@pytest.mark.parametrize(
    ("body", "lean"),
    [
        ({"MsgType": 2, "Data": [_receipt(), _receipt(SessionNo="sess-2", ReceiptCode=None)]}, True),
        ({"MsgType": 2, "Data": [_receipt(), _receipt(ReceiptTime=0)]}, False),  # "no time": read in detail
        ({"MsgType": 2, "Data": [_receipt(), _receipt(Phone=_DROP)]}, False),  # an item error
        ({"MsgType": 2, "Data": [_receipt(AccountId=60000011)]}, False),  # a pull field: kept in extra
        ({"MsgType": 2, "Data": [_receipt(CostCount=True)]}, False),  # a warning
        ({"MsgType": 2, "Data": []}, False),
        ({"MsgType": 0, "Data": [_receipt()]}, False),  # an uplink push
        ([_receipt()], False),  # the bare array
    ],
)
def test_only_documented_receipts_take_the_lean_path(body: Any, lean: bool) -> None:
    with fast_path_mode("compare") as counts:  # compare: both paths answer the same
        _push(body)
        taken = list(counts["smsstatus_uspeedo.push._lean"])
    assert taken == ([1, 0] if lean else [0, 1])


def test_a_configured_token_is_checked_by_the_detailed_path() -> None:
    with fast_path_mode("compare") as counts:
        with pytest.raises(AuthenticationError):
            _push({"MsgType": 2, "Data": [_receipt()]}, creds={"webhook_token": "tok-123456"})
        assert list(counts["smsstatus_uspeedo.push._lean"]) == [0, 1]


def test_push_batch_keeps_good_items() -> None:
    items = [_receipt(SessionNo="a"), _receipt(SessionNo="b", Phone=_DROP), "junk", _receipt(SessionNo="d")]
    result = _push({"MsgType": 2, "Data": items})
    assert [r.message_id for r in result.reports] == ["a", "d"]
    assert [(e.index, e.key) for e in result.errors] == [(1, "b"), (2, None)]
    assert [e.error.field for e in result.errors if isinstance(e.error, PayloadError)] == [
        "$.Data[1].Phone",
        "$.Data[2]",
    ]
    assert result.errors[0].raw == items[1]
    assert json.loads(result.reply.body) == {"code": 0, "message": "ok"}


def test_push_bare_array_paths() -> None:
    result = _push([_receipt(), _receipt(ReceiptTime="later"), _receipt(Phone=_DROP)])
    assert len(result.reports) == 2
    assert [w.field for w in result.reports[1].warnings] == ["$[1].ReceiptTime"]
    assert isinstance(result.errors[0].error, PayloadError)
    assert result.errors[0].error.field == "$[2].Phone"


def test_a_batch_longer_than_the_declared_bound_is_refused_before_any_item_is_read() -> None:
    # Issue 10 point 7: the bound is declared in VendorInfo and enforced before per-item work.
    limit = smsstatus_uspeedo.INFO.max_batch
    with pytest.raises(PayloadError) as info:
        _push({"MsgType": 2, "Data": [_receipt()] * (limit + 1)})
    assert info.value.field == "$.Data"
    with pytest.raises(PayloadError) as info:
        _push([_receipt()] * (limit + 1))
    assert info.value.field == "$"
    assert len(_push({"MsgType": 2, "Data": [_receipt()] * limit}).reports) == limit


@pytest.mark.parametrize("body", [b"", b"\xff\xfe", b"{", b"null", b"3", b"[" * 100_000 + b"]" * 100_000])
def test_push_unreadable_bodies(body: bytes) -> None:
    with pytest.raises(PayloadError) as info:
        _push(body)
    assert info.value.field == "$"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"MsgType": "2", "Data": []}, "$.MsgType"),
        ({"MsgType": True, "Data": []}, "$.MsgType"),
        ({"MsgType": 2}, "$.Data"),
        ({"MsgType": 2, "Data": None}, "$.Data"),
    ],
)
def test_push_bad_envelopes(body: Any, field: str) -> None:
    with pytest.raises(PayloadError) as info:
        _push(body)
    assert info.value.field == field


def test_push_token_check() -> None:
    creds = {"webhook_token": "tok-123456"}
    assert (
        len(
            _push(
                {"MsgType": 2, "Data": [_receipt()]}, url="https://h/u?a=1&token=tok-123456", creds=creds
            ).reports
        )
        == 1
    )
    for url in (
        "https://h/u",
        "https://h/u?token=",
        "https://h/u?token=tok-12345",
        "https://h/u?tok=tok-123456",
    ):
        with pytest.raises(AuthenticationError) as info:
            _push({"MsgType": 2, "Data": [_receipt()]}, url=url, creds=creds)
        assert info.value.credential == "webhook_token"
        assert "tok-123456" not in str(info.value)


def test_push_without_token_configured_ignores_query() -> None:
    result = _push({"MsgType": 2, "Data": [_receipt()]}, url="https://h/u?token=whatever")
    assert len(result.reports) == 1


def test_push_never_raises_bare_python_errors_on_odd_items() -> None:
    odd: list[Any] = [None, 1, [], {"SessionNo": None}, {"SessionNo": "s", "Phone": [], "ReceiptResult": {}}]
    result = _push({"MsgType": 2, "Data": odd})
    assert result.reports == ()
    assert len(result.errors) == len(odd)
    assert all(isinstance(e.error, PayloadError) for e in result.errors)


def test_documented_meanings_are_what_the_docs_say() -> None:
    # build_report reads DOCUMENTED_MEANINGS before the memoised map_receipt:
    # one entry per documented (result, code) pair, each the documented meaning.
    from smsstatus_uspeedo.mapping import DOCUMENTED_MEANINGS, DOCUMENTED_STATUSES, map_receipt

    assert len(DOCUMENTED_MEANINGS) == len({(d.value, d.code) for d in DOCUMENTED_STATUSES})
    for documented in DOCUMENTED_STATUSES:
        mapped = DOCUMENTED_MEANINGS[(documented.value, documented.code)]
        assert mapped == documented.expected == map_receipt(documented.value, documented.code)
