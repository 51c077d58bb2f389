"""Tests of the kannel plugin: every fixture case, and what the fixtures cannot
show. Expected values come from Kannel's user guide and source and from SMPP
v3.4 Appendix B, never from the plugin's output."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
import smsstatus_kannel
from smsstatus.plugin import (
    AuthenticationError,
    Capability,
    Credentials,
    PushRequest,
    PushResult,
    Status,
    from_epoch_seconds,
)
from smsstatus.plugin.testing import Case, Registry, load, load_cases, run_case
from smsstatus_kannel import push

REGISTRY = Registry(vendors={"kannel": smsstatus_kannel})
CASES = load_cases(REGISTRY.info("kannel"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture(case: Case) -> None:
    run_case(REGISTRY, case)


def test_fixture_coverage() -> None:
    assert {c.kind for c in CASES} == {"push", "map"}
    mapped = {(c.data["status"], c.data.get("code")) for c in CASES if c.kind == "map"}
    documented = {(s.value, s.code) for s in REGISTRY.info("kannel").statuses}
    assert documented <= mapped, documented - mapped
    # dlr-mask bits 1, 2, 4, 8, 16 and 32 (Kannel user guide), each documented.
    assert {s.value for s in REGISTRY.info("kannel").statuses} == {"1", "2", "4", "8", "16", "32"}


def test_entry_point_loads() -> None:
    registry = load(environ={"SMSSTATUS_VENDORS": "kannel"})
    loaded = registry.vendors["kannel"]
    assert loaded.distribution == "smsstatus-kannel"
    assert loaded.hooks == {"vendor_info", "parse_push", "map_status"}
    assert loaded.info.capabilities == {Capability.PUSH}


def _parse(query: list[tuple[str, str]], credentials: dict[str, str] | None = None) -> PushResult:
    request = PushRequest.build(
        method="GET",
        url="https://hooks.example.test/kannel?" + urlencode(query),
        received_at=datetime(2025, 6, 10, 12, 53, tzinfo=UTC),
    )
    return smsstatus_kannel.parse_push("kannel", request, Credentials("kannel", credentials or {}))


def test_receipt_with_seconds_and_capital_text_key() -> None:
    """Appendix B's dates with seconds (YYMMDDhhmmss) and SMSCs writing ``Text:``,
    both read by core's SMPP helper; the 12-digit done date gives the status
    time when the template carries no %T."""
    answer = "id:1234567890 sub:001 dlvrd:000 submit date:250610125001 done date:250610125209 stat:UNDELIV err:008 Text:Hi"
    (report,) = _parse([("id", "m-1"), ("status", "2"), ("answer", answer)]).reports
    assert report.status is Status.UNDELIVERED
    assert report.vendor_code == "UNDELIV"
    assert report.submitted_at == datetime(2025, 6, 10, 12, 50, 1, tzinfo=UTC)
    assert report.status_at == datetime(2025, 6, 10, 12, 52, 9, tzinfo=UTC)
    assert report.extra["receipt_err"] == "008"


def test_type_two_with_delivrd_stays_a_failure() -> None:
    """The type is Kannel's verdict; a contradicting stat word never turns a
    type-2 report into a delivery."""
    answer = "id:1 sub:001 dlvrd:001 submit date:2506101250 done date:2506101252 stat:DELIVRD err:000 text:x"
    (report,) = _parse([("id", "m-2"), ("status", "2"), ("answer", answer)]).reports
    assert (report.status, report.final) == (Status.UNDELIVERED, True)


def test_token_errors_show_no_token() -> None:
    for given in ("wrong-token-value", ""):
        with pytest.raises(AuthenticationError) as info:
            _parse([("token", given), ("id", "m-3"), ("status", "1")], {"url_token": "s3cret-token"})
        assert "s3cret-token" not in str(info.value)
        assert not given or given not in str(info.value)


def test_bad_part_rejects_a_report_that_shares_its_id() -> None:
    """Parts of one message share the application's id, so an unusable part
    index cannot be dropped: the report would stand for the whole message."""
    from smsstatus.plugin import PayloadError

    with pytest.raises(PayloadError) as info:
        _parse([("id", "m-4"), ("status", "1"), ("part", "4"), ("parts", "3")])
    assert info.value.field == "query.part"


@pytest.mark.parametrize(
    "ts",
    [
        "1749559921",
        "0946684800",  # ten digits below 2000: from_epoch_seconds' refusal
        "0946684799",
        "946684800",  # nine digits: from_epoch_seconds reads it
        "4102444799",
        "4102444800",
        "9999999999",
        "00001749559921",
        "1749559921.5",
        "\u0661749559921",  # an Arabic-Indic digit
        "-1749559921",
    ],
)
def test_unix_time_is_from_epoch_seconds(ts: str) -> None:
    # The lean path's %T reader answers what core's from_epoch_seconds does, None where it raises.
    try:
        expected: datetime | None = from_epoch_seconds(ts)
    except (ValueError, TypeError):
        expected = None
    read = push._unix_time(ts)
    assert read == expected
    if read is not None:
        assert read.tzinfo is UTC  # equal instants in another zone would compare equal
