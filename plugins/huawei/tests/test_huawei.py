"""Tests of the huawei plugin: every fixture case, plus the tricky parts.

Expected values come from Huawei's documentation and from reasoning (the
signature vector's canonical request is written out by hand and its signature
was computed with a separate re-statement of Huawei's public APIG signer).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import smsstatus_huawei
from smsstatus.plugin import (
    AuthenticationError,
    Capability,
    Credentials,
    CredentialsError,
    MappingKind,
    Part,
    PayloadError,
    PushRequest,
    Reason,
    Status,
)
from smsstatus.plugin.testing import Registry, UnsupportedError, load, load_cases, run_case
from smsstatus_huawei import codes, push, signing

REGISTRY = Registry(vendors={"huawei": smsstatus_huawei})
CASES = load_cases(REGISTRY.info("huawei"))

FORM = "application/x-www-form-urlencoded"
RECEIVED = datetime(2025, 6, 10, 8, 52, 31, tzinfo=UTC)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture(case):  # type: ignore[no-untyped-def]
    run_case(REGISTRY, case)


def test_fixture_files_cover_every_kind_of_case() -> None:
    files = {case.file for case in CASES}
    assert files == {"map.json", "push-form.json", "push-batch.json", "push-auth.json"}
    kinds = {case.kind for case in CASES}
    assert kinds == {"map", "push"}


# -- plugin metadata -------------------------------------------------------------


def test_entry_point_is_found_and_loads_cleanly() -> None:
    registry = load()
    assert "huawei" in registry.vendors
    assert not [f for f in registry.failures if f.name == "huawei"]
    loaded = registry.vendors["huawei"]
    assert loaded.info.capabilities == frozenset({Capability.PUSH})
    assert loaded.hooks == frozenset({"vendor_info", "parse_push", "map_status"})


def test_no_fetch_huawei_has_no_status_query_api() -> None:
    with pytest.raises(UnsupportedError):
        REGISTRY.fetch("huawei", ["x"])


def test_every_documented_status_maps_as_declared() -> None:
    info = REGISTRY.info("huawei")
    assert len(info.statuses) > 60
    for documented in info.statuses:
        mapped = REGISTRY.map_status("huawei", documented.value, documented.code)
        assert (mapped.status, mapped.reason, mapped.mapping) == (
            documented.expected.status,
            documented.expected.reason,
            documented.expected.mapping,
        ), documented.value


def test_every_code_of_the_vendor_facts_is_documented() -> None:
    values = {d.value for d in REGISTRY.info("huawei").statuses}
    required = {
        "DELIVRD", "UNDELIV", "EXPIRED", "DELETED", "REJECTD", "UNKNOWN", "ACCEPTD",
        "E200018", "E200019", "E200020", "E200021", "E200022", "E200023", "E200024", "E200025",
        "E200026", "E200027", "E200032", "E200034", "E200035", "E200036", "E200038", "E200051",
        "E000628", "E000629", "E000632",
        "SC:0001", "SC:0004", "SC:0005", "SC:0017", "SC:0018",
        "MILIMIT", "LIMIT", "BEYONDN", "CTLIMIT", "KEYWORD", "BLACK", "TDBLACK", "TSBLACK", "MBBLACK",
        "DJ:0255", "DA:xxxx", "DB:xxxx", "ID:xxxx", "MA:xxxx", "MB:xxxx", "MK:xxxx", "MN:xxxx",
        "LT:xxxx", "SMGPERR:nn", "UT:xxxx",
        "E200015", "E200028", "E200029", "E200030", "E200031", "E200033", "E200041",
    }  # fmt: skip
    assert required <= values


def test_failures_carry_a_reason_and_successes_none() -> None:
    for documented in REGISTRY.info("huawei").statuses:
        expected = documented.expected
        if expected.status.final and expected.status is not Status.DELIVERED:
            assert expected.reason is not None, documented.value
        else:
            assert expected.reason is None, documented.value


def test_only_delivrd_is_delivered_and_only_acceptd_unknown_and_000000_are_not_final() -> None:
    not_final = {d.value for d in REGISTRY.info("huawei").statuses if not d.expected.final}
    delivered = {d.value for d in REGISTRY.info("huawei").statuses if d.expected.status is Status.DELIVERED}
    assert not_final == {"ACCEPTD", "UNKNOWN", "000000"}
    assert delivered == {"DELIVRD"}


def test_vendor_info_names_credentials_and_secrets_correctly() -> None:
    specs = {c.name: c for c in REGISTRY.info("huawei").credentials}
    assert set(specs) == {"app_key", "app_secret", "app_key_2", "app_secret_2"}
    assert all(c.used_for == "push" and not c.required for c in specs.values())
    assert not specs["app_key"].secret and specs["app_secret"].secret and specs["app_secret_2"].secret


def test_schemas_and_fixtures_ship_inside_the_package() -> None:
    info = REGISTRY.info("huawei")
    assert info.schemas is not None and info.fixtures is not None
    for name in ("status-report-form.schema.json", "batch.schema.json"):
        schema = json.loads((info.schemas / name).read_text("utf-8"))
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


# -- mapping ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "status", "reason", "mapping"),
    [
        ("MK:0057", Status.UNDELIVERED, Reason.CARRIER_ERROR, MappingKind.EXACT),  # whole code beats family
        ("mk:0058", Status.UNDELIVERED, Reason.UNKNOWN, MappingKind.EXACT),  # family, any case
        (
            "SMGPERR:",
            Status.REJECTED,
            Reason.CARRIER_ERROR,
            MappingKind.EXACT,
        ),  # bare prefix still the family
        (":0001", Status.UNDELIVERED, Reason.UNKNOWN, MappingKind.VENDOR_DEFAULT),  # no family name
        (
            "E2000999",
            Status.UNDELIVERED,
            Reason.UNKNOWN,
            MappingKind.VENDOR_DEFAULT,
        ),  # 7 digits: not a platform code
        ("e200099", Status.REJECTED, Reason.UNKNOWN, MappingKind.VENDOR_DEFAULT),
        ("\t", Status.UNKNOWN, None, MappingKind.UNMAPPED),
    ],
)
def test_map_code_edges(value: str, status: Status, reason: Reason | None, mapping: MappingKind) -> None:
    mapped = codes.map_code(value)
    assert (mapped.status, mapped.reason, mapped.mapping) == (status, reason, mapping)


# -- time parsing ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2018-04-13T06:31:46Z", datetime(2018, 4, 13, 6, 31, 46, tzinfo=UTC)),
        ("2018-04-13T06%3A31%3A46Z", datetime(2018, 4, 13, 6, 31, 46, tzinfo=UTC)),
        ("2018-04-13T06%3a31%3a46Z", datetime(2018, 4, 13, 6, 31, 46, tzinfo=UTC)),
        ("2018-04-13T14:31:46+08:00", datetime(2018, 4, 13, 6, 31, 46, tzinfo=UTC)),
        ("2018-04-13T06:31:46.250Z", datetime(2018, 4, 13, 6, 31, 46, 250000, tzinfo=UTC)),
        ("2024-02-29T23:59:59Z", datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_update_time_is_utc(text: str, expected: datetime) -> None:
    parsed = push.parse_update_time(text)
    assert parsed == expected and parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "text",
    [
        "2018-04-13T06:31:46",  # no zone: not guessed
        "2018-02-30T06:31:46Z",  # no such day
        "2018-04-13T24:00:00Z",
        "2018-04-13 06:31:46Z",
        "20180413T063146Z",
        "2018-04-13T06:31:4aZ",
        "",
        1523601106,
        "0001-01-01T00:00:00+01:00",  # before datetime's first instant once in UTC (was an OverflowError)
    ],
)
def test_bad_update_times_raise_value_error(text: object) -> None:
    with pytest.raises(ValueError):
        push.parse_update_time(text)


# -- parsing details the fixtures cannot express ------------------------------------------


def _form(body: str, **kwargs: object) -> PushRequest:
    return PushRequest.build(body=body, content_type=FORM, received_at=RECEIVED, **kwargs)  # type: ignore[arg-type]


def test_sequence_beyond_total_is_a_payload_error() -> None:
    with pytest.raises(PayloadError) as info:
        REGISTRY.parse_push("huawei", _form("smsMsgId=m_1&status=DELIVRD&total=2&sequence=3"))
    assert info.value.field == "form.sequence"


def test_single_part_message_has_no_part_and_one_segment() -> None:
    result = REGISTRY.parse_push("huawei", _form("smsMsgId=m_1&status=DELIVRD&total=1&sequence=1"))
    assert result.reports[0].part is None and result.reports[0].segments == 1
    result = REGISTRY.parse_push("huawei", _form("smsMsgId=m_1&status=DELIVRD&total=12&sequence=07"))
    assert result.reports[0].part == Part(7, 12) and result.reports[0].segments == 12


def test_repeated_form_field_keeps_the_first_value_and_plus_is_a_space() -> None:
    result = REGISTRY.parse_push(
        "huawei", _form("smsMsgId=m_1&status=DELIVRD&status=UNDELIV&statusDesc=all+good%21")
    )
    report = result.reports[0]
    assert report.vendor_status == "DELIVRD" and report.status is Status.DELIVERED
    assert report.vendor_description == "all good!"


def test_json_batch_without_content_type_is_sniffed() -> None:
    body = json.dumps({"statusReportList": [{"smsMsgId": "m_1", "status": "E000629", "source": "3"}]})
    result = REGISTRY.parse_push("huawei", PushRequest.build(body=body, received_at=RECEIVED))
    (report,) = result.reports
    assert report.status is Status.REJECTED and report.reason is Reason.INSUFFICIENT_FUNDS
    assert report.extra == {"source": "3", "source_name": "huawei_platform"}


def test_batch_item_error_keeps_the_item_as_received() -> None:
    good = {"smsMsgId": "m_1", "status": "DELIVRD"}
    bad = {"smsMsgId": "m_2", "status": "DELIVRD", "total": "3"}  # a part of 3, but which one?
    body = json.dumps({"statusReportList": [bad, good]})
    result = REGISTRY.parse_push(
        "huawei", PushRequest.build(body=body, content_type="application/json", received_at=RECEIVED)
    )
    assert [r.message_id for r in result.reports] == ["m_1"]
    (item,) = result.errors
    assert item.raw == bad and item.index == 0 and item.key == "m_2"
    assert isinstance(item.error, PayloadError) and item.error.field == "$.statusReportList[0].sequence"
    assert result.reply.status_code == 200 and result.reply.body == b""


def test_an_unreadable_update_time_is_null_with_a_warning_and_the_report_stands() -> None:
    # Issue 10 point 12: only the identity and the status may reject a report.
    item = {"smsMsgId": "m_2", "status": "DELIVRD", "updateTime": "yesterday"}
    body = json.dumps({"statusReportList": [item]})
    result = REGISTRY.parse_push(
        "huawei", PushRequest.build(body=body, content_type="application/json", received_at=RECEIVED)
    )
    (report,) = result.reports
    assert report.status_at is None and report.raw == item
    assert [(w.field, w.code.value) for w in report.warnings] == [
        ("$.statusReportList[0].updateTime", "unreadable")
    ]


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ("smsMsgId=m_1&status=DELIVRD&total=10000000&sequence=1", "form.total"),  # the 90-byte attack
        ("smsMsgId=m_1&status=DELIVRD&total=256&sequence=1", "form.total"),
        ("smsMsgId=m_1&status=DELIVRD&total=3&sequence=4", "form.sequence"),
        ("smsMsgId=m_1&status=DELIVRD&total=3&sequence=999999999", "form.sequence"),
    ],
)
def test_part_numbers_beyond_what_sms_concatenation_allows_are_refused(form: str, field: str) -> None:
    # Issue 10 point 7: the part number is this report's identity (every part shares smsMsgId),
    # so it cannot be dropped to null; it is a payload error, bounded to 255 parts.
    with pytest.raises(PayloadError) as info:
        REGISTRY.parse_push("huawei", _form(form))
    assert info.value.field == field


def test_the_largest_concatenated_message_is_accepted() -> None:
    (report,) = REGISTRY.parse_push(
        "huawei", _form("smsMsgId=m_1&status=DELIVRD&total=255&sequence=255")
    ).reports
    assert report.part == Part(255, 255)
    assert report.segments == 255


def test_a_batch_longer_than_documented_is_refused_before_any_report_is_read() -> None:
    # Huawei documents up to 50 reports per batch push; the plugin accepts twice that.
    items = [{"smsMsgId": f"m_{i}", "status": "DELIVRD"} for i in range(101)]
    body = json.dumps({"statusReportList": items})
    with pytest.raises(PayloadError) as info:
        REGISTRY.parse_push("huawei", PushRequest.build(body=body, content_type="application/json"))
    assert info.value.field == "$.statusReportList"
    body = json.dumps({"statusReportList": items[:100]})
    assert (
        len(
            REGISTRY.parse_push(
                "huawei", PushRequest.build(body=body, content_type="application/json")
            ).reports
        )
        == 100
    )


@pytest.mark.parametrize("message_id", ["m_1\x00", "m_1\x1b]0;pwned\x07", "m" * 300])
def test_a_message_id_that_cannot_be_queried_is_refused(message_id: str) -> None:
    # Issue 10 point 11: an id with a NUL or other control character was stored but could not be queried.
    body = json.dumps({"statusReportList": [{"smsMsgId": message_id, "status": "DELIVRD"}]})
    result = REGISTRY.parse_push("huawei", PushRequest.build(body=body, content_type="application/json"))
    assert result.reports == ()
    (item,) = result.errors
    assert isinstance(item.error, PayloadError) and item.error.field == "$.statusReportList[0].smsMsgId"


def test_unrecognised_code_still_gets_the_success_reply() -> None:
    result = REGISTRY.parse_push("huawei", _form("smsMsgId=m_1&status=ZZTOP"))
    assert result.reply.status_code == 200 and result.reply.body == b""
    assert result.reports[0].vendor_status == "ZZTOP"
    assert result.reports[0].mapping is MappingKind.VENDOR_DEFAULT


def test_parse_push_does_not_import_heavy_modules() -> None:
    code = (
        "import sys, smsstatus_huawei\n"
        "from smsstatus.plugin import Credentials, PushRequest\n"
        "smsstatus_huawei.parse_push(vendor='huawei', credentials=Credentials('huawei'),"
        " request=PushRequest.build(body='smsMsgId=m&status=DELIVRD', content_type='" + FORM + "'))\n"
        "print(sorted(m for m in ('jsonschema', 'cattrs', 'httpx') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- SDK-HMAC-SHA256 ------------------------------------------------------------------------

VECTOR_URL = "https://hooks.example.test/hw/report?b=2&a=x%3Ay&a=10"
VECTOR_BODY = b"smsMsgId=m_1&status=DELIVRD"
VECTOR_DATE = "20250610T085230Z"
# Computed with a separate re-statement of Huawei's APIG signer.py (Sign), AK test-ak, SK test-sk.
VECTOR_SIGNATURE = "bd1a6fb75c44d119a9ff443c66d5515376f3893a8d4a6f6bb6df83a9b8398447"
VECTOR_HEADERS = [
    ("Content-Type", FORM),
    ("Host", "hooks.example.test"),
    ("X-Sdk-Date", VECTOR_DATE),
]
VECTOR_CANONICAL = (
    "POST\n"
    "/hw/report/\n"  # always ends in '/'
    "a=10&a=x%3Ay&b=2\n"  # keys sorted, a repeated key's decoded values sorted, then re-encoded
    "content-type:application/x-www-form-urlencoded\n"
    "host:hooks.example.test\n"
    "x-sdk-date:20250610T085230Z\n"
    "\n"  # each header line ends in \n, then the separator
    "content-type;host;x-sdk-date\n" + hashlib.sha256(VECTOR_BODY).hexdigest()
)


def _vector_request(
    signature: str = VECTOR_SIGNATURE, access: str = "test-ak", **changes: object
) -> PushRequest:
    auth = (
        f"SDK-HMAC-SHA256 Access={access}, SignedHeaders=content-type;host;x-sdk-date, Signature={signature}"
    )
    fields: dict[str, object] = {
        "method": "POST",
        "url": VECTOR_URL,
        "headers": [*VECTOR_HEADERS, ("Authorization", auth)],
        "body": VECTOR_BODY,
        "received_at": datetime(2025, 6, 10, 8, 52, 31, tzinfo=UTC),
    }
    fields.update(changes)
    return PushRequest(**fields)  # type: ignore[arg-type]


def test_canonical_request_matches_the_hand_written_one() -> None:
    lines = [(name.lower(), value) for name, value in VECTOR_HEADERS]
    canonical = signing.canonical_request(
        "post", VECTOR_URL, lines, [n for n, _ in lines], hashlib.sha256(VECTOR_BODY).hexdigest()
    )
    assert canonical == VECTOR_CANONICAL


def test_signature_vector() -> None:
    to_sign = "SDK-HMAC-SHA256\n" + VECTOR_DATE + "\n" + hashlib.sha256(VECTOR_CANONICAL.encode()).hexdigest()
    independent = hmac.new(b"test-sk", to_sign.encode(), hashlib.sha256).hexdigest()
    assert independent == VECTOR_SIGNATURE
    assert signing.sign("test-sk", signing.string_to_sign(VECTOR_CANONICAL, VECTOR_DATE)) == VECTOR_SIGNATURE
    signing.verify("huawei", _vector_request(), [("test-ak", "test-sk")])  # no error


def test_signature_comparison_ignores_hex_case() -> None:
    signing.verify("huawei", _vector_request(VECTOR_SIGNATURE.upper()), [("test-ak", "test-sk")])


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("", "/"),
        ("/", "/"),
        ("/a/b/", "/a/b/"),
        ("/batch%20reports", "/batch%20reports/"),
        ("/a%2Fb", "/a/b/"),  # decoded first, as the signer does
        ("/caf\u00e9", "/caf%C3%A9/"),
        ("/x~y", "/x~y/"),
    ],
)
def test_canonical_uri(path: str, expected: str) -> None:
    assert signing.canonical_uri(path or "/") == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ""),
        ("b=2&a=1", "a=1&b=2"),
        ("a=x%3Ay&a=10", "a=10&a=x%3Ay"),  # decoded order: '1' < 'x'
        ("a=%3A&a=0", "a=0&a=%3A"),  # decoded ':' sorts after '0' though '%3A' would not
        ("flag&x=", "flag=&x="),
        ("sp=a+b", "sp=a%2Bb"),  # '+' is not a space to the signer
        ("=v&k=v", "k=v"),  # empty key dropped
    ],
)
def test_canonical_query(query: str, expected: str) -> None:
    assert signing.canonical_query(query) == expected


@pytest.mark.parametrize(
    ("change", "credential"),
    [
        ({"body": VECTOR_BODY + b"x"}, "app_secret"),
        ({"url": VECTOR_URL.replace("b=2", "b=3")}, "app_secret"),
        ({"method": "PUT"}, "app_secret"),
        ({"received_at": datetime(2025, 6, 10, 9, 7, 31, tzinfo=UTC)}, "app_secret"),  # 15 min 1 s late
        ({"received_at": datetime(2025, 6, 10, 8, 37, 29, tzinfo=UTC)}, "app_secret"),  # 15 min 1 s early
    ],
)
def test_any_change_breaks_the_signature(change: dict[str, object], credential: str) -> None:
    with pytest.raises(AuthenticationError) as info:
        signing.verify("huawei", _vector_request(**change), [("test-ak", "test-sk")])
    assert info.value.credential == credential


def test_skew_of_exactly_fifteen_minutes_is_accepted() -> None:
    late = datetime(2025, 6, 10, 9, 7, 30, tzinfo=UTC)
    signing.verify("huawei", _vector_request(received_at=late), [("test-ak", "test-sk")])


def test_content_sha256_header_must_be_the_body_hash() -> None:
    body_hash = hashlib.sha256(VECTOR_BODY).hexdigest()
    ok = _vector_request()
    with_hash = _vector_request(headers=[*ok.headers.raw_items(), ("X-Sdk-Content-Sha256", body_hash)])
    signing.verify("huawei", with_hash, [("test-ak", "test-sk")])
    unsigned = _vector_request(
        headers=[*ok.headers.raw_items(), ("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD")]
    )
    with pytest.raises(AuthenticationError):
        signing.verify("huawei", unsigned, [("test-ak", "test-sk")])


def test_dual_pairs_pick_the_secret_by_access() -> None:
    pairs = [("other-ak", "other-sk"), ("test-ak", "test-sk")]
    signing.verify("huawei", _vector_request(), pairs)
    with pytest.raises(AuthenticationError) as info:
        signing.verify("huawei", _vector_request(access="third-ak"), pairs)
    assert info.value.credential == "app_key"


@pytest.mark.parametrize(
    ("values", "credential"),
    [
        ({"app_key": "k"}, "app_secret"),
        ({"app_key": "k", "app_secret": "s", "app_secret_2": "s2"}, "app_key_2"),
        ({"app_key": "k", "app_secret": "s", "app_key_2": "k2"}, "app_secret_2"),
        ({"app_secret": "s", "app_key_2": "k2", "app_secret_2": "s2"}, "app_key"),
    ],
)
def test_incomplete_key_configuration_is_a_credentials_error(values: dict[str, str], credential: str) -> None:
    with pytest.raises(CredentialsError) as info:
        signing.key_pairs("huawei", dict(values))
    assert info.value.credential == credential


def test_no_secret_anywhere_in_errors_or_reprs() -> None:
    secret = "fixture-secret-that-must-not-leak"
    creds = Credentials("huawei", {"app_key": "test-ak", "app_secret": secret})
    request = _vector_request()
    with pytest.raises(AuthenticationError) as info:
        REGISTRY.parse_push("huawei", request, creds)
    text = str(info.value) + repr(info.value) + repr(creds) + repr(request) + repr(REGISTRY.info("huawei"))
    assert secret not in text and VECTOR_SIGNATURE not in text


def test_authenticated_push_through_the_registry() -> None:
    creds = Credentials("huawei", {"app_key": "test-ak", "app_secret": "test-sk"})
    result = REGISTRY.parse_push("huawei", _vector_request(), creds)
    (report,) = result.reports
    assert report.message_id == "m_1" and report.status is Status.DELIVERED
    assert "Authorization" not in json.dumps(dict(report.raw))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        ("255", 255),
        ("001", 1),  # zero-padded: not in the lookup, read by the checks
        ("09", 9),
        ("0", None),
        ("256", None),
        ("0001", None),
        (" 1", None),
        ("\uff11", None),  # a non-ASCII digit (fullwidth one)
        ("", None),
        (1, None),
        (None, None),
        ([], None),
    ],
)
def test_the_lean_part_number_reader(value: object, expected: int | None) -> None:
    # One lookup for "1".."255", the checks for anything else: the same answers.
    assert push._part_number(value) == expected
