"""What identifies a message and an event: the keys the tracker dedupes on."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC
from json import encoder as _json_encoder
from typing import Any

import attrs

from ..model import MAX_PARTS, StatusReport
from .jsontext import encode_bytes

__all__ = [
    "SYNTHETIC_EXPIRED",
    "FIRST_SEGMENT_INDEX",
    "MessageKey",
    "message_key",
    "part_of",
    "plausible_total",
    "segment_of",
    "is_synthetic",
    "event_key",
    "event_key_of",
    "event_key_for",
]

#: ``extra["synthetic"]`` of the report the poller records when a vendor's
#: poll window passes without a final status.
SYNTHETIC_EXPIRED = "poll_window_expired"

#: The part number the tracker gives the first segment named by ref
#: (``StatusReport.part_ref``) of a message, the next one the next number, in
#: the order first heard of: above any position a concatenated SMS can have,
#: so a segment's number never collides with a numbered part (or with part 1,
#: where reports naming no segment are kept).
FIRST_SEGMENT_INDEX = MAX_PARTS + 1


@attrs.frozen(order=True)
class MessageKey:
    """One message to one recipient at one vendor (``recipient`` is ``""``
    when the vendor names none)."""

    vendor: str
    """The vendor id (the plugin's entry point name)."""
    message_id: str
    """The vendor's message id."""
    recipient: str
    """The recipient (E.164 where known, else as the vendor wrote it; an empty string when none)."""


def message_key(report: StatusReport) -> MessageKey | None:
    """The message a report is about, or ``None`` when it has no message id
    (such a report cannot be tracked: the receiver dead-letters it)."""
    if not report.message_id:
        return None
    return MessageKey(report.vendor, report.message_id, report.recipient or report.recipient_raw or "")


def part_of(report: StatusReport) -> tuple[int, int | None]:
    """(part index, part total); a report without part information is part 1.

    Numbers a concatenated SMS cannot have (an index or total outside
    ``1..MAX_PARTS``) are a vendor's nonsense, not a reason to store or
    allocate per declared part: such an index counts as no part information
    (part 1), such a total as unknown."""
    part = report.part
    if part is None or not 1 <= part.index <= MAX_PARTS:
        return 1, None
    return part.index, plausible_total(part.total)


def plausible_total(total: int | None) -> int | None:
    """A part total a concatenated SMS can have, else ``None`` (rows stored
    before the bound may hold anything)."""
    return total if total is not None and 1 <= total <= MAX_PARTS else None


def segment_of(report: StatusReport) -> str | None:
    """The segment a report names by ref (a gateway-split message), or
    ``None``: a numbered part wins over a ref."""
    return report.part_ref if report.part is None else None


def is_synthetic(report: StatusReport) -> bool:
    return bool(report.extra.get("synthetic"))


def event_key(report: StatusReport) -> str:
    """The dedupe key of one event: the message and part, the status (canonical
    and the vendor's value and code), the vendor's event time, and the vendor's
    idempotency data where a plugin gives it (``extra["event_id"]``).

    Never the message id alone: a later status of the same message is a new
    event, and the same status of another segment (``part_ref``) too. The receive time and the vendor's push time (``notified_at``) are
    left out, so a vendor's retry of the same report is a duplicate.
    """
    return event_key_of(report, message_key(report), part_of(report)[0])


def event_key_of(report: StatusReport, key: MessageKey | None, index: int) -> str:
    """:func:`event_key` from the report's message key and part index, for a
    caller that has computed them already (the apply path, once per report)."""
    if key is None:
        return event_key_for(report, None, None, index)
    return event_key_for(report, key.message_id, key.recipient, index)


def event_key_for(report: StatusReport, message_id: str | None, recipient: str | None, index: int) -> str:
    """:func:`event_key` from the message key's fields (the lean apply path
    builds no :class:`MessageKey` when nobody reads the outcomes)."""
    fields = [
        report.vendor,
        message_id,
        recipient,
        index,
        report.status._value_,
        report.vendor_status,
        report.vendor_code,
        report.status_at.astimezone(UTC).isoformat() if report.status_at else None,
        report.extra.get("event_id"),
        report.extra.get("synthetic"),
    ]
    ref = segment_of(report)
    if ref is not None:
        # Only when there is one, so the keys stored before part_ref existed
        # still match their retries.
        fields.append(ref)
    return hashlib.sha256(_key_bytes(fields)).hexdigest()


def _key_bytes(fields: list[Any]) -> bytes:
    """The key text in UTF-8. msgspec writes a list of plain str, int and
    None exactly as the standard library does here (every code point checked,
    test_key_text), at a quarter of its cost; anything else (a float, a
    nested ``event_id``, a str subclass, no msgspec) or anything msgspec
    refuses (a lone surrogate) goes to the standard library, which gives the
    text or the error it always gave."""
    # The types are checked in C (map, set): about 700 instructions fewer than
    # a Python loop over the ten fields, on every event stored.
    if _encode_plain is not None and _PLAIN.issuperset(map(type, fields)):
        try:
            return _encode_plain(fields)
        except Exception:  # noqa: BLE001, S110 -- the standard library decides below
            pass
    return _key_text(fields).encode("utf-8")


_PLAIN = frozenset({str, int, type(None)})
#: msgspec's encoder to bytes, the one jsontext chose (``None`` without smsstatus[fast]).
_encode_plain: Callable[[list[Any]], bytes] | None = encode_bytes

# Written once: the key text must never change (stored keys would stop
# matching their retries), so it stays the standard library's exact output.
_key_text: Callable[[list[Any]], str] = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), default=str
).encode
_make_encoder: Any = getattr(_json_encoder, "c_make_encoder", None)  # not in typeshed
if _make_encoder is not None:
    # The same C encoder JSONEncoder.encode builds on every call, built once
    # (half the cost of a key): the arguments it passes, except that it does
    # not look for circular references, which a list of scalars from one
    # report cannot hold (a nested extra["event_id"] comes from decoded JSON).
    _encode_key = _make_encoder(
        None, str, _json_encoder.encode_basestring, None, ":", ",", False, False, True
    )

    def _key_text(fields: list[Any]) -> str:
        return "".join(_encode_key(fields, 0))
