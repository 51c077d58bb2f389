"""Tests of the clickatell plugin: every fixture case, and what the fixtures
cannot show. Expected values come from Clickatell's documentation and SDKs,
never from the plugin's output."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import smsstatus_clickatell
from hypothesis import example, given
from hypothesis import strategies as st
from smsstatus.plugin import AuthenticationError, Capability, Credentials, PayloadError, PushRequest, Status
from smsstatus.plugin.testing import Case, Registry, load, load_cases, run_case

REGISTRY = Registry(vendors={"clickatell": smsstatus_clickatell})
CASES = load_cases(REGISTRY.info("clickatell"))
RECEIVED = datetime(2025, 6, 10, 12, 52, 5, tzinfo=UTC)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture(case: Case) -> None:
    run_case(REGISTRY, case)


def test_fixture_coverage() -> None:
    assert {c.kind for c in CASES} == {"push", "fetch", "map"}
    mapped = {c.data["status"] for c in CASES if c.kind == "map"}
    documented = {s.value for s in REGISTRY.info("clickatell").statuses}
    assert documented <= mapped, documented - mapped


def test_entry_point_loads() -> None:
    registry = load(environ={"SMSSTATUS_VENDORS": "clickatell"})
    loaded = registry.vendors["clickatell"]
    assert loaded.distribution == "smsstatus-clickatell"
    assert loaded.hooks == {"vendor_info", "parse_push", "fetch", "map_status"}
    assert loaded.info.capabilities == {Capability.PUSH, Capability.FETCH}


def test_the_tables_are_never_mixed() -> None:
    """One's code 4 is SENT_TO_SUPPLIER and 5 DEVICE_ACK; in the numeric table 4
    is received by recipient and 5 an error with the message (Corrections 1).
    A One update maps by its word, whatever its code."""
    one = {
        "event": {
            "messageStatusUpdate": [
                {"messageId": "m1", "status": "SENT_TO_SUPPLIER", "statusCode": 4},
                {"messageId": "m2", "status": "DEVICE_ACK", "statusCode": 5},
            ]
        }
    }
    request = PushRequest.build(body=json.dumps(one), content_type="application/json", received_at=RECEIVED)
    sent, delivered = smsstatus_clickatell.parse_push(
        "clickatell", request, Credentials("clickatell")
    ).reports
    assert (sent.status, delivered.status) == (Status.SENT, Status.DELIVERED)
    assert smsstatus_clickatell.map_status("4", None).status is Status.DELIVERED
    assert smsstatus_clickatell.map_status("5", None).status is Status.REJECTED


def test_one_batch_above_the_bound_is_refused_before_reading_items() -> None:
    updates = [
        {"messageId": f"m{i}", "status": "QUEUED"} for i in range(smsstatus_clickatell.INFO.max_batch + 1)
    ]
    request = PushRequest.build(
        body=json.dumps({"event": {"messageStatusUpdate": updates}}),
        content_type="application/json",
        received_at=RECEIVED,
    )
    with pytest.raises(PayloadError) as info:
        smsstatus_clickatell.parse_push("clickatell", request, Credentials("clickatell"))
    assert info.value.field == "$.event.messageStatusUpdate"


def test_basic_errors_show_no_credential() -> None:
    credentials = Credentials("clickatell", {"callback_username": "dc", "callback_password": "s3cret-pass"})
    for header in (
        "Basic " + base64.b64encode(b"dc:wrong-pass").decode(),
        "Basic not-base64!",
        "Bearer s3cret-pass",
    ):
        request = PushRequest.build(
            method="GET",
            url="https://h.test/c?apiMsgId=abc&status=004",
            headers={"Authorization": header},
            received_at=RECEIVED,
        )
        with pytest.raises(AuthenticationError) as info:
            smsstatus_clickatell.parse_push("clickatell", request, credentials)
        assert "s3cret-pass" not in str(info.value) and "wrong-pass" not in str(info.value)


def test_platform_timestamp_in_seconds_is_read_too() -> None:
    """The Platform's timestamp is Unix milliseconds [U]; ten digits read as seconds."""
    request = PushRequest.build(
        method="GET",
        url="https://h.test/c?messageId=m&statusCode=4&timestamp=1749559921",
        received_at=RECEIVED,
    )
    (report,) = smsstatus_clickatell.parse_push("clickatell", request, Credentials("clickatell")).reports
    assert report.status_at == datetime(2025, 6, 10, 12, 52, 1, tzinfo=UTC)


