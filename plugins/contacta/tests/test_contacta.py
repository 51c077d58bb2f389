"""Tests of the Contacta plugin: its fixtures, its metadata, and the tricky parts.

Expected values come from the vendor's documentation and SDK and from reasoning
(worked out by hand in the comments), never from what the plugin printed.
"""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, datetime
from decimal import Decimal
from importlib.resources import files
from typing import Any

import httpx
import pytest
import smsstatus_contacta
from smsstatus.plugin import (
    Capability,
    CredentialsError,
    FetchResult,
    MappingKind,
    Money,
    PayloadError,
    Status,
    VendorError,
)
from smsstatus.plugin.testing import Registry, load, load_cases, run_case
from smsstatus_contacta import auth, mapping
from smsstatus_contacta.times import format_utc, parse_time

REGISTRY = Registry(vendors={"contacta": smsstatus_contacta})
CASES = load_cases(REGISTRY.info("contacta"))
TOKEN = "fixture-token-1"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture(case: Any) -> None:
    run_case(REGISTRY, case)


# -- metadata and loading --------------------------------------------------------


def test_entry_point_loads_without_failures() -> None:
    registry = load(environ={"SMSSTATUS_VENDORS": "contacta"})
    assert "contacta" in registry.vendors
    assert [f for f in registry.failures if f.name == "contacta"] == []
    loaded = registry.vendors["contacta"]
    assert loaded.distribution == "smsstatus-contacta"
    assert loaded.hooks == frozenset({"vendor_info", "fetch", "map_status"})


def test_entry_point_still_valid_after_a_fetch() -> None:
    # A fetch must not rebind names in the plugin module (a submodule named
    # like a hook would replace the hook function once imported).
    run_case(REGISTRY, next(c for c in CASES if c.data["id"] == "doc-global-success"))
    fresh = Registry(vendors={"contacta": smsstatus_contacta})
    assert "fetch" in fresh.vendors["contacta"].hooks


def test_info() -> None:
    info = REGISTRY.info("contacta")
    assert info.capabilities == frozenset({Capability.FETCH})
    assert [c.name for c in info.credentials] == ["token"]
    assert info.credentials[0].secret and info.credentials[0].required
    assert info.credentials[0].used_for == "fetch"
    assert info.default_base_url == "https://sms.contacta.mx/api/v2"
    assert info.poll is not None and info.poll.batch_limit == 1
    assert info.schemas is not None and (info.schemas / "check-success.schema.json").is_file()
    names = {f.name for f in files("smsstatus_contacta").joinpath("fixtures").iterdir()}
    assert {"check.json", "mapping.json"} <= names


def test_every_documented_status_maps_as_declared() -> None:
    statuses = REGISTRY.info("contacta").statuses
    values = [s.value for s in statuses]
    assert "true" in values and "entregado" in values and "DELIVRD" in values
    assert len(values) == len({v.lower() for v in values}), "each value once"
    for documented in statuses:
        mapped = REGISTRY.map_status("contacta", documented.value, documented.code)
        assert mapped == documented.expected, documented.value


def test_every_documented_status_has_a_map_fixture() -> None:
    covered = {(c.data["status"], c.data.get("code")) for c in CASES if c.kind == "map"}
    missing = [s.value for s in REGISTRY.info("contacta").statuses if (s.value, s.code) not in covered]
    assert missing == []


# -- mapping -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        ("true", None, Status.SENT),
        ("  ENTREGADO ", None, Status.DELIVERED),
        ("no-entregado", None, Status.UNDELIVERED),
        ("En_Cola", None, Status.ACCEPTED),
        ("enviado", "DelivRd", Status.DELIVERED),
        ("entregado", "nada", Status.DELIVERED),
        ("true", "rechazado", Status.REJECTED),
    ],
)
def test_map_value(status: str, code: str | None, expected: Status) -> None:
    assert mapping.map_value(status, code).status is expected


@pytest.mark.parametrize("value", ["", " ", "entregadoo", "3", "false", "\u00e9", "x" * 1000])
def test_unknown_values_are_unmapped_never_raise(value: str) -> None:
    mapped = mapping.map_value(value, value)
    assert mapped.status is Status.UNKNOWN
    assert mapped.mapping is MappingKind.UNMAPPED
    assert mapped.reason is None


def test_failures_carry_reasons() -> None:
    for documented in REGISTRY.info("contacta").statuses:
        expected = documented.expected
        if expected.status in (
            Status.UNDELIVERED,
            Status.REJECTED,
            Status.EXPIRED,
        ):
            assert expected.reason is not None, documented.value
        else:
            assert expected.reason is None, documented.value


