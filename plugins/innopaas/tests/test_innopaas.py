"""Tests of the innopaas plugin: every fixture case, plus targeted checks of the
tricky parts. Expected values come from InnoPaaS's documentation (times worked
out by hand from the epoch values and Beijing = UTC+8), not from the code."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from importlib.resources import files

import pytest
import smsstatus_innopaas
from smsstatus.plugin import (
    AuthenticationError,
    Capability,
    CredentialsError,
    MappingKind,
    Money,
    Operator,
    OutOfRange,
    PayloadError,
    PushRequest,
    Reason,
    Status,
    StatusReport,
    VendorError,
    WarningCode,
)
from smsstatus.plugin.testing import (
    Case,
    Exchange,
    Registry,
    ReplayTransport,
    UnsupportedError,
    fast_path_mode,
    load,
    load_cases,
    run_case,
)
from smsstatus_innopaas import clock
from smsstatus_innopaas.clock import ISO_PATTERN, LOCAL_PATTERN, parse_time

REGISTRY = Registry(vendors={"innopaas": smsstatus_innopaas})
CASES = load_cases(REGISTRY.info("innopaas"))

RECEIVED = datetime(2025, 6, 10, 8, 52, 21, tzinfo=UTC)

#: The doc's example body, verbatim (also shipped as examples/push.json).
DOC = {
    "batchSeq": "I8393346_2506101652_35",
    "unitPrice": "0.05670",
    "countryNumber": "0086",
    "mnc": "2",
    "receiver": "account",
    "pswd": "password",
    "mnoName": "China Mobile",
    "notifyTime": "1749545540975",
    "fee": "0.0567",
    "mobile": "8618888888888",
    "msgid": "627239445736452096",
    "mcc": "460",
    "requestTime": "1749545538198",
    "uid": "I8393346_2506101652_35",
    "regionCode": "CN",
    "accessNumber": "508tongdao",
    "currency": "CNY",
    "status": "DELIVRD",
    "reportTime": "1749545540967",
    "smsNum": "1",
}


def _post(body: object, content_type: str | None = "application/json") -> PushRequest:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return PushRequest.build(body=raw, content_type=content_type, received_at=RECEIVED)


def _get(query: str) -> PushRequest:
    return PushRequest.build(
        method="GET", url="https://hooks.example.test/ip", query=query, received_at=RECEIVED
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture(case: Case) -> None:
    run_case(REGISTRY, case)


def test_fixture_coverage() -> None:
    kinds = {c.kind for c in CASES}
    assert kinds == {"push", "map"}
    mapped = {c.data["status"] for c in CASES if c.kind == "map"}
    documented = {s.value for s in REGISTRY.info("innopaas").statuses}
    assert documented <= mapped, documented - mapped
    # every push shape and every error kind a push can raise is exercised
    methods = {c.data["request"]["method"] for c in CASES if c.kind == "push"}
    assert methods == {"GET", "POST"}
    errors = {
        c.data["expect"]["error"]["type"] for c in CASES if c.kind == "push" and "error" in c.data["expect"]
    }
    assert errors == {"payload", "authentication"}


# -- plugin loading -----------------------------------------------------------


def test_entry_point_loads() -> None:
    registry = load(environ={"SMSSTATUS_VENDORS": "innopaas"})
    assert "innopaas" in registry.vendors
    assert not [f for f in registry.failures if f.name == "innopaas"]
    loaded = registry.vendors["innopaas"]
    assert loaded.distribution == "smsstatus-innopaas"
    assert loaded.hooks == {"vendor_info", "parse_push", "drain", "map_status"}


def test_vendor_info() -> None:
    info = REGISTRY.info("innopaas")
    assert info.capabilities == {Capability.PUSH, Capability.DRAIN}
    assert info.default_base_url == "https://intapi.253.com" and info.poll is None
    assert [(c.name, c.used_for, c.secret, c.required) for c in info.credentials] == [
        ("receiver", "push", False, False),
        ("pswd", "push", True, False),
        ("account", "drain", False, False),
        ("password", "drain", True, False),
    ]
    assert set(info.secret_fields) == {"receiver", "pswd"}
    assert info.schemas is not None
    for name in ("push-json.schema.json", "push-query.schema.json"):
        assert (info.schemas / name).is_file(), name


def test_fetch_is_unsupported() -> None:
    with pytest.raises(UnsupportedError):
        REGISTRY.fetch("innopaas", ["627239445736452096"])


# -- mapping --------------------------------------------------------------------


def test_every_documented_status_maps_as_declared() -> None:
    statuses = REGISTRY.info("innopaas").statuses
    assert {s.value for s in statuses} == {"DELIVRD", "UNDELIV", "EXPIRED", "REJECTD", "DELETED", "UNKNOWN"}
    for documented in statuses:
        mapped = REGISTRY.map_status("innopaas", documented.value, documented.code)
        assert (mapped.status, mapped.reason, mapped.mapping) == (
            documented.expected.status,
            documented.expected.reason,
            documented.expected.mapping,
        ), documented.value


def test_only_delivrd_succeeds_everything_else_is_a_final_failure() -> None:
    """InnoPaaS: 'DELIVRD means delivered successfully; all others are failures'."""
    assert REGISTRY.map_status("innopaas", "DELIVRD").status is Status.DELIVERED
    for value in ("UNDELIV", "EXPIRED", "REJECTD", "DELETED", "UNKNOWN", "ACCEPTD", "ENROUTE", "X", "0"):
        mapped = REGISTRY.map_status("innopaas", value)
        assert mapped.final, value
        assert mapped.status is not Status.DELIVERED, value
        assert mapped.reason is not None, value


@pytest.mark.parametrize("value", ["MK:0005", "BLACK", "délivré", "DELIVRD2", "ID:0076", "unknown status"])
def test_unknown_values_follow_the_vendor_default(value: str) -> None:
    mapped = REGISTRY.map_status("innopaas", value)
    assert (mapped.status, mapped.reason, mapped.mapping) == (
        Status.UNDELIVERED,
        Reason.UNKNOWN,
        MappingKind.VENDOR_DEFAULT,
    )


@pytest.mark.parametrize("value", ["", " ", "\t\n"])
def test_blank_values_are_unmapped(value: str) -> None:
    mapped = REGISTRY.map_status("innopaas", value)
    assert (mapped.status, mapped.reason, mapped.mapping) == (Status.UNKNOWN, None, MappingKind.UNMAPPED)
    assert not mapped.final


def test_unknown_status_push_still_gets_the_success_reply() -> None:
    result = REGISTRY.parse_push("innopaas", _post({**DOC, "status": "SOMETHING_NEW"}))
    (report,) = result.reports
    assert report.vendor_status == "SOMETHING_NEW"
    assert report.mapping is MappingKind.VENDOR_DEFAULT
    assert (result.reply.status_code, result.reply.content_type, result.reply.body) == (200, None, b"")


# -- times ------------------------------------------------------------------------


#: A receive time near the docs' examples (2024-2025): decides 10-digit values.
NEAR = datetime(2025, 6, 10, 8, 52, 21, tzinfo=UTC)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # epoch ms: 1749545540 s = 2025-06-10T08:52:20Z (date -u -d @1749545540), + 967 ms
        ("1749545540967", datetime(2025, 6, 10, 8, 52, 20, 967000, tzinfo=UTC)),
        # yyMMddHHmmss Beijing: 2024-02-01 00:11:13 +08:00 = 2024-01-31 16:11:13 UTC
        ("240201001113", datetime(2024, 1, 31, 16, 11, 13, tzinfo=UTC)),
        # yyMMddHHmm Beijing: 2024-02-01 00:11 +08:00 = 2024-01-31 16:11 UTC (as seconds: 2046, farther)
        ("2402010011", datetime(2024, 1, 31, 16, 11, tzinfo=UTC)),
        # year boundary in Beijing: 2025-01-01 07:59:59 +08:00 = 2024-12-31 23:59:59 UTC
        ("250101075959", datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC)),
        # the legacy doc's 'Z' time is a Beijing wall clock (see clock.py)
        ("2024-02-01T00:11:15.130Z", datetime(2024, 1, 31, 16, 11, 15, 130000, tzinfo=UTC)),
        ("2024-02-01T00:11Z", datetime(2024, 1, 31, 16, 11, tzinfo=UTC)),
        # explicit offsets are honoured
        ("2024-02-01T00:11:15.130+08:00", datetime(2024, 1, 31, 16, 11, 15, 130000, tzinfo=UTC)),
        ("2024-01-31T16:11:15+00:00", datetime(2024, 1, 31, 16, 11, 15, tzinfo=UTC)),
        ("2024-01-31T11:11:15-05:00", datetime(2024, 1, 31, 16, 11, 15, tzinfo=UTC)),
        # issue 10 point 12: the "mainland China 24-hour format", a Beijing wall clock
        ("2025-06-10 16:52:18", datetime(2025, 6, 10, 8, 52, 18, tzinfo=UTC)),
        ("20250610165218", datetime(2025, 6, 10, 8, 52, 18, tzinfo=UTC)),
        ("2025/06/10 16:52:18", datetime(2025, 6, 10, 8, 52, 18, tzinfo=UTC)),
        ("2025-06-10 16:52", datetime(2025, 6, 10, 8, 52, tzinfo=UTC)),
        ("2025-06-10 16:52:18.198", datetime(2025, 6, 10, 8, 52, 18, 198000, tzinfo=UTC)),
        ("2024-02-01T00:11:15", datetime(2024, 1, 31, 16, 11, 15, tzinfo=UTC)),  # zone-less ISO: Beijing too
        # 10-digit epoch seconds: 1749545540 = 2025-06-10T08:52:20Z (as yyMMddHHmm: month 49, no reading)
        ("1749545540", datetime(2025, 6, 10, 8, 52, 20, tzinfo=UTC)),
    ],
)
def test_parse_time(given: str, expected: datetime) -> None:
    parsed = parse_time(given, NEAR)
    assert parsed == expected
    assert parsed.utcoffset() is not None and parsed.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("given", "received_at", "expected"),
    [
        # The example: 1712011530 as seconds is 2024-04-01T22:45:30Z; as yyMMddHHmm it is
        # 2017-12-01 15:30 Beijing = 07:30Z. Received minutes after the first, years after the second.
        (
            "1712011530",
            datetime(2024, 4, 1, 22, 46, tzinfo=UTC),
            datetime(2024, 4, 1, 22, 45, 30, tzinfo=UTC),
        ),
        ("1712011530", datetime(2017, 12, 1, 7, 35, tzinfo=UTC), datetime(2017, 12, 1, 7, 30, tzinfo=UTC)),
        # 2506101652: yyMMddHHmm 2025-06-10 16:52 Beijing = 08:52Z; as seconds 2049-05-31, far off.
        ("2506101652", NEAR, datetime(2025, 6, 10, 8, 52, tzinfo=UTC)),
        # minute 60 has no yyMMddHHmm reading: seconds it is, however far (date -u -d @2402012460).
        ("2402012460", NEAR, datetime(2046, 2, 12, 1, 41, tzinfo=UTC)),
    ],
)
def test_ten_digits_take_the_reading_nearest_the_receive_time(
    given: str, received_at: datetime, expected: datetime
) -> None:
    assert parse_time(given, received_at) == expected


def test_epoch_millis_are_exact_to_the_millisecond() -> None:
    """The float route in clock.py must agree with integer arithmetic for every 13-digit value up to
    2100 (13 digits start at 2001-09-09T01:46:40Z; shorter epoch values would be 12-digit dates)."""
    import random

    rng = random.Random(20250610)
    samples = [1_000_000_000_000, 4_102_444_799_999, 1749545540967, 1749545540999, 1749545541001]
    samples += [rng.randrange(1_000_000_000_000, 4_102_444_800_000) for _ in range(20000)]
    for millis in samples:
        seconds, rest = divmod(millis, 1000)
        expected = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds, milliseconds=rest)
        assert parse_time(str(millis), NEAR) == expected, millis


def _beijing_or_error(year: int, rest: tuple[int, ...]) -> datetime | None:
    """The reference reading of a compact Beijing wall clock: the datetime
    constructor's, at UTC+8, or None where it refuses the fields."""
    try:
        return datetime(year, *rest, tzinfo=timezone(timedelta(hours=8))).astimezone(UTC)
    except ValueError:
        return None


