"""The engine and its checks, in process, on the CFK test vendor and its flaws."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import attrs
import pytest
import smsstatus
from cfk_plugins import Vendor
from harness import copy_vendor_data, fixture_file
from smsstatus.conformance import engine, report
from smsstatus.conformance.checks.auth import without_value
from smsstatus.conformance.context import altered
from smsstatus.conformance.engine import Options, Run, Target
from smsstatus.conformance.sandbox import Capture, NetworkGuard, call_with_limit
from smsstatus.schemas import errors_of, validator

SECRETS = ("fixture-token-1", "fixture-key-1")


def run_vendor(
    tmp_path: Path,
    vendor: str = "cfkgood",
    *,
    flaws: tuple[str, ...] = (),
    options: Options | None = None,
    edit: Callable[[Path], None] | None = None,
) -> Run:
    data = copy_vendor_data(tmp_path / vendor, vendor)
    if edit is not None:
        edit(data)
    target = Target(vendor, Vendor(vendor, data, **dict.fromkeys(flaws, True)))
    opts = options or Options(max_examples=40)
    return engine.run(engine.build_plans([target], opts), opts)


def outcomes(run: Run) -> dict[str, str]:
    return {r.id.split("::", 1)[1]: r.outcome for r in run.results}


def message(run: Run, local_id: str) -> str:
    (found,) = [r for r in run.results if r.id.split("::", 1)[1] == local_id]
    return found.message or ""


def not_passing(run: Run) -> dict[str, str]:
    return {k: v for k, v in outcomes(run).items() if v not in ("passed", "skipped")}


def test_a_conforming_vendor_passes_every_check_under_stable_ids(tmp_path: Path) -> None:
    run = run_vendor(tmp_path)
    found = outcomes(run)
    assert not_passing(run) == {}
    assert run.exit_code == 0
    for local in (
        "load",
        "metadata",
        "hooks",
        "schemas",
        "fixture-file::push.json",
        "case::push::delivered",
        "case::fetch::one-unknown",
        "case::map::map-unknown",
        "status-map",
        "capability-fixtures",
        "replay::fetch::sent",
        "auth::wrong-token",
        "auth::missing-token",
        "robustness::push",
        "robustness::fetch",
        "robustness::map",
        "secrets",
    ):
        assert found[local] == "passed", local
    assert found["manifest"] == "skipped"  # no conformance.toml
    assert found["core-capabilities"] == "skipped"  # only with --strict
    assert run.results[0].check == "load"
    assert all(r.id.startswith("cfkgood::") for r in run.results)


def test_strict_requires_the_core_capabilities(tmp_path: Path) -> None:
    assert (
        outcomes(run_vendor(tmp_path / "a", options=Options(strict=True, max_examples=5)))[
            "core-capabilities"
        ]
        == "passed"
    )
    run = run_vendor(
        tmp_path / "b",
        options=Options(strict=True, max_examples=5),
        edit=lambda data: (data / "fixtures" / "map.json").unlink(),
    )
    assert outcomes(run)["core-capabilities"] == "failed"
    assert "documented statuses without a map case: 'QUEUED'" in message(run, "core-capabilities")
    assert run.exit_code == 1


@pytest.mark.parametrize(
    ("flaw", "failing", "says"),
    [
        (
            "bad_map",
            {"status-map", "case::map::map-delivered", "case::map::map-lowercase", "case::push::delivered"},
            "'DELIVERED': status 'sent' != declared 'delivered'",
        ),
        ("leak", {"secrets"}, "credential 'token' appears in a log record of 'cfk_plugins'"),
        (
            "no_auth",
            {"auth::wrong-token", "auth::missing-token", "case::push::wrong-token"},
            "was accepted",
        ),
        # The declared list is built from the mapper's own table: only the map cases disagree.
        (
            "bad_row",
            {"status-map", "case::map::map-delivered", "case::map::map-lowercase", "case::push::delivered"},
            "declared status 'sent', but map case map::map-delivered expects 'delivered'",
        ),
        ("float_money", {"money"}, "gave Decimal('0.000012')"),
        ("batch_limit_50", {"batch-limit"}, "poll.batch_limit is 50, but given 51 ids fetch put at most 1"),
        ("oracle", {"signature-oracle"}, "the error is a signing oracle"),
        (
            "extra_header",
            {"requests"},
            "request 0 carries credential 'api_key' in header 'X-Debug-Key', where the recording has none",
        ),
    ],
)
def test_a_flawed_vendor_fails_the_check_that_covers_the_flaw(
    tmp_path: Path, flaw: str, failing: set[str], says: str
) -> None:
    run = run_vendor(tmp_path, flaws=(flaw,), options=Options(max_examples=10))
    assert set(not_passing(run)) == failing
    assert all(outcome == "failed" for outcome in not_passing(run).values())
    assert any(says in message(run, local) for local in failing)
    assert run.exit_code == 1


def test_a_credential_compared_with_plain_equality_fails_the_static_check(tmp_path: Path) -> None:
    from cfk_static_flaws import PlainCompareVendor

    data = copy_vendor_data(tmp_path / "cfkplain", "cfkplain")
    options = Options(checks=frozenset({"constant-time"}))
    run = engine.run(
        engine.build_plans([Target("cfkplain", PlainCompareVendor("cfkplain", data))], options), options
    )
    assert outcomes(run)["constant-time"] == "failed"
    assert "cfk_static_flaws.py:18: token != configured" in message(run, "constant-time")
    # the good vendor's own source passes
    good = run_vendor(tmp_path / "good", options=options)
    assert outcomes(good)["constant-time"] == "passed"


def test_an_echoed_credential_is_masked_by_the_host_and_redaction_checks_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = Options(checks=frozenset({"redaction"}))
    assert outcomes(run_vendor(tmp_path / "masked", options=options))["redaction"] == "passed"
    # Without the host's masking, the echoed key reaches the report's raw record.
    monkeypatch.setattr(smsstatus.http.HttpClient, "_masked", lambda self, content, request: content)
    run = run_vendor(tmp_path / "unmasked", options=options)
    assert outcomes(run)["redaction"] == "failed"
    assert "credential 'api_key' appears in report 0: fetch::sent (echoed in" in message(run, "redaction")


def test_a_crash_on_malformed_input_fails_robustness_reproducibly(tmp_path: Path) -> None:
    first = run_vendor(tmp_path / "a", flaws=("crash",), options=Options(checks=frozenset({"robustness"})))
    assert not_passing(first) == {"robustness::push": "failed"}
    text = message(first, "robustness::push")
    assert "parse_push raised AttributeError" in text
    assert "(seed push::" in text
    again = run_vendor(tmp_path / "b", flaws=("crash",), options=Options(checks=frozenset({"robustness"})))
    assert message(again, "robustness::push") == text


def test_edge_times_are_tried_at_every_time_field_before_random_inputs(tmp_path: Path) -> None:
    # One random example only: the edge times run first, whatever the budget.
    options = Options(checks=frozenset({"robustness"}), max_examples=1)
    run = run_vendor(tmp_path, flaws=("naive_time",), options=options)
    assert outcomes(run)["robustness::push"] == "failed"
    assert 'set $.at to "0001-01-01T00:00:00+01:00"' in message(run, "robustness::push")
    assert "OverflowError" in message(run, "robustness::push")


def test_a_plugin_that_goes_around_the_host_client_fails_offline_checks(tmp_path: Path) -> None:
    run = run_vendor(tmp_path, flaws=("network",), options=Options(max_examples=5))
    failing = not_passing(run)
    assert {"case::fetch::sent", "replay::fetch::sent"} <= set(failing)
    assert "attempted network access" in message(run, "case::fetch::sent")
    assert "api.cfk.invalid" in message(run, "case::fetch::sent")


def test_no_secret_value_reaches_any_message(tmp_path: Path) -> None:
    for flaw in ("leak", "no_auth", "crash", "bad_map"):
        run = run_vendor(tmp_path / flaw, flaws=(flaw,), options=Options(max_examples=10))
        text = json.dumps(report.to_json(run)) + report.to_junit_xml(run).decode()
        assert not any(secret in text for secret in SECRETS), flaw


def _bad_fixtures(data: Path) -> None:
    fixtures = data / "fixtures"
    (fixtures / "broken.json").write_text('{"fixture_format": 2, "vendor": "cfkgood", "cases": []}')
    (fixtures / "notjson.json").write_text("{")
    case = json.loads((fixtures / "push.json").read_text())["cases"][0]
    wrong = {
        **case,
        "id": "id-is-an-object",
        "request": {**case["request"], "body": {"json": {"id": {}, "status": "SENT"}}},
    }
    lint = [dict(case, id="dup", description="two\nlines"), dict(case, id="dup")]
    (fixtures / "extra.json").write_text(fixture_file("cfkgood", [wrong]))
    (fixtures / "lint.json").write_text(fixture_file("cfkgood", lint))


def test_fixture_files_are_linted_one_by_one_and_inputs_checked_against_payload_schemas(
    tmp_path: Path,
) -> None:
    run = run_vendor(tmp_path, edit=_bad_fixtures, options=Options(max_examples=5))
    failing = not_passing(run)
    assert set(failing) == {
        "fixture-file::broken.json",
        "fixture-file::notjson.json",
        "fixture-file::lint.json",
        "case::extra::id-is-an-object",
    }
    assert "$.fixture_format: 1 was expected" in message(run, "fixture-file::broken.json")
    assert "not valid JSON" in message(run, "fixture-file::notjson.json")
    lint = message(run, "fixture-file::lint.json")
    assert "$.cases[1].id: 'dup' repeats $.cases[0]" in lint
    assert "$.cases[0].description: description must be one line" in lint
    assert "does not satisfy push.schema.json" in message(run, "case::extra::id-is-an-object")
    # the good files still ran
    assert outcomes(run)["case::push::delivered"] == "passed"


def _manifest(text: str) -> Callable[[Path], None]:
    def edit(data: Path) -> None:
        (data / "fixtures" / "conformance.toml").write_text(text)

    return edit


def test_declared_known_failures_run_as_strict_xfail(tmp_path: Path) -> None:
    manifest = """
