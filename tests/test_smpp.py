"""SMPP receipt text and state mapping (SMPP v3.4 Appendix B and 5.2.28)."""

from __future__ import annotations

import string
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from smsstatus import MappingKind, PayloadError, Reason, Status
from smsstatus.smpp import (
    MESSAGE_STATES,
    DeliveryReceipt,
    _general_receipt,
    _usual_receipt,
    map_message_state,
    map_stat,
    parse_receipt,
    receipt_date,
)

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


# -- the usual receipt, read in one pass, against the general reader -----------------------

_DIGITS = st.text(alphabet="0123456789", max_size=13)
_WORDS = st.text(alphabet=string.ascii_letters + string.digits + "_-²٣", min_size=0, max_size=10)
_ZONES = [UTC, UTC8, timezone(timedelta(hours=-5)), ZoneInfo("UTC"), ZoneInfo("Europe/Berlin")]


def _outcome(read: Callable[[], DeliveryReceipt | None]) -> object:
    try:
        return read()
    except PayloadError as exc:
        return (type(exc), exc.field, exc.reason)


@settings(max_examples=600, deadline=None)
@given(
    ident=_WORDS,
    sub=_DIGITS | _WORDS,
    dlvrd=_DIGITS | _WORDS,
    submit=_DIGITS
    | st.sampled_from(["2506101250", "250610125001", "6912312359", "6801010000", "2513011200"]),
    done=_DIGITS | st.sampled_from(["2506101252", "991231235959", "000101000000", "2502300000"]),
    stat=_WORDS,
    err=_WORDS,
    text=st.none() | st.text(alphabet=string.printable, max_size=20),
    tz=st.sampled_from(_ZONES),
)
def test_the_usual_receipt_reads_as_the_general_reader(  # noqa: PLR0917 -- one per receipt field
    ident: str,
    sub: str,
    dlvrd: str,
    submit: str,
    done: str,
    stat: str,
    err: str,
    text: str | None,
    tz: tzinfo,
) -> None:
    receipt = (
        f"id:{ident} sub:{sub} dlvrd:{dlvrd} submit date:{submit} done date:{done} stat:{stat} err:{err}"
    )
    if text is not None:
        receipt += f" text:{text}"
    usual = _usual_receipt(receipt, tz)
    general = _outcome(lambda: _general_receipt(receipt, tz, "gw", "answer"))
    if usual is not None:
        assert usual == general
        for name in ("submit_date", "done_date"):
            value = getattr(usual, name)
            assert value is None or value.tzinfo is UTC
    # The documented shape is always read in one pass.
    documented = sub.isascii() and sub.isdigit() and dlvrd.isascii() and dlvrd.isdigit()
    one_line = text is None or not any(c in text for c in "\n\r\x0b\x0c")
    if documented and one_line and ident and stat and isinstance(general, DeliveryReceipt):
        assert usual is not None
    # And parse_receipt answers what the general reader does, whichever path reads it.
    assert _outcome(lambda: parse_receipt(receipt, tz=tz, vendor="gw", field="answer")) == general


@pytest.mark.parametrize("value", ["²", "1²", "٣"])
def test_a_count_in_unicode_digits(value: str) -> None:
    """``"²".isdigit()`` is true and ``int("²")`` raises: a count that int()
    refuses is the field's PayloadError, never a bare ValueError; one it reads
    (Arabic-Indic digits are decimal) keeps its value."""
    text = f"id:1 sub:{value} stat:DELIVRD"
    if value.isdecimal():
        assert parse_receipt(text, tz=UTC).submitted == int(value)
    else:
        with pytest.raises(PayloadError) as info:
            parse_receipt(text, tz=UTC)
        assert info.value.field == "short_message.sub"
    assert parse_receipt(f"id:{value} stat:DELIVRD", tz=UTC).id_candidates()[0] == value


# -- receipt dates ---------------------------------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(
    value=st.text(alphabet="0123456789", min_size=10, max_size=12) | st.text(max_size=14),
    tz=st.sampled_from(_ZONES),
)
def test_a_receipt_date_reads_as_strptime_in_its_zone(value: str, tz: tzinfo) -> None:
    """strptime's %y%m%d%H%M[%S] in the SMSC's zone is the reference (Appendix B's layout)."""
    fmt = {10: "%y%m%d%H%M", 12: "%y%m%d%H%M%S"}.get(len(value))
    expected: object = ValueError
    if fmt is not None and value.isascii() and value.isdigit():
        try:
            expected = datetime.strptime(value, fmt).replace(tzinfo=tz).astimezone(UTC)
        except (ValueError, OverflowError):
            expected = ValueError
    try:
        got: object = receipt_date(value, tz)
    except ValueError as exc:
        got = ValueError
        assert len(str(exc)) < 100  # a long value is cut in the message
    assert got == expected
    if isinstance(got, datetime):
        assert got.tzinfo is UTC


def test_receipt_dates_at_the_edges() -> None:
    assert receipt_date("6901010000", UTC) == datetime(1969, 1, 1, tzinfo=UTC)
    assert receipt_date("6812312359", UTC) == datetime(2068, 12, 31, 23, 59, tzinfo=UTC)
    assert receipt_date("250610125001", UTC8) == datetime(2025, 6, 10, 4, 50, 1, tzinfo=UTC)
    for bad in (
        "2506102400",
        "2502300000",
        "250610125",
        "2506101250 ",
        "\uff12\uff15\uff10\uff16\uff11\uff10\uff11\uff12\uff15\uff10",
        "x" * 5000,
    ):
        with pytest.raises(ValueError, match="YYMMDDhhmm"):
            receipt_date(bad, UTC)