def test_compact_times_read_exactly_the_valid_dates_and_times() -> None:
    """yyMMddHHmmss and yyyyMMddHHmmss are read by the ISO 8601 parser's basic
    format (clock._basic_iso): every field at and around its bounds, invalid
    ones included, must read as the constructor reads the same fields."""
    for yy in (0, 24, 99):
        for month in (0, 1, 2, 12, 13):
            for day in (0, 1, 28, 29, 30, 31, 32):
                for hour, minute, second in ((0, 0, 0), (23, 59, 59), (24, 0, 0), (12, 60, 0), (12, 0, 60)):
                    rest = (month, day, hour, minute, second)
                    digits = "".join(f"{n:02d}" for n in rest)
                    expected = _beijing_or_error(2000 + yy, rest)
                    for given in (f"{yy:02d}{digits}", f"20{yy:02d}{digits}"):
                        if expected is None:
                            with pytest.raises(ValueError, match="is not a valid"):
                                parse_time(given, NEAR)
                        else:
                            parsed = parse_time(given, NEAR)
                            assert parsed == expected and parsed.tzinfo is UTC, given


def _by_the_patterns(given: str) -> datetime | None:
    """parse_time's reading of a text with separators by its patterns alone
    (None: refused), the route the legacy ISO layout skips."""
    try:
        if ISO_PATTERN.fullmatch(given):
            return clock._iso(given)
        match = LOCAL_PATTERN.fullmatch(given)
        return None if match is None else clock._local(given, match)
    except ValueError:
        return None


