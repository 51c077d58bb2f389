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


# -- segments named by ref (gateway-split messages: Kannel %F, Jasmin id_smsc) --


def segment(
    ref: str | None,
    status: Status,
    minute: int = 0,
    count: int | None = None,
    reason: Reason | None = None,
) -> StatusReport:
    return StatusReport(
        vendor="gateway",
        message_id="m",
        status=status,
        reason=reason,
        segments=count,
        part_ref=ref,
        status_at=T0 + timedelta(minutes=minute),
        received_at=T0 + timedelta(minutes=minute, seconds=5),
        channel=Channel.PUSH,
        raw={},
    )


def test_one_delivered_segment_does_not_deliver_a_message_whose_other_segment_is_in_flight() -> None:
    outcome = combine_parts([segment("A", Status.DELIVERED), segment("B", Status.SENT)])
    assert outcome.status is Status.SENT
    assert not outcome.final
    assert set(outcome.segments) == {"A", "B"}
    assert outcome.total is None  # nothing said how many


def test_a_failed_segment_fails_the_message_whatever_came_first() -> None:
    reports = [
        segment("A", Status.DELIVERED, minute=1),
        segment("B", Status.UNDELIVERED, minute=2, reason=Reason.UNREACHABLE),
    ]
    for order in (reports, reports[::-1]):
        outcome = combine_parts(order)
        assert (outcome.status, outcome.reason) == (Status.UNDELIVERED, Reason.UNREACHABLE)


def test_without_a_count_the_segments_heard_of_are_all_of_them() -> None:
    # The documented rule 5: no count, every known segment delivered.
    outcome = combine_parts([segment("A", Status.DELIVERED), segment("B", Status.DELIVERED)])
    assert outcome.status is Status.DELIVERED
    assert outcome.unheard == 0


def test_with_a_count_delivered_only_when_that_many_segments_are() -> None:
    two_of_three = [segment("A", Status.DELIVERED), segment("B", Status.DELIVERED)]
    told = combine_parts(two_of_three, total=3)
    assert (told.status, told.total, told.unheard) == (Status.ACCEPTED, 3, 1)
    # The count may come from a segment's own report (segments).
    carried = combine_parts([segment("A", Status.DELIVERED, count=3), segment("B", Status.DELIVERED)])
    assert (carried.status, carried.total, carried.unheard) == (Status.ACCEPTED, 3, 1)
    third = combine_parts([*two_of_three, segment("C", Status.DELIVERED)], total=3)
    assert (third.status, third.unheard) == (Status.DELIVERED, 0)


def test_per_segment_the_settled_report_wins_and_duplicates_change_nothing() -> None:
    reports = [
        segment("A", Status.DELIVERED, minute=2),
        segment("A", Status.SENT, minute=5),  # late, non-final: never replaces the final
        segment("B", Status.SENT, minute=1),
        segment("B", Status.DELIVERED, minute=3),
        segment("B", Status.DELIVERED, minute=3),
    ]
    outcome = combine_parts(reports)
    assert outcome.status is Status.DELIVERED
    assert outcome.segments["A"].status_at == T0 + timedelta(minutes=2)


def test_a_report_naming_no_segment_speaks_for_the_whole_message() -> None:
    # A refused submit has no SMSC id: its failure fails the message...
    refused = segment(None, Status.REJECTED, reason=Reason.RATE_LIMITED)
    outcome = combine_parts([segment("A", Status.DELIVERED), refused])
    assert (outcome.status, outcome.reason) == (Status.REJECTED, Reason.RATE_LIMITED)
    # ...while its progress is left to the segments (it is no segment of its own).
    acknowledged = segment(None, Status.SENT)
    assert combine_parts([acknowledged, segment("A", Status.DELIVERED)]).status is Status.DELIVERED


def test_segments_are_bounded_like_parts() -> None:
    many = [segment(f"s{i}", Status.DELIVERED) for i in range(1000)]
    outcome = combine_parts([*many, segment("late", Status.UNDELIVERED)])
    assert len(outcome.segments) == 255
    # Past the bound a segment still counts for the whole message: its failure is not lost.
    assert outcome.status is Status.UNDELIVERED
    assert combine_parts(many, total=10**9).total == 255


def test_reports_without_refs_combine_as_before() -> None:
    outcome = combine_parts([part(1, Status.DELIVERED), part(2, Status.SENT)])
    assert (outcome.segments, outcome.unheard) == ({}, 0)
    assert outcome.missing == (3,)
