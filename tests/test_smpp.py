"""SMPP receipt text and state mapping (SMPP v3.4 Appendix B and 5.2.28)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from smsstatus import MappingKind, PayloadError, Reason, Status
from smsstatus.smpp import MESSAGE_STATES, map_message_state, map_stat, parse_receipt

UTC8 = timezone(timedelta(hours=8))


def test_parses_the_appendix_b_receipt_with_10_digit_dates() -> None:
    text = (
        "id:0000000012345678 sub:001 dlvrd:001 submit date:1601010100 done date:1601010101 "
        "stat:DELIVRD err:000 text:none"
    )
    receipt = parse_receipt(text, tz=UTC)
    assert receipt.id == "0000000012345678"
    assert (receipt.submitted, receipt.delivered) == (1, 1)
    assert receipt.submit_date == datetime(2016, 1, 1, 1, 0, tzinfo=UTC)
    assert receipt.done_date == datetime(2016, 1, 1, 1, 1, tzinfo=UTC)
    assert receipt.stat == "DELIVRD" and receipt.err == "000" and receipt.text == "none"
    assert receipt.mapped.status is Status.DELIVERED


def test_capital_text_12_digit_dates_zone_and_text_with_colons() -> None:
    text = "id:A1B2 sub:001 dlvrd:000 submit date:190608165232 done date:190608165301 stat:UNDELIV err:001 Text:id:x stat:y"
    receipt = parse_receipt(text, tz=UTC8)
    # 2019-06-08 16:52:32 in UTC+8 is 08:52:32 UTC
    assert receipt.submit_date == datetime(2019, 6, 8, 8, 52, 32, tzinfo=UTC)
    assert receipt.done_date == datetime(2019, 6, 8, 8, 53, 1, tzinfo=UTC)
    assert receipt.text == "id:x stat:y"  # the text runs to the end, colons and all
    assert receipt.stat == "UNDELIV"


def test_hex_and_decimal_id_candidates() -> None:
    assert parse_receipt("id:0000000012345678 stat:DELIVRD", tz=UTC).id_candidates() == (
        "0000000012345678",
        "12345678",
        str(0x12345678),
    )
    assert parse_receipt("id:7f3a stat:DELIVRD", tz=UTC).id_candidates() == ("7f3a", str(0x7F3A))


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("sub:001 stat:DELIVRD", "short_message.id"),
        ("id:1 sub:001", "short_message.stat"),
        ("id:1 stat:DELIVRD submit date:16010101", "short_message.submit date"),
        ("id:1 stat:DELIVRD done date:1613010101", "short_message.done date"),
        ("id:1 sub:abc stat:DELIVRD", "short_message.sub"),
    ],
)
def test_bad_receipts_name_the_field(text: str, field: str) -> None:
    with pytest.raises(PayloadError) as info:
        parse_receipt(text, tz=UTC, vendor="gw")
    assert info.value.vendor == "gw" and info.value.field == field


@pytest.mark.parametrize(
    ("state", "word", "status", "final"),
    [
        (0, "SCHEDLD", Status.SCHEDULED, False),
        (1, "ENROUTE", Status.SENT, False),
        (2, "DELIVRD", Status.DELIVERED, True),
        (3, "EXPIRED", Status.EXPIRED, True),
        (4, "DELETED", Status.UNDELIVERED, True),
        (5, "UNDELIV", Status.UNDELIVERED, True),
        (6, "ACCEPTD", Status.SENT, False),
        (7, "UNKNOWN", Status.UNKNOWN, False),
        (8, "REJECTD", Status.REJECTED, True),
        (9, "SKIPPED", Status.REJECTED, True),
    ],
)
def test_message_states_and_stat_words(state: int, word: str, status: Status, final: bool) -> None:
    assert MESSAGE_STATES[state] == word
    assert map_message_state(state).status is status
    assert map_stat(word.lower()).status is status
    assert map_stat(word).final is final


def test_unknown_words_and_states_are_unmapped() -> None:
    assert map_stat("WHATEVR").mapping is MappingKind.UNMAPPED
    assert map_message_state(42).mapping is MappingKind.UNMAPPED
    assert map_stat("EXPIRED").reason is Reason.EXPIRED