def test_the_legacy_iso_layout_reads_exactly_what_the_patterns_take() -> None:
    """clock.parse_time reads ``yyyy-MM-ddTHH:mm:ss.SSSZ`` without ISO_PATTERN
    (the C parser's digit checks stand in for it): every character at every
    place of the legacy doc's time, and every field at and around its
    bounds, must read as the patterns read it, or be refused as they refuse it."""
    template = "2024-02-01T00:11:15.130Z"
    characters = [chr(code) for code in range(128)] + ["\u0663", "\uff11", "\u00b2", "\u00e9", "\ud800"]
    given = [
        template[:place] + c + template[place + 1 :] for place in range(len(template)) for c in characters
    ]
    given += [
        f"{year}-{month}-{day}T{hour}:{minute}:{second}.999Z"
        for year in ("0000", "1999", "2000", "2099", "2100")
        for month in ("00", "02", "12", "13")
        for day in ("00", "29", "31", "32")
        for hour, minute, second in (
            ("00", "00", "00"),
            ("23", "59", "59"),
            ("24", "00", "00"),
            ("12", "60", "60"),
        )
    ]
    for text in given:
        expected = _by_the_patterns(text)
        if expected is None:
            with pytest.raises(ValueError):
                parse_time(text, NEAR)
        else:
            parsed = parse_time(text, NEAR)
            assert parsed == expected and parsed.tzinfo is UTC, text


