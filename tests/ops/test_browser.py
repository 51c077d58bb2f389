"""The dashboard in a real browser: Debian's Chromium (headless), driven by
Playwright with ``executable_path`` (no browser is ever downloaded). Log in,
see the chart drawn, find a message, replay a dead letter.

Skipped, saying why, where Chromium or Playwright is missing (a developer's
machine); CI installs Chromium (``scripts/ci-chromium.sh``) and fails instead
of skipping there. ``SMSSTATUS_SCREENSHOT=docs/images/dashboard.png`` saves the
overview's screenshot for the docs."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import smsstatus
from smsstatus.server.build import Server, build_server
from smsstatus.server.config import parse_config

from tests.tracker.helpers import PushVendor, push_body
from tests.tracker.procs import free_port

CHROMIUM = Path("/usr/bin/chromium")
TOKEN = "browser-test-token-0123456789"
PSWD = "pa55-word-secret"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"Chromium is not installed ({CHROMIUM}): apt-get install chromium (scripts/ci-chromium.sh)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install playwright; no browser download needed)"
    return None


@pytest.fixture(scope="module")
def browser_ready() -> None:
    reason = _missing()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test: {reason}")
        pytest.skip(reason)


class Running:
    """``build_server``'s app under uvicorn on a loopback port, in a thread."""

    def __init__(self, server: Server) -> None:
        import uvicorn

        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        assert server.app is not None
        self.uvicorn = uvicorn.Server(
            uvicorn.Config(server.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        )
        self.thread = threading.Thread(target=self.uvicorn.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        self.uvicorn.should_exit = True
        self.thread.join(20)


#: The last 12 hours of two vendors, ten messages an hour each: acme delivers
#: 7, 8 or 9 of them (hours ago % 3), beta 5 to 9 (hours ago % 5); the rest fail.
HISTORY_HOURS = range(1, 13)


def acme_delivered(hours_ago: int) -> int:
    return 7 + hours_ago % 3


def beta_delivered(hours_ago: int) -> int:
    return 5 + hours_ago % 5


def prefill(db: str) -> None:
    """Messages of the last 12 hours, written with the tracker's clock set back."""
    from datetime import UTC, datetime, timedelta

    from smsstatus import Channel, Status, StatusReport
    from smsstatus.tracker import Tracker, open_store

    now = datetime.now(UTC)
    with open_store(db) as store:
        for hours_ago in HISTORY_HOURS:
            at = now - timedelta(hours=hours_ago)
            tracker = Tracker(store, clock=lambda at=at: at)
            reports = []
            for vendor, delivered, failed in (
                ("acme", acme_delivered(hours_ago), Status.UNDELIVERED),
                ("beta", beta_delivered(hours_ago), Status.REJECTED),
            ):
                for n in range(10):
                    status = Status.DELIVERED if n < delivered else failed
                    reports.append(
                        StatusReport(
                            vendor=vendor,
                            message_id=f"h{hours_ago}-{n}",
                            status=status,
                            received_at=at,
                            channel=Channel.PUSH,
                            raw={},
                        )
                    )
            tracker.apply(reports)


@pytest.fixture
def running(browser_ready: None, tmp_path: Path) -> Iterator[tuple[Running, PushVendor]]:
    vendor = PushVendor("acme")
    registry = smsstatus.Registry(vendors={"acme": vendor, "beta": PushVendor("beta")})
    config = parse_config(
        {"server": {"admin_token": TOKEN}, "vendors": {"acme": {"credentials": {"pswd": PSWD}}}}
    )
    db = f"sqlite:///{tmp_path / 'ui.sqlite3'}"
    prefill(db)
    server = build_server(db=db, config=config, registry=registry, poll=False, environ={})
    run = Running(server)
    try:
        yield run, vendor
    finally:
        run.stop()
        server.close()


@contextmanager
def chromium(profile: Path) -> Iterator[Any]:
    """A fresh Chromium context (new empty profile) driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), args=FLAGS, headless=True
        )
        try:
            yield context
        finally:
            context.close()


def log_in(page: Any, base: str, token: str) -> None:
    page.goto(f"{base}/ui/login")
    page.fill("#token", token)
    page.click("#login")
    page.wait_for_url(f"{base}/ui")


def chart_painted(page: Any) -> int:
    """How many pixels of the chart's canvas uPlot painted."""
    page.wait_for_selector("#chart[data-drawn='chart'] canvas")
    return int(
        page.evaluate(
            """() => {
                const canvas = document.querySelector('#chart canvas');
                const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                let painted = 0;
                for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) painted++; }
                return painted;
            }"""
        )
    )


def push(run: Running, body: bytes) -> httpx.Response:
    return httpx.post(f"{run.base}/webhooks/acme", content=body, headers={"content-type": "application/json"})


def test_log_in_see_the_chart_find_a_message_replay_a_dead_letter(
    running: tuple[Running, PushVendor], tmp_path: Path
) -> None:
    run, vendor = running
    for i in range(6):
        assert push(run, push_body(f"m-{i}", "sent", pswd=PSWD)).status_code == 200
        final = "ok" if i < 4 else "fail"
        assert push(run, push_body(f"m-{i}", final, pswd=PSWD)).status_code == 200
    # A plugin bug makes one push fail (400, a dead letter); then the plugin is fixed.
    vendor.broken = True
    refused = push(run, push_body("m-late", "ok", pswd=PSWD))
    vendor.broken = False
    assert refused.status_code == 400
    letter = refused.json()["dead_letter"]

    with chromium(tmp_path / "profile") as context:
        page = context.new_page()
        page.set_default_timeout(20_000)
        # Without a session the dashboard sends the browser to log in.
        page.goto(f"{run.base}/ui")
        assert page.url == f"{run.base}/ui/login"
        page.fill("#token", "not-the-token-0000")
        page.click("#login")
        assert page.locator("#login-error").inner_text() == "wrong token"
        log_in(page, run.base, TOKEN)
        cookie = next(c for c in context.cookies() if c["name"] == "smsstatus_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

        # The chart: uPlot drew the acme series into its canvas.
        assert chart_painted(page) > 500
        assert page.locator(".u-legend").inner_text().count("acme") >= 1
        # The stats table: acme's 120 earlier messages and today's 6 (4 delivered, all final).
        delivered = sum(acme_delivered(h) for h in HISTORY_HOURS) + 4
        cells = page.locator("#stats tbody tr").first.locator("td").all_inner_texts()
        assert cells[:5] == ["acme", "126", "126", str(delivered), f"{delivered / 126:.3f}"]
        if os.environ.get("SMSSTATUS_SCREENSHOT"):
            page.screenshot(path=os.environ["SMSSTATUS_SCREENSHOT"], full_page=True)

        # Find a message: its status and full history.
        page.click("text=Messages")
        page.select_option("#vendor", "acme")
        page.fill("#message-id", "m-5")
        page.click("#find")
        assert page.locator("#message-status").inner_text() == "undelivered"
        history = page.locator("table.history tbody tr").all_inner_texts()
        assert len(history) == 2 and "sent" in history[0] and "undelivered" in history[1]

        # Replay the dead letter (authenticated: acme's password is configured).
        page.goto(f"{run.base}/ui/dead-letters")
        page.click(f"a[href='/ui/dead-letters/{letter}']")
        assert "***" in page.locator("#request").inner_text()  # the password is redacted
        assert PSWD not in page.content()
        page.click("#replay")
        assert (
            page.locator("#replay-result").inner_text().startswith("replay: replayed, 1 report(s), 1 applied")
        )
        assert page.locator("#letter-state").inner_text() == "replayed"
    status = httpx.get(
        f"{run.base}/api/stats", params={"since": "1h"}, headers={"authorization": f"Bearer {TOKEN}"}
    ).json()
    # The last hour: today's 6 messages and the replayed one (delivered), nothing of the history.
    assert status["total"]["messages"] == 7 and status["total"]["delivered"] == 5
