"""The aws plugin's lean path: which pushes it takes, and that each it takes
gets the detailed path's answer (``fast_path_mode("compare")`` parses every
push it takes both ways and fails on any difference)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import smsstatus_aws
from hypothesis import example, given
from hypothesis import strategies as st
from smsstatus.plugin import PushRequest, SmsStatusError, from_epoch_millis
from smsstatus.plugin.testing import PluginError, Registry, fast_path_mode
from smsstatus_aws.lean import MAX_MILLIS, MIN_MILLIS, _millis

REGISTRY = Registry(vendors={"aws": smsstatus_aws})
LEAN = "smsstatus_aws.push._lean"
RECEIVED = datetime(2024, 8, 6, 13, 37, 32, tzinfo=UTC)

#: AWS's documented event (user guide, "Monitoring with Amazon EventBridge").
EVENT: dict[str, Any] = {
    "eventType": "TEXT_SUCCESSFUL",
    "eventVersion": "1.0",
    "eventTimestamp": 1722951451456,
    "isFinal": False,
    "originationPhoneNumber": "+18005550199",
    "destinationPhoneNumber": "+14255550100",
    "isoCountryCode": "us",
    "mcc": "310",
    "mnc": "80",
    "carrierName": "Example Wireless",
    "messageId": "b5b3c4d9-5d3f-4c5e-8b9f-0123456789ab",
    "messageRequestTimestamp": 1722951450964,
    "messageEncoding": "GSM",
    "messageType": "TRANSACTIONAL",
    "messageStatus": "SUCCESSFUL",
    "messageStatusDescription": "Message has been accepted by the carrier",
    "context": {"orderId": "42"},
    "totalMessageParts": 2,
    "totalMessagePrice": 0.01162,
    "totalCarrierFee": 0,
    "configurationSetName": "status-events",
}


def _push(body: Any, headers: list[tuple[str, str]] | None = None) -> PushRequest:
    return PushRequest(
        headers=[("Content-Type", "application/json"), *(headers or [])],
        body=json.dumps(body).encode(),
        received_at=RECEIVED,
    )


def _taken(request: PushRequest, credentials: dict[str, str] | None = None) -> tuple[int, int]:
    """(taken by the lean path, passed on) for one push, both paths compared."""
    with fast_path_mode("compare") as counts:
        try:
            REGISTRY.parse_push("aws", request, credentials)
        except PluginError:
            raise  # a difference between the two paths (FastPathMismatch) or a bug
        except SmsStatusError:
            pass  # the detailed path's refusal: which path answered is what counts here
        took, passed = counts[LEAN]
    return took, passed


def test_the_documented_event_is_taken_and_read_as_aws_documents_it() -> None:
    assert _taken(_push(EVENT)) == (1, 0)
    (report,) = REGISTRY.parse_push("aws", _push(EVENT)).reports
    # From the event above: TEXT_SUCCESSFUL not final is "sent"; prices in USD.
    assert report.status.value == "sent" and report.final is False
    assert report.country == "US"
    assert report.segments == 2
    assert str(report.price.amount) == "0.01162" and report.price.currency == "USD"  # type: ignore[union-attr]
    assert report.extra["carrier_fee"] == {"amount": "0", "currency": "USD"}
    assert report.status_at == datetime(2024, 8, 6, 13, 37, 31, 456000, tzinfo=UTC)
    assert report.operator is not None and (report.operator.mcc, report.operator.mnc) == ("310", "80")
    assert report.raw == EVENT


def test_eventbridge_with_the_right_api_key_is_taken_and_a_wrong_one_is_left_to_the_detailed_path() -> None:
    envelope = {"id": "e-1", "region": "us-east-1", "detail-type": "SMS", "detail": EVENT}
    key = {"api_key": "k" * 24}
    assert _taken(_push(envelope, [("x-api-key", "k" * 24)]), key) == (1, 0)
    assert _taken(_push(envelope, [("x-api-key", "k" * 23 + "x")]), key) == (0, 1)
    assert _taken(_push(envelope), key) == (0, 1)
    assert _taken(_push(envelope, [("X-Token", "k" * 24)]), {**key, "api_key_header": "x-token"}) == (1, 0)


def _unusual() -> Iterator[tuple[str, Any]]:
    """Values the detailed path reads (or warns about) that the lean path leaves to it."""
    yield "mcc", 310  # an integer MCC: read, as a string, by the detailed path
    yield "totalMessagePrice", "0.5"
    yield "totalMessagePrice", -1.0
    yield "isFinal", "true"
    yield "eventTimestamp", "1722951451456"
    yield "eventTimestamp", MIN_MILLIS - 1
    yield "eventTimestamp", MAX_MILLIS
    yield "isoCountryCode", "USA"
    yield "totalMessageParts", 256
    yield "context", []


@pytest.mark.parametrize(("name", "value"), list(_unusual()))
def test_unusual_values_go_to_the_detailed_path(name: str, value: Any) -> None:
    assert _taken(_push({**EVENT, name: value})) == (0, 1)


@pytest.mark.parametrize(
    "headers", [[("x-amz-sns-message-type", "Notification")], [("Content-Encoding", "gzip")]]
)
def test_a_header_that_routes_elsewhere_is_left_to_the_detailed_path(headers: list[tuple[str, str]]) -> None:
    assert _taken(_push(EVENT, headers)) == (0, 1)


@pytest.mark.parametrize("millis", [MIN_MILLIS - 1, MIN_MILLIS, MAX_MILLIS - 1, MAX_MILLIS])
def test_the_lean_time_range_is_the_one_from_epoch_millis_reads(millis: int) -> None:
    try:
        from_epoch_millis(millis)
        readable = True
    except ValueError:
        readable = False
    assert readable is (MIN_MILLIS <= millis < MAX_MILLIS)
    took, _ = _taken(_push({**EVENT, "eventTimestamp": millis}))
    assert took == int(readable)


@given(st.integers(min_value=MIN_MILLIS, max_value=MAX_MILLIS - 1))
@example(MIN_MILLIS)
@example(MAX_MILLIS - 1)  # the largest float of the window: still exact to the millisecond
@example(4_102_444_799_001)
@example(1_722_951_451_456)  # the documented event's
def test_the_lean_time_is_from_epoch_millis_to_the_microsecond(millis: int) -> None:
    # The lean path reads the window by fromtimestamp of a float: the instant
    # must be exactly the integer one, in UTC.
    read = _millis(millis)
    assert read == from_epoch_millis(millis)
    assert read is not None and read.tzinfo is UTC


@pytest.mark.parametrize("is_final", [False, True])
@pytest.mark.parametrize(
    "event_type", ["TEXT_SUCCESSFUL", "TEXT_DELIVERED", "text_successful", " TEXT_SPAM", "TEXT_NEW"]
)
def test_the_lean_mapping_is_the_detailed_one(event_type: str, is_final: bool) -> None:
    # The lean path reads documented types from a table before the memoised map_event.
    request = _push({**EVENT, "eventType": event_type, "isFinal": is_final})
    assert _taken(request) == (1, 0)  # compared with the detailed path's answer
    with fast_path_mode("fast"):
        result = REGISTRY.parse_push("aws", request, {})
    expected = REGISTRY.map_status("aws", event_type, "final" if is_final else None)
    assert (result.reports[0].status, result.reports[0].reason) == (expected.status, expected.reason)
