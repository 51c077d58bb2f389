"""Canonical model: derived finality, JSON round trip through the schema."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import attrs
import pytest
from smsstatus import Channel, MappingKind, Money, Operator, Part, Reason, Status, StatusReport
from smsstatus.schemas import errors_of, validator
from smsstatus.serialize import InvalidReportError, format_instant, from_dict, to_dict

FINAL = {Status.DELIVERED, Status.UNDELIVERED, Status.EXPIRED, Status.REJECTED}


def full_report() -> StatusReport:
    return StatusReport(
        vendor="acme",
        message_id="627239445736452096",
        batch_id="I8393346_2506101652_35",
        recipient="+8618888888888",
        recipient_raw="8618888888888",
        sender="ACME",
        status=Status.UNDELIVERED,
        mapping=MappingKind.VENDOR_DEFAULT,
        reason=Reason.UNREACHABLE,
        vendor_status="UNDELIV",
        vendor_code="000",
        vendor_description="delivery failed",
        client_ref="order-42",
        segments=2,
        part=Part(1, 2),
        price=Money(Decimal("0.05670"), "CNY"),
        country="CN",
        operator=Operator(mcc="460", mnc="2", name="China Mobile"),
        submitted_at=datetime(2025, 6, 10, 8, 52, 18, 198000, tzinfo=UTC),
        status_at=datetime(2025, 6, 10, 16, 52, 20, 967000, tzinfo=timezone(timedelta(hours=8))),
        notified_at=datetime(2025, 6, 10, 8, 52, 20, 975000, tzinfo=UTC),
        received_at=datetime(2025, 6, 10, 8, 52, 21, tzinfo=UTC),
        channel=Channel.PUSH,
        extra={"unit_price": "0.05670"},
        raw={"status": "UNDELIV", "fee": "0.0567"},
    )


@pytest.mark.parametrize("status", list(Status))
def test_final_follows_from_status(status: Status) -> None:
    report = StatusReport(
        vendor="v",
        message_id=None,
        status=status,
        channel=Channel.FETCH,
        received_at=datetime(2025, 1, 1, tzinfo=UTC),
        raw={},
    )
    assert report.final is (status in FINAL)
    assert status.final is (status in FINAL)


def test_unknown_is_not_final_and_scheduled_is_not_final() -> None:
    assert not Status.UNKNOWN.final
    assert not Status.SCHEDULED.final


def test_json_round_trip_validates_against_the_schema() -> None:
    report = full_report()
    data = to_dict(report)
    assert errors_of(validator("status-report"), data) == []
    assert data["final"] is True
    assert data["price"] == {"amount": "0.05670", "currency": "CNY"}
    # the +08:00 vendor time is stored as the same instant in UTC
    assert data["status_at"] == "2025-06-10T08:52:20.967Z"
    assert data["part"] == {"index": 1, "total": 2}
    assert from_dict(data) == report


def test_minimal_report_validates() -> None:
    report = StatusReport(
        vendor="d7",
        message_id=None,
        status=Status.SENT,
        channel=Channel.PUSH,
        received_at=datetime(2025, 1, 1, tzinfo=UTC),
        raw={},
    )
    data = to_dict(report)
    assert errors_of(validator("status-report"), data) == []
    assert data["final"] is False and data["reason"] is None and data["operator"] is None


def test_schema_rejects_what_the_contract_forbids() -> None:
    data = to_dict(full_report())
    bad_cases = {
        "recipient": "8618888888888",  # no '+'
        "status": "failed",  # not canonical
        "country": "CHN",  # not alpha-2
        "received_at": "2025-06-10T08:52:21+08:00",  # not UTC 'Z'
        "price": {"amount": 0.05, "currency": "CNY"},  # float amount
        "channel": "poll",
    }
    for key, value in bad_cases.items():
        assert errors_of(validator("status-report"), {**data, key: value}), key
    missing = dict(data)
    del missing["raw"]
    assert errors_of(validator("status-report"), missing)


def test_part_ref_round_trips_and_a_report_stored_before_it_reads_as_null() -> None:
    segment = attrs.evolve(full_report(), part=None, segments=None, part_ref="0A1B2C3D")
    data = to_dict(segment)
    assert data["part_ref"] == "0A1B2C3D"
    assert errors_of(validator("status-report"), data) == []
    assert from_dict(data) == segment
    # Schema 1.1 data (no part_ref key) is still a valid report naming no segment.
    older = to_dict(full_report())
    del older["part_ref"]
    assert errors_of(validator("status-report"), older) == []
    assert from_dict(older).part_ref is None
    for bad in ("", "x" * 257, 42):
        assert errors_of(validator("status-report"), {**data, "part_ref": bad}), bad


def test_structuring_rejects_floats_naive_times_and_contradictions() -> None:
    data = to_dict(full_report())
    with pytest.raises(InvalidReportError, match=r"expected Decimal @ \$\.price\.amount"):
        from_dict({**data, "price": {"amount": 0.1, "currency": "CNY"}})
    with pytest.raises(InvalidReportError, match=r"@ \$\.status_at"):
        from_dict({**data, "status_at": "2025-06-10T08:52:20"})
    with pytest.raises(InvalidReportError, match=r"\$\.final: False contradicts"):
        from_dict({**data, "final": False})


def test_format_instant_precision() -> None:
    assert format_instant(datetime(2025, 1, 1, tzinfo=UTC)) == "2025-01-01T00:00:00Z"
    assert format_instant(datetime(2025, 1, 1, 0, 0, 0, 5000, tzinfo=UTC)) == "2025-01-01T00:00:00.005Z"
    assert format_instant(datetime(2025, 1, 1, 0, 0, 0, 5, tzinfo=UTC)) == "2025-01-01T00:00:00.000005Z"
    with pytest.raises(ValueError):
        format_instant(datetime(2025, 1, 1))


def test_reason_retry_advice_is_defined_for_every_reason() -> None:
    assert Reason.INVALID_NUMBER.retry_later is False and Reason.INVALID_NUMBER.retry_elsewhere is False
    assert Reason.OPTED_OUT.retry_elsewhere is False
    assert Reason.RATE_LIMITED.retry_later is True
    assert (
        Reason.UNSUPPORTED_DESTINATION.retry_elsewhere is True
        and not Reason.UNSUPPORTED_DESTINATION.retry_later
    )
    schema_reasons = set(validator("status-report").schema["$defs"]["reason"]["enum"])
    assert schema_reasons == {r.value for r in Reason}
    assert set(validator("status-report").schema["$defs"]["status"]["enum"]) == {s.value for s in Status}
