"""Issue 16's acceptance test against a real ``smsstatus serve`` on loopback.

A mix of vendors' fixture pushes goes through ``serve`` in two runs: the
application's callback URL is down during the first, ``serve`` is stopped,
the URL comes up, ``serve`` starts again and takes the rest. Then:
``/metrics`` shows the second run's pushes by vendor and status,
``smsstatus stats --format json`` gives the counts and rates worked out below
from the fixtures' expected reports, ``/ui`` refuses a request without the
token (and, in Chromium, shows the chart and a message), and the callback
receiver got every applied change exactly as stored, signed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import smsstatus
from smsstatus.fixtures import Case, load_cases
from smsstatus.server.callbacks import verify

from tests.tracker.procs import Server, clean_env, free_port, post_case

from .callback_receiver import callback_receiver
from .test_metrics import samples, value

TOKEN = "acceptance-token-0123456789"
SECRET = "acceptance-callback-secret-0123"
INSTALLED = smsstatus.load()

# (vendor, fixture case id): what each is documented to report (its "expect").
FIRST_RUN = [
    ("d7", "push::doc-example-json"),  # d9835609-...: sent
    ("d7", "push::form-urlencoded-delivered"),  # 7053a678-...: delivered
    ("d7", "push::multipart-un-delivered"),  # 7052cd16-...: undelivered
    ("plivo", "push::sent-not-final"),  # 83876bdb-...: sent at 12:59:59.11002, submitted 12:59:58.512345
]
SECOND_RUN = [
    ("plivo", "push::delivered-every-field"),  # 83876bdb-...: delivered at 13:00:04.807311 (same submission)
    ("twilio", "push::doc-undelivered-30003"),  # SM1f0e8ae6...: undelivered
    ("uspeedo", "push::push.case-insensitive"),  # f3b2c1a0-...: delivered; 7a1e9c44-...: rejected
]
MESSAGES = {
    "d7": [
        "d9835609-a4e0-10ea-a26a-eeafbe700fef",
        "7053a678-75fe-11ed-9e31-0242ac14001c",
        "7052cd16-75fe-11ed-9e31-0242ac14001c",
    ],
    "plivo": ["83876bdb-5e5e-11ea-bd57-0242ac110003"],
    "twilio": ["SM1f0e8ae6ade43cb3c0ce4525424e404f"],
    "uspeedo": ["f3b2c1a0-5d2e-4c1b-9a77-0c1d2e3f4a5b", "7a1e9c44-0b6d-4f0e-8f21-3c5d7e9f1a2b"],
}

pytestmark = pytest.mark.skipif(
    not {"d7", "plivo", "twilio", "uspeedo"} <= set(INSTALLED.vendors),
    reason="the bundled plugins are not installed",
)


def case(vendor: str, case_id: str) -> Case:
    (found,) = [c for c in load_cases(INSTALLED.info(vendor)) if c.id == case_id]
    assert not found.data.get("credentials") and "error" not in found.data["expect"]
    return found


def post(base: str, item: Case) -> int:
    with httpx.Client(base_url=base, timeout=30.0) as client:
        return post_case(client, item).status_code


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smsstatus.cli", *args],
        check=False,
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_issue_16_acceptance(tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "smsstatus.toml"
    config.write_text(
        f'[server]\nadmin_token = "{TOKEN}"\n\n'
        f'[callbacks]\nurl = "http://127.0.0.1:{port}/sms-status"\nsecret = "{SECRET}"\n'
        "backoff_seconds = 0.2\nmax_backoff_seconds = 1.0\ntimeout = 5.0\n"
    )
    db = f"sqlite:///{tmp_path / 'acceptance.sqlite3'}"
    args = ["--config", str(config), "--no-poll"]

    # Run 1: the application is down (nothing listens on its port).
    with Server(tmp_path, db=db, args=args) as first:
        for vendor, case_id in FIRST_RUN:
            assert post(first.base, case(vendor, case_id)) == 200, (vendor, case_id)
        time.sleep(1.0)  # a few delivery rounds fail meanwhile
        early = samples(httpx.get(f"{first.base}/metrics", headers={"authorization": f"Bearer {TOKEN}"}).text)
        assert value(early, "smsstatus_callback_attempts_total", outcome="error") >= 1
        assert value(early, "smsstatus_callback_attempts_total", outcome="delivered") == 0

    # Run 2: the application is up again, serve restarted.
    with callback_receiver(port) as app, Server(tmp_path, db=db, args=args) as second:
        for vendor, case_id in SECOND_RUN:
            assert post(second.base, case(vendor, case_id)) == 200, (vendor, case_id)
        # 8 applied changes in all: d7 3 (one first report each), plivo 2 (sent, then delivered),
        # twilio 1, uspeedo 2 (two messages in one batch).
        deadline = time.monotonic() + 60
        while (
            len({r.headers["smsstatus-event-id"] for r in app.received}) < 8 and time.monotonic() < deadline
        ):
            time.sleep(0.1)
        received = list(app.received)

        # /ui, /metrics, /api/stats refuse without the token.
        assert httpx.get(f"{second.base}/ui", headers={"accept": "text/html"}).status_code == 303
        for path in ("/ui", "/metrics", "/api/stats"):
            assert httpx.get(f"{second.base}{path}").status_code == 401, path
        found = samples(
            httpx.get(f"{second.base}/metrics", headers={"authorization": f"Bearer {TOKEN}"}).text
        )
        _check_browser(second.base, tmp_path)

    # /metrics of run 2: its three pushes, by vendor and status.
    for vendor in ("plivo", "twilio", "uspeedo"):
        assert value(found, "smsstatus_pushes_total", vendor=vendor, code="200") == 1
    assert value(found, "smsstatus_reports_applied_total", vendor="plivo", status="delivered") == 1
    assert value(found, "smsstatus_reports_applied_total", vendor="twilio", status="undelivered") == 1
    assert value(found, "smsstatus_reports_applied_total", vendor="uspeedo", status="delivered") == 1
    assert value(found, "smsstatus_reports_applied_total", vendor="uspeedo", status="rejected") == 1
    assert value(found, "smsstatus_reports_applied_total", vendor="d7", status="sent") == 0  # that was run 1
    assert value(found, "smsstatus_callback_attempts_total", outcome="delivered") >= 8

    # smsstatus stats --format json, worked out from the fixtures' expected reports:
    stats = json.loads(cli("stats", "--db", db, "--format", "json", cwd=tmp_path).stdout)
    groups = {g["key"]: g for g in stats["groups"]}
    # d7: sent, delivered, undelivered -> 3 messages, 2 final, 1 delivered.
    assert (groups["d7"]["messages"], groups["d7"]["final"], groups["d7"]["delivered"]) == (3, 2, 1)
    assert groups["d7"]["delivery_rate"] == 0.5
    # plivo: one message, delivered: 13:00:04.807311 - submission 12:59:58.512345 = 6.294966 s
    # (SQLite's date functions keep whole milliseconds).
    assert (groups["plivo"]["messages"], groups["plivo"]["delivery_rate"]) == (1, 1.0)
    assert groups["plivo"]["time_to_final"]["p50_seconds"] == pytest.approx(6.295, abs=0.002)
    # twilio: one undelivered message: rate 0.
    assert (groups["twilio"]["messages"], groups["twilio"]["delivery_rate"]) == (1, 0.0)
    # uspeedo: one delivered, one rejected.
    assert (groups["uspeedo"]["messages"], groups["uspeedo"]["delivery_rate"]) == (2, 0.5)
    total = stats["total"]
    assert (total["messages"], total["final"], total["delivered"], total["delivery_rate"]) == (7, 6, 3, 0.5)
    # Final messages' times: five single final reports (0 s) and plivo's 6.295 s:
    # p50 = rank 3 of 6 = 0, p95 = rank ceil(5.7) = 6 = 6.295.
    assert total["time_to_final"]["count"] == 6 and total["time_to_final"]["p50_seconds"] == 0.0
    assert total["time_to_final"]["p95_seconds"] == pytest.approx(6.295, abs=0.002)
    assert total["statuses"] == {"delivered": 3, "rejected": 1, "sent": 1, "undelivered": 2}
    assert total["pending_past_window"] == 0

    # The callback receiver got every applied change exactly as stored, signed.
    stored: dict[int, dict[str, Any]] = {}
    for vendor, ids in MESSAGES.items():
        for message_id in ids:
            shown = json.loads(
                cli("status", vendor, message_id, "--db", db, "--format", "json", cwd=tmp_path).stdout
            )
            for message in shown["messages"]:
                for event in message["history"]:
                    if event["applied"]:
                        stored[event["event"]] = event
    assert len(stored) == 8
    by_event: dict[int, list[Any]] = {}
    for item in received:
        assert verify(SECRET, item.body, item.headers["smsstatus-signature"], now=time.time())
        change = json.loads(item.body)
        assert int(item.headers["smsstatus-event-id"]) == change["event_id"]
        by_event.setdefault(change["event_id"], []).append(change)
    assert set(by_event) == set(stored)
    for event_id, changes in by_event.items():
        for change in changes:  # at least once: a repeat is the same change
            assert change["report"] == stored[event_id]["report"]
            assert change["status"] == stored[event_id]["status"]


def _check_browser(base: str, tmp_path: Path) -> None:
    """In Chromium, when it is installed: log in, the chart drawn, the message shown."""
    from .test_browser import _missing, chart_painted, chromium, log_in

    reason = _missing()
    if reason is not None:
        import os

        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser part: {reason}")
        return
    with chromium(tmp_path / "profile") as context:
        page = context.new_page()
        page.set_default_timeout(20_000)
        log_in(page, base, TOKEN)
        assert chart_painted(page) > 500
        page.goto(f"{base}/ui/messages?vendor=plivo&id=83876bdb-5e5e-11ea-bd57-0242ac110003")
        assert page.locator("#message-status").inner_text() == "delivered"
        assert len(page.locator("table.history tbody tr").all_inner_texts()) == 2
