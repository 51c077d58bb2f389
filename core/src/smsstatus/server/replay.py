"""Re-running dead letters once a plugin (or its configuration) is fixed.

A dead letter holds the push as received, secrets redacted. Replay rebuilds
the :class:`~smsstatus.PushRequest`, parses it again with the vendor's
credentials **minus its push credentials** (the secrets the push carried were
redacted and signatures may have expired, so push authentication cannot be
checked twice), stores the reports (duplicates of reports already stored are
recognised by their event key) and marks the dead letter ``replayed`` in the
same transaction. Dead letters that failed authentication are not replayed
unless asked for, and a body cut at the size limit is never replayed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import attrs

from ..credentials import Credentials
from ..errors import SmsStatusError
from ..registry import Registry
from ..request import PushRequest
from ..tracker import DeadLetterRecord, Tracker, message_key
from ..tracker.errors import StoreError

__all__ = ["ReplayOutcome", "replay_dead_letters", "without_push_credentials"]

log = logging.getLogger("smsstatus.replay")


@attrs.frozen(kw_only=True)
class ReplayOutcome:
    id: int
    vendor: str
    state: str  # replayed | failed | skipped
    reports: int = 0
    applied: int = 0
    duplicates: int = 0
    error: str | None = None


def without_push_credentials(registry: Registry, vendor: str, credentials: Credentials) -> Credentials:
    specs = {c.name: c for c in registry.info(vendor).credentials}
    kept = {k: credentials[k] for k in credentials if k in specs and specs[k].used_for != "push"}
    return Credentials(vendor, kept)


def replay_dead_letters(
    registry: Registry,
    tracker: Tracker,
    credentials: Mapping[str, Credentials],
    *,
    vendor: str | None = None,
    ids: Sequence[int] | None = None,
    include_unauthenticated: bool = False,
    limit: int = 1000,
) -> list[ReplayOutcome]:
    """Replay pending dead letters (optionally only ``vendor``'s or ``ids``)."""
    outcomes: list[ReplayOutcome] = []
    for letter in tracker.dead_letters(state="pending", vendor=vendor, ids=ids, limit=limit):
        outcomes.append(_replay_one(registry, tracker, credentials, letter, include_unauthenticated))
    return outcomes


def _replay_one(
    registry: Registry,
    tracker: Tracker,
    credentials: Mapping[str, Credentials],
    letter: DeadLetterRecord,
    include_unauthenticated: bool,
) -> ReplayOutcome:
    def skipped(reason: str) -> ReplayOutcome:
        return ReplayOutcome(id=letter.id, vendor=letter.vendor, state="skipped", error=reason)

    if letter.error_type == "authentication" and not include_unauthenticated:
        return skipped("failed authentication (use --include-unauthenticated to replay it anyway)")
    if not letter.body_complete:
        return skipped("body was cut at the size limit: cannot be replayed")
    if letter.vendor not in registry.vendors:
        return skipped(f"vendor {letter.vendor!r} is not installed")
    request = PushRequest(
        method=letter.method,
        url=letter.url,
        headers=letter.headers,
        body=letter.body,
        received_at=letter.received_at,
        remote_addr=letter.remote_addr,
    )
    creds = without_push_credentials(
        registry, letter.vendor, credentials.get(letter.vendor) or Credentials(letter.vendor)
    )
    try:
        result = registry.parse_push(letter.vendor, request, creds)
    except SmsStatusError as exc:
        tracker.mark_dead_letter(letter.id, replayed=False, error=str(exc))
        return ReplayOutcome(id=letter.id, vendor=letter.vendor, state="failed", error=str(exc))
    trackable = [r for r in result.reports if message_key(r) is not None]
    problems = [f"item {e.index if e.index is not None else e.key}: {e.error}" for e in result.errors]
    problems += [
        f"report {i} has no message id" for i, r in enumerate(result.reports) if message_key(r) is None
    ]
    error = "; ".join(problems) or None
    now = tracker.clock()
    try:
        applied = tracker.apply(
            trackable,
            also=lambda tx: tracker.mark_dead_letter_in(
                tx, letter.id, replayed=error is None, error=error, now=now
            ),
        )
    except StoreError as exc:
        return ReplayOutcome(id=letter.id, vendor=letter.vendor, state="failed", error=str(exc))
    return ReplayOutcome(
        id=letter.id,
        vendor=letter.vendor,
        state="replayed" if error is None else "failed",
        reports=len(trackable),
        applied=applied.applied,
        duplicates=applied.duplicates,
        error=error,
    )
