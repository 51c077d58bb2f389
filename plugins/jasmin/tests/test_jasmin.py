"""Tests of the jasmin plugin: every fixture case, and what the fixtures cannot
show (Jasmin's GET appended to a dlr-url with a query, the token's handling).
Expected values come from Jasmin's docs and source, never from the plugin's output."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import smsstatus_jasmin
from smsstatus.plugin import (
    AuthenticationError,
    Capability,
    Credentials,
    CredentialsError,
    PushRequest,
    PushResult,
    Status,
)
from smsstatus.plugin.testing import Case, Registry, fast_path_mode, load, load_cases, run_case

REGISTRY = Registry(vendors={"jasmin": smsstatus_jasmin})
CASES = load_cases(REGISTRY.info("jasmin"))
ID = "16fd2706-8baf-433b-82eb-8c7fada847da"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture(case: Case) -> None:
    run_case(REGISTRY, case)


def test_fixture_coverage() -> None:
    assert {c.kind for c in CASES} == {"push", "map"}
    mapped = {c.data["status"] for c in CASES if c.kind == "map"}
    documented = {s.value for s in REGISTRY.info("jasmin").statuses}
    assert documented <= mapped, documented - mapped
    # SMPP v3.4 Table 5-2 lists 48 command statuses; Appendix B's receipt has 7 states Jasmin relays.
    assert len(documented) == 48 + 7


def test_entry_point_loads() -> None:
    registry = load(environ={"SMSSTATUS_VENDORS": "jasmin"})
    loaded = registry.vendors["jasmin"]
    assert loaded.distribution == "smsstatus-jasmin"
    assert loaded.hooks == {"vendor_info", "parse_push", "map_status"}
    assert loaded.info.capabilities == {Capability.PUSH}


def _push(url: str) -> PushRequest:
    return PushRequest.build(method="GET", url=url, received_at=datetime(2025, 6, 10, 12, 53, 1, tzinfo=UTC))


def _parse(request: PushRequest, credentials: dict[str, str] | None = None) -> PushResult:
    return smsstatus_jasmin.parse_push("jasmin", request, Credentials("jasmin", credentials or {}))


def test_get_appended_to_a_dlr_url_with_a_query() -> None:
    """throwers.py: ``baseurl += '?%s' % encodedArgs`` even when the dlr-url has a
    query, so the URL holds two literal '?'. Jasmin's parameters are the part
    after the second one, the operator's (token, ref) the part before."""
    url = (
        "https://hooks.example.test/jasmin?token=s3cret-token&ref=order-42"
        f"?id={ID}&message_status=DELIVRD&level=2&id_smsc=2567&donedate=2506101452"
    )
    result = _parse(_push(url), {"url_token": "s3cret-token"})
    (report,) = result.reports
    assert report.message_id == ID
    assert report.status is Status.DELIVERED
    assert report.raw["ref"] == "order-42"
    assert "token" not in report.raw
    assert report.status_at == datetime(2025, 6, 10, 14, 52, tzinfo=UTC)
    assert result.reply.body == b"ACK/Jasmin"


def test_get_prefers_jasmins_values_over_the_operators() -> None:
    """The operator's own query may reuse a name Jasmin sends (``id``); in a GET
    Jasmin's parameters come last and win."""
    url = f"https://hooks.example.test/jasmin?id=mine?id={ID}&message_status=ESME_ROK&level=1"
    (report,) = _parse(_push(url)).reports
    assert report.message_id == ID


def test_token_errors_show_no_token() -> None:
    for given in ("wrong-token-value", ""):
        url = f"https://hooks.example.test/jasmin?token={given}&id={ID}&message_status=ESME_ROK"
        with pytest.raises(AuthenticationError) as info:
            _parse(_push(url), {"url_token": "s3cret-token"})
        assert "s3cret-token" not in str(info.value)
        assert not given or given not in str(info.value)


def test_bad_time_zone_is_a_credentials_error() -> None:
    url = f"https://hooks.example.test/jasmin?id={ID}&message_status=DELIVRD&level=2"
    with pytest.raises(CredentialsError):
        _parse(_push(url), {"receipt_timezone": "Mars/Olympus_Mons"})


def test_level_three_request_yields_two_receipts_that_the_tracker_orders() -> None:
    """A level-3 request gives a level-1 receipt (sent) and a level-2 one
    (delivered) with the same id; the level-2 one is final."""
    first = _parse(_push(f"https://h.test/j?id={ID}&message_status=ESME_ROK&level=1&connector=c")).reports[0]
    second = _parse(_push(f"https://h.test/j?id={ID}&message_status=DELIVRD&level=2&connector=9")).reports[0]
    assert (first.status, first.final) == (Status.SENT, False)
    assert (second.status, second.final) == (Status.DELIVERED, True)
    assert first.message_id == second.message_id


def test_documented_meanings_are_the_memos_answers() -> None:
    # The lean path reads _DOCUMENTED_MEANINGS before the memoised _meaning: the
    # same answer for every documented status, receipts' and command statuses'.
    from smsstatus_jasmin.mapping import DOCUMENTED, map_value
    from smsstatus_jasmin.push import _DOCUMENTED_MEANINGS

    assert {"DELIVRD", "UNDELIV", "ESME_ROK", "ESME_RINVNUMDESTS"} <= set(_DOCUMENTED_MEANINGS)
    assert len(_DOCUMENTED_MEANINGS) == len(DOCUMENTED)
    for status, (mapped, terminal) in _DOCUMENTED_MEANINGS.items():
        assert mapped == map_value(status)
        assert terminal is not status.startswith("ESME_")


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.test/jasmin",  # no query: the lean path skips query_string
        "https://hooks.example.test/jasmin?ref=order-42",  # the operator's own query, kept in raw
        "https://hooks.example.test/jasmin#frag",
        "https://[::1]:8080/jasmin",  # brackets: query_string's own route
        "https://hooks.example.test/jasmïn",  # not ASCII: the same
    ],
)
def test_a_form_receipt_reads_the_same_on_both_paths_with_or_without_a_query(url: str) -> None:
    request = PushRequest.build(
        method="POST",
        url=url,
        headers={"content-type": "application/x-www-form-urlencoded"},
        body=f"id={ID}&message_status=ESME_ROK&level=1&connector=demo_cid".encode(),
        received_at=datetime(2025, 6, 10, 12, 53, 1, tzinfo=UTC),
    )
    with fast_path_mode("compare") as counts:
        (report,) = _parse(request).reports
        assert counts["smsstatus_jasmin.push._lean"] == [1, 0]  # the lean path took it, and agreed
    assert report.message_id == ID
    assert report.raw.get("ref") == ("order-42" if "ref=" in url else None)
