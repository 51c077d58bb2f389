"""Typed field access, times and phone numbers: errors name vendor, field and reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from smsstatus import PayloadError
from smsstatus.fields import Record, decode_json_object
from smsstatus.phone import _by_rules, to_e164
from smsstatus.times import SHANGHAI, from_epoch_millis, from_epoch_seconds, parse_local, parse_rfc3339


def test_record_errors_name_vendor_field_and_reason() -> None:
    item = Record("uspeedo", {"Data": [{"ReceiptTime": "soon"}]}).array("Data")[0]
    record = Record("uspeedo", item, "$.Data[0]")
    with pytest.raises(PayloadError) as info:
        record.epoch_seconds("ReceiptTime")
    assert (info.value.vendor, info.value.field) == ("uspeedo", "$.Data[0].ReceiptTime")
    assert "'soon'" in info.value.reason
    with pytest.raises(PayloadError, match=r"\$\.Data\[0\]\.Phone: required field is missing"):
        record.string("Phone")


@pytest.mark.parametrize("text", ["--5", "-", "5-", "-+5", "+5", "- 5", "\u00b2"])
def test_integer_strings_refuse_what_int_would_refuse_as_typed_errors(text: str) -> None:
    """Only digits with one optional leading minus: "--5" passed the check once
    and reached int(), whose bare ValueError became a PluginError (a Vonage
    Messages status with ``count_total: "--5"``)."""
    with pytest.raises(PayloadError, match="expected an integer string") as info:
        Record("vonage", {"count_total": text}).integer("count_total", strings=True)
    assert (info.value.vendor, info.value.field) == ("vonage", "$.count_total")
    optional = Record("vonage", {"count_total": text})
    assert optional.integer("count_total", strings=True, required=False) is None
    assert [w.field for w in optional.warnings] == ["$.count_total"]
    assert Record("v", {"n": "-5"}).integer("n", strings=True) == -5


def test_typed_getters() -> None:
    record = Record("v", {"n": "12", "i": 7, "f": 0.0004, "s": "", "b": True, "id": 627239445736452096})
    assert record.integer("n", strings=True) == 12
    assert record.integer("i") == 7
    assert record.decimal("f") == Decimal("0.0004")
    assert record.opt_string("s") is None
    assert record.boolean("b") is True
    assert record.ident("id") == "627239445736452096"
    with pytest.raises(PayloadError, match="expected an integer, got a string"):
        record.integer("n")
    with pytest.raises(PayloadError, match="expected a string, got a number"):
        record.string("i")
    with pytest.raises(PayloadError, match="expected a string or integer id, got a number"):
        record.ident("f")


def test_non_object_and_bad_json() -> None:
    with pytest.raises(PayloadError, match=r"at \$: expected an object, got an array"):
        Record("v", [1])
    with pytest.raises(PayloadError, match="not valid JSON"):
        decode_json_object("v", b"{")
    with pytest.raises(PayloadError, match="expected a JSON object, got a string"):
        decode_json_object("v", b'"x"')


def test_epoch_times() -> None:
    assert from_epoch_millis("1749545540967") == datetime(2025, 6, 10, 8, 52, 20, 967000, tzinfo=UTC)
    assert from_epoch_seconds(1563867000) == datetime(2019, 7, 23, 7, 30, tzinfo=UTC)
    with pytest.raises(ValueError, match="outside"):
        from_epoch_seconds(6)  # uSpeedo's filler example
    with pytest.raises(ValueError, match="outside"):
        from_epoch_seconds(1749545540967)  # milliseconds sent as seconds
    with pytest.raises(ValueError):
        from_epoch_millis("17495x")
    with pytest.raises(ValueError):
        from_epoch_millis(True)


def test_local_and_iso_times() -> None:
    # InnoPaaS legacy yyMMddHHmmss in Beijing time: 2024-02-01 00:11:13 +08:00 = 2024-01-31 16:11:13 UTC
    assert parse_local("240201001113", "%y%m%d%H%M%S", SHANGHAI) == datetime(
        2024, 1, 31, 16, 11, 13, tzinfo=UTC
    )
    assert parse_rfc3339("2018-04-13T06:31:46Z") == datetime(2018, 4, 13, 6, 31, 46, tzinfo=UTC)
    with pytest.raises(ValueError, match="no time zone"):
        parse_rfc3339("2018-04-13T06:31:46")
    with pytest.raises(ValueError, match="does not match"):
        parse_local("2402", "%y%m%d%H%M%S", SHANGHAI)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+9715097526", "+9715097526"),
        ("8618888888888", "+8618888888888"),
        ("008613900001111", "+8613900001111"),
        ("(852) 5531-1111", "+85255311111"),
        ("86185****9057", None),
        ("0123", None),
        ("", None),
        (None, None),
    ],
)
def test_e164(raw: str | None, expected: str | None) -> None:
    assert to_e164(raw) == expected


@settings(max_examples=400)
@given(
    raw=st.one_of(
        st.text(alphabet="0123456789", max_size=17),  # plain digits, every length around 8..15
        st.text(alphabet="0123456789", max_size=17).map(lambda digits: "+" + digits),
        st.text(alphabet="0123456789+ -().\u00a0٣x", max_size=18),
    ),
    national=st.sampled_from([(None, None), ("52", 10), ("1", 8)]),
)
def test_e164_shortcuts_answer_what_the_rules_answer(
    raw: str, national: tuple[str | None, int | None]
) -> None:
    # The shortcuts for "+digits" and plain digits are the rules' answers, separators and prefixes aside.
    country_code, national_length = national
    expected = _by_rules(raw, country_code, national_length)
    assert to_e164(raw, country_code=country_code, national_length=national_length) == expected


def test_e164_with_national_numbers() -> None:
    assert to_e164("8100001234", country_code="52", national_length=10) == "+528100001234"
    assert to_e164("528100001234", country_code="52", national_length=10) == "+528100001234"


@pytest.mark.parametrize(
    ("value", "fmt"),
    [
        ("240201001113", "%y%m%d%H%M%S"),
        ("6901010000", "%y%m%d%H%M"),
        ("6812312359", "%y%m%d%H%M"),
        ("20240229235959", "%Y%m%d%H%M%S"),
    ],
)
def test_compact_fast_path_agrees_with_strptime(value: str, fmt: str) -> None:
    expected = datetime.strptime(value, fmt).replace(tzinfo=SHANGHAI).astimezone(UTC)
    assert parse_local(value, fmt, SHANGHAI) == expected


FULL_WIDTH_DIGITS = "\uff12\uff14\uff10\uff12\uff10\uff11\uff10\uff10\uff11\uff11\uff11\uff13"


@pytest.mark.parametrize(
    "value",
    ["2402011311", "24020100111", "24ab01001113", "241301001113", "240230001113", FULL_WIDTH_DIGITS],
)
def test_compact_fast_path_rejects_what_strptime_rejects(value: str) -> None:
    with pytest.raises(ValueError, match="does not match"):
        parse_local(value, "%y%m%d%H%M%S", SHANGHAI)


def test_times_at_the_edge_of_the_datetime_range_are_value_errors() -> None:
    with pytest.raises(ValueError, match="out of range"):
        parse_rfc3339("0001-01-01T00:00:00+01:00")


def test_on_first_call_loads_once_and_only_when_called() -> None:
    from smsstatus.lazy import on_first_call

    loads: list[int] = []

    @on_first_call
    def double() -> Callable[[int], int]:
        loads.append(1)
        return lambda x: 2 * x

    assert loads == []
    assert (double(2), double(5)) == (4, 10)
    assert loads == [1]
