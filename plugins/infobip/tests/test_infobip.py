"""Tests of the infobip plugin: every fixture case, the reports drain replayed
offline, and the tricky parts. Expected values come from Infobip's
documentation (cited per case in the fixtures), never from the code."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import smsstatus_infobip
from smsstatus.plugin import (
    AuthenticationError,
    Capability,
    MappingKind,
    PayloadError,
    PushRequest,
    Status,
    VendorError,
)
from smsstatus.plugin.testing import Case, Exchange, Registry, ReplayTransport, load, load_cases, run_case
from smsstatus_infobip.reports import MAX_RESULTS, parse_time

REGISTRY = Registry(vendors={"infobip": smsstatus_infobip})
CASES = load_cases(REGISTRY.info("infobip"))
KEY = {"api_key": "fixture-infobip-key-1"}
REPORTS_URL = "https://api.infobip.com/sms/1/reports?limit=100"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture(case: Case) -> None:
    run_case(REGISTRY, case)


def test_fixture_coverage() -> None:
    assert {c.kind for c in CASES} == {"push", "fetch", "map"}
    mapped = {(c.data["status"], c.data.get("code")) for c in CASES if c.kind == "map"}
    documented = {(s.value, s.code) for s in REGISTRY.info("infobip").statuses}
    assert documented <= mapped, documented - mapped


def test_entry_point_loads() -> None:
    registry = load(environ={"SMSSTATUS_VENDORS": "infobip"})
    loaded = registry.vendors["infobip"]
    assert loaded.distribution == "smsstatus-infobip"
    assert loaded.hooks == {"vendor_info", "parse_push", "fetch", "drain", "map_status"}
    assert loaded.info.capabilities == {Capability.PUSH, Capability.FETCH, Capability.DRAIN}


# -- statuses -------------------------------------------------------------------


def test_delivered_to_operator_is_not_final() -> None:
    mapped = REGISTRY.map_status("infobip", "DELIVERED_TO_OPERATOR")
    assert (mapped.status, mapped.final) == (Status.SENT, False)


@pytest.mark.parametrize("value", ["", "   ", "DELIVERED", "délivré", "12"])
def test_unknown_values_never_raise(value: str) -> None:
    mapped = REGISTRY.map_status("infobip", value, "not-a-code")
    assert mapped.status is Status.UNKNOWN or mapped.mapping is MappingKind.VENDOR_DEFAULT


# -- times ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-11-09T16:00:00.000+0000", datetime(2019, 11, 9, 16, 0, tzinfo=UTC)),
        ("2015-02-23T17:41:11.833+0100", datetime(2015, 2, 23, 16, 41, 11, 833000, tzinfo=UTC)),
        ("2025-01-01T00:30:00.000-0530", datetime(2025, 1, 1, 6, 0, tzinfo=UTC)),
        ("2025-01-01T00:00:00Z", datetime(2025, 1, 1, tzinfo=UTC)),
    ],
)
def test_infobip_times_with_colonless_offsets(text: str, expected: datetime) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2019-11-09 16:00:00",
        "2019-11-09T16:00:00.000",
        "2019-13-09T16:00:00+0000",
        "0001-01-01T00:00:00+0100",
        5,
    ],
)
def test_bad_times_are_value_errors(text: object) -> None:
    with pytest.raises(ValueError):
        parse_time(text)


# -- push -------------------------------------------------------------------------


def _push(body: object) -> PushRequest:
    return PushRequest.build(content_type="application/json", body=json.dumps(body))


def test_a_batch_over_the_bound_is_refused_whole() -> None:
    item = {"messageId": "m", "status": {"groupId": 3, "name": "DELIVERED_TO_HANDSET"}}
    with pytest.raises(PayloadError) as caught:
        REGISTRY.parse_push("infobip", _push({"results": [item] * (MAX_RESULTS + 1)}))
    assert caught.value.field == "$.results"


def test_an_unreadable_optional_field_is_null_with_a_warning() -> None:
    good = {"messageId": "a", "status": {"groupId": 3, "name": "DELIVERED_TO_HANDSET"}}
    odd = {
        "messageId": "b",
        "doneAt": "yesterday",
        "mccMnc": "2341",
        "price": {"pricePerMessage": "0.01", "currency": "euro"},
        "status": {"groupId": 3, "name": "DELIVERED_TO_HANDSET"},
    }
    result = REGISTRY.parse_push("infobip", _push({"results": [good, odd]}))
    assert result.errors == ()
    report = result.reports[1]
    assert (report.message_id, report.status, report.status_at, report.price, report.operator) == (
        "b",
        Status.DELIVERED,
        None,
        None,
        None,
    )
    assert {w.field for w in report.warnings} == {
        "$.results[1].doneAt",
        "$.results[1].mccMnc",
        "$.results[1].price.currency",
    }
    assert report.raw == odd and result.reports[0].warnings == ()


def test_a_part_count_beyond_one_sms_is_null_with_a_warning_and_no_price() -> None:
    # smsCount is "the number of parts the message content was split into"; a
    # concatenated SMS has at most 255 (the canonical schema's bound), and with
    # the count unknown so is the total of pricePerMessage x parts.
    item = {
        "messageId": "m",
        "smsCount": 100000,
        "price": {"pricePerMessage": "0.01", "currency": "EUR"},
        "status": {"groupId": 3, "name": "DELIVERED_TO_HANDSET"},
    }
    (report,) = REGISTRY.parse_push("infobip", _push({"results": [item]})).reports
    assert (report.status, report.segments, report.price) == (Status.DELIVERED, None, None)
    assert [(w.field, w.code.value) for w in report.warnings] == [("$.results[0].smsCount", "out_of_range")]
    assert report.extra["price_per_message"] == "0.01" and report.raw == item


def test_an_unreadable_status_rejects_only_its_record() -> None:
    good = {"messageId": "a", "status": {"groupId": 3, "name": "DELIVERED_TO_HANDSET"}}
    bad = {"messageId": "b", "status": {"groupId": "three", "name": 5}}
    result = REGISTRY.parse_push("infobip", _push({"results": [good, bad]}))
    assert [r.message_id for r in result.reports] == ["a"]
    assert [(e.index, e.key, e.raw) for e in result.errors] == [(1, "b", bad)]


def test_an_ambiguous_network_code_keeps_the_fused_value() -> None:
    # MCC 234 (United Kingdom) has 2-digit MNCs only: a 6-digit 234010 is not guessed.
    item = {"messageId": "a", "mccMnc": "234010", "status": {"groupId": 3, "name": "DELIVERED_TO_HANDSET"}}
    (report,) = REGISTRY.parse_push("infobip", _push({"results": [item]})).reports
    assert report.operator is not None and (report.operator.mcc, report.operator.mnc) == ("234", None)
    assert report.extra["network_code"] == "234010"


def test_price_is_per_part_times_parts() -> None:
    item = {
        "messageId": "a",
        "smsCount": 3,
        "price": {"pricePerMessage": "0.0450", "currency": "eur"},
        "status": {"groupId": 3, "name": "DELIVERED_TO_HANDSET"},
    }
    (report,) = REGISTRY.parse_push("infobip", _push({"results": [item]})).reports
    assert report.price is not None
    assert (report.price.amount, report.price.currency) == (Decimal("0.1350"), "EUR")


def test_authentication_errors_show_no_secret() -> None:
    creds = {"webhook_password": "fixture-secret-777"}
    request = PushRequest.build(
        content_type="application/json",
        body=b'{"results": []}',
        headers={"Authorization": "Basic ZHVtbXk6Zml4dHVyZS1zZWNyZXQtNzc4"},  # dummy:fixture-secret-778
    )
    with pytest.raises(AuthenticationError) as caught:
        REGISTRY.parse_push("infobip", request, creds)
    assert "fixture-secret-77" not in str(caught.value)


# -- drain (GET /sms/1/reports) -------------------------------------------------------


def _reports_exchange(items: list[object], status: int = 200) -> Exchange:
    return Exchange(
        {"method": "GET", "url": REPORTS_URL, "headers": {"Authorization": "App fixture-infobip-key-1"}},
        {"status_code": status, "body": {"json": {"results": items}}, "received_at": "2025-06-10T09:05:00Z"},
    )


def _item(message_id: str) -> dict[str, object]:
    return {
        "messageId": message_id,
        "to": "41793026727",
        "doneAt": "2019-11-09T16:00:00.000+0000",
        "status": {"groupId": 3, "groupName": "DELIVERED", "id": 5, "name": "DELIVERED_TO_HANDSET"},
    }


def test_drain_reads_one_batch_per_call() -> None:
    transport = ReplayTransport([_reports_exchange([_item("m-1"), _item("m-2")])])
    result = REGISTRY.drain("infobip", KEY, transport=transport)
    transport.verify()
    assert [(r.message_id, r.status, r.channel.value) for r in result.reports] == [
        ("m-1", Status.DELIVERED, "fetch"),
        ("m-2", Status.DELIVERED, "fetch"),
    ]
    assert result.more is False  # 2 < the limit of 100: Infobip holds no more


def test_a_full_batch_says_there_may_be_more() -> None:
    transport = ReplayTransport([_reports_exchange([_item(f"m-{i}") for i in range(100)])])
    assert REGISTRY.drain("infobip", KEY, transport=transport).more is True


def test_an_unreadable_drained_body_is_kept_raw() -> None:
    exchange = Exchange(
        {"method": "GET", "url": REPORTS_URL},
        {"status_code": 200, "body": {"text": '{"results": [{"messageId": "m-1"'}},
    )
    result = REGISTRY.drain("infobip", KEY, transport=ReplayTransport([exchange]))
    assert result.reports == ()
    (error,) = result.errors
    assert isinstance(error.error, PayloadError)
    assert error.raw == '{"results": [{"messageId": "m-1"'


def test_a_refused_drain_raises_and_consumed_nothing() -> None:
    exchange = Exchange(
        {"method": "GET", "url": REPORTS_URL},
        {
            "status_code": 401,
            "body": {
                "json": {
                    "requestError": {
                        "serviceException": {"messageId": "UNAUTHORIZED", "text": "Invalid login details"}
                    }
                }
            },
        },
    )
    with pytest.raises(VendorError) as caught:
        REGISTRY.drain("infobip", KEY, transport=ReplayTransport([exchange]))
    assert (caught.value.http_status, caught.value.vendor_code) == (401, "UNAUTHORIZED")
    assert "fixture-infobip-key-1" not in str(caught.value)
