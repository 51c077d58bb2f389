"""Tests of the africastalking plugin: every fixture case, and the parts the
fixtures cannot show. Expected values come from Africa's Talking's docs."""

from __future__ import annotations

from urllib.parse import quote

import pytest
import smsstatus_africastalking
from smsstatus.plugin import (
    AuthenticationError,
    Capability,
    CredentialsError,
    MappingKind,
    PushRequest,
    Reason,
    Status,
)
from smsstatus.plugin.testing import Case, Registry, fast_path_mode, load, load_cases, run_case
from smsstatus_africastalking import allowlist

REGISTRY = Registry(vendors={"africastalking": smsstatus_africastalking})
CASES = load_cases(REGISTRY.info("africastalking"))
FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture(case: Case) -> None:
    run_case(REGISTRY, case)


def test_fixture_coverage() -> None:
    assert {c.kind for c in CASES} == {"push", "map"}
    mapped = {(c.data["status"], c.data.get("code")) for c in CASES if c.kind == "map"}
    documented = {(s.value, s.code) for s in REGISTRY.info("africastalking").statuses}
    assert documented <= mapped, documented - mapped


def test_entry_point_loads_push_only() -> None:
    registry = load(environ={"SMSSTATUS_VENDORS": "africastalking"})
    loaded = registry.vendors["africastalking"]
    assert loaded.distribution == "smsstatus-africastalking"
    assert loaded.hooks == {"vendor_info", "parse_push", "map_status"}  # no fetch: there is no status API
    assert loaded.info.capabilities == {Capability.PUSH}


def test_intermediate_statuses_stay_open_and_success_is_delivery() -> None:
    for value in ("Sent", "Submitted", "Buffered"):
        assert not REGISTRY.map_status("africastalking", value).final
    success = REGISTRY.map_status("africastalking", "Success")
    assert (success.status, success.final) == (Status.DELIVERED, True)
    opted = REGISTRY.map_status("africastalking", "Rejected", "UserInBlackList")
    assert (opted.status, opted.reason) == (Status.REJECTED, Reason.OPTED_OUT)
    assert REGISTRY.map_status("africastalking", "bogus").mapping is MappingKind.UNMAPPED


def _push(remote: str | None, allowed: str) -> None:
    request = PushRequest.build(body="id=ATXid_1&status=Success", content_type=FORM, remote_addr=remote)
    REGISTRY.parse_push("africastalking", request, {"allowed_networks": allowed})


@pytest.mark.parametrize(
    ("remote", "allowed"),
    [
        ("196.201.214.5", "196.201.214.0/24"),
        ("196.201.214.5", "10.0.0.1,196.201.214.5"),
        ("::ffff:196.201.214.5", "196.201.214.0/24"),  # an IPv4 peer seen through a dual-stack socket
        ("2001:db8::7", "196.201.214.0/24 2001:db8::/32"),
    ],
)
def test_allowlist_accepts_listed_addresses(remote: str, allowed: str) -> None:
    _push(remote, allowed)


@pytest.mark.parametrize("remote", ["196.201.215.5", None, "not-an-address", "2001:db9::1"])
def test_allowlist_refuses_everything_else(remote: str | None) -> None:
    with pytest.raises(AuthenticationError) as info:
        _push(remote, "196.201.214.0/24, 2001:db8::/32")
    assert info.value.credential == "allowed_networks"
    assert "not-an-address" not in str(info.value)


@pytest.mark.parametrize("allowed", ["196.201.214.0/33", "example.org", " , "])
def test_a_bad_allowlist_is_a_credentials_error(allowed: str) -> None:
    with pytest.raises(CredentialsError):
        allowlist.networks("africastalking", allowed)


def test_a_json_body_is_refused() -> None:
    request = PushRequest.build(body='{"id": "x", "status": "Success"}', content_type="application/json")
    with pytest.raises(Exception) as info:
        REGISTRY.parse_push("africastalking", request)
    assert type(info.value).__name__ == "PayloadError"


def test_settled_statuses_mean_the_same_with_any_failure_reason() -> None:
    # The lean path reads SETTLED instead of map_value: exact only if no
    # failure reason can change these statuses' meaning.
    from smsstatus_africastalking.mapping import FAILURE_REASONS, SETTLED, map_value

    assert set(SETTLED) == {"Sent", "Submitted", "Buffered", "Success", "Expired"}
    for status, mapped in SETTLED.items():
        for reason in (None, "", "x", *FAILURE_REASONS):
            assert map_value(status, reason) == mapped


@pytest.mark.parametrize(
    ("network", "lean"),
    [
        ("63902", True),
        ("63902", True),
        ("62130", True),
        (" 63902", True),
        ("  63902  ", False),
        ("6390x", False),
        ("6390200", False),
    ],
)
def test_network_codes_read_by_the_lean_path_are_the_detailed_paths(network: str, lean: bool) -> None:
    body = f"id=ATXid_1&status=Failed&networkCode={network}"
    with fast_path_mode("compare") as counts:  # compare: both paths answer the same
        report = REGISTRY.parse_push("africastalking", PushRequest.build(body=body, content_type=FORM), {})
        taken = list(counts["smsstatus_africastalking.push._lean"])
    assert taken == ([1, 0] if lean else [0, 1])
    assert report.reports[0].extra["network_code"] == network
    if network == "63902":  # Safaricom Kenya (E.212)
        operator = report.reports[0].operator
        assert report.reports[0].country == "KE" and operator is not None and operator.mcc == "639"


@pytest.mark.parametrize(
    ("retries", "expected"),
    [
        ("0", 0),
        ("7", 7),
        ("99", 99),
        ("007", 7),  # not in the lookup: read by the checks
        ("100", 100),
        ("10000", 10_000),  # MAX_RETRY_COUNT
        ("10001", None),  # beyond it: null with a warning, on the detailed path
        ("-1", None),
        ("\u0663", None),  # an Arabic-Indic digit: isdigit, but not what int() should read here
    ],
)
def test_retry_counts_read_by_the_lean_path_are_the_detailed_paths(
    retries: str, expected: int | None
) -> None:
    body = f"id=ATXid_1&status=Success&retryCount={quote(retries)}"
    with fast_path_mode("compare"):  # compare: both paths answer the same
        report = REGISTRY.parse_push("africastalking", PushRequest.build(body=body, content_type=FORM), {})
    assert report.reports[0].extra.get("retry_count") == expected
    assert bool(report.reports[0].warnings) == (expected is None)