@pytest.mark.parametrize(
    ("given", "out_of_range"),
    [
        ("17495455409", False),  # 11 digits
        ("174954554096700", False),  # 15 digits
        ("9999999999999", True),  # epoch ms in 2286
        ("241301001113", False),  # month 13
        ("240230001113", False),  # 30 February
        ("240201241113", False),  # hour 24
        ("0912311560", False),  # minute 60, and as Unix seconds 1998-11-29: no reading at all
        ("2024-02-01 00:11:15Z", False),  # space separator with a Z
        ("2024-02-30T00:11:15Z", False),  # no such day
        ("2024-02-30 00:11:15", False),  # no such day
        ("1899-02-01T00:11:15+08:00", True),  # outside 2000..2100
        ("18990201001115", True),  # outside 2000..2100
        (
            "\uff12\uff14\uff10\uff12\uff10\uff11\uff10\uff10\uff11\uff11\uff11\uff13",
            False,
        ),  # full-width digits
        ("yesterday", False),
    ],
)
def test_parse_time_rejects(given: str, out_of_range: bool) -> None:
    with pytest.raises(ValueError) as info:  # the push turns it into null with a warning
        parse_time(given, NEAR)
    assert isinstance(info.value, OutOfRange) is out_of_range


def test_an_unreadable_time_in_a_push_is_null_with_a_warning() -> None:
    # Issue 10 point 12: an optional field never loses a report (InnoPaaS stops after 3 tries).
    (report,) = REGISTRY.parse_push("innopaas", _post({**DOC, "reportTime": "9999999999999"})).reports
    assert report.status_at is None and report.raw["reportTime"] == "9999999999999"
    assert [(w.field, w.code) for w in report.warnings] == [("$.reportTime", WarningCode.OUT_OF_RANGE)]
    (report,) = REGISTRY.parse_push(
        "innopaas", _get("msgid=1&status=DELIVRD&requestTime=241301001113")
    ).reports
    assert report.submitted_at is None
    assert [(w.field, w.code) for w in report.warnings] == [("query.requestTime", WarningCode.UNREADABLE)]


# -- authentication ------------------------------------------------------------------

CREDS = {"receiver": "fixture-user-1", "pswd": "fixture-secret-1"}


