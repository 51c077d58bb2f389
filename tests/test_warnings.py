"""Issue 10 points 7 (bounds), 11 (identities) and 12 (warnings): only a record's
identity and status may reject it; every other unreadable field becomes null
with a machine-readable warning, and every count a vendor controls is bounded."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import smsstatus
from smsstatus import Channel, Part, PayloadError, PluginError, Status, StatusReport, hookimpl
from smsstatus.fields import MAX_ID_LENGTH, NO_WARNINGS, Record, check_batch, identity
from smsstatus.model import MAX_PARTS, ReportWarning, WarningCode
from smsstatus.schemas import errors_of, validator
from smsstatus.serialize import from_dict, to_dict
from smsstatus.times import from_epoch_seconds

UNREADABLE, OUT_OF_RANGE, INCONSISTENT = (
    WarningCode.UNREADABLE,
    WarningCode.OUT_OF_RANGE,
    WarningCode.INCONSISTENT,
)


def _codes(record: Record) -> list[tuple[str, WarningCode]]:
    return [(w.field, w.code) for w in record.warnings]


def _report(**fields: Any) -> StatusReport:
    base: dict[str, Any] = {
        "vendor": "acme",
        "message_id": "m-1",
        "status": Status.DELIVERED,
        "received_at": datetime(2025, 1, 1, tzinfo=UTC),
        "channel": Channel.PUSH,
        "raw": {},
    }
    return StatusReport(**(base | fields))


# -- the model, the schema and the JSON form -----------------------------------------


def test_a_report_without_warnings_shares_one_empty_tuple() -> None:
    report = _report()
    assert report.warnings == ()
    assert report.warnings is NO_WARNINGS  # no allocation per report on the hot path
    assert to_dict(report)["warnings"] == []


def test_warnings_are_in_the_json_form_and_the_schema() -> None:
    warning = ReportWarning("$.requestTime", OUT_OF_RANGE, "Unix seconds 6 is outside 2000..2100")
    report = _report(warnings=(warning,))
    data = to_dict(report)
    assert data["warnings"] == [
        {"field": "$.requestTime", "code": "out_of_range", "reason": "Unix seconds 6 is outside 2000..2100"}
    ]
    assert errors_of(validator("status-report"), data) == []
    assert from_dict(data) == report
    bad = data | {"warnings": [{"field": "$.x", "code": "not-a-code", "reason": ""}]}
    assert errors_of(validator("status-report"), bad) != []


def test_a_warning_is_equal_by_field_and_code_its_reason_is_for_people() -> None:
    one = ReportWarning("$.a", UNREADABLE, "not a number")
    assert one == ReportWarning("$.a", UNREADABLE, "reworded")
    assert one != ReportWarning("$.a", OUT_OF_RANGE, "not a number")
    assert one != ReportWarning("$.b", UNREADABLE, "not a number")


def test_a_report_stored_before_warnings_existed_still_loads() -> None:
    data = to_dict(_report())
    del data["warnings"]
    assert errors_of(validator("status-report"), data) == []
    assert from_dict(data).warnings == ()


# -- optional fields: null plus a warning ---------------------------------------------


def test_an_optional_field_that_cannot_be_read_is_null_with_a_warning() -> None:
    record = Record(
        "acme",
        {"name": 7, "count": "12x", "price": "cheap", "sent": "yesterday", "ref": 1.5, "ok": "x"},
        "$.items[3]",
    )
    assert record.opt_string("name") is None
    assert record.integer("count", required=False, strings=True) is None
    assert record.decimal("price", required=False) is None
    assert record.epoch_seconds("sent", required=False) is None
    assert record.ident("ref", required=False) is None
    assert record.opt_string("ok") == "x"
    assert _codes(record) == [
        ("$.items[3].name", UNREADABLE),
        ("$.items[3].count", UNREADABLE),
        ("$.items[3].price", UNREADABLE),
        ("$.items[3].sent", UNREADABLE),
        ("$.items[3].ref", UNREADABLE),
    ]
    assert all(w.reason for w in record.warnings)


def test_a_readable_value_out_of_bounds_is_out_of_range() -> None:
    record = Record("acme", {"segments": 100000, "at": 6})
    assert record.integer("segments", required=False, minimum=0, maximum=MAX_PARTS) is None
    assert record.epoch_seconds("at", required=False) is None  # uSpeedo's filler example value
    assert _codes(record) == [("$.segments", OUT_OF_RANGE), ("$.at", OUT_OF_RANGE)]


def test_absent_null_and_empty_optional_fields_give_null_without_a_warning() -> None:
    record = Record("acme", {"a": None, "b": ""})
    for name in ("a", "b", "c"):
        assert record.opt_string(name) is None
        assert record.integer(name, required=False, strings=True) is None
        assert record.ident(name, required=False) is None
        assert record.optional(name, from_epoch_seconds) is None
    assert record.warnings is NO_WARNINGS


def test_required_fields_still_reject_the_record() -> None:
    record = Record("acme", {"n": "x", "t": "soon"})
    with pytest.raises(PayloadError) as info:
        record.integer("n", strings=True)
    assert (info.value.vendor, info.value.field) == ("acme", "$.n")
    with pytest.raises(PayloadError, match=r"\$\.t"):
        record.epoch_seconds("t")
    assert record.warnings == ()


def test_optional_reads_a_plugin_parser_and_nested_records_share_warnings() -> None:
    def parse(value: Any) -> int:
        return int(value)

    record = Record("acme", {"n": "seven", "country": {"iso": 5}, "op": [1]})
    assert record.optional("n", parse) is None
    country = record.child("country")
    assert country.opt_string("iso") is None
    assert record.opt_child("op") is None
    assert _codes(record) == [("$.n", UNREADABLE), ("$.country.iso", UNREADABLE), ("$.op", UNREADABLE)]
    assert country.warnings == record.warnings


def test_huge_numbers_are_refused_without_parsing_or_printing_them() -> None:
    # int() of a 5,000-digit string raises a bare ValueError (and costs quadratic time below that);
    # json.loads gives integers of up to 4,300 digits, whose repr is as long.
    record = Record("acme", {"n": "9" * 5000, "big": 10**4000})
    assert record.integer("n", required=False, strings=True) is None
    assert record.integer("big", required=False, maximum=MAX_PARTS) is None
    assert [w.code for w in record.warnings] == [UNREADABLE, OUT_OF_RANGE]
    assert all(len(w.reason) < 100 for w in record.warnings)  # a reason never grows with the value


# -- point 7: part numbers and batches ------------------------------------------------------


@pytest.mark.parametrize("identity_", [True, False])
def test_a_part_of_a_multipart_message(identity_: bool) -> None:
    record = Record("acme", {"sequence": "2", "total": "3"}, "form")
    assert record.part("sequence", "total", identity=identity_) == (Part(2, 3), 3)
    single = Record("acme", {"sequence": "1", "total": "1"}, "form")
    assert single.part("sequence", "total", identity=identity_) == (None, 1)
    assert Record("acme", {}, "form").part("sequence", "total", identity=identity_) == (None, None)


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"total": "10000000", "sequence": "1"}, "form.total", OUT_OF_RANGE),  # the 90-byte attack
        ({"total": "256", "sequence": "1"}, "form.total", OUT_OF_RANGE),
        ({"total": "0", "sequence": "1"}, "form.total", OUT_OF_RANGE),
        ({"total": "3", "sequence": "4"}, "form.sequence", INCONSISTENT),
        ({"total": "3", "sequence": "0"}, "form.sequence", OUT_OF_RANGE),
        ({"total": "3"}, "form.sequence", INCONSISTENT),
        ({"total": "3", "sequence": "two"}, "form.sequence", UNREADABLE),
        ({"total": "lots", "sequence": "1"}, "form.total", UNREADABLE),
    ],
)
def test_an_unusable_part_is_a_warning_or_an_identity_error(
    fields: dict[str, str], field: str, code: WarningCode
) -> None:
    lenient = Record("acme", fields, "form")
    part, _total = lenient.part("sequence", "total", identity=False)
    assert part is None
    assert _codes(lenient) == [(field, code)]
    strict = Record("acme", fields, "form")
    with pytest.raises(PayloadError) as info:
        strict.part("sequence", "total", identity=True)
    assert info.value.field == field


def test_the_index_of_a_whole_message_identifies_nothing() -> None:
    record = Record("acme", {"total": "1", "sequence": "5"}, "form")
    assert record.part("sequence", "total", identity=True) == (None, 1)
    assert _codes(record) == [("form.sequence", INCONSISTENT)]


def test_an_over_long_batch_is_refused_before_any_item_is_read() -> None:
    record = Record("acme", {"list": [{}] * 101})
    with pytest.raises(PayloadError) as info:
        record.array("list", max_items=100)
    assert info.value.field == "$.list"
    assert record.array("list", max_items=101) == [{}] * 101
    with pytest.raises(PayloadError):
        check_batch("acme", "$", 2, 1)


def _batch_vendor(reports: int, max_batch: int | None, **fields: Any) -> object:
    """A push vendor ``batcher`` whose every push answers ``reports`` copies of one report."""
    extra = {} if max_batch is None else {"max_batch": max_batch}

    class Batcher:
        @hookimpl
        def vendor_info(self) -> smsstatus.VendorInfo:
            return smsstatus.VendorInfo(
                id="batcher",
                display_name="Batcher",
                capabilities=frozenset({smsstatus.Capability.PUSH}),
                statuses=(),
                **extra,
            )

        @hookimpl
        def parse_push(self, request: smsstatus.PushRequest) -> smsstatus.PushResult:
            one = _report(vendor="batcher", received_at=request.received_at, **fields)
            return smsstatus.PushResult(reports=(one,) * reports)

    return Batcher()


def test_the_host_refuses_a_batch_above_the_declared_bound() -> None:
    request = smsstatus.PushRequest.build(body=b"{}", content_type="application/json")
    registry = smsstatus.Registry(vendors={"batcher": _batch_vendor(51, 50)})
    with pytest.raises(PayloadError) as info:
        registry.parse_push("batcher", request)
    assert (info.value.vendor, info.value.field) == ("batcher", "$")
    assert "51" in info.value.reason
    ok = smsstatus.Registry(vendors={"batcher": _batch_vendor(50, 50)})
    assert len(ok.parse_push("batcher", request).reports) == 50
    default = smsstatus.Registry(vendors={"batcher": _batch_vendor(1001, None)})
    with pytest.raises(PayloadError):
        default.parse_push("batcher", request)


def test_a_bound_that_is_not_a_positive_integer_is_a_broken_plugin() -> None:
    registry = smsstatus.Registry(vendors={"batcher": _batch_vendor(1, 0)})
    assert "batcher" not in registry.vendors
    assert "max_batch" in registry.failures[0].error
    with pytest.raises(PluginError):
        registry.parse_push("batcher", smsstatus.PushRequest.build(body=b"{}"))


# -- point 11: identities -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "m-1\x00",
        "m\r\nd7 m-2 delivered",
        "m-1\x1b]0;pwned\x07",
        "m\x7f",
        "m\x85",
        "m\ud800",
        "",
        "   ",
        "x" * (MAX_ID_LENGTH + 1),
    ],
)
def test_an_identity_that_cannot_be_stored_and_queried_rejects_the_record(value: str) -> None:
    with pytest.raises(PayloadError) as info:
        identity("acme", "$.id", value)
    assert info.value.field == "$.id"
    with pytest.raises(PayloadError):
        Record("acme", {"id": value}).ident("id")
    lenient = Record("acme", {"batch": value})
    assert lenient.ident("batch", required=False) is None
    assert len(lenient.warnings) == (1 if value else 0)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("627239445736452096", "627239445736452096"),
        (627239445736452096, "627239445736452096"),
        ("b9d9b4fe-ad0e-4a2a-a2c7-445505b674ac_6", "b9d9b4fe-ad0e-4a2a-a2c7-445505b674ac_6"),
        ("订单 42", "订单 42"),
        ("x" * MAX_ID_LENGTH, "x" * MAX_ID_LENGTH),
    ],
)
def test_ordinary_identities_are_accepted(value: object, text: str) -> None:
    assert identity("acme", "$.id", value) == text


def test_a_float_id_is_refused() -> None:
    with pytest.raises(PayloadError, match="expected a string or integer id"):
        identity("acme", "$.id", 6.272394457364521e17)


def test_a_fixture_expecting_no_warnings_fails_on_a_report_with_one() -> None:
    from smsstatus.fixtures import _compare_reports

    clean = to_dict(_report())
    warned = to_dict(_report(warnings=(ReportWarning("$.a", UNREADABLE, "bad"),)))
    expected = {k: v for k, v in clean.items() if k != "warnings"}  # written before warnings existed
    assert _compare_reports([expected], [clean]) == []
    assert _compare_reports([expected], [warned]) != []
    # compared by field and code; the reason is text for people
    reworded = clean | {"warnings": [{"field": "$.a", "code": "unreadable", "reason": "whatever"}]}
    assert _compare_reports([reworded], [warned]) == []


@pytest.mark.parametrize("part", [Part(1, 256), Part(0, 3), Part(4, 3), Part(300, 10_000_000)])
def test_the_host_refuses_a_report_whose_part_is_beyond_what_sms_allows(part: Part) -> None:
    # A third-party plugin that builds Part itself still never hands on a part no message can have.
    registry = smsstatus.Registry(vendors={"batcher": _batch_vendor(1, None, part=part)})
    with pytest.raises(PayloadError) as info:
        registry.parse_push("batcher", smsstatus.PushRequest.build(body=b"{}"))
    assert info.value.vendor == "batcher"
    assert "part" in info.value.reason


def test_the_schema_bounds_parts_and_segments() -> None:
    schema = validator("status-report")
    assert errors_of(schema, to_dict(_report(part=Part(255, 255), segments=255))) == []
    assert errors_of(schema, to_dict(_report(part=Part(1, 256)))) != []
    assert errors_of(schema, to_dict(_report(segments=256))) != []


@pytest.mark.parametrize(
    "fields",
    [
        {"message_id": "m-1\x00"},
        {"message_id": "m\r\nforged"},
        {"batch_id": "b\x1b]0;x\x07"},
        {"message_id": "m" * 300},
        {"part_ref": "seg\x00-2"},
    ],
)
def test_the_host_refuses_a_report_whose_id_no_store_can_hold_or_query(fields: dict[str, str]) -> None:
    # Point 11, consistent across plugins: one that builds ids without fields.identity still
    # never hands the store an id with a control character (a NUL cannot be stored in PostgreSQL).
    registry = smsstatus.Registry(vendors={"batcher": _batch_vendor(1, None, **fields)})
    with pytest.raises(PayloadError) as info:
        registry.parse_push("batcher", smsstatus.PushRequest.build(body=b"{}"))
    assert info.value.vendor == "batcher"
