"""Bounded loopback attack on ``smsstatus serve``: replays issue 10's points 1,
6, 7, 8, 9 and 10 and prints ``held`` or ``broke`` for each.

    .venv/bin/python scripts/attack_server.py [--keep]

Starts ``smsstatus serve`` on 127.0.0.1 (a random port, SQLite in a temporary
directory, InnoPaaS push credentials configured, D7 and Contacta polled
against two local fake APIs, one of which never answers) and attacks it. Only
127.0.0.1 is ever contacted; every attack has its own deadline and the whole
run stops after about two minutes at most. Exit code 0 when every attack
held, 1 otherwise.

| # | attack | held when |
|---|---|---|
| 1 | broken JSON carrying ``"pswd":x`` (InnoPaaS credentials configured), then ``smsstatus replay`` with and without ``--include-unauthenticated`` | 400, and no report for the message after either replay |
| 6 | 40 pushes nested ``[`` x 500 .. 100,000 mixed with 400 valid D7 pushes, 8 clients | every nested push 400, every valid one 200 and stored |
| 7 | the 90-byte Huawei form push with ``total=10000000`` | answered within 1 s, store grows < 1 MiB, ``smsstatus status`` within 3 s |
| 8 | the first polled vendor's API never answers | the other vendor is polled within 8 s |
| 9 | 100 wrong-password 1 MiB pushes | the store grows < 16 MiB |
| 10 | 300 connections send 256 KiB of a 1 MB body and stall | all are answered (408 or 503) and closed within ``body_timeout`` + 5 s; server RSS grows < 400 MiB |
"""

from __future__ import annotations

import argparse
import http.client
import http.server
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

HOST = "127.0.0.1"
PSWD = "attack-test-password"
BODY_TIMEOUT = 3.0
MIB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


# -- fake vendor APIs for the poller ------------------------------------------


class _FakeApis:
    """Two local HTTP servers: one answers 500 at once, one never answers."""

    def __init__(self) -> None:
        self.release = threading.Event()
        release = self.release

        class Fast(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(500)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"error": "down"}')

            do_POST = do_GET

            def log_message(self, *_args: object) -> None:
                pass

        class Tarpit(Fast):
            def do_GET(self) -> None:
                release.wait(60)

            do_POST = do_GET

        self.fast = http.server.ThreadingHTTPServer((HOST, 0), Fast)
        self.tarpit = http.server.ThreadingHTTPServer((HOST, 0), Tarpit)
        for server in (self.fast, self.tarpit):
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def url(self, server: http.server.ThreadingHTTPServer) -> str:
        return f"http://{HOST}:{server.server_address[1]}"

    def close(self) -> None:
        self.release.set()
        for server in (self.fast, self.tarpit):
            server.shutdown()
            server.server_close()


# -- helpers -------------------------------------------------------------------


def post(
    port: int, path: str, body: bytes, content_type: str = "application/json", timeout: float = 10
) -> int:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("POST", path, body=body, headers={"content-type": content_type})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def store_bytes(db: Path) -> int:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))


