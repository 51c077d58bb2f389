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

Gateways that split a message themselves (Kannel, Jasmin) report each
segment under the message's id with the segment's own SMSC id
(``StatusReport.part_ref``) and no index. Such segments are parts named by
ref instead of by number, under the same rules, with these differences:

5. The part count is ``total`` when the caller knows it, else the largest
   ``segments`` a segment's report gives; with neither, the segments heard of
   are taken as all of them (so a segment first heard of after the others
   were delivered turns a delivered message back into one in flight, or
   failed).
6. A report that names no segment (neither ``part`` nor ``part_ref``: a
   refused submit, a gateway's whole-message acknowledgement) speaks for the
   whole message: its final failure fails the message; anything else it
   says is left to the segments.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TypeVar

import attrs

from .model import MAX_PARTS, Reason, Status, StatusReport

__all__ = ["MessageOutcome", "combine_parts"]

_K = TypeVar("_K", int, str)

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
    #: How many parts the message has; for segments named by ref, ``None``
    #: while nothing says (the segments heard of are then taken as all).
    total: int | None
    #: The settled report of each numbered part.
    parts: dict[int, StatusReport]
    #: Part numbers with no report yet.
    missing: tuple[int, ...]
    #: The settled report of each segment named by ref (``part_ref``).
    segments: dict[str, StatusReport] = attrs.field(factory=dict)
    #: Segments the count says exist that no report has named yet.
    unheard: int = 0

    @property
    def final(self) -> bool:
        return self.status.final


def _rank(report: StatusReport) -> tuple[bool, datetime, datetime]:
    event = report.status_at or report.received_at
    return (report.final, event, report.received_at)


def combine_parts(reports: Iterable[StatusReport], total: int | None = None) -> MessageOutcome:
    """Combine reports of ONE message (same vendor, message id, recipient).

    ``total`` overrides the part count the reports carry. Reports without
    ``part`` count as part 1 of 1, unless some report names a segment by
    ``part_ref`` (rules 5 and 6 of the module). A count above ``MAX_PARTS``
    (255) is capped to it. Raises ``ValueError`` for an empty input.
    """
    reports = list(reports)
    if any(r.part_ref is not None and r.part is None for r in reports):
        return _combine_segments(reports, total)
    best: dict[int, StatusReport] = {}
    seen_total = total
    for report in reports:
        index = report.part.index if report.part else 1
        if total is None:
            part_total = report.part.total if report.part else 1
            seen_total = max(seen_total or 0, part_total)
        _keep(best, index, report)
    if not best:
        raise ValueError("no reports to combine")
    # No message has more than MAX_PARTS parts; plugins never report more since
    # the part bounds, but a report stored before them (or a caller's total) may
    # claim millions: capping keeps combining at most MAX_PARTS steps.
    count = min(seen_total or max(best), MAX_PARTS)
    missing = tuple(i for i in range(1, count + 1) if i not in best)

    failure = _worst_failure(best.values())
    if failure is not None:
        return MessageOutcome(failure.status, failure.reason, count, best, missing)
    return MessageOutcome(_least_advanced(best.values(), bool(missing)), None, count, best, missing)


def _combine_segments(reports: list[StatusReport], total: int | None) -> MessageOutcome:
    """Rules 5 and 6: parts named by ref (and any numbered ones among them),
    plus the reports that speak for the whole message."""
    parts: dict[int, StatusReport] = {}
    segments: dict[str, StatusReport] = {}
    whole: list[StatusReport] = []
    counted = total
    for report in reports:
        if report.part is not None:
            _keep(parts, report.part.index, report)
        elif report.part_ref is not None and (
            report.part_ref in segments or len(segments) + len(parts) < MAX_PARTS
        ):
            _keep(segments, report.part_ref, report)
            if total is None and report.segments is not None and report.segments >= 1:
                counted = max(counted or 0, report.segments)
        else:
            # No segment named, or more segments than a message can have.
            whole.append(report)
    known = len(parts) + len(segments)
    count = None if counted is None else min(counted, MAX_PARTS)
    unheard = max((count or 0) - known, 0)
    failure = _worst_failure([*parts.values(), *segments.values(), *whole])
    if failure is not None:
        return MessageOutcome(failure.status, failure.reason, count, parts, (), segments, unheard)
    least = _least_advanced([*parts.values(), *segments.values()], bool(unheard))
    return MessageOutcome(least, None, count, parts, (), segments, unheard)


def _keep(best: dict[_K, StatusReport], key: _K, report: StatusReport) -> None:
    """Rule 1: the settled, then latest, report of each part."""
    current = best.get(key)
    if current is None or _rank(report) > _rank(current):
        best[key] = report


def _worst_failure(reports: Iterable[StatusReport]) -> StatusReport | None:
    """Rule 2: the most telling final failure, if any."""
    failures = [r for r in reports if r.final and r.status is not Status.DELIVERED]
    return min(failures, key=lambda r: _FAILURE_ORDER.index(r.status)) if failures else None


def _least_advanced(reports: Iterable[StatusReport], pending: bool) -> Status:
    """Rules 3 and 4: the least advanced part; a part not heard of yet counts
    as ``accepted``."""
    statuses = [r.status for r in reports]
    if pending:
        statuses.append(Status.ACCEPTED)
    return min(statuses, key=_PROGRESS.__getitem__)