def test_credentials_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import hmac

    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    body = {**DOC, **CREDS}
    REGISTRY.parse_push("innopaas", _post(body), CREDS)
    assert (b"fixture-user-1", b"fixture-user-1") in calls
    assert (b"fixture-secret-1", b"fixture-secret-1") in calls


def test_wrong_password_error_never_shows_either_value() -> None:
    body = {**DOC, "receiver": "fixture-user-1", "pswd": "fixture-guess-77"}
    with pytest.raises(AuthenticationError) as info:
        REGISTRY.parse_push("innopaas", _post(body), CREDS)
    assert info.value.credential == "pswd"
    text = str(info.value) + repr(info.value.args)
    assert "fixture-secret-1" not in text
    assert "fixture-guess-77" not in text


def test_legacy_get_credentials_in_the_query_are_checked_and_stripped() -> None:
    query = "msgid=1&status=DELIVRD&receiver=fixture-user-1&pswd=fixture-secret-1"
    (report,) = REGISTRY.parse_push("innopaas", _get(query), CREDS).reports
    assert report.raw == {"msgid": "1", "status": "DELIVRD"}
    with pytest.raises(AuthenticationError) as info:
        REGISTRY.parse_push("innopaas", _get("msgid=1&status=DELIVRD&receiver=fixture-user-1"), CREDS)
    assert info.value.credential == "pswd"


def test_secrets_are_stripped_even_without_configured_credentials() -> None:
    (report,) = REGISTRY.parse_push("innopaas", _post(DOC)).reports
    assert "receiver" not in report.raw and "pswd" not in report.raw
    assert "password" not in json.dumps(dict(report.raw))


def test_empty_credential_config_means_unauthenticated() -> None:
    (report,) = REGISTRY.parse_push("innopaas", _post(DOC), {"receiver": "", "pswd": ""}).reports
    assert report.status is Status.DELIVERED


# -- decoding the request shapes ------------------------------------------------------


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/octet-stream"])
def test_json_without_json_content_type_is_sniffed(content_type: str | None) -> None:
    (report,) = REGISTRY.parse_push("innopaas", _post(DOC, content_type)).reports
    assert report.message_id == "627239445736452096"
    assert report.price == Money(Decimal("0.0567"), "CNY")


def test_json_charset_content_type() -> None:
    (report,) = REGISTRY.parse_push("innopaas", _post(DOC, "application/json; charset=UTF-8")).reports
    assert report.operator == Operator("460", "2", "China Mobile")


def test_chinese_operator_name_kept() -> None:
    """The Chinese reference page's example names the operator 中国移动."""
    body = json.dumps({**DOC, "mnoName": "中国移动"}, ensure_ascii=False).encode("utf-8")
    (report,) = REGISTRY.parse_push("innopaas", _post(body)).reports
    assert report.operator is not None and report.operator.name == "中国移动"


def test_get_repeated_parameter_first_value_counts() -> None:
    (report,) = REGISTRY.parse_push("innopaas", _get("msgid=1&status=DELIVRD&status=UNDELIV")).reports
    assert report.vendor_status == "DELIVRD"


def test_get_url_encoded_iso_time() -> None:
    query = "msgid=1&status=DELIVRD&reportTime=2024-02-01T00%3A11%3A15.130%2B08%3A00"
    (report,) = REGISTRY.parse_push("innopaas", _get(query)).reports
    assert report.status_at == datetime(2024, 1, 31, 16, 11, 15, 130000, tzinfo=UTC)


def test_post_with_empty_body_and_query_reads_the_query() -> None:
    request = PushRequest.build(method="POST", query="msgid=7&status=EXPIRED", received_at=RECEIVED)
    (report,) = REGISTRY.parse_push("innopaas", request).reports
    assert (report.message_id, report.status, report.reason) == ("7", Status.EXPIRED, Reason.EXPIRED)


def test_form_post_errors_name_form_fields() -> None:
    request = PushRequest.build(
        body="msgid=1&status=DELIVRD&smsNum=x", content_type="application/x-www-form-urlencoded"
    )
    (report,) = REGISTRY.parse_push("innopaas", request).reports
    assert report.segments is None
    assert [w.field for w in report.warnings] == ["form.smsNum"]


def test_broken_multipart_is_a_payload_error() -> None:
    request = PushRequest.build(body=b"garbage", content_type="multipart/form-data; boundary=x")
    with pytest.raises(PayloadError) as info:
        REGISTRY.parse_push("innopaas", request)
    assert info.value.field in {"form", "form.msgid"}


