"""Poll targets: the ids the poller fetches for, their schedule and leases,
and the synthetic outcome recorded when a vendor's poll window passes.

Every function works inside a transaction the caller holds
(:class:`~smsstatus.tracker.Tracker` opens them).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from ..model import Channel, MappingKind, Part, Reason, Status, StatusReport
from ..vendor import PollPolicy
from . import sql
from .keys import SYNTHETIC_EXPIRED
from .records import PollTarget
from .store import Transaction

__all__ = [
    "target_in",
    "claim_in",
    "target_from_row",
    "targets_in",
    "unsettled_in",
    "finish_in",
    "link_fetched",
    "synthetic_reports_in",
    "synthetic_report",
]

log = logging.getLogger("smsstatus.tracker")


def target_in(  # noqa: PLR0917 -- internal
    tx: Transaction,
    vendor: str,
    fetch_id: str,
    policy: PollPolicy,
    submitted: datetime,
    now: datetime,
) -> int:
    """Create the poll target of ``fetch_id`` unless it exists; its id."""
    d = tx.dialect
    tx.run(
        sql.INSERT_TARGET,
        (
            vendor,
            fetch_id,
            d.ts(submitted),
            d.ts(submitted + timedelta(seconds=policy.first_after)),
            d.ts(submitted + timedelta(seconds=policy.give_up_after)),
            d.ts(now),
            d.ts(now),
        ),
    )
    row = tx.one(sql.SELECT_TARGET_ID, (vendor, fetch_id))
    assert row is not None
    return int(row[0])


def claim_in(
    tx: Transaction, vendor: str, owner: str, *, limit: int, lease: timedelta, at: datetime
) -> list[PollTarget]:
    """Lease up to ``limit`` due targets of ``vendor`` to ``owner`` (one statement)."""
    d = tx.dialect
    statement = sql.CLAIM.format(lock=d.skip_locked, columns=sql.TARGET_COLUMNS)
    rows = tx.all(statement, (owner, d.ts(at + lease), d.ts(at), vendor, d.ts(at), d.ts(at), limit))
    return sorted((target_from_row(tx, r) for r in rows), key=lambda t: (t.next_poll_at, t.id))


def target_from_row(tx: Transaction, row: Sequence[Any]) -> PollTarget:
    d = tx.dialect
    return PollTarget(
        id=int(row[0]),
        vendor=row[1],
        fetch_id=row[2],
        state=row[3],
        submitted_at=sql.required(d.ts_out(row[4])),
        next_poll_at=sql.required(d.ts_out(row[5])),
        give_up_at=sql.required(d.ts_out(row[6])),
        polls=int(row[7]),
        last_polled_at=d.ts_out(row[8]),
        last_error=row[9],
        lease_owner=row[10],
        lease_until=d.ts_out(row[11]),
    )


def targets_in(tx: Transaction, vendor: str | None, state: str | None) -> list[PollTarget]:
    clauses, params = [], []
    if vendor is not None:
        clauses.append("vendor = ?")
        params.append(vendor)
    if state is not None:
        clauses.append("state = ?")
        params.append(state)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = tx.all(f"SELECT {sql.TARGET_COLUMNS} FROM poll_targets{where} ORDER BY id", params)  # noqa: S608
    return [target_from_row(tx, r) for r in rows]


def unsettled_in(tx: Transaction, target_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """target id -> (messages linked, of which not final)."""
    if not target_ids:
        return {}
    rows = tx.all(sql.marks(sql.UNSETTLED, len(target_ids)), list(target_ids))
    return {int(r[0]): (int(r[1]), int(r[2] or 0)) for r in rows}


def finish_in(
    tx: Transaction,
    target: PollTarget,
    owner: str,
    *,
    state: str,
    next_poll_at: datetime,
    polled: bool,
    error: str | None,
    now: datetime,
) -> bool:
    """End ``owner``'s lease on ``target`` with its new state and schedule;
    false when the lease was lost (another poller took the target over)."""
    d = tx.dialect
    changed = tx.run(
        sql.FINISH_TARGET,
        (
            state,
            d.ts(next_poll_at),
            1 if polled else 0,
            d.ts(now) if polled else None,
            error,
            d.ts(now),
            target.id,
            owner,
        ),
    )
    if not changed:
        log.warning(
            "poll target %s (%s %s): lease lost before finishing", target.id, target.vendor, target.fetch_id
        )
    return bool(changed)


def link_fetched(targets: Sequence[PollTarget], reports: Sequence[StatusReport]) -> dict[int, int]:
    """report index -> target id: a report belongs to the target whose id is
    its message id or batch id (or to the only target of a one-id fetch)."""
    by_fetch_id = {t.fetch_id: t.id for t in targets}
    links: dict[int, int] = {}
    for index, report in enumerate(reports):
        if len(targets) == 1:
            links[index] = targets[0].id
            continue
        for candidate in (report.message_id, report.batch_id):
            if candidate is not None and candidate in by_fetch_id:
                links[index] = by_fetch_id[candidate]
                break
    return links


def synthetic_reports_in(
    tx: Transaction, targets: Sequence[PollTarget], at: datetime
) -> tuple[list[StatusReport], dict[int, int]]:
    """The synthetic outcome of every linked message part of ``targets`` that
    is not final (or, when the vendor never reported anything, of the fetch
    id itself), and the target each belongs to (report index -> target id)."""
    reports: list[StatusReport] = []
    links: dict[int, int] = {}
    for target in targets:
        rows: Sequence[Sequence[Any]] = tx.all(sql.SELECT_LINKED_PARTS, (target.id,))
        if not rows:
            rows = [(target.fetch_id, "", target.fetch_id, None, None, None, None)]
        for message_id, recipient, batch_id, part_index, part_total, status, ref in rows:
            if status is not None and Status(status).final:
                continue
            links[len(reports)] = target.id
            reports.append(
                synthetic_report(
                    vendor=target.vendor,
                    message_id=message_id,
                    recipient=recipient,
                    batch_id=batch_id,
                    part=(int(part_index), int(part_total))
                    if part_total is not None and ref is None
                    else None,
                    part_ref=ref,
                    segments=None if ref is None or part_total is None else int(part_total),
                    last_status=Status(status) if status else None,
                    target=target,
                    now=at,
                )
            )
    return reports, links


def synthetic_report(
    *,
    vendor: str,
    message_id: str,
    recipient: str,
    batch_id: str | None,
    part: tuple[int, int] | None,
    last_status: Status | None,
    part_ref: str | None = None,
    segments: int | None = None,
    target: PollTarget,
    now: datetime,
) -> StatusReport:
    """The outcome the poller records when a vendor's poll window passes
    without a final report: status ``unknown`` (the vendor never settled it),
    reason ``unknown``, ``mapping`` ``vendor_default`` (the plugin's declared
    window is the rule that applied), no vendor value or time, ``raw`` empty,
    and ``extra`` marking it synthetic with what was known."""
    from ..serialize import format_instant

    return StatusReport(
        vendor=vendor,
        message_id=message_id,
        batch_id=batch_id,
        recipient=recipient if recipient.startswith("+") else None,
        recipient_raw=recipient or None,
        status=Status.UNKNOWN,
        mapping=MappingKind.VENDOR_DEFAULT,
        reason=Reason.UNKNOWN,
        part=Part(*part) if part else None,
        part_ref=part_ref,
        segments=segments,
        received_at=now,
        channel=Channel.FETCH,
        extra={
            "synthetic": SYNTHETIC_EXPIRED,
            "fetch_id": target.fetch_id,
            "polls": target.polls,
            "submitted_at": format_instant(target.submitted_at),
            "give_up_at": format_instant(target.give_up_at),
            "last_status": last_status.value if last_status else None,
            "last_error": target.last_error,
        },
        raw={},
    )
