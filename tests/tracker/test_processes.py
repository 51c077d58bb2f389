"""Real ``smsstatus serve`` processes: a fresh start with no configuration,
concurrent pushes with duplicates and reordering, SIGKILL in the middle of a
load, and two receivers on one database. Bounded: fixed push counts, timeouts
on every wait, random loopback ports."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import smsstatus
from smsstatus import Capability
from smsstatus.fixtures import load_cases
from smsstatus.replay import body_bytes
from smsstatus.tracker import open_store

from .conftest import DatabaseFactory
from .procs import Server, clean_env, d7_push, post_case, send_all, workload

INSTALLED = smsstatus.load()
pytestmark = pytest.mark.skipif(
    "d7" not in INSTALLED.vendors,
    reason="these tests push D7 reports: the smsstatus-d7 plugin is not installed",
)


def snapshot(url: str) -> dict[str, tuple[str | None, bool, int, int]]:
    """message id -> (status, final, distinct events, duplicates)."""
    with open_store(url) as store, store.read() as tx:
        rows = tx.all(
            "SELECT m.message_id, m.status, m.final, m.events, COALESCE(SUM(e.duplicates), 0)"
            " FROM messages m LEFT JOIN events e ON e.message_pk = m.id"
            " GROUP BY m.id, m.message_id, m.status, m.final, m.events"
        )
    return {r[0]: (r[1], bool(r[2]), int(r[3]), int(r[4])) for r in rows}


def expected_snapshot(pushes: list[tuple[str, str]], finals: dict[str, str]) -> dict[str, Any]:
    """Reasoned from the workload: each message ends in its final status with
    its three distinct events; every repeated push is a duplicate."""
    sent = {mid: sum(1 for m, _ in pushes if m == mid) for mid in finals}
    return {
        mid: (INSTALLED.map_status("d7", final).status.value, True, 3, sent[mid] - 3)
        for mid, final in finals.items()
    }


def test_two_receivers_give_the_same_result_as_one(new_db: DatabaseFactory, tmp_path: Path) -> None:
    pushes, finals = workload(messages=120, seed=11)
    expected = expected_snapshot(pushes, finals)

    one = new_db()
    with Server(tmp_path, db=one) as server:
        results = send_all([server.base], pushes, threads=4)
    assert all(code == 200 for _, _, code in results), [r for r in results if r[2] != 200][:5]
    assert snapshot(one) == expected

    two = new_db()
    with Server(tmp_path, db=two) as first, Server(tmp_path, db=two) as second:
        results = send_all([first.base, second.base], pushes, threads=6, seed=2)
    assert all(code == 200 for _, _, code in results)
    assert snapshot(two) == snapshot(one)


def test_sigkill_keeps_every_acknowledged_push(new_db: DatabaseFactory, tmp_path: Path) -> None:
    url = new_db()
    acked: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    server = Server(tmp_path, db=url)

    def load(worker: int) -> None:
        with httpx.Client(timeout=10.0) as client:
            for n in range(2000):  # bounded; the kill comes long before
                if stop.is_set():
                    return
                mid = f"k{worker}-{n}"
                try:
                    r = client.post(
                        f"{server.base}/webhooks/d7",
                        content=d7_push(mid, "delivered"),
                        headers={"content-type": "application/json"},
                    )
                except httpx.HTTPError:
                    return  # the server is gone
                if r.status_code == 200:
                    with lock:
                        acked.append(mid)

    workers = [threading.Thread(target=load, args=(w,)) for w in range(4)]
    try:
        for w in workers:
            w.start()
        deadline = time.monotonic() + 30
        while len(acked) < 300 and time.monotonic() < deadline:
            time.sleep(0.01)
        server.kill()  # mid-load: requests are in flight
    finally:
        stop.set()
        for w in workers:
            w.join(30)
        server.stop()
    assert len(acked) >= 300, server.output()
    stored = snapshot(url)
    lost = [mid for mid in acked if mid not in stored]
    assert not lost, f"{len(lost)} acknowledged push(es) lost, e.g. {lost[:5]}"
    assert all(stored[mid][0] == "delivered" for mid in acked)
    # The database is usable after the crash: a new server starts and stores.
    with Server(tmp_path, db=url) as again:
        r = httpx.post(
            f"{again.base}/webhooks/d7",
            content=d7_push("after", "sent"),
            headers={"content-type": "application/json"},
        )
        assert r.status_code == 200
    assert snapshot(url)["after"][0] == "sent"


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smsstatus.cli", *args],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_fresh_start_accepts_every_push_vendors_fixtures(tmp_path: Path) -> None:
    """``smsstatus serve`` with no configuration: SQLite in the working
    directory; every push vendor's fixture pushes that need no credentials,
    posted to /webhooks/<vendor>, get the vendor's expected answer. Cases
    whose parsing makes HTTP requests are left out: a real server reaches the
    network (test_receiver replays them over HTTP offline)."""
    cases = [
        c
        for v in INSTALLED.vendors.values()
        if Capability.PUSH in v.info.capabilities
        for c in load_cases(v.info)
        if c.kind == "push" and not c.data.get("credentials") and not c.data.get("exchanges") and not c.xfail
    ]
    assert cases
    checked: dict[str, int] = {}
    stored_ids: list[tuple[str, str]] = []
    with Server(tmp_path) as server, httpx.Client(base_url=server.base, timeout=30.0) as client:
        assert (tmp_path / "smsstatus.sqlite3").is_file()
        for case in cases:
            response = post_case(client, case)
            expect = case.data["expect"]
            if "error" in expect:
                want = {"payload": 400, "authentication": 401}.get(expect["error"]["type"], 500)
                assert response.status_code == want, (case.id, response.text)
            else:
                reply = expect["reply"]
                assert response.status_code == reply["status_code"], (case.id, response.text)
                if "body" in reply:
                    if "json" in reply["body"]:
                        assert response.json() == reply["body"]["json"], case.id
                    else:
                        assert response.content == body_bytes(reply["body"])[0], case.id
                stored_ids += [
                    (case.vendor, r["message_id"]) for r in expect["reports"] if r.get("message_id")
                ]
            checked[case.vendor] = checked.get(case.vendor, 0) + 1
    assert set(checked) == {
        v for v, lv in INSTALLED.vendors.items() if Capability.PUSH in lv.info.capabilities
    }

    vendor, message_id = stored_ids[0]
    shown = _cli("status", vendor, message_id, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert message_id in shown.stdout and "DECISION" in shown.stdout
    as_json = json.loads(_cli("status", vendor, message_id, "--format", "json", cwd=tmp_path).stdout)
    assert as_json["messages"][0]["history"]
    listed = _cli("replay", "--list", "--format", "json", cwd=tmp_path)
    assert listed.returncode == 0
    errors = sum(1 for c in cases if "error" in c.data["expect"])
    assert len(json.loads(listed.stdout)["dead_letters"]) >= errors


def _d7_api(seen: list[tuple[str, str | None]]) -> Any:
    """A loopback stand-in of D7's message-log API: every request id's one
    message is delivered. ``seen`` gets (path, Authorization) per request."""
    import http.server

    class FakeD7(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append((self.path, self.headers.get("Authorization")))
            request_id = self.path.rsplit("/", 1)[-1]
            body = json.dumps(
                {
                    "request_id": request_id,
                    "total_recipients": 1,
                    "channel": "sms",
                    "messages": [
                        {
                            "msg_id": f"{request_id}-m1",
                            "recipient": "+971501234567",
                            "status": "delivered",
                            "number_of_sms": 1,
                            "sms_cost": 0.04,
                            "country": "AE",
                            "schedule_time": None,
                        }
                    ],
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    api = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeD7)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    return api


def _track_due(db: str, request_ids: list[str]) -> None:
    from datetime import UTC, datetime, timedelta

    from smsstatus.tracker import Tracker

    policy = INSTALLED.info("d7").poll
    assert policy is not None
    with open_store(db) as store:
        tracker = Tracker(store)
        for request_id in request_ids:
            tracker.track(
                "d7",
                request_id,
                policy,
                submitted_at=datetime.now(UTC) - timedelta(seconds=policy.first_after + 1),
            )


def _poll_config(tmp_path: Path, api: Any) -> Path:
    config = tmp_path / "serve.toml"
    config.write_text(
        "[poller]\ntick_seconds = 0.2\n"
        f'[vendors.d7]\nbase_url = "http://127.0.0.1:{api.server_address[1]}"\n'
        'credentials = { api_token = "fixture-token-1" }\n'
    )
    return config


def test_serve_polls_a_fetch_vendor(tmp_path: Path) -> None:
    """The poller inside ``smsstatus serve``: credentials from the config,
    the vendor's base URL overridden to a loopback stand-in of D7's API; a
    tracked request id due for polling is fetched and its messages stored."""
    seen: list[tuple[str, str | None]] = []
    api = _d7_api(seen)
    try:
        db = f"sqlite:///{tmp_path / 'poll.sqlite3'}"
        _track_due(db, ["req-77"])
        config = _poll_config(tmp_path, api)
        with Server(tmp_path, db=db, args=["--config", str(config)]) as server:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and "req-77-m1" not in snapshot(db):
                time.sleep(0.2)
            output = server.output()
        assert snapshot(db).get("req-77-m1", (None,))[0] == "delivered", output
        assert seen and seen[0] == ("/report/v1/message-log/req-77", "Bearer fixture-token-1")
        assert "fixture-token-1" not in output
        shown = _cli("status", "d7", "req-77", "--db", db, cwd=tmp_path)
        assert shown.returncode == 0 and "req-77-m1" in shown.stdout and "settled" in shown.stdout
    finally:
        api.shutdown()
        api.server_close()


def _worker_pids(parent: int) -> list[int]:
    """The uvicorn worker processes of ``serve`` (Linux /proc)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == parent and b"spawn_main" in cmdline:
            pids.append(int(entry.name))
    return pids


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="counts worker processes through /proc")
def test_serve_workers_share_one_postgres_store(new_db: DatabaseFactory, tmp_path: Path) -> None:
    """``serve --workers 3``: three receiver processes on one port store the
    same result as one process (duplicates and reordering included), and
    their three pollers share the due targets through the leases: each
    request id is fetched exactly once."""
    if new_db.backend != "postgres":
        pytest.skip("several workers need PostgreSQL (SQLite is refused: test_serve_workers_need_postgres)")
    pushes, finals = workload(messages=90, seed=5)
    request_ids = [f"req-w{n}" for n in range(24)]
    seen: list[tuple[str, str | None]] = []
    api = _d7_api(seen)
    try:
        db = new_db()
        _track_due(db, request_ids)
        config = _poll_config(tmp_path, api)
        with Server(tmp_path, db=db, args=["--workers", "3", "--config", str(config)]) as server:
            assert len(_worker_pids(server.proc.pid)) == 3, server.output()
            results = send_all([server.base], pushes, threads=6, seed=4)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not all(
                f"{r}-m1" in (stored := snapshot(db)) for r in request_ids
            ):
                time.sleep(0.2)
            output = server.output()
        assert all(code == 200 for _, _, code in results), output
        stored = snapshot(db)
        assert {mid: stored[mid] for mid in finals} == expected_snapshot(pushes, finals)
        assert all(stored[f"{r}-m1"][0] == "delivered" for r in request_ids), output
        fetched = sorted(path.rsplit("/", 1)[-1] for path, _ in seen)
        assert fetched == sorted(request_ids), "a request id was polled by two workers"
    finally:
        api.shutdown()
        api.server_close()


def test_serve_workers_need_postgres(tmp_path: Path) -> None:
    result = _cli("serve", "--workers", "2", "--db", f"sqlite:///{tmp_path / 'x.sqlite3'}", cwd=tmp_path)
    assert result.returncode == 2
    assert "PostgreSQL" in result.stderr and "--workers" in result.stderr
