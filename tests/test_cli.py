"""Every CLI command through a real subprocess, against plugins installed on the fly.

A throw-away directory on PYTHONPATH holds two distributions (dist-info plus
module): a working vendor ``clitest`` and a ``broken`` one that fails to
import, so these tests need nothing but the core.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from smsstatus.schemas import errors_of, validator

PLUGIN = textwrap.dedent(
    """
    import json
    import smsstatus
    from smsstatus import (Capability, Channel, CredentialSpec, DocumentedStatus, FetchResult, ItemError,
                           MappedStatus, MappingKind, NotFoundError, PushReply, PushResult, Reason, Status,
                           StatusReport, VendorInfo, hookimpl)
    from smsstatus.fields import Record, decode_json_object

    TABLE = {"ok": MappedStatus(Status.DELIVERED), "fail": MappedStatus(Status.UNDELIVERED, Reason.UNREACHABLE)}

    @hookimpl
    def vendor_info():
        return VendorInfo(
            id="clitest", display_name="CLI Test", capabilities=frozenset({Capability.PUSH, Capability.FETCH}),
            statuses=tuple(DocumentedStatus(k, v) for k, v in TABLE.items()),
            credentials=(CredentialSpec("token", "push", "webhook token"),
                         CredentialSpec("api_key", "fetch", "API key", required=True)),
            default_base_url="http://127.0.0.1:9",
        )

    @hookimpl
    def map_status(status):
        return TABLE.get(status.lower(), MappedStatus(Status.UNKNOWN, mapping=MappingKind.UNMAPPED))

    def report(vendor, record, channel, received_at):
        status = record.string("status")
        mapped = map_status(status)
        return StatusReport(vendor=vendor, message_id=record.ident("id"), status=mapped.status,
                            mapping=mapped.mapping, reason=mapped.reason, vendor_status=status,
                            channel=channel, received_at=received_at, raw=dict(record.data))

    @hookimpl
    def parse_push(vendor, request, credentials):
        if request.method == "GET":
            data = dict(request.query_params)
        else:
            data = decode_json_object(vendor, request.body)
        smsstatus.check_credential(vendor, "token", credentials.optional("token"), data.pop("token", None))
        items = data["items"] if "items" in data else [data]
        reports, errors = [], []
        for i, item in enumerate(items):
            if "inbound" in item:
                not_status = smsstatus.NotAStatusError(vendor, f"$.items[{i}].inbound", "an inbound message")
                errors.append(ItemError(error=not_status, raw=item, index=i))
                continue
            try:
                reports.append(report(vendor, Record(vendor, item, f"$.items[{i}]"), Channel.PUSH, request.received_at))
            except smsstatus.PayloadError as exc:
                errors.append(ItemError(error=exc, raw=item, index=i))
        return PushResult(reports=tuple(reports), reply=PushReply.json({"code": 0}), errors=tuple(errors))

    @hookimpl
    def fetch(vendor, ids, credentials, client):
        key = credentials.require("api_key")
        reports, errors = [], []
        for message_id in ids:
            response = client.request("GET", f"/status/{message_id}", headers={"Authorization": "Key " + key})
            if response.status_code == 404:
                errors.append(ItemError(error=NotFoundError(vendor, "no such id", http_status=404), raw={}, key=message_id))
                continue
            if response.status_code != 200:
                raise smsstatus.VendorError(vendor, response.text, http_status=response.status_code)
            reports.append(report(vendor, Record(vendor, response.json()), Channel.FETCH, response.received_at))
        return FetchResult(reports=tuple(reports), errors=tuple(errors))
    """
)


def _dist(site: Path, name: str, module: str, source: str) -> None:
    info = site / f"{name.replace('-', '_')}-0.1.dist-info"  # dist-info names use underscores
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        f"[smsstatus.vendors]\n{name.removeprefix('smsstatus-')} = {module}\n"
    )
    (site / f"{module}.py").write_text(source)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    site = tmp_path_factory.mktemp("site")
    _dist(site, "smsstatus-clitest", "clitest_plugin", PLUGIN)
    _dist(site, "smsstatus-broken", "broken_plugin", "import this_module_does_not_exist\n")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SMSSTATUS_")}
    environ["PYTHONPATH"] = os.pathsep.join([str(site), environ.get("PYTHONPATH", "")])
    environ["SMSSTATUS_VENDORS"] = "clitest,broken"
    return environ


def cli(env: dict[str, str], *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smsstatus.cli", *args],
        input=stdin.decode(),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_plugins_lists_working_and_broken_plugins(env: dict[str, str]) -> None:
    table = cli(env, "plugins")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["VENDOR", "NAME", "CAPABILITIES", "DISTRIBUTION", "STATE"]
    assert any(line.startswith("clitest") and line.rstrip().endswith("ok") for line in lines), table.stdout
    assert any(line.startswith("broken") and "this_module_does_not_exist" in line for line in lines)
    data = json.loads(cli(env, "plugins", "--format", "json").stdout)
    (vendor,) = data["vendors"]
    assert vendor["id"] == "clitest" and vendor["capabilities"] == ["fetch", "push"]
    assert [c["name"] for c in vendor["credentials"]] == ["token", "api_key"]
    assert vendor["distribution"] == "smsstatus-clitest" and vendor["version"] == "0.1"
    assert {(d["value"], d["status"], d["final"]) for d in vendor["statuses"]} == {
        ("ok", "delivered", True),
        ("fail", "undelivered", True),
    }
    assert data["failures"][0]["name"] == "broken"


def test_parse_jsonl_json_and_table(env: dict[str, str]) -> None:
    body = json.dumps({"id": "m1", "status": "OK"}).encode()
    out = cli(env, "parse", "clitest", "-", stdin=body)
    assert out.returncode == 0, out.stderr
    (line,) = out.stdout.splitlines()
    report = json.loads(line)
    assert errors_of(validator("status-report"), report) == []
    assert (report["message_id"], report["status"], report["final"]) == ("m1", "delivered", True)
    doc = json.loads(cli(env, "parse", "clitest", "-", "--format", "json", stdin=body).stdout)
    assert doc["reply"] == {"status_code": 200, "content_type": "application/json", "body": '{"code":0}'}
    table = cli(env, "parse", "clitest", "-", "--format", "table", stdin=body).stdout.splitlines()
    assert table[0].split()[:4] == ["VENDOR", "MESSAGE_ID", "RECIPIENT", "STATUS"]
    assert table[1].split()[:4] == ["clitest", "m1", "-", "delivered"]


def test_traffic_that_is_no_status_is_shown_and_exits_0(env: dict[str, str]) -> None:
    body = json.dumps({"items": [{"id": "a", "status": "ok"}, {"id": "mo-1", "inbound": "hi"}]}).encode()
    out = cli(env, "parse", "clitest", "-", stdin=body)
    assert out.returncode == 0, out.stderr
    assert [json.loads(line)["message_id"] for line in out.stdout.splitlines()] == ["a"]
    assert "not_a_status error at item 1" in out.stderr
    # With a real failure beside it, the exit code still says so.
    mixed = json.dumps({"items": [{"id": "mo-1", "inbound": "hi"}, {"id": "b"}]}).encode()
    assert cli(env, "parse", "clitest", "-", stdin=mixed).returncode == 3


def test_parse_get_query_push(env: dict[str, str]) -> None:
    out = cli(env, "parse", "clitest", "--method", "GET", "--query", "id=q1&status=fail")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert (report["message_id"], report["status"], report["reason"]) == ("q1", "undelivered", "unreachable")


def test_batch_with_a_bad_item_keeps_the_good_ones_and_exits_3(env: dict[str, str]) -> None:
    body = json.dumps({"items": [{"id": "a", "status": "ok"}, {"id": "b"}, {"id": "c", "status": "new"}]})
    out = cli(env, "parse", "clitest", "-", stdin=body.encode())
    assert out.returncode == 3
    reports = [json.loads(line) for line in out.stdout.splitlines()]
    assert [(r["message_id"], r["status"], r["mapping"]) for r in reports] == [
        ("a", "delivered", "exact"),
        ("c", "unknown", "unmapped"),
    ]
    assert "payload error at item 1" in out.stderr and "$.items[1].status" in out.stderr


def test_bad_payload_and_authentication_exit_3_without_echoing_secrets(env: dict[str, str]) -> None:
    bad = cli(env, "parse", "clitest", "-", stdin=b"{not json")
    assert bad.returncode == 3
    assert (
        bad.stderr.startswith("smsstatus: error: clitest: bad payload at $")
        and len(bad.stderr.splitlines()) == 1
    )
    body = json.dumps({"id": "m1", "status": "ok", "token": "wrong-token-value"}).encode()
    auth = cli(env, "parse", "clitest", "-", "--credential", "token=right-token-value", stdin=body)
    assert auth.returncode == 3
    assert "authentication failed for 'token'" in auth.stderr
    assert "right-token-value" not in auth.stderr + auth.stdout
    assert "wrong-token-value" not in auth.stderr
    env_auth = cli(
        {**env, "SMSSTATUS_CLITEST_TOKEN": "right-token-value"}, "parse", "clitest", "-", stdin=body
    )
    assert env_auth.returncode == 3


def test_map(env: dict[str, str]) -> None:
    out = json.loads(cli(env, "map", "clitest", "fail").stdout)
    assert out["status"] == "undelivered" and out["final"] is True and out["reason"] == "unreachable"
    assert out["retry_later"] is True and out["mapping"] == "exact"
    unknown = json.loads(cli(env, "map", "clitest", "brand-new", "X1").stdout)
    assert (
        unknown["status"] == "unknown" and unknown["mapping"] == "unmapped" and unknown["vendor_code"] == "X1"
    )


def test_usage_errors_exit_2(env: dict[str, str]) -> None:
    unknown = cli(env, "map", "nosuchvendor", "x")
    assert unknown.returncode == 2 and "unknown vendor 'nosuchvendor'" in unknown.stderr
    assert cli(env, "parse").returncode == 2
    missing = cli(env, "fetch", "clitest", "m1")
    assert missing.returncode == 2 and "SMSSTATUS_CLITEST_API_KEY" in missing.stderr
    assert cli(env, "schema", "nope").returncode == 2


def test_schema(env: dict[str, str]) -> None:
    out = cli(env, "schema", "status-report")
    assert out.returncode == 0
    assert json.loads(out.stdout)["title"] == "smsstatus canonical status report"
    assert json.loads(cli(env, "schema", "fixture").stdout)["properties"]["fixture_format"] == {"const": 1}


def _clitest_api(path: str, authorization: str | None) -> tuple[int, Any]:
    if authorization != "Key fetch-key-secret":
        return 401, {"error": "bad key"}
    if path == "/status/m1":
        return 200, {"id": "m1", "status": "fail"}
    return 404, {"error": "not found"}


@pytest.fixture
def vendor_api(loopback_api: Any) -> str:
    return str(loopback_api(_clitest_api))


def test_fetch_against_a_loopback_vendor(env: dict[str, str], vendor_api: str) -> None:
    environ = {**env, "SMSSTATUS_CLITEST_API_KEY": "fetch-key-secret"}
    out = cli(environ, "fetch", "clitest", "m1", "--base-url", vendor_api)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["channel"] == "fetch" and report["status"] == "undelivered"
    assert errors_of(validator("status-report"), report) == []
    partly = cli(environ, "fetch", "clitest", "m1", "m404", "--base-url", vendor_api)
    assert partly.returncode == 4 and len(partly.stdout.splitlines()) == 1
    assert "not_found error at id m404" in partly.stderr
    wrong = cli(
        env, "fetch", "clitest", "m1", "--base-url", vendor_api, "--credential", "api_key=wrong-key-value"
    )
    assert wrong.returncode == 4 and "HTTP 401" in wrong.stderr and "wrong-key-value" not in wrong.stderr


def test_network_error_exits_4(env: dict[str, str]) -> None:
    out = cli(
        {**env, "SMSSTATUS_CLITEST_API_KEY": "k"},
        "fetch",
        "clitest",
        "m1",
        "--base-url",
        "http://127.0.0.1:9",
        "--timeout",
        "0.5",
    )
    assert out.returncode == 4 and "ConnectError" in out.stderr


def test_debug_shows_a_traceback_only_when_asked(env: dict[str, str]) -> None:
    plain = cli(env, "parse", "clitest", "-", stdin=b"[]")
    assert "Traceback" not in plain.stderr
    debug = cli(env, "--debug", "parse", "clitest", "-", stdin=b"[]")
    assert "Traceback" in debug.stderr and debug.returncode == 3


def test_a_command_for_a_broken_plugin_says_why(env: dict[str, str]) -> None:
    out = cli(env, "map", "broken", "x")
    assert out.returncode == 4
    assert out.stderr.strip() == (
        "smsstatus: error: plugin 'broken': failed to load: import failed: ModuleNotFoundError:"
        " No module named 'this_module_does_not_exist'"
    )