def test_non_utf8_json_is_a_payload_error() -> None:
    with pytest.raises(PayloadError) as info:
        REGISTRY.parse_push("innopaas", _post(b'{"msgid": "\xff\xfe", "status": "DELIVRD"}'))
    assert info.value.field == "$"


@pytest.mark.parametrize("body", [b"null", b"42", b'"DELIVRD"', b"true"])
def test_json_scalars_are_payload_errors(body: bytes) -> None:
    with pytest.raises(PayloadError) as info:
        REGISTRY.parse_push("innopaas", _post(body))
    assert info.value.field == "$"


# -- field semantics --------------------------------------------------------------------


def test_uid_equal_to_batch_seq_is_no_client_ref() -> None:
    (report,) = REGISTRY.parse_push("innopaas", _post(DOC)).reports
    assert report.client_ref is None
    (report,) = REGISTRY.parse_push("innopaas", _post({**DOC, "uid": "my-ref-1"})).reports
    assert report.client_ref == "my-ref-1"
    # without batchSeq the uid cannot be a copy of it
    body = {k: v for k, v in DOC.items() if k != "batchSeq"}
    (report,) = REGISTRY.parse_push("innopaas", _post(body)).reports
    assert report.client_ref == "I8393346_2506101652_35"


def test_price_is_decimal_not_float() -> None:
    (report,) = REGISTRY.parse_push("innopaas", _post({**DOC, "fee": "0.1", "smsNum": "3"})).reports
    assert report.price is not None
    assert report.price.amount == Decimal("0.1")
    assert str(report.price.amount) == "0.1"
    assert report.segments == 3


def test_current_names_win_over_legacy_names() -> None:
    body = {**DOC, "price": "9.9", "sellingPrice": "3.3"}
    (report,) = REGISTRY.parse_push("innopaas", _post(body)).reports
    assert report.price == Money(Decimal("0.0567"), "CNY")
    assert report.extra["unit_price"] == "0.05670"


def test_invalid_legacy_field_is_a_warning_even_when_the_current_one_wins() -> None:
    (report,) = REGISTRY.parse_push("innopaas", _post({**DOC, "price": "cheap"})).reports
    assert report.price == Money(Decimal("0.0567"), "CNY")
    assert [(w.field, w.code) for w in report.warnings] == [("$.price", WarningCode.UNREADABLE)]


@pytest.mark.parametrize(
    ("given", "expected"), [("0086", "86"), ("86", "86"), ("+852", "852"), ("001", "1"), ("00", None)]
)
def test_country_number_normalised_to_dialling_code(given: str, expected: str | None) -> None:
    (report,) = REGISTRY.parse_push("innopaas", _post({**DOC, "countryNumber": given})).reports
    assert report.extra["country_number"] == expected
    assert report.raw["countryNumber"] == given


def test_mnc_is_not_padded_and_region_upper_cased() -> None:
    (report,) = REGISTRY.parse_push("innopaas", _post({**DOC, "mnc": "02", "regionCode": "cn"})).reports
    assert report.operator == Operator("460", "02", "China Mobile")
    assert report.country == "CN"


@pytest.mark.parametrize(
    ("mobile", "e164"),
    [
        ("8618888888888", "+8618888888888"),
        ("008618888888888", "+8618888888888"),
        ("+8618888888888", "+8618888888888"),
        ("86188****8888", None),  # masked
        ("18888888888", "+18888888888"),  # taken as international, as submitted
    ],
)
def test_mobile(mobile: str, e164: str | None) -> None:
    (report,) = REGISTRY.parse_push("innopaas", _post({**DOC, "mobile": mobile})).reports
    assert (report.recipient, report.recipient_raw) == (e164, mobile)


def test_status_kept_verbatim() -> None:
    (report,) = REGISTRY.parse_push("innopaas", _post({**DOC, "status": " expired "})).reports
    assert report.vendor_status == " expired "
    assert (report.status, report.reason) == (Status.EXPIRED, Reason.EXPIRED)


def test_extra_is_json_compatible() -> None:
    (report,) = REGISTRY.parse_push("innopaas", _post(DOC)).reports
    assert json.loads(json.dumps(dict(report.extra))) == dict(report.extra)
    for value in report.extra.values():
        assert value is None or isinstance(value, str)


