"""Combining the per-part reports of one multipart message.

Vendors that relay SMSC receipts (Huawei, SMPP gateways) send one report per
part of a concatenated message. A consumer usually wants one answer per
message. The rule (``docs/multipart.md``):

1. Per part, the settled report wins: a final report is never replaced by a
   non-final one, and among reports of the same finality the latest vendor time
   (then receive time) wins, so duplicates and reordering do not matter.
2. Any part that failed finally makes the message failed, with the most
   telling failure: rejected, then expired, then undelivered.
3. The message is delivered only when every part (``total`` of them) is.
4. Otherwise the message is as far along as its least advanced part, and a
   part with no report yet counts as ``accepted``. ``unknown`` ranks lowest
   among non-final statuses only after ``scheduled``: a part the vendor cannot
   place keeps the message unknown until that part settles.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from .model import MAX_PARTS, Reason, Status, StatusReport

__all__ = ["MessageOutcome", "combine_parts"]

_FAILURE_ORDER = (Status.REJECTED, Status.EXPIRED, Status.UNDELIVERED)
_PROGRESS = {
    Status.UNKNOWN: 0,
    Status.SCHEDULED: 1,
    Status.ACCEPTED: 2,
    Status.SENT: 3,
    Status.DELIVERED: 4,
}


@attrs.frozen
class MessageOutcome:
    """The message-level status derived from its parts."""

    status: Status
    reason: Reason | None
    total: int | None
    parts: dict[int, StatusReport]
    missing: tuple[int, ...]

    @property
    def final(self) -> bool:
        return self.status.final


def _rank(report: StatusReport) -> tuple[bool, datetime, datetime]:
    event = report.status_at or report.received_at
    return (report.final, event, report.received_at)


def combine_parts(reports: Iterable[StatusReport], total: int | None = None) -> MessageOutcome:
    """Combine reports of ONE message (same vendor, message id, recipient).

    ``total`` overrides the part count the reports carry. Reports without
    ``part`` count as part 1 of 1. A count above ``MAX_PARTS`` (255) is capped
    to it. Raises ``ValueError`` for an empty input.
    """
    best: dict[int, StatusReport] = {}
    seen_total = total
    for report in reports:
        index = report.part.index if report.part else 1
        if total is None:
            part_total = report.part.total if report.part else 1
            seen_total = max(seen_total or 0, part_total)
        current = best.get(index)
        if current is None or _rank(report) > _rank(current):
            best[index] = report
    if not best:
        raise ValueError("no reports to combine")
    # No message has more than MAX_PARTS parts; plugins never report more since
    # the part bounds, but a report stored before them (or a caller's total) may
    # claim millions: capping keeps combining at most MAX_PARTS steps.
    count = min(seen_total or max(best), MAX_PARTS)
    missing = tuple(i for i in range(1, count + 1) if i not in best)

    failures = [r for r in best.values() if r.final and r.status is not Status.DELIVERED]
    if failures:
        worst = min(failures, key=lambda r: _FAILURE_ORDER.index(r.status))
        return MessageOutcome(worst.status, worst.reason, count, best, missing)
    statuses = [r.status for r in best.values()]
    if missing:
        statuses.append(Status.ACCEPTED)
    least = min(statuses, key=_PROGRESS.__getitem__)
    return MessageOutcome(least, None, count, best, missing)