def query(db: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    with sqlite3.connect(db, timeout=30) as conn:
        return list(conn.execute(sql, params))


def rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Run:
    def __init__(self, cli: Path, config: Path, db: Path, port: int, server: subprocess.Popen[bytes]) -> None:
        self.cli, self.config, self.db, self.port, self.server = cli, config, db, port, server

    def smsstatus(self, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.cli), *args, "--db", f"sqlite:///{self.db}", "--config", str(self.config)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


# -- the attacks ---------------------------------------------------------------


def attack_1_replay_forgery(run: Run) -> tuple[bool, str]:
    msgid = "627239445736452096"
    body = (
        '{"batchSeq":"I8393346_2506101652_35","receiver":"acme","pswd":x,"mobile":"8618888888888",'
        f'"msgid":"{msgid}","requestTime":"1749545538198","uid":"I8393346_2506101652_35",'
        '"status":"DELIVRD","reportTime":"1749545540967","smsNum":"1"}'
    ).encode()
    status = post(run.port, "/webhooks/innopaas", body)
    plain = run.smsstatus("replay", "--vendor", "innopaas")
    forced = run.smsstatus("replay", "--vendor", "innopaas", "--include-unauthenticated")
    shown = run.smsstatus("status", "innopaas", msgid)
    held = status == 400 and shown.returncode == 2
    return held, (
        f"push {status}; replay exit {plain.returncode}, --include-unauthenticated exit {forced.returncode};"
        f" status exit {shown.returncode} ({'no report' if shown.returncode == 2 else 'a report was stored'})"
    )


def attack_6_nested(run: Run) -> tuple[bool, str]:
    depths = [500, 1_000, 5_000, 20_000, 100_000]
    jobs: list[tuple[str, bytes, bool]] = []
    for index in range(400):
        push = {
            "request_id": f"atk6-r-{index}",
            "msg_id": f"atk6-m-{index}",
            "recipient": "+971501234567",
            "originator": "Shop",
            "status": "delivered",
        }
        jobs.append(("/webhooks/d7", json.dumps(push).encode(), False))
        if index % 10 == 0:
            depth = depths[(index // 10) % len(depths)]
            path = "/webhooks/innopaas" if index % 20 else "/webhooks/d7"
            jobs.append((path, b"[" * depth + b"]" * depth, True))
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda job: post(run.port, job[0], job[1]), jobs))
    nested = [s for s, job in zip(statuses, jobs, strict=True) if job[2]]
    valid = [s for s, job in zip(statuses, jobs, strict=True) if not job[2]]
    stored = query(run.db, "SELECT COUNT(*) FROM messages WHERE message_id LIKE 'atk6-m-%'")[0][0]
    held = set(nested) == {400} and set(valid) == {200} and stored == 400
    return held, (
        f"nested: {sorted(set(nested))} x {len(nested)}; valid: {valid.count(200)} of {len(valid)} got 200,"
        f" {stored} stored"
    )


def attack_7_amplification(run: Run) -> tuple[bool, str]:
    # Huawei's documented form push, with a part total no SMS can have.
    example = Path(__file__).resolve().parents[1] / "plugins" / "huawei" / "examples" / "push.form"
    body = example.read_bytes().strip().replace(b"total=1&", b"total=10000000&")
    before = store_bytes(run.db)
    started = time.monotonic()
    status = post(run.port, "/webhooks/huawei", body, "application/x-www-form-urlencoded")
    took = time.monotonic() - started
    grown = store_bytes(run.db) - before
    started = time.monotonic()
    shown = run.smsstatus("status", "huawei", "b9d9b4fe-ad0e-4a2a-a2c7-445505b674ac_6")
    status_took = time.monotonic() - started
    held = status < 500 and took < 1.0 and grown < MIB and status_took < 3.0
    return held, (
        f"{len(body)}-byte push: {status} in {took * 1000:.0f} ms, store +{grown // 1024} KiB;"
        f" status exit {shown.returncode} in {status_took:.1f} s"
    )


def attack_8_stuck_vendor(run: Run, fast_vendor: str, probe: str) -> tuple[bool, str]:
    deadline = time.monotonic() + 8
    polls = 0
    while time.monotonic() < deadline:
        rows = query(
            run.db, "SELECT polls FROM poll_targets WHERE vendor = ? AND fetch_id = ?", (fast_vendor, probe)
        )
        polls = int(str(rows[0][0])) if rows else 0
        if polls:
            break
        time.sleep(0.2)
    return polls > 0, f"{fast_vendor} polled {polls} time(s) while the other vendor's API hung"


def attack_9_dead_letter_flood(run: Run) -> tuple[bool, str]:
    pad = "x" * (MIB - 200)
    body = json.dumps({"receiver": "acme", "pswd": "wrong", "msgid": "atk9", "status": "DELIVRD", "pad": pad})
    before = store_bytes(run.db)
    statuses = [post(run.port, "/webhooks/innopaas", body.encode()) for _ in range(100)]
    query(run.db, "PRAGMA wal_checkpoint(TRUNCATE)")
    grown = store_bytes(run.db) - before
    held = set(statuses) == {401} and grown < 16 * MIB
    return held, f"100 x 1 MiB wrong-password pushes: {sorted(set(statuses))}, store +{grown / MIB:.1f} MiB"


def attack_10_slow_connections(run: Run) -> tuple[bool, str]:
    rss_before = rss_bytes(run.server.pid)
    started = time.monotonic()
    conns: list[socket.socket] = []
    head = (
        f"POST /webhooks/d7 HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000000\r\n\r\n"
    ).encode()
    chunk = b"x" * (256 * 1024)
    for _ in range(300):
        try:
            conn = socket.create_connection((HOST, run.port), timeout=5)
            conn.sendall(head + chunk)
            conns.append(conn)
        except OSError:
            break
    peak = rss_bytes(run.server.pid)
    answered: dict[str, int] = {}
    deadline = started + BODY_TIMEOUT + 5
    for conn in conns:
        conn.settimeout(max(0.05, deadline - time.monotonic()))
        data = b""
        try:
            while chunk_in := conn.recv(65536):
                data += chunk_in
            state = data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/1.1") else "closed"
        except (TimeoutError, ConnectionResetError):
            state = "open" if not data else data.split(b" ", 2)[1].decode()
        answered[state] = answered.get(state, 0) + 1
        conn.close()
    took = time.monotonic() - started
    grown = max(0, peak - rss_before)
    held = len(conns) == 300 and answered.get("open", 0) == 0 and grown < 400 * MIB
    return held, (
        f"{len(conns)} stalled connections: {dict(sorted(answered.items()))} after {took:.1f} s;"
        f" server RSS +{grown / MIB:.0f} MiB at the peak"
    )


# -- the run --------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (the store)")
    args = parser.parse_args()

    import smsstatus
    from smsstatus.tracker import Tracker, open_store

    registry = smsstatus.load()
    cli = Path(sys.executable).parent / "smsstatus"
    polled = [v for v in registry.vendors if v in ("contacta", "d7")]
    if len(polled) != 2 or "innopaas" not in registry.vendors or "huawei" not in registry.vendors:
        print("needs the bundled plugins (contacta, d7, huawei, innopaas) installed", file=sys.stderr)
        return 2
    stuck, fast = polled  # the first one the poller serves hangs
    apis = _FakeApis()
    directory = Path(tempfile.mkdtemp(prefix="smsstatus-attack-"))
    db = directory / "attack.sqlite3"
    config = directory / "serve.toml"
    config.write_text(
        f"""
[receiver]
body_timeout = {BODY_TIMEOUT}

[poller]
tick_seconds = 0.2
fetch_timeout = 30.0

[vendors.innopaas]
credentials = {{ receiver = "acme", pswd = "{PSWD}" }}

[vendors.d7]
credentials = {{ api_token = "attack-d7-token" }}
base_url = "{apis.url(apis.tarpit if stuck == "d7" else apis.fast)}"

[vendors.contacta]
credentials = {{ token = "attack-contacta-token" }}
base_url = "{apis.url(apis.tarpit if stuck == "contacta" else apis.fast)}"
""",
        encoding="utf-8",
    )
    probe = "atk8-probe"
    with open_store(f"sqlite:///{db}") as store:
        tracker = Tracker(store)
        for vendor in (stuck, fast):
            policy = registry.info(vendor).poll
            assert policy is not None
            due = datetime.now(UTC) - timedelta(seconds=policy.first_after + 5)
            tracker.track(vendor, probe, policy, submitted_at=due)

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMSSTATUS_")}
    server = subprocess.Popen(
        [
            str(cli),
            "serve",
            "--db",
            f"sqlite:///{db}",
            "--config",
            str(config),
            "--port",
            str(port),
            "--log-level",
            "error",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    run = Run(cli, config, db, port, server)
    results: list[tuple[str, bool, str]] = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection((HOST, port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None:
                    print(server.stderr.read().decode() if server.stderr else "", file=sys.stderr)
                    return 2
                time.sleep(0.2)
        attacks: list[tuple[str, Callable[[], tuple[bool, str]]]] = [
            ("8 stuck vendor freezes the poller", lambda: attack_8_stuck_vendor(run, fast, probe)),
            ("1 replay forges a report", lambda: attack_1_replay_forgery(run)),
            ("6 nested JSON fails valid pushes", lambda: attack_6_nested(run)),
            ("7 part-count amplification", lambda: attack_7_amplification(run)),
            ("9 dead letters fill the disk", lambda: attack_9_dead_letter_flood(run)),
            ("10 slow connections hold memory", lambda: attack_10_slow_connections(run)),
        ]
        for name, attack in attacks:
            try:
                held, detail = attack()
            except Exception as exc:  # noqa: BLE001 -- an attack that crashes the script broke something
                held, detail = False, f"{type(exc).__name__}: {exc}"
            results.append((name, held, detail))
            print(f"{'held ' if held else 'BROKE'}  {name}: {detail}", flush=True)
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        apis.close()
        if not args.keep:
            for path in directory.iterdir():
                path.unlink()
            directory.rmdir()
        else:
            print(f"store kept in {directory}", file=sys.stderr)
    broke = [name for name, held, _ in results if not held]
    print(f"{len(results) - len(broke)} held, {len(broke)} broke")
    return 1 if broke else 0


if __name__ == "__main__":
    sys.exit(main())
