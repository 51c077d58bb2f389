"""Tests of the sinch plugin: every fixture case, the SDKs' HMAC vector, and
the tricky parts. Expected values come from Sinch's docs and SDKs, never from
the plugin's output."""

from __future__ import annotations

import json

import pytest
import smsstatus_sinch
from smsstatus.plugin import (
    AuthenticationError,
    Capability,
    NotAStatusError,
    PayloadError,
    PushRequest,
    SmsStatusError,
    Status,
)
from smsstatus.plugin.testing import Case, PluginError, Registry, fast_path_mode, load, load_cases, run_case
from smsstatus_sinch import signature
from smsstatus_sinch.mapping import MAX_RECIPIENTS

REGISTRY = Registry(vendors={"sinch": smsstatus_sinch})
CASES = load_cases(REGISTRY.info("sinch"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture(case: Case) -> None:
    run_case(REGISTRY, case)


def test_fixture_coverage() -> None:
    assert {c.kind for c in CASES} == {"push", "fetch", "map"}
    mapped = {(c.data["status"], c.data.get("code")) for c in CASES if c.kind == "map"}
    documented = {(s.value, s.code) for s in REGISTRY.info("sinch").statuses}
    assert documented <= mapped, documented - mapped


def test_entry_point_loads() -> None:
    registry = load(environ={"SMSSTATUS_VENDORS": "sinch"})
    loaded = registry.vendors["sinch"]
    assert loaded.distribution == "smsstatus-sinch"
    assert loaded.hooks == {"vendor_info", "parse_push", "fetch", "map_status"}
    assert loaded.info.capabilities == {Capability.PUSH, Capability.FETCH}


# sinch/sinch-sdk-dotnet tests/Sinch.Tests/Conversation/WebhooksTests.cs
# (commit c2457eb4f058b5afd0fb53d18181828c001500f6), ValidateRequest: the same
# scheme the SMS SinchEvents validator uses (body.nonce.timestamp, HMAC-SHA256).
SDK_BODY = (
    '{"app_id":"","accepted_time":"2021-10-18T17:49:13.813615Z","project_id":"e2df3a34-a71b-4448-9db5-a8d2baad28e4",'
    '"contact_create_notification":{"contact":{"id":"01FJA8B466Y0R2GNXD78MD9SM1","channel_identities":'
    '[{"channel":"SMS","identity":"48123456789","app_id":""}],"display_name":"New Test Contact",'
    '"email":"new.contact@email.com","external_id":"","metadata":"","language":"EN_US"}},"message_metadata":""}'
)
SDK_SIGNATURE = "6bpJoRmFoXVjfJIVglMoJzYXxnoxRujzR4k2GOXewOE="


def _request(
    body: str, sig: str, nonce: str = "01FJA8B4A7BM43YGWSG9GBV067", ts: str = "1634579353"
) -> PushRequest:
    return PushRequest.build(
        body=body,
        content_type="application/json",
        headers=[
            ("x-sinch-webhook-signature-nonce", nonce),
            ("x-sinch-webhook-signature-timestamp", ts),
            ("x-sinch-webhook-signature", sig),
        ],
    )


def test_sdk_vector() -> None:
    assert (
        signature.sign("foo_secret1234", SDK_BODY.encode(), "01FJA8B4A7BM43YGWSG9GBV067", "1634579353")
        == SDK_SIGNATURE
    )
    signature.verify_hmac("sinch", _request(SDK_BODY, SDK_SIGNATURE), "foo_secret1234")


@pytest.mark.parametrize(
    "request_",
    [
        _request(SDK_BODY.replace("New Test", "Old Test"), SDK_SIGNATURE),
        _request(SDK_BODY, SDK_SIGNATURE, nonce="01FJA8B4A7BM43YGWSG9GBV068"),
        _request(SDK_BODY, SDK_SIGNATURE, ts="1634579354"),
    ],
    ids=["body", "nonce", "timestamp"],
)
def test_tampering_is_refused_without_leaking(request_: PushRequest) -> None:
    with pytest.raises(AuthenticationError) as info:
        signature.verify_hmac("sinch", request_, "foo_secret1234")
    expected = signature.sign(
        "foo_secret1234",
        request_.body,
        request_.headers["x-sinch-webhook-signature-nonce"],
        request_.headers["x-sinch-webhook-signature-timestamp"],
    )
    assert expected not in str(info.value) and "foo_secret1234" not in str(info.value)


def test_a_message_is_the_batch_and_the_recipient() -> None:
    body = {
        "type": "recipient_delivery_report_sms",
        "batch_id": "01FC66621XXXXX119Z8PMV1QPQ",
        "recipient": "+44231235674",
        "code": 0,
        "status": "Delivered",
        "at": "2022-08-30T08:16:08.930Z",
    }
    (report,) = REGISTRY.parse_push("sinch", PushRequest.build(body=json.dumps(body))).reports
    assert (report.message_id, report.batch_id, report.recipient) == (
        "01FC66621XXXXX119Z8PMV1QPQ",
        "01FC66621XXXXX119Z8PMV1QPQ",
        "+44231235674",
    )


def test_a_full_batch_report_bounds_its_status_entries_before_reading_them() -> None:
    # A full delivery report groups the batch's recipients by status (each entry
    # lists its recipients); entries beyond the recipients' bound are refused
    # by the plugin, not turned into thousands of item errors first.
    body = {
        "type": "delivery_report_sms",
        "batch_id": "01FC66621XXXXX119Z8PMV1QPQ",
        "statuses": [{"recipients": []}] * (MAX_RECIPIENTS + 1),
    }
    with pytest.raises(PayloadError) as caught:
        REGISTRY.parse_push("sinch", PushRequest.build(body=json.dumps(body)))
    assert caught.value.field == "$.statuses"


# -- the lean path ----------------------------------------------------------------------------
# fast_path_mode("compare") parses every push the lean path takes on the
# detailed path too and fails on any difference; the counts say which took it.
LEAN = "smsstatus_sinch.push._lean"
#: A full batch report as Sinch documents it ("Delivery report callbacks": statuses grouped by code).
FULL = {
    "type": "delivery_report_sms",
    "batch_id": "01FC66621XXXXX119Z8PMV1QPQ",
    "statuses": [
        {"code": 0, "count": 2, "status": "Delivered", "recipients": ["44231235674", "+44231235675"]},
        {"code": 403, "count": 1, "status": "Failed", "recipients": ["44231235676"]},
    ],
    "total_message_count": 3,
    "client_reference": "order-42",
}


def _paths(body: object) -> list[int]:
    """[taken by the lean path, passed on] for one push (a refusal is the detailed path's)."""
    with fast_path_mode("compare") as counts:
        try:
            REGISTRY.parse_push(
                "sinch", PushRequest.build(body=json.dumps(body), content_type="application/json")
            )
        except PluginError:
            raise  # FastPathMismatch, or a bug
        except SmsStatusError:
            pass
        return list(counts[LEAN])


def test_a_full_batch_report_takes_the_lean_path_one_report_per_recipient() -> None:
    assert _paths(FULL) == [1, 0]
    reports = REGISTRY.parse_push("sinch", PushRequest.build(body=json.dumps(FULL))).reports
    assert [(r.recipient, r.status, r.vendor_code) for r in reports] == [
        ("+44231235674", Status.DELIVERED, "0"),
        ("+44231235675", Status.DELIVERED, "0"),
        ("+44231235676", Status.UNDELIVERED, "403"),  # Failed: "Delivery failed"
    ]
    assert {r.client_ref for r in reports} == {"order-42"}
    assert reports[2].raw == {
        "type": "delivery_report_sms",
        "batch_id": "01FC66621XXXXX119Z8PMV1QPQ",
        "total_message_count": 3,
        "client_reference": "order-42",
        "status": "Failed",
        "code": 403,
        "recipient": "44231235676",
    }


def _with_entry(**changes: object) -> dict[str, object]:
    return {**FULL, "statuses": [FULL["statuses"][0], {**FULL["statuses"][1], **changes}]}  # type: ignore[index]


@pytest.mark.parametrize(
    "body",
    [
        _with_entry(recipients=None),  # a summary: counts, no recipients
        _with_entry(recipients=["44231235676", ""]),  # an item error on the detailed path
        _with_entry(code=True),  # a warning on the detailed path
        _with_entry(code=10**400),
        {**FULL, "client_reference": 7},
        {**FULL, "batch_id": 123},  # an integer id: read by the detailed path
        {**FULL, "statuses": []},
    ],
)
def test_a_batch_report_the_lean_path_does_not_take_as_it_is_goes_to_the_detailed_path(body: object) -> None:
    assert _paths(body) == [0, 1]


def test_a_summary_is_still_no_status() -> None:
    result = REGISTRY.parse_push("sinch", PushRequest.build(body=json.dumps(_with_entry(recipients=None))))
    assert result.reports == () and isinstance(result.errors[0].error, NotAStatusError)


def test_dispatched_is_in_flight() -> None:
    assert REGISTRY.map_status("sinch", "Dispatched").status is Status.SENT
    assert not REGISTRY.map_status("sinch", "Queued").final
