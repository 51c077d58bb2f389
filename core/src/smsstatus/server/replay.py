"""Re-running dead letters once a plugin (or its configuration) is fixed.

Replay never forges a report:

* it rebuilds the push from the dead letter's **replay copy** (the request
  as received, minus the configured secrets, which are filled back in from
  the configuration: :mod:`smsstatus.server.replay_copy`), never from the
  redacted text that is shown (redaction can turn an unreadable request into
  a readable one);
* it parses it with the vendor's **full** credentials, so push
  authentication is checked again (signatures against the recorded receive
  time): a push that did not carry valid credentials fails again;
* letters of a vendor with no push credentials configured cannot be
  authenticated by anything, and letters that failed authentication were
  refused for their credentials: both are replayed only with
  ``include_unauthenticated`` (``smsstatus replay --include-unauthenticated``),
  which accepts whatever such a push says;
* a letter without a replay copy (its body was cut at a size limit, it
  carried a configured secret in a form that could not be cut out, or it was
  stored by an older smsstatus) is never replayed.

The reports are stored (duplicates of reports already stored are recognised
by their event key) and the letter is marked ``replayed`` in one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import attrs

from ..credentials import Credentials
from ..errors import NotAStatusError, SmsStatusError
from ..registry import Registry
from ..request import PushRequest
from ..tracker import DeadLetterRecord, Tracker, message_key
from ..tracker.errors import StoreError
from .replay_copy import ReplayCopyError, restore

__all__ = ["ReplayOutcome", "replay_dead_letters"]

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

    if letter.vendor not in registry.vendors:
        return skipped(f"vendor {letter.vendor!r} is not installed")
    if letter.replay_copy is None:
        return skipped(
            "no replay copy (body cut at a size limit, a credential in a form that cannot be kept,"
            " or stored by an older smsstatus): cannot be replayed"
        )
    creds = credentials.get(letter.vendor) or Credentials(letter.vendor)
    info = registry.info(letter.vendor)
    authenticates = any(c.used_for == "push" and creds.optional(c.name) for c in info.credentials)
    if not include_unauthenticated:
        if letter.authentication == "failed":
            return skipped("failed authentication (use --include-unauthenticated to try it again)")
        if not authenticates:
            return skipped(
                f"{letter.vendor} has no push credentials configured, so nothing can authenticate this"
                " push (use --include-unauthenticated to accept it as it is)"
            )
    try:
        method, url, headers, body = restore(letter.replay_copy, {k: creds[k].reveal() for k in creds})
    except ReplayCopyError as exc:
        return skipped(str(exc))
    request = PushRequest(
        method=method,
        url=url,
        headers=headers,
        body=body,
        received_at=letter.received_at,
        remote_addr=letter.remote_addr,
    )
    try:
        result = registry.parse_push(letter.vendor, request, creds)
    except SmsStatusError as exc:
        tracker.mark_dead_letter(letter.id, replayed=False, error=str(exc))
        return ReplayOutcome(id=letter.id, vendor=letter.vendor, state="failed", error=str(exc))
    trackable = [r for r in result.reports if message_key(r) is not None]
    problems = [
        f"item {e.index if e.index is not None else e.key}: {e.error}"
        for e in result.errors
        if not isinstance(e.error, NotAStatusError)  # acknowledged traffic, nothing to replay
    ]
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
