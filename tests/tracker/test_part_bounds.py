"""Issue 10 point 7, the store's side: a part total or index a vendor declares
never makes the tracker allocate or store per declared part. Only the parts
that arrive get rows; the parts counted as missing stop at MAX_PARTS (255, the
SMS concatenation limit), so ``status`` on such a message stays small."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import smsstatus
from smsstatus import Channel, Part, PushRequest, Status, StatusReport
from smsstatus.model import MAX_PARTS
from smsstatus.server.app import Receiver
from smsstatus.tracker import Store, Tracker

INSTALLED = smsstatus.load()
HUAWEI_FORM = Path(__file__).resolve().parents[2] / "plugins" / "huawei" / "examples" / "push.form"
AT = datetime(2025, 6, 10, 9, 0, tzinfo=UTC)


def _report(index: int, total: int, status: Status = Status.DELIVERED) -> StatusReport:
    # Part is a plain value type: a third-party plugin can still build one
    # with any numbers, so the store cannot rely on the plugins' bounds.
    return StatusReport(
        vendor="acme",
        message_id="m-1",
        status=status,
        part=Part(index, total),
        received_at=AT,
        channel=Channel.PUSH,
        raw={},
    )


def _sizes(store: Store) -> tuple[int, int]:
    with store.read() as tx:
        parts = tx.one("SELECT COUNT(*) FROM parts")
        missing = tx.one("SELECT parts_missing FROM messages")
    assert parts is not None and missing is not None
    return int(parts[0]), len(store.dialect.json_out(missing[0]) or [])


@pytest.mark.parametrize(
    ("index", "total", "expected"),
    [
        (1, 10_000_000, Status.DELIVERED),  # the total is not used: one part seen, delivered
        (10_000_000, 10_000_000, Status.DELIVERED),  # no real part number: counts as part 1
        (3, 2**62, Status.ACCEPTED),  # part 3 of an unknown total: parts 1 and 2 not reported yet
    ],
)
def test_a_huge_declared_part_count_stores_what_arrived(
    store: Store, index: int, total: int, expected: Status
) -> None:
    tracker = Tracker(store)
    tracker.apply([_report(index, total, Status.SENT)])
    tracker.apply([_report(index, total)])
    parts, missing = _sizes(store)
    assert parts == 1 and missing <= MAX_PARTS
    (record,) = tracker.message("acme", "m-1")
    assert len(record.parts) == 1 and len(record.parts_missing) <= MAX_PARTS
    assert record.parts_total is not None and record.parts_total <= MAX_PARTS
    assert record.status is expected


def test_plausible_totals_still_combine_as_documented(store: Store) -> None:
    tracker = Tracker(store)
    tracker.apply([_report(1, 3), _report(3, 3)])
    (record,) = tracker.message("acme", "m-1")
    assert record.parts_total == 3 and record.parts_missing == (2,)
    assert record.status is Status.ACCEPTED  # a part not reported yet counts as accepted


@pytest.mark.skipif("huawei" not in INSTALLED.vendors, reason="the Huawei plugin is not installed")
def test_the_issue_huawei_form_push_stays_small(store: Store) -> None:
    """The 90-byte Huawei form push with total=10000000 (issue 10 point 7)."""
    # Huawei's documented form push, with a part total no SMS can have.
    body = HUAWEI_FORM.read_bytes().strip().replace(b"total=1&", b"total=10000000&")
    assert b"total=10000000" in body
    tracker = Tracker(store)
    receiver = Receiver(INSTALLED, tracker, vendors=["huawei"])
    try:
        (answer,) = receiver.handle_many(
            [
                (
                    "huawei",
                    PushRequest(
                        method="POST",
                        url="https://hooks.example.com/webhooks/huawei",
                        headers=[("content-type", "application/x-www-form-urlencoded")],
                        body=body,
                        received_at=AT,
                    ),
                )
            ]
        )
    finally:
        receiver.close()
    assert answer.status_code < 500
    with store.read() as tx:
        parts = tx.one("SELECT COUNT(*) FROM parts")
        sizes = tx.one("SELECT COALESCE(SUM(LENGTH(CAST(report AS TEXT))), 0) FROM events")
    assert parts is not None and int(parts[0]) <= 1
    assert sizes is not None and int(sizes[0]) < 100 * len(body)  # proportional to what was received
    for record in tracker.message("huawei", "m-1") if answer.status_code == 200 else []:
        assert len(record.parts_missing) <= MAX_PARTS
        assert len(json.dumps([p.index for p in record.parts])) < 1000