@pytest.mark.parametrize("smsnum", ["256", "10000000", "99999999999999999999999"])
def test_a_segment_count_beyond_what_sms_concatenation_allows_is_out_of_range(smsnum: str) -> None:
    # Issue 10 point 7: every count a vendor controls is bounded (a message has at most 255 parts).
    (report,) = REGISTRY.parse_push("innopaas", _post({**DOC, "smsNum": smsnum})).reports
    assert report.segments is None
    assert [(w.field, w.code) for w in report.warnings] == [("$.smsNum", WarningCode.OUT_OF_RANGE)]


@pytest.mark.parametrize(
    "msgid", ["627239445736452096\x00", "6272394457\r\ninnopaas m-2 delivered", "6" * 300]
)
def test_a_msgid_that_cannot_be_stored_and_queried_rejects_the_push(msgid: str) -> None:
    # Issue 10 point 11: an id with a NUL or other control character was stored but could not be queried.
    with pytest.raises(PayloadError) as info:
        REGISTRY.parse_push("innopaas", _post({**DOC, "msgid": msgid}))
    assert info.value.field == "$.msgid"


def test_doc_example_fixture_is_the_doc_body() -> None:
    """The fixtures' doc-example case carries the doc's body unchanged (examples/push.json is the same
    body but is not in the wheel, and these tests also run from the wheel)."""
    data = json.loads((files("smsstatus_innopaas") / "fixtures" / "push.json").read_text("utf-8"))
    doc_case = next(c for c in data["cases"] if c["id"] == "doc-example")
    assert doc_case["request"]["body"]["json"] == DOC


def test_request_repr_and_errors_do_not_leak_the_query_password() -> None:
    request = _get("msgid=1&status=DELIVRD&receiver=u&pswd=fixture-secret-1&smsNum=bad")
    assert "fixture-secret-1" not in repr(request)
    (report,) = REGISTRY.parse_push("innopaas", request).reports
    assert [w.field for w in report.warnings] == ["query.smsNum"]
    assert "fixture-secret-1" not in repr(report.warnings) + repr(report.raw)
    with pytest.raises(PayloadError) as info:
        REGISTRY.parse_push("innopaas", _get("msgid=&status=DELIVRD&receiver=u&pswd=fixture-secret-1"))
    assert info.value.field == "query.msgid"
    assert "fixture-secret-1" not in str(info.value)


# -- drain: POST /pull/report (destructive) -------------------------------------------

#: A pulled record as InnoPaaS's pull page shows one (yyMMddHHmmss Beijing times,
#: epoch-millisecond reportTime, 00-prefixed mobile): docs.innopaas.com/reference/pull-status-report.
PULLED = {
    "batchSeq": "I123645_2402011714_1",
    "requestTime": "240201171455",
    "notifyTime": "240201171400",
    "fee": "0.05",
    "mobile": "008613900001111",
    "msgid": "17067788400000001",
    "reportTime": "1706778840000",
    "status": "DELIVRD",
    "smsNum": "1",
}
DRAIN_CREDS = {"account": "IM6000001", "password": "fixture-pull-password"}
PULL_REQUEST = {
    "method": "POST",
    "url": "https://intapi.253.com/pull/report",
    "body": {"json": {"account": "IM6000001", "password": "fixture-pull-password", "count": 100}},
}


def _pull(body: object, status: int = 200) -> Exchange:
    spec = {"text": body} if isinstance(body, str) else {"json": body}
    return Exchange(
        PULL_REQUEST, {"status_code": status, "body": spec, "received_at": "2024-02-01T09:15:00Z"}
    )


def test_drain_reads_pulled_records_as_fetch_reports() -> None:
    transport = ReplayTransport([_pull({"result": [PULLED], "code": 0, "error": ""})])
    result = REGISTRY.drain("innopaas", DRAIN_CREDS, transport=transport)
    transport.verify()
    (report,) = result.reports
    assert (report.message_id, report.status, report.channel.value) == (
        "17067788400000001",
        Status.DELIVERED,
        "fetch",
    )
    assert report.recipient == "+8613900001111"
    # 240201171455 Beijing is 09:14:55 UTC; 1706778840000 ms is 2024-02-01T09:14:00Z.
    assert report.submitted_at == datetime(2024, 2, 1, 9, 14, 55, tzinfo=UTC)
    assert report.status_at == datetime(2024, 2, 1, 9, 14, tzinfo=UTC)
    assert result.more is False and result.errors == ()