manifest_format = 1
[[known_failures]]
check = "status-map"
reason = "DELIVERED is mapped to sent until issue 7 is fixed"
[[known_failures]]
check = "cfkbad::case::push::delivered"
reason = "issue 7"
[[known_failures]]
check = "case::map::map-delivered"
reason = "issue 7"
[[known_failures]]
check = "case::map::map-lowercase"
reason = "issue 7"
"""
    run = run_vendor(
        tmp_path, "cfkbad", flaws=("bad_map",), edit=_manifest(manifest), options=Options(max_examples=5)
    )
    found = outcomes(run)
    assert found["status-map"] == "xfailed"
    assert found["case::push::delivered"] == "xfailed"
    assert found["manifest"] == "passed"
    assert "issue 7" in message(run, "status-map")
    assert not_passing(run) == dict.fromkeys(
        ["case::map::map-delivered", "case::map::map-lowercase", "case::push::delivered", "status-map"],
        "xfailed",
    )
    assert run.exit_code == 0


def test_a_known_failure_that_passes_fails_the_run(tmp_path: Path) -> None:
    manifest = 'manifest_format = 1\n[[known_failures]]\ncheck = "secrets"\nreason = "fixed long ago"\n'
    run = run_vendor(tmp_path, edit=_manifest(manifest), options=Options(max_examples=5))
    assert outcomes(run)["secrets"] == "xpassed"
    assert "remove the declaration" in message(run, "secrets")
    assert run.exit_code == 1


def test_a_fixture_case_xfail_is_strict(tmp_path: Path) -> None:
    def edit(data: Path) -> None:
        cases = json.loads((data / "fixtures" / "map.json").read_text())["cases"]
        wrong = dict(cases[0], id="wrong-expectation", xfail="the vendor's docs are ambiguous")
        wrong["expect"] = dict(wrong["expect"], status="sent")
        right = dict(cases[0], id="right-expectation", xfail="stale")
        (data / "fixtures" / "known.json").write_text(fixture_file("cfkgood", [wrong, right]))

    run = run_vendor(tmp_path, edit=edit, options=Options(max_examples=5))
    assert outcomes(run)["case::known::wrong-expectation"] == "xfailed"
    assert outcomes(run)["case::known::right-expectation"] == "xpassed"
    assert run.exit_code == 1


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('manifest_format = 1\n[[known_failures]]\ncheck = "secrets"\n', "'reason' is a required property"),
        ('manifest_format = 1\n[[known_failures]]\ncheck = "secrets"\nreason = " "\n', "does not match"),
        ('manifest_format = 1\n[[known_failures]]\ncheck = "no-such-check"\nreason = "x"\n', "no such check"),
        ('manifest_format = 1\n[[known_failures]]\ncheck = "load"\nreason = "x"\n', "cannot be declared"),
        ("known_failures = [", "not valid TOML"),
        ("[[known_failures]]\ncheck = 'secrets'\nreason = 'x'\n", "'manifest_format' is a required property"),
    ],
)
def test_the_manifest_is_validated(tmp_path: Path, text: str, says: str) -> None:
    run = run_vendor(tmp_path, edit=_manifest(text), options=Options(checks=frozenset({"manifest"})))
    assert outcomes(run)["manifest"] == "failed"
    assert says in message(run, "manifest")


def test_an_applications_fixture_directory_runs_against_the_plugin(tmp_path: Path) -> None:
    app = tmp_path / "captured"
    app.mkdir()
    cases = json.loads((Path(__file__).parent / "cfk_plugins/fixtures/push.json").read_text())["cases"]
    wrong = dict(cases[0], id="captured-wrongly")
    wrong["expect"] = {**wrong["expect"], "reports": [dict(wrong["expect"]["reports"][0], status="sent")]}
    (app / "ours.json").write_text(fixture_file("cfkgood", [dict(cases[0], id="captured"), wrong]))
    (app / "other.json").write_text(fixture_file("someone-else", [cases[0]]))
    run = run_vendor(tmp_path, options=Options(fixtures_dir=app, max_examples=5))
    assert outcomes(run) == {
        "load": "passed",
        "fixture-file::ours.json": "passed",
        "case::ours::captured": "passed",
        "case::ours::captured-wrongly": "failed",
        "secrets": "passed",
    }


def test_derived_auth_inputs() -> None:
    request = smsstatus.PushRequest.build(
        url="https://h.invalid/hook?k=s3cret-value&x=1",
        headers={"X-Token": "s3cret-value", "Authorization": "Bearer s3cret-value"},
        body=json.dumps({"token": "s3cret-value", "n": ["s3cret-value", 1]}),
        content_type="application/json",
    )
    stripped = without_value(request, "s3cret-value")
    assert stripped is not None
    assert "s3cret-value" not in stripped.url + stripped.body.decode() + json.dumps(
        stripped.headers.raw_items()
    )
    assert stripped.query_params == [("x", "1")]
    assert "X-Token" not in stripped.headers
    assert json.loads(stripped.body) == {"n": [1]}
    form = smsstatus.PushRequest.build(
        body="a=1&pswd=s3cret-value", content_type="application/x-www-form-urlencoded"
    )
    assert without_value(form, "s3cret-value") is not None
    assert without_value(form, "s3cret-value").form_params() == [("a", "1")]  # type: ignore[union-attr]
    signed = smsstatus.PushRequest.build(
        headers={"X-Signature": "abc"}, body="{}", content_type="application/json"
    )
    assert without_value(signed, "s3cret-value") is None
    assert altered("abc") == "abX" and altered("abX") == "abY" and len(altered("secret")) == 6


def test_the_network_guard_refuses_and_restores() -> None:
    original = socket.create_connection
    with NetworkGuard() as guard, pytest.raises(ConnectionRefusedError):
        socket.create_connection(("example.invalid", 443))
    assert guard.attempts == ["connect to ('example.invalid', 443)"]
    assert socket.create_connection is original


def test_capture_sees_every_log_record_after_logger_filters() -> None:
    logger = logging.getLogger("smsstatus.test.capture")
    logger.setLevel(logging.ERROR)
    logger.propagate = False

    class Scrub(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            record.msg, record.args = record.getMessage().replace("k3y", "***"), None
            return not str(record.msg).startswith("drop")

    scrub = Scrub()
    logger.addFilter(scrub)
    try:
        with Capture() as capture:
            logger.debug("debug %s", "k3y")
            logger.info("drop me")
            print("printed")
        texts = [text for _, text in capture.texts()]
        assert texts == ["debug ***", "printed\n"]
    finally:
        logger.removeFilter(scrub)
    assert logging.Logger.handle.__name__ == "handle"  # restored: the real method


def test_a_call_is_bounded_in_time_even_when_it_catches_exception() -> None:
    def stubborn() -> None:
        with contextlib.suppress(Exception):  # what a careless plugin does
            time.sleep(2)

    started = time.perf_counter()
    outcome = call_with_limit(stubborn, 0.1)
    assert outcome.timed_out
    assert time.perf_counter() - started < 1.5


def test_the_json_report_follows_the_published_schema_and_junit_is_valid(tmp_path: Path) -> None:
    run = run_vendor(tmp_path, flaws=("bad_map",), options=Options(max_examples=5))
    document = report.to_json(run)
    assert errors_of(validator("conformance-report"), document) == []
    assert document["report_format"] == 1
    assert document["fixture_format"] == 1
    assert document["tool"]["suite_version"] == "1.1"
    (vendor,) = document["vendors"]
    assert vendor["summary"]["failed"] == 4
    ids = [c["id"] for c in vendor["checks"]]
    assert "cfkgood::status-map" in ids
    root = ET.fromstring(report.to_junit_xml(run))
    (suite,) = root.findall("testsuite")
    assert suite.get("failures") == "4"
    names = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert names["vendor"] == "cfkgood" and names["suite_version"] == "1.1" and names["fixture_format"] == "1"
    failed = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert {f"{c.get('classname')}::{c.get('name')}" for c in failed} == {
        r.id for r in run.results if r.outcome == "failed"
    }


def test_junit_xml_carries_control_characters_escaped() -> None:
    result = engine.Result(
        id="v::case::x",
        vendor="v",
        check="case",
        subject="x",
        outcome="failed",
        duration=0.0,
        message="bad \x00 byte",
    )
    plan = engine.VendorPlan("v", None, None, True, None, [])
    run = engine.Run(Options(), [engine.VendorRun(plan, [result])], engine.datetime.now(engine.UTC), 0.0)
    root = ET.fromstring(report.to_junit_xml(run))
    assert root.find(".//failure").text == "bad \\u0000 byte"  # type: ignore[union-attr]


def test_a_plugin_without_map_status_fails_hooks(tmp_path: Path) -> None:
    class NoMap:
        def __init__(self, inner: Vendor) -> None:
            self.inner = inner

        @smsstatus.hookimpl
        def vendor_info(self) -> Any:
            return attrs.evolve(self.inner.vendor_info(), capabilities=frozenset(), credentials=())

    data = copy_vendor_data(tmp_path / "nomap", "nomap")
    options = Options(checks=frozenset({"hooks", "status-map"}))
    plans = engine.build_plans([Target("nomap", NoMap(Vendor("nomap", data)))], options)
    run = engine.run(plans, options)
    assert outcomes(run)["hooks"] == "failed"
    assert "does not implement map_status" in message(run, "hooks")


def test_messages_stay_printable_and_redacted() -> None:
    def check() -> None:
        raise engine.CheckFailed("bad \ud800 input near fixture-token-1")

    status, text, _ = engine.execute(engine.Check("v", "case", "x", check), secrets=["fixture-token-1"])
    assert (status, text) == ("failed", "bad \\ud800 input near ***")
    assert text is not None and text.encode("utf-8")