# -- times ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Mexico City has no DST since 2022-10-30: UTC-6 -> add 6 hours.
        ("2023-09-20 16:47:15", datetime(2023, 9, 20, 22, 47, 15, tzinfo=UTC)),
        ("2023-09-20T16:47:15", datetime(2023, 9, 20, 22, 47, 15, tzinfo=UTC)),
        ("2023-12-31 23:30:00", datetime(2024, 1, 1, 5, 30, tzinfo=UTC)),
        ("2023-09-20 16:47:15.250", datetime(2023, 9, 20, 22, 47, 15, 250000, tzinfo=UTC)),
        # An explicit offset wins over the assumed zone.
        ("2023-09-20 16:47:15Z", datetime(2023, 9, 20, 16, 47, 15, tzinfo=UTC)),
        ("2023-09-20T16:47:15+02:00", datetime(2023, 9, 20, 14, 47, 15, tzinfo=UTC)),
        ("2023-09-20 16:47:15-0500", datetime(2023, 9, 20, 21, 47, 15, tzinfo=UTC)),
    ],
)
def test_parse_time(text: str, expected: datetime) -> None:
    assert parse_time(text) == expected


def test_parse_time_before_2022_uses_summer_time() -> None:
    # Until 2022-10-30 Mexico City kept CDT (UTC-5) in summer: 12:00 -> 17:00Z.
    # Without a tz database the core falls back to a fixed UTC-6.
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo("America/Mexico_City")
    except Exception:  # noqa: BLE001
        pytest.skip("no tz database on this system")
    assert parse_time("2022-07-01 12:00:00") == datetime(2022, 7, 1, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["20/09/2023 16:47", "2023-09-20", "2023-02-30 10:00:00", "2023-09-20 25:00:00", "ayer", ""]
)
def test_parse_time_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="."):
        parse_time(text)


@pytest.mark.parametrize("value", [1695250035, None, 16.5])
def test_parse_time_rejects_non_strings(value: object) -> None:
    with pytest.raises(ValueError, match="expected a time string"):
        parse_time(value)


def test_format_utc() -> None:
    assert format_utc(datetime(2023, 11, 2, 16, 15, 3, tzinfo=UTC)) == "2023-11-02T16:15:03Z"
    assert format_utc(datetime(2023, 11, 2, 16, 15, 3, 5000, tzinfo=UTC)) == "2023-11-02T16:15:03.005000Z"


# -- authentication --------------------------------------------------------------


def test_basic_authorization_uses_time_and_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "clock", lambda: 1695250035.9)
    # base64("1695250035:fixture-token-1"), fractions of a second dropped like PHP's time().
    expected = "Basic " + base64.b64encode(b"1695250035:fixture-token-1").decode()
    assert auth.basic_authorization(TOKEN) == expected
    assert expected == "Basic MTY5NTI1MDAzNTpmaXh0dXJlLXRva2VuLTE="


def test_query_params_follow_the_sdk() -> None:
    assert auth.query_params(TOKEN, "199999") == [("auth", TOKEN), ("token", "199999")]


DOC_BODY = {
    "status": True,
    "error": False,
    "description": {
        "added_on": "2023-09-20 16:47:15",
        "charge": 0.99,
        "country": {"country": "MEXICO", "iso_code": "MX", "type": "MOVIL"},
        "encoding": "gsm",
        "id": 199999,
        "job_id": 199999,
        "length": 12,
        "message": "Hello World!",
        "number": "528100001234",
        "segments": 1,
        "sender": "AWESOMEINC",
    },
}


class Recorder(httpx.BaseTransport):
    """Answers every request with one canned response and keeps the requests."""

    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        content = self.body if isinstance(self.body, bytes) else json.dumps(self.body).encode()
        return httpx.Response(self.status, content=content)


def _fetch(transport: httpx.BaseTransport, ids: list[str]) -> FetchResult:
    return REGISTRY.fetch("contacta", ids, {"token": TOKEN}, transport=transport, sleep=lambda _s: None)


def test_fetch_sends_the_sdk_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "clock", lambda: 1700000000)
    transport = Recorder(200, DOC_BODY)
    result = _fetch(transport, ["199999"])
    assert len(result.reports) == 1
    (request,) = transport.requests
    assert request.method == "GET"
    assert str(request.url.copy_with(query=None)) == "https://sms.contacta.mx/api/v2/sms/check"
    assert sorted(request.url.params.multi_items()) == [("auth", TOKEN), ("token", "199999")]
    assert request.headers["Accept"] == "application/json"
    user, _, password = base64.b64decode(request.headers["Authorization"].removeprefix("Basic ")).partition(
        b":"
    )
    assert (user, password) == (b"1700000000", TOKEN.encode())


def test_documented_answer_in_detail() -> None:
    (report,) = _fetch(Recorder(200, DOC_BODY), ["199999"]).reports
    assert report.status is Status.SENT and not report.final
    assert report.price == Money(Decimal("0.99"), None)
    assert report.submitted_at == datetime(2023, 9, 20, 22, 47, 15, tzinfo=UTC)
    assert report.status_at is None
    assert report.recipient == "+528100001234"
    assert "message" not in report.extra  # the text stays in raw only
    assert report.raw["description"]["message"] == "Hello World!"
    assert all(isinstance(v, (str, int, bool)) for v in report.extra.values())


