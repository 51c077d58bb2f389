"""The transition table, checked against expectations written out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from smsstatus import Status
from smsstatus.tracker.transitions import FINAL_TO_FINAL, Current, Decision, decide

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
LATER = T0 + timedelta(minutes=5)
EARLIER = T0 - timedelta(minutes=5)

S = Status
D = Decision

# Final -> final, written as the table in docs/tracker.md reads (rows: current).
#                 delivered        undelivered      expired          rejected
FINAL_TABLE = {
    S.DELIVERED: (D.FINAL_REPEAT, D.FINAL_CONFLICT, D.FINAL_CONFLICT, D.FINAL_CONFLICT),
    S.UNDELIVERED: (D.FINAL_CONFLICT, D.FINAL_REPEAT, D.FINAL_CONFLICT, D.FINAL_CONFLICT),
    S.EXPIRED: (D.OVERRIDE, D.OVERRIDE, D.FINAL_REPEAT, D.OVERRIDE),
    S.REJECTED: (D.FINAL_CONFLICT, D.FINAL_CONFLICT, D.FINAL_CONFLICT, D.FINAL_REPEAT),
}
FINALS = (S.DELIVERED, S.UNDELIVERED, S.EXPIRED, S.REJECTED)
NON_FINALS = (S.SCHEDULED, S.ACCEPTED, S.SENT, S.UNKNOWN)


@pytest.mark.parametrize("current", FINALS)
@pytest.mark.parametrize("new_index", range(4))
def test_final_to_final(current: Status, new_index: int) -> None:
    new = FINALS[new_index]
    expected = FINAL_TABLE[current][new_index]
    assert FINAL_TO_FINAL[(current, new)] is expected
    # Vendor times never change a final-to-final decision.
    for at in (None, EARLIER, LATER):
        assert decide(Current(current, T0), new, at) is expected


@pytest.mark.parametrize("current", FINALS)
@pytest.mark.parametrize("new", NON_FINALS)
def test_final_never_regresses(current: Status, new: Status) -> None:
    for at in (None, EARLIER, LATER):
        decision = decide(Current(current, T0), new, at)
        assert decision is D.FINAL_REGRESSION
        assert not decision.applied
    assert decide(Current(current, T0), S.UNKNOWN, None, synthetic=True) is D.FINAL_REGRESSION


@pytest.mark.parametrize("current", NON_FINALS)
@pytest.mark.parametrize("new", FINALS)
def test_final_settles_non_final_whatever_its_time(current: Status, new: Status) -> None:
    for at in (None, EARLIER, LATER):
        assert decide(Current(current, T0), new, at) is D.SETTLE


@pytest.mark.parametrize(
    ("current", "current_at", "new", "new_at", "expected"),
    [
        # Vendor times decide between non-final statuses.
        (S.SENT, T0, S.ACCEPTED, EARLIER, D.OLDER_EVENT),
        (S.ACCEPTED, T0, S.SENT, LATER, D.ADVANCE),
        (S.SENT, T0, S.ACCEPTED, LATER, D.ADVANCE),  # newer event wins even if it looks like a step back
        (S.SENT, T0, S.SENT, LATER, D.REFRESH),
        (S.SENT, T0, S.SENT, EARLIER, D.OLDER_EVENT),
        (S.SENT, T0, S.UNKNOWN, LATER, D.ADVANCE),
        # Equal or missing times: progress unknown < scheduled < accepted < sent.
        (S.SENT, T0, S.ACCEPTED, T0, D.PROGRESS_REGRESSION),
        (S.SENT, None, S.ACCEPTED, LATER, D.PROGRESS_REGRESSION),
        (S.SENT, T0, S.ACCEPTED, None, D.PROGRESS_REGRESSION),
        (S.ACCEPTED, None, S.SENT, None, D.ADVANCE),
        (S.SCHEDULED, None, S.ACCEPTED, None, D.ADVANCE),
        (S.UNKNOWN, None, S.SCHEDULED, None, D.ADVANCE),
        (S.SENT, None, S.UNKNOWN, None, D.PROGRESS_REGRESSION),
        (S.SENT, None, S.SENT, None, D.REFRESH),
    ],
)
def test_between_non_finals(
    current: Status, current_at: datetime | None, new: Status, new_at: datetime | None, expected: Decision
) -> None:
    assert decide(Current(current, current_at), new, new_at) is expected


def test_first_report_applies() -> None:
    for status in (*FINALS, *NON_FINALS):
        assert decide(None, status, None) is D.FIRST


def test_synthetic_outcome_replaces_any_non_final() -> None:
    for status in NON_FINALS:
        assert decide(Current(status, LATER), S.UNKNOWN, None, synthetic=True) is D.WINDOW_EXPIRED
    assert decide(None, S.UNKNOWN, None, synthetic=True) is D.WINDOW_EXPIRED


def test_applied_flags() -> None:
    applied = {d for d in Decision if d.applied}
    assert applied == {D.FIRST, D.ADVANCE, D.REFRESH, D.SETTLE, D.OVERRIDE, D.WINDOW_EXPIRED}
