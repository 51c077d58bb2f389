"""A long message split by the gateway, end to end: the Kannel (and Jasmin)
plugins' receipts, parsed by the installed plugins and applied to the tracker,
combine per segment (docs/multipart.md rules 5 and 6). Before part_ref, the
first final receipt settled the message and a failed segment after it was
only a final_conflict in the history."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
import smsstatus
from smsstatus import Credentials, PushRequest, Status
from smsstatus.tracker import Store, Tracker

REGISTRY = smsstatus.load()
AT = datetime(2025, 6, 10, 12, 55, tzinfo=UTC)
RECEIPT = (
    "id:{ref} sub:001 dlvrd:{dlvrd} submit date:2506101250 done date:2506101252 stat:{stat} err:{err} text:"
)


def kannel(dlr_type: str, ref: str | None, stat: str | None = None, **extra: str) -> smsstatus.StatusReport:
    """One dlr-url request of the template docs/vendors/kannel.md recommends for split messages."""
    query = {"id": "order-77", "status": dlr_type, "to": "+4915112345678", "ts": "1749559921", **extra}
    if ref is not None:
        query["smsc_id"] = ref
    if stat is not None:
        done = "001" if stat == "DELIVRD" else "000"
        query["answer"] = RECEIPT.format(
            ref=ref, dlvrd=done, stat=stat, err="000" if done == "001" else "001"
        )
    request = PushRequest(
        method="GET", url="https://hooks.example.test/sms/kannel?" + urlencode(query), received_at=AT
    )
    (report,) = REGISTRY.parse_push("kannel", request, Credentials("kannel", {})).reports
    return report


@pytest.fixture(autouse=True)
def _installed() -> None:
    if "kannel" not in REGISTRY.vendors:
        pytest.skip("the kannel plugin is not installed")


def test_a_segment_that_failed_after_another_was_delivered_fails_the_message(store: Store) -> None:
    tracker = Tracker(store)
    tracker.apply([kannel("8", "0A1B2C61"), kannel("8", "0A1B2C62")])  # both segments acknowledged
    tracker.apply([kannel("1", "0A1B2C61", "DELIVRD")])
    (record,) = tracker.message("kannel", "order-77")
    assert (record.status, record.final) == (Status.SENT, False)  # the other segment is still out
    tracker.apply([kannel("2", "0A1B2C62", "UNDELIV")])
    (record,) = tracker.message("kannel", "order-77")
    assert (record.status, record.final) == (Status.UNDELIVERED, True)
    assert sorted((p.ref, p.status.value) for p in record.parts) == [
        ("0A1B2C61", "delivered"),
        ("0A1B2C62", "undelivered"),
    ]


def test_the_count_in_the_template_holds_delivery_for_the_unheard_segment(store: Store) -> None:
    tracker = Tracker(store)
    tracker.apply([kannel("1", ref, "DELIVRD", parts="3") for ref in ("0A1B2C61", "0A1B2C62")])
    (record,) = tracker.message("kannel", "order-77")
    assert (record.status, record.parts_total) == (Status.ACCEPTED, 3)
    tracker.apply([kannel("1", "0A1B2C63", "DELIVRD", parts="3")])
    (record,) = tracker.message("kannel", "order-77")
    assert (record.status, record.final) == (Status.DELIVERED, True)


def test_a_refused_submit_naming_no_segment_fails_the_message(store: Store) -> None:
    tracker = Tracker(store)
    tracker.apply(
        [kannel("1", "0A1B2C61", "DELIVRD"), kannel("16", None, answer="NACK/0x00000058/Throttling")]
    )
    (record,) = tracker.message("kannel", "order-77")
    assert (record.status, record.reason) == (Status.REJECTED, smsstatus.Reason.RATE_LIMITED)


def jasmin(status: str, level: str, smsc_id: str | None = None) -> smsstatus.StatusReport:
    """One receipt of Jasmin's DLRThrower, as a POST form (docs/vendors/jasmin.md)."""
    form = {"id": "a4c2f1e0-1f2b-4c3d-8e9f-001122334455", "message_status": status, "level": level}
    if smsc_id is not None:
        form |= {"id_smsc": smsc_id, "sub": "001", "dlvrd": "001", "donedate": "2506101452", "err": "000"}
    request = PushRequest(
        method="POST",
        url="https://hooks.example.test/sms/jasmin",
        headers=[("Content-Type", "application/x-www-form-urlencoded")],
        body=urlencode(form).encode(),
        received_at=AT,
    )
    (report,) = REGISTRY.parse_push("jasmin", request, Credentials("jasmin", {})).reports
    return report


def test_jasmin_segments_combine_and_the_level_1_receipt_does_not_hold_them_back(store: Store) -> None:
    if "jasmin" not in REGISTRY.vendors:
        pytest.skip("the jasmin plugin is not installed")
    tracker = Tracker(store)
    mid = "a4c2f1e0-1f2b-4c3d-8e9f-001122334455"
    tracker.apply([jasmin("ESME_ROK", "1"), jasmin("DELIVRD", "2", "2567")])
    (record,) = tracker.message("jasmin", mid)
    assert (record.status, record.final) == (Status.DELIVERED, True)
    # An older Jasmin also relays the other segment's receipt: its failure is not lost.
    tracker.apply([jasmin("UNDELIV", "2", "2568")])
    (record,) = tracker.message("jasmin", mid)
    assert (record.status, record.final) == (Status.UNDELIVERED, True)