def test_altered_one_items_give_the_same_answer_on_both_paths() -> None:
    # tests/test_fast_paths.py alters the first item of One's batch; the lean
    # path reads every item, and any odd one must send the whole envelope to
    # the detailed path (which keeps the good items and reports the bad one).
    from smsstatus.plugin.testing import fast_path_mode

    case = next(c for c in CASES if c.id.endswith("::one-batch-sent-and-delivered"))
    envelope = case.data["request"]["body"]["json"]
    first, second = envelope["event"]["messageStatusUpdate"]
    odd: list[Any] = [None, "", 0, 4, True, 1.5, [], {}, "x" * 300, "a\x00b", 10**30, "1749559921000"]
    variants = [{k: v for k, v in second.items() if k != key} for key in second]
    variants += [{**second, key: value} for key in second for value in odd]
    taken = 0
    with fast_path_mode("compare") as counts:
        for item in variants:
            body = {**envelope, "event": {"messageStatusUpdate": [first, item]}}
            request = PushRequest.build(content_type="application/json", body=json.dumps(body))
            result = smsstatus_clickatell.parse_push("clickatell", request, Credentials("clickatell"))
            assert len(result.reports) + len(result.errors) == 2
        taken = sum(took for key, (took, _) in counts.items() if key.startswith("smsstatus_clickatell."))
    assert 0 < taken < len(variants)  # some variants on each path, every taken one agreeing


@given(st.one_of(st.integers(min_value=-(10**17), max_value=10**17), st.integers().map(str)))
@example(978_307_200_000)  # the sure windows' bounds, and core's (2000-01-01, 2100-01-01)
@example(978_307_199_999)
@example(4_070_908_800_000)
@example(4_070_908_799_999)
@example(946_684_800_000)
@example(4_102_444_800_000)
@example(946_684_800)
@example(946_684_799)
@example(4_102_444_800)
@example(4_102_444_799)
@example(978_307_200)
@example(4_070_908_799)
@example(99_999_999_999)  # seconds below this, milliseconds from it
@example(100_000_000_000)
@example("1749559921000")  # Clickatell's documented millisecond and second stamps
@example("1218007814")
def test_the_callback_time_is_core_epoch_reading(value: int | str) -> None:
    # push.epoch adds a time inside 2001..2099 to the epoch itself; every value
    # must get what core's readers give (told apart at 10**11), or their error.
    from smsstatus.plugin import from_epoch_millis, from_epoch_seconds
    from smsstatus_clickatell.push import epoch

    def core(number: int) -> datetime:
        return from_epoch_millis(number) if number >= 100_000_000_000 else from_epoch_seconds(number)

    number = (
        int(value)
        if isinstance(value, int) or (value.isascii() and value.isdigit() and len(value) <= 16)
        else None
    )
    expected: datetime | str
    try:
        expected = core(number) if number is not None else "ValueError"
    except ValueError as exc:
        expected = f"{type(exc).__name__}: {exc}"
    try:
        got: datetime | str = epoch(value)
    except ValueError as exc:
        got = f"{type(exc).__name__}: {exc}" if number is not None else "ValueError"
    assert got == expected
    if isinstance(got, datetime):
        assert got.tzinfo is UTC and got.utcoffset() is not None