def test_a_full_pull_says_there_may_be_more() -> None:
    records = [{**PULLED, "msgid": str(i)} for i in range(100)]
    transport = ReplayTransport([_pull({"result": records, "code": 0, "error": ""})])
    assert REGISTRY.drain("innopaas", DRAIN_CREDS, transport=transport).more is True


def test_an_unreadable_pulled_record_is_kept_raw() -> None:
    broken = {**PULLED, "msgid": "", "status": "DELIVRD"}
    transport = ReplayTransport([_pull({"result": [broken, PULLED], "code": 0, "error": ""})])
    result = REGISTRY.drain("innopaas", DRAIN_CREDS, transport=transport)
    assert [r.message_id for r in result.reports] == ["17067788400000001"]
    (error,) = result.errors
    assert (error.index, error.raw) == (0, broken)


def test_an_unreadable_pull_body_is_kept_raw() -> None:
    transport = ReplayTransport([_pull('{"result": [')])
    result = REGISTRY.drain("innopaas", DRAIN_CREDS, transport=transport)
    assert result.reports == () and [e.raw for e in result.errors] == ['{"result": [']


def test_a_refused_account_raises_without_the_password() -> None:
    transport = ReplayTransport([_pull({"result": [], "code": 102, "error": "Incorrect password"})])
    with pytest.raises(VendorError) as caught:
        REGISTRY.drain("innopaas", DRAIN_CREDS, transport=transport)
    assert caught.value.vendor_code == "102"
    assert "fixture-pull-password" not in str(caught.value)


def test_drain_needs_the_account_credentials() -> None:
    with pytest.raises(CredentialsError) as caught:
        REGISTRY.drain("innopaas", {"account": "IM6000001"})
    assert caught.value.credential == "password"


def _compared(body: dict[str, str], *, lean: bool) -> StatusReport:
    """The report of ``body`` in compare mode (both paths, which must agree),
    checking which path took it."""
    with fast_path_mode("compare") as counts:
        report = REGISTRY.parse_push("innopaas", _post(body), {}).reports[0]
        taken = list(counts["smsstatus_innopaas.push._lean"])
    assert taken == ([1, 0] if lean else [0, 1])
    return report


@pytest.mark.parametrize(
    ("fee", "lean"),
    [
        ("0.0567", True),
        ("0.0567", True),  # the second time from the lean path's memo
        ("12", True),
        ("0." + "1" * 22, True),  # 24 characters: the longest the memo keeps
        ("0." + "1" * 23, False),  # longer: read by the detailed path, same answer
        ("1e3", False),  # not a documented amount: the detailed path warns
        ("-1", False),
    ],
)
def test_amounts_read_by_the_lean_path_are_the_detailed_paths(fee: str, lean: bool) -> None:
    report = _compared({**DOC, "fee": fee, "unitPrice": fee}, lean=lean)
    if lean or len(fee) > 24:
        assert report.price is not None and report.price.amount == Decimal(fee)
        assert report.extra["unit_price"] == fee
        assert report.warnings == ()
    else:
        assert report.price is None and report.warnings


@pytest.mark.parametrize(
    ("fields", "lean"),
    [
        ({}, True),
        ({}, True),  # the second time from the lean path's memo
        ({"countryNumber": "+86", "regionCode": "cn", "mcc": "", "mnc": "", "mnoName": ""}, True),
        ({"countryNumber": "", "regionCode": "", "mcc": "", "mnc": "", "mnoName": ""}, True),
        ({"mnoName": "M" * 64}, True),  # the longest text the memo keeps
        ({"mnoName": "M" * 65}, False),  # longer: read by the detailed path, same answer
        ({"countryNumber": "86-1"}, False),  # each field the detailed path warns about
        ({"regionCode": "CHN"}, False),
        ({"mcc": "46"}, False),
        ({"mnc": "2x"}, False),
    ],
)
def test_destinations_read_by_the_lean_path_are_the_detailed_paths(
    fields: dict[str, str], lean: bool
) -> None:
    report = _compared({**DOC, **fields}, lean=lean)
    if not fields:  # the doc's example: China Mobile, country code 86
        assert report.country == "CN" and report.extra["country_number"] == "86"
        assert report.operator is not None
        assert (report.operator.mcc, report.operator.mnc, report.operator.name) == (
            "460",
            "2",
            "China Mobile",
        )
    if "mnoName" in fields and len(fields["mnoName"]) > 64:
        assert report.operator is not None and report.operator.name == fields["mnoName"]
