"""The issue's end-to-end promise, through the real CLI and the bundled plugins:
`smsstatus plugins` lists them, `parse innopaas`, `parse d7` and `fetch d7`
(against a loopback stand-in for D7's API) print reports that validate
against the canonical schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from smsstatus.schemas import errors_of, validator

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ("contacta", "d7", "huawei", "innopaas", "uspeedo")


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SMSSTATUS_")}
    return subprocess.run(
        [sys.executable, "-m", "smsstatus.cli", *args],
        capture_output=True,
        text=True,
        env={**environ, **(env or {})},
        timeout=60,
        check=False,
    )


def valid_reports(stdout: str) -> list[dict[str, Any]]:
    reports = [json.loads(line) for line in stdout.splitlines()]
    for report in reports:
        assert errors_of(validator("status-report"), report) == []
    return reports


def test_plugins_lists_every_bundled_vendor_without_failures() -> None:
    out = cli("plugins", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert {v["id"] for v in data["vendors"]} >= set(BUNDLED)
    assert data["failures"] == []


def test_parse_innopaas_doc_example() -> None:
    out = cli("parse", "innopaas", str(ROOT / "plugins/innopaas/examples/push.json"))
    assert out.returncode == 0, out.stderr
    (report,) = valid_reports(out.stdout)
    # From the InnoPaaS doc example: msgid, DELIVRD, reportTime 1749545540967 ms.
    assert report["message_id"] == "627239445736452096"
    assert report["status"] == "delivered" and report["final"] is True
    assert report["status_at"] == "2025-06-10T08:52:20.967Z"
    assert report["price"] == {"amount": "0.0567", "currency": "CNY"}
    assert "pswd" not in report["raw"]


def test_parse_d7_doc_example_and_form_encoding() -> None:
    out = cli("parse", "d7", str(ROOT / "plugins/d7/examples/push.json"))
    assert out.returncode == 0, out.stderr
    (report,) = valid_reports(out.stdout)
    assert (report["status"], report["final"], report["sender"]) == ("sent", False, "SMSInfo")
    form = subprocess.run(
        [
            sys.executable,
            "-m",
            "smsstatus.cli",
            "parse",
            "d7",
            "-",
            "--content-type",
            "application/x-www-form-urlencoded",
        ],
        input="request_id=r1&msg_id=m1&recipient=%2B971509752655&originator=X&status=un_delivered",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    (failed,) = valid_reports(form.stdout)
    assert (failed["status"], failed["recipient"]) == ("undelivered", "+971509752655")


def _d7_message_log(path: str, authorization: str | None) -> tuple[int, Any]:
    """D7's GET /report/v1/message-log/{request_id}, as its docs show it."""
    if authorization != "Bearer d7-test-token":
        return 401, {"detail": {"code": "ACCESS_TOKEN_SIGNATURE_VERIFICATION_FAILED", "message": "x"}}
    if path == "/report/v1/message-log/9d056a09-0fc4-4f68-9058-3846d58aa244":
        return 200, {
            "request_id": "9d056a09-0fc4-4f68-9058-3846d58aa244",
            "total_recipients": 1,
            "channel": "sms",
            "messages": [
                {
                    "msg_id": "7053a678-75fe-11ed-9e31-0242ac14001c",
                    "country": "AE",
                    "recipient": "+971509752655",
                    "status": "delivered",
                    "number_of_sms": 4,
                    "sms_cost": 0.0004,
                    "schedule_time": None,
                }
            ],
        }
    return 404, {
        "detail": {"code": "MESSAGE_LOG_NOT_EXISTS", "message": "Given message request id not exists"}
    }


@pytest.fixture
def d7_api(loopback_api: Any) -> str:
    return str(loopback_api(_d7_message_log))


def test_fetch_d7_from_a_loopback_api(d7_api: str) -> None:
    env = {"SMSSTATUS_D7_API_TOKEN": "d7-test-token"}
    out = cli("fetch", "d7", "9d056a09-0fc4-4f68-9058-3846d58aa244", "--base-url", d7_api, env=env)
    assert out.returncode == 0, out.stderr
    (report,) = valid_reports(out.stdout)
    assert (report["message_id"], report["status"], report["segments"]) == (
        "7053a678-75fe-11ed-9e31-0242ac14001c",
        "delivered",
        4,
    )
    assert report["price"] == {"amount": "0.0004", "currency": None}
    missing = cli("fetch", "d7", "no-such-request", "--base-url", d7_api, env=env)
    assert missing.returncode == 4 and "MESSAGE_LOG_NOT_EXISTS" in missing.stderr
    refused = cli(
        "fetch", "d7", "x", "--base-url", d7_api, env={"SMSSTATUS_D7_API_TOKEN": "wrong-token-value"}
    )
    assert refused.returncode == 4 and "401" in refused.stderr and "wrong-token-value" not in refused.stderr