@given(
    st.one_of(
        st.integers(
            min_value=978_307_200_000, max_value=4_070_908_799_999
        ),  # push.epoch's millisecond window
        st.integers(min_value=978_307_200, max_value=4_070_908_799),  # and its second window
    )
)
@example(4_070_908_799_999)  # the largest float there: still exact to the millisecond
@example(4_070_908_799_001)
def test_the_callback_time_is_exact_across_its_windows(number: int) -> None:
    # push.epoch reads these by fromtimestamp (a float for milliseconds): the
    # instant must be exactly the integer one, to the microsecond.
    from smsstatus_clickatell.push import epoch

    millis = number if number >= 100_000_000_000 else number * 1000
    got = epoch(str(number))
    assert got == datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=millis)
    assert got.tzinfo is UTC


@given(st.one_of(st.integers(min_value=0, max_value=10**16 - 1).map(str), st.text("0123456789", max_size=17)))
@example("978307200000")  # the sure windows' bounds as a query sends them
@example("978307199999")
@example("4070908800000")
@example("4070908799999")
@example("978307200")
@example("978307199")
@example("4070908800")
@example("4070908799")
@example("0001749559921")  # zero-padded: the same number
@example("99999999999")
@example("100000000000")
@example("")
def test_a_flat_callbacks_time_reads_the_same_on_both_paths(stamp: str) -> None:
    # The lean path reads a query's or form's digits itself where epoch() is sure;
    # compare mode holds it to the detailed path (epoch, or its warning) on every value.
    from smsstatus.plugin.testing import fast_path_mode

    for fields in (f"apiMsgId=m&status=004&timestamp={stamp}", f"messageId=m&statusCode=4&timestamp={stamp}"):
        request = PushRequest.build(method="GET", url=f"https://h.test/c?{fields}", received_at=RECEIVED)
        with fast_path_mode("compare"):
            (report,) = smsstatus_clickatell.parse_push(
                "clickatell", request, Credentials("clickatell")
            ).reports
        assert report.status_at is None or report.status_at.tzinfo is UTC


@pytest.mark.parametrize("charge", ["1e99", "1e999999", "0." + "0" * 40 + "1"])
def test_the_charge_cache_keeps_no_long_or_huge_charge(charge: str) -> None:
    # The lean path caches the charge's text per value; a long one, or one whose
    # fixed-point text is huge, is read by the detailed path, uncached.
    from decimal import Decimal

    from smsstatus.plugin.testing import fast_path_mode
    from smsstatus_clickatell import push

    request = PushRequest.build(
        method="GET", url=f"https://h.test/c?apiMsgId=abc&status=004&charge={charge}", received_at=RECEIVED
    )
    before = push._cached_charge_credits.cache_info().currsize
    with fast_path_mode("compare"):
        (report,) = smsstatus_clickatell.parse_push("clickatell", request, Credentials("clickatell")).reports
    # Beyond 10^±32 the detailed path keeps no fixed-point text either ("1e999999"
    # would be a megabyte): null plus an out-of-range warning, the value in raw.
    assert abs(Decimal(charge).adjusted()) > push._MAX_CHARGE_EXPONENT
    assert "charge_credits" not in report.extra and report.raw["charge"] == charge
    assert [(w.field.rpartition(".")[2], w.code.value) for w in report.warnings] == [
        ("charge", "out_of_range")
    ]
    assert push._cached_charge_credits.cache_info().currsize == before


def test_settled_statuses_are_map_values_answers_for_every_spelling() -> None:
    # The lean paths read SETTLED instead of map_value: every documented status
    # in the spellings the callbacks use, and no code may change its meaning.
    from smsstatus_clickatell.mapping import NUMERIC, ONE, SETTLED, map_value

    assert {"004", "4", "DEVICE_ACK"} <= set(SETTLED)
    assert len(SETTLED) == 2 * len(NUMERIC) + len(ONE)
    for value, mapped in SETTLED.items():
        for code in (None, "", "4", "x"):
            assert map_value(value, code) == mapped
