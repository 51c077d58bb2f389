"""The fixture runner: it must catch every kind of mismatch, and only those."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import smsstatus
from smsstatus.fixtures import Case, CaseFailure, FixtureError, load_cases, run_case

PUSH_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["id", "status"],
    "properties": {"id": {"type": "string"}, "status": {"type": "string"}, "token": {"type": "string"}},
}
FETCH_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["status"],
    "properties": {"status": {"type": "string"}},
}


def report(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "vendor": "acme",
        "message_id": "m1",
        "batch_id": None,
        "recipient": None,
        "recipient_raw": None,
        "sender": None,
        "status": "delivered",
        "final": True,
        "mapping": "exact",
        "reason": None,
        "vendor_status": "ok",
        "vendor_code": None,
        "vendor_description": None,
        "client_ref": None,
        "segments": None,
        "part": None,
        "price": None,
        "country": None,
        "operator": None,
        "submitted_at": None,
        "status_at": None,
        "notified_at": None,
        "received_at": "2025-01-01T00:00:00Z",
        "channel": "push",
        "extra": {},
        "raw": {"id": "m1", "status": "ok"},
    }
    return {**base, **overrides}


PUSH_CASE: dict[str, Any] = {
    "id": "push-ok",
    "description": "a delivered push",
    "kind": "push",
    "source": "test",
    "credentials": {"token": "fixture-token-1"},
    "request": {
        "method": "POST",
        "url": "https://hooks.invalid/acme",
        "body": {"json": {"id": "m1", "status": "ok", "token": "fixture-token-1"}},
    },
    "payload_schema": "push.schema.json",
    "expect": {"reports": [report()], "reply": {"status_code": 200, "body": {"json": {"ok": True}}}},
}

FETCH_CASE: dict[str, Any] = {
    "id": "fetch-ok",
    "description": "one id fetched",
    "kind": "fetch",
    "source": "test",
    "credentials": {"api_key": "fixture-key-1"},
    "ids": ["m1"],
    "exchanges": [
        {
            "request": {
                "method": "GET",
                "url": "https://api.acme.invalid/status/m1",
                "headers": {"X-Key": "fixture-key-1"},
            },
            "response": {
                "status_code": 200,
                "body": {"json": {"status": "fail"}},
                "received_at": "2025-02-02T00:00:00Z",
                "payload_schema": "fetch.schema.json",
            },
        }
    ],
    "expect": {
        "reports": [
            report(
                status="undelivered",
                vendor_status=None,
                channel="fetch",
                received_at="2025-02-02T00:00:00Z",
                raw={"status": "fail"},
            )
        ]
    },
}


@pytest.fixture
def plugin_dir(tmp_path: Path) -> Path:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "schemas" / "push.schema.json").write_text(json.dumps(PUSH_SCHEMA))
    (tmp_path / "schemas" / "fetch.schema.json").write_text(json.dumps(FETCH_SCHEMA))
    return tmp_path


@pytest.fixture
def acme_registry(fake_vendor_cls: Any, plugin_dir: Path) -> smsstatus.Registry:
    return smsstatus.Registry(vendors={"acme": fake_vendor_cls("acme", plugin_dir)})


def run(registry: smsstatus.Registry, data: dict[str, Any]) -> None:
    run_case(registry, Case("acme", "cases.json", data))


def test_matching_push_and_fetch_cases_pass(acme_registry: smsstatus.Registry) -> None:
    run(acme_registry, PUSH_CASE)
    fetch = copy.deepcopy(FETCH_CASE)
    fetch["expect"]["reports"][0]["reason"] = None
    # FakeVendor's fetch leaves reason empty and vendor_status unset: the expectation says so.
    run(acme_registry, fetch)


def test_instants_compare_as_instants(acme_registry: smsstatus.Registry) -> None:
    case = copy.deepcopy(PUSH_CASE)
    case["expect"]["reports"][0]["received_at"] = "2025-01-01T02:00:00+02:00"  # the same instant
    run(acme_registry, case)
    case["expect"]["reports"][0]["received_at"] = "2025-01-01T02:00:00+01:00"  # an hour later
    with pytest.raises(CaseFailure, match="reports\\[0\\].received_at"):
        run(acme_registry, case)


def test_wrong_expectation_is_reported_per_field(acme_registry: smsstatus.Registry) -> None:
    case = copy.deepcopy(PUSH_CASE)
    case["expect"]["reports"][0].update(status="sent", final=False)
    with pytest.raises(CaseFailure) as info:
        run(acme_registry, case)
    assert "reports[0].status: 'delivered' != expected 'sent'" in str(info.value)
    assert "reports[0].final: True != expected False" in str(info.value)


def test_wrong_reply_is_reported(acme_registry: smsstatus.Registry) -> None:
    case = copy.deepcopy(PUSH_CASE)
    case["expect"]["reply"] = {"status_code": 204}
    with pytest.raises(CaseFailure, match="reply status 200 != 204"):
        run(acme_registry, case)


def test_payload_schema_is_enforced_both_ways(acme_registry: smsstatus.Registry) -> None:
    case = copy.deepcopy(PUSH_CASE)
    case["request"]["body"]["json"]["status"] = 5
    case["expect"] = {"error": {"type": "payload", "field": "$.status"}}
    with pytest.raises(CaseFailure, match="does not satisfy push.schema.json"):
        run(acme_registry, case)
    case["payload_valid"] = False
    run(acme_registry, case)  # now the malformed input is declared, and the plugin raised the expected error
    case["expect"]["error"]["field"] = "$.id"
    with pytest.raises(CaseFailure, match=r"field '\$\.status' != expected '\$\.id'"):
        run(acme_registry, case)


def test_authentication_error_expectation(acme_registry: smsstatus.Registry) -> None:
    case = copy.deepcopy(PUSH_CASE)
    case["request"]["body"]["json"]["token"] = "fixture-token-wrong"
    case["expect"] = {"error": {"type": "authentication", "credential": "token"}}
    run(acme_registry, case)


def test_unrecorded_and_unused_exchanges_fail(acme_registry: smsstatus.Registry) -> None:
    two_ids = copy.deepcopy(FETCH_CASE)
    two_ids["ids"] = ["m1", "m2"]
    with pytest.raises(CaseFailure, match="unrecorded request GET https://api.acme.invalid/status/m2"):
        run(acme_registry, two_ids)
    extra = copy.deepcopy(FETCH_CASE)
    extra["exchanges"].append(copy.deepcopy(extra["exchanges"][0]))
    with pytest.raises(CaseFailure, match="1 recorded exchange"):
        run(acme_registry, extra)
    wrong_header = copy.deepcopy(FETCH_CASE)
    wrong_header["credentials"] = {"api_key": "fixture-key-2"}
    with pytest.raises(CaseFailure, match="header 'X-Key' differs"):
        run(acme_registry, wrong_header)


def test_leaked_credential_is_caught(fake_vendor_cls: Any, plugin_dir: Path) -> None:
    class Leaky(fake_vendor_cls):  # type: ignore[misc,valid-type]
        @smsstatus.hookimpl
        def parse_push(self, vendor: str, request: Any, credentials: Any) -> smsstatus.PushResult:
            result = super().parse_push(vendor, request, credentials)
            leaked = smsstatus.PushReply.text(credentials["token"].reveal())
            return smsstatus.PushResult(reports=result.reports, reply=leaked)

    registry = smsstatus.Registry(vendors={"acme": Leaky("acme", plugin_dir)})
    with pytest.raises(CaseFailure, match="a secret credential appears in the output"):
        run(registry, PUSH_CASE)


def _write(plugin_dir: Path, data: Any) -> None:
    (plugin_dir / "fixtures" / "cases.json").write_text(json.dumps(data))


def test_load_cases_validates_files(acme_registry: smsstatus.Registry, plugin_dir: Path) -> None:
    info = acme_registry.info("acme")
    good = {"fixture_format": 1, "vendor": "acme", "description": "cases", "cases": [PUSH_CASE, FETCH_CASE]}
    _write(plugin_dir, good)
    assert [c.id for c in load_cases(info)] == ["cases::push-ok", "cases::fetch-ok"]
    _write(plugin_dir, {**good, "cases": [PUSH_CASE, PUSH_CASE]})
    with pytest.raises(FixtureError, match="duplicate case id 'push-ok'"):
        load_cases(info)
    _write(plugin_dir, {**good, "vendor": "other"})
    with pytest.raises(FixtureError, match="is not 'acme'"):
        load_cases(info)
    _write(plugin_dir, {**good, "fixture_format": 2})
    with pytest.raises(FixtureError, match="fixture_format"):
        load_cases(info)
    _write(plugin_dir, {**good, "cases": [{**PUSH_CASE, "id": "Bad Id"}]})
    with pytest.raises(FixtureError):
        load_cases(info)
