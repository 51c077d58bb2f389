"""Message-level status from per-part reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from smsstatus import Channel, Part, Reason, Status, StatusReport
from smsstatus.multipart import combine_parts

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def part(
    index: int, status: Status, total: int = 3, minute: int = 0, reason: Reason | None = None
) -> StatusReport:
    return StatusReport(
        vendor="huawei",
        message_id="m",
        status=status,
        reason=reason,
        part=Part(index, total),
        status_at=T0 + timedelta(minutes=minute),
        received_at=T0 + timedelta(minutes=minute, seconds=5),
        channel=Channel.PUSH,
        raw={},
    )


def test_delivered_only_when_every_part_is() -> None:
    two = combine_parts([part(1, Status.DELIVERED), part(2, Status.DELIVERED)])
    assert two.status is Status.ACCEPTED and two.missing == (3,)  # part 3 not reported yet
    assert not two.final
    three = combine_parts([part(i, Status.DELIVERED) for i in (1, 2, 3)])
    assert three.status is Status.DELIVERED and three.final and three.missing == ()


def test_any_failed_part_fails_the_message_with_the_most_telling_failure() -> None:
    outcome = combine_parts(
        [
            part(1, Status.DELIVERED),
            part(2, Status.EXPIRED, reason=Reason.EXPIRED),
            part(3, Status.REJECTED, reason=Reason.BLOCKED),
        ]
    )
    assert outcome.status is Status.REJECTED and outcome.reason is Reason.BLOCKED and outcome.final


def test_a_late_non_final_report_never_undoes_a_final_one() -> None:
    outcome = combine_parts(
        [part(1, Status.DELIVERED, total=1, minute=5), part(1, Status.SENT, total=1, minute=9)]
    )
    assert outcome.status is Status.DELIVERED


def test_least_advanced_part_sets_an_unfinished_message() -> None:
    outcome = combine_parts([part(1, Status.DELIVERED), part(2, Status.SENT), part(3, Status.UNKNOWN)])
    assert outcome.status is Status.UNKNOWN and not outcome.final


def test_reports_without_part_are_a_single_part_message_and_empty_input_fails() -> None:
    single = StatusReport(
        vendor="d7", message_id="m", status=Status.DELIVERED, channel=Channel.FETCH, received_at=T0, raw={}
    )
    assert combine_parts([single]).status is Status.DELIVERED
    with pytest.raises(ValueError):
        combine_parts([])


def test_combining_costs_at_most_max_parts_steps_whatever_total_a_stored_report_claims() -> None:
    # Issue 10 point 7: a report stored before plugins bounded part numbers (total=10000000 took
    # seconds and hundreds of MB) must not make combining expensive: totals are capped at 255.
    outcome = combine_parts([part(1, Status.DELIVERED, total=10_000_000)])
    assert outcome.total == 255
    assert len(outcome.missing) == 254
    assert combine_parts([part(1, Status.DELIVERED)], total=10**9).total == 255
