"""Segments named by ref (``StatusReport.part_ref``) on both stores: gateways
such as Kannel and Jasmin split a long message themselves and report each
segment under the message's id with the segment's own SMSC id and no part
number. The tracker keeps one state per segment and combines them by
docs/multipart.md rules 1-6."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

from smsstatus import Channel, Reason, Status, StatusReport
from smsstatus.tracker import StatusChange, Store, Tracker, event_key
from smsstatus.tracker.keys import FIRST_SEGMENT_INDEX

T0 = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)


def receipt(
    ref: str | None,
    status: Status,
    minute: int = 0,
    *,
    mid: str = "app-42",
    count: int | None = None,
    reason: Reason | None = None,
    code: str | None = None,
) -> StatusReport:
    return StatusReport(
        vendor="gateway",
        message_id=mid,
        recipient="+46701234567",
        status=status,
        reason=reason,
        vendor_status=status.value,
        vendor_code=code,
        segments=count,
        part_ref=ref,
        status_at=T0 + timedelta(minutes=minute),
        received_at=T0 + timedelta(minutes=minute, seconds=2),
        channel=Channel.PUSH,
        raw={"id": mid},
    )


def record(tracker: Tracker, mid: str = "app-42") -> object:
    (found,) = tracker.message("gateway", mid)
    return found


def test_a_delivered_segment_no_longer_hides_a_failed_one(tracker: Tracker) -> None:
    # The case that motivated part_ref: two receipts at the same minute for
    # one message; before, the first final settled the message as delivered
    # and the failure became a final_conflict in the history.
    tracker.apply([receipt("0A1B", Status.DELIVERED, 1)])
    tracker.apply([receipt("0A1C", Status.UNDELIVERED, 1, reason=Reason.UNREACHABLE)])
    (found,) = tracker.message("gateway", "app-42")
    assert (found.status, found.reason, found.final) == (Status.UNDELIVERED, Reason.UNREACHABLE, True)
    assert {(p.ref, p.status) for p in found.parts} == {
        ("0A1B", Status.DELIVERED),
        ("0A1C", Status.UNDELIVERED),
    }
    assert sorted(p.index for p in found.parts) == [FIRST_SEGMENT_INDEX, FIRST_SEGMENT_INDEX + 1]
    assert [e.decision.value for e in found.history] == ["first", "first"]


def test_one_delivered_segment_of_two_known_keeps_the_message_in_flight(tracker: Tracker) -> None:
    tracker.apply([receipt("A", Status.SENT, 0), receipt("B", Status.SENT, 0)])
    tracker.apply([receipt("A", Status.DELIVERED, 2)])
    (found,) = tracker.message("gateway", "app-42")
    assert (found.status, found.final) == (Status.SENT, False)
    tracker.apply([receipt("B", Status.DELIVERED, 3)])
    (found,) = tracker.message("gateway", "app-42")
    assert (found.status, found.final) == (Status.DELIVERED, True)
    assert found.parts_total is None  # nothing said how many: the two heard of are all


def test_a_count_holds_delivery_until_that_many_segments_are_delivered(tracker: Tracker) -> None:
    tracker.apply([receipt("A", Status.DELIVERED, 1, count=3), receipt("B", Status.DELIVERED, 1, count=3)])
    (found,) = tracker.message("gateway", "app-42")
    assert (found.status, found.parts_total) == (Status.ACCEPTED, 3)  # the third is not heard of yet
    tracker.apply([receipt("C", Status.DELIVERED, 2, count=3)])
    (found,) = tracker.message("gateway", "app-42")
    assert (found.status, found.final, found.parts_total) == (Status.DELIVERED, True, 3)


def test_equal_receipts_of_two_segments_are_two_events_and_a_retry_is_a_duplicate(tracker: Tracker) -> None:
    first = tracker.apply([receipt("A", Status.DELIVERED, 1), receipt("B", Status.DELIVERED, 1)])
    assert [o.duplicate for o in first.outcomes] == [False, False]
    retry = tracker.apply([receipt("B", Status.DELIVERED, 1)])
    assert [o.duplicate for o in retry.outcomes] == [True]
    assert event_key(receipt("A", Status.DELIVERED, 1)) != event_key(receipt("B", Status.DELIVERED, 1))


def test_event_keys_of_reports_naming_no_segment_did_not_change() -> None:
    # Stored keys must keep matching their vendors' retries: the key of a
    # report without part_ref is the documented field list, nothing added.
    report = receipt(None, Status.DELIVERED, 1, code="000")
    fields = ["gateway", "app-42", "+46701234567", 1, "delivered", "delivered", "000"]
    fields += ["2025-06-10T12:01:00+00:00", None, None]
    text = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    assert event_key(report) == hashlib.sha256(text.encode()).hexdigest()


def test_a_refused_submit_naming_no_segment_fails_the_message(tracker: Tracker) -> None:
    tracker.apply([receipt("A", Status.DELIVERED, 1)])
    tracker.apply([receipt(None, Status.REJECTED, 1, reason=Reason.RATE_LIMITED)])
    (found,) = tracker.message("gateway", "app-42")
    assert (found.status, found.reason) == (Status.REJECTED, Reason.RATE_LIMITED)


def test_a_whole_message_acknowledgement_does_not_hold_the_segments_back(tracker: Tracker) -> None:
    # Jasmin's level-1 receipt (the submit accepted) names no segment.
    tracker.apply([receipt(None, Status.SENT, 0)])
    tracker.apply([receipt("A", Status.DELIVERED, 1)])
    (found,) = tracker.message("gateway", "app-42")
    assert (found.status, found.final) == (Status.DELIVERED, True)
    assert {p.index: p.ref for p in found.parts} == {1: None, FIRST_SEGMENT_INDEX: "A"}


def test_segment_numbers_survive_across_calls_and_changes_name_the_segment(store: Store) -> None:
    seen: list[StatusChange] = []
    tracker = Tracker(store, on_change=seen.append)
    tracker.apply([receipt("A", Status.SENT, 0)])
    tracker.apply([receipt("B", Status.SENT, 0), receipt("A", Status.DELIVERED, 1)])
    tracker.apply([receipt("B", Status.DELIVERED, 2)])
    assert [(c.part_ref, c.part_index, c.status) for c in seen] == [
        ("A", FIRST_SEGMENT_INDEX, Status.SENT),
        ("B", FIRST_SEGMENT_INDEX + 1, Status.SENT),
        ("A", FIRST_SEGMENT_INDEX, Status.DELIVERED),
        ("B", FIRST_SEGMENT_INDEX + 1, Status.DELIVERED),
    ]
    assert [c.message_status for c in seen] == [Status.SENT, Status.SENT, Status.SENT, Status.DELIVERED]


def test_a_vendor_cannot_make_one_message_store_more_than_255_segments(tracker: Tracker) -> None:
    tracker.apply([receipt(f"s{i}", Status.DELIVERED, 1) for i in range(255)])
    # Past the bound a report counts for the whole message (part 1, under the
    # usual transition rules): its failure is kept.
    tracker.apply([receipt("one-more", Status.UNDELIVERED, 2)])
    tracker.apply([receipt(f"t{i}", Status.SENT, 3) for i in range(50)])
    (found,) = tracker.message("gateway", "app-42")
    refs = [p.ref for p in found.parts if p.ref is not None]
    assert len(refs) == 255 and len(found.parts) == 256
    assert max(p.index for p in found.parts) == FIRST_SEGMENT_INDEX + 254
    assert found.status is Status.UNDELIVERED