@pytest.mark.parametrize(
    ("number", "iso", "expected"),
    [
        ("8100001234", "MX", "+528100001234"),
        ("8100001234", None, "+528100001234"),
        ("528100001234", "MX", "+528100001234"),
        ("+52 81 0000 1234", "MX", "+528100001234"),
        ("573001234567", "CO", "+573001234567"),
        ("12345", "MX", None),
        ("81000O1234", "MX", None),
    ],
)
def test_recipient_numbers(number: str, iso: str | None, expected: str | None) -> None:
    body = json.loads(json.dumps(DOC_BODY))
    body["description"]["number"] = number
    body["description"]["country"] = None if iso is None else {"iso_code": iso}
    (report,) = _fetch(Recorder(200, body), ["199999"]).reports
    assert report.recipient == expected
    assert report.recipient_raw == number


def test_item_error_raw_masks_an_echoed_token() -> None:
    page = f"<html>Cannot GET /api/v2/sms/check?auth={TOKEN}&token=1</html>".encode()
    result = _fetch(Recorder(400, page), ["1"])
    (item,) = result.errors
    assert isinstance(item.error, VendorError) and item.error.http_status == 400
    assert TOKEN not in item.raw and "***" in item.raw
    assert item.key == "1" and item.index == 0


def test_report_raw_masks_an_echoed_token() -> None:
    body = json.loads(json.dumps(DOC_BODY))
    body["auth"] = TOKEN
    body["description"]["sender"] = f"echo {TOKEN}"
    (report,) = _fetch(Recorder(200, body), ["199999"]).reports
    assert "auth" not in report.raw
    assert TOKEN not in json.dumps(report.raw) and TOKEN not in (report.sender or "")


def test_rejected_key_raises_vendor_error_without_the_token() -> None:
    body = {"status": False, "error": True, "description": "Your key auth is not valid, please check"}
    transport = Recorder(200, body)
    with pytest.raises(VendorError) as caught:
        _fetch(transport, ["1", "2", "3"])
    assert caught.value.http_status is None
    assert caught.value.message == body["description"]
    assert TOKEN not in str(caught.value)
    assert len(transport.requests) == 1  # stops at the first answer


def test_many_ids_one_request_each_and_order_kept() -> None:
    transport = Recorder(200, DOC_BODY)
    result = _fetch(transport, ["1", "2", "3"])
    assert [r.url.params["token"] for r in transport.requests] == ["1", "2", "3"]
    assert len(result.reports) == 3 and result.errors == ()


def test_missing_token_makes_no_request() -> None:
    transport = Recorder(200, DOC_BODY)
    with pytest.raises(CredentialsError):
        REGISTRY.fetch("contacta", ["1"], {}, transport=transport)
    assert transport.requests == []


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"status": True, "description": {"id": 1, "charge": [1]}}, "$.description.charge", "unreadable"),
        (
            {"status": True, "description": {"id": 1, "country": {"iso_code": "MEX"}}},
            "$.description.country.iso_code",
            "unreadable",
        ),
        ({"status": True, "description": {"id": 1, "length": -1}}, "$.description.length", "out_of_range"),
        (
            {"status": True, "description": {"id": 1, "segments": 256}},
            "$.description.segments",
            "out_of_range",
        ),
        (
            {"status": True, "description": {"id": 1, "number": 528100001234}},
            "$.description.number",
            "unreadable",
        ),
        (
            {"status": True, "description": {"message": {"control": 1, "status": "x", "carrier": 5}}},
            "$.description.message.carrier",
            "unreadable",
        ),
        (
            {"status": True, "description": {"message": {"control": 1, "status": "x", "campo_a": [1]}}},
            "$.description.message.campo_a",
            "unreadable",
        ),
    ],
)
def test_an_unreadable_optional_field_is_null_with_a_warning(body: Any, field: str, code: str) -> None:
    # Issue 10 point 12: only the identity (id/control) and the status may reject a record.
    result = _fetch(Recorder(200, body), ["42"])
    assert result.errors == ()
    (report,) = result.reports
    assert [(w.field, w.code.value) for w in report.warnings] == [(field, code)]


@pytest.mark.parametrize(
    "body",
    [
        {"status": True, "description": {"id": True}},
        {"status": True, "description": {"id": "1\x00"}},
        {"status": True, "description": {"message": {"control": 1, "status": True}}},
        {"status": True, "description": None},
        {"status": None},
        {"status": 1, "description": {"id": 1}},
    ],
)
def test_bad_answers_are_payload_item_errors(body: Any) -> None:
    result = _fetch(Recorder(200, body), ["42"])
    assert result.reports == ()
    (item,) = result.errors
    assert isinstance(item.error, PayloadError)
    assert item.error.field.startswith("$")
    assert item.key == "42"


def test_token_never_reaches_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    # httpx logs each request URL at INFO; the SDK's scheme puts the token in
    # the query (auth=...). The host's HTTP client scrubs it from those records.
    with caplog.at_level("DEBUG"):
        _fetch(Recorder(200, DOC_BODY), ["199999"])
    messages = [r.getMessage() for r in caplog.records]
    assert any("sms/check" in m for m in messages), "httpx logged the request"
    assert all(TOKEN not in m for m in messages)
    assert any("auth=***" in m for m in messages)
    leftover = [
        f for f in logging.getLogger("httpx").filters if type(f).__module__.startswith("smsstatus_contacta")
    ]
    assert leftover == []  # the plugin leaves logging alone
