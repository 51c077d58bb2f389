"""Real ``smsstatus serve`` processes on 127.0.0.1 for the crash and
concurrency tests, and a bounded push workload."""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx


def post_case(client: httpx.Client, case: Any) -> httpx.Response:
    """POST (or GET) a push fixture case's recorded request to
    ``/webhooks/<vendor>`` of a running server, query string and headers as
    recorded (the recorded Host is left out)."""
    from smsstatus.fixtures import build_push_request

    recorded = build_push_request(case.data)
    query = recorded.url.partition("?")[2]
    headers = [(k, v) for k, v in recorded.headers.raw_items() if k.lower() != "host"]
    return client.request(
        recorded.method,
        f"/webhooks/{case.vendor}" + (f"?{query}" if query else ""),
        headers=headers,
        content=recorded.body,
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any SMSSTATUS_* setting (a fresh clone's)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMSSTATUS_")}
    env.update(extra)
    return env


class Server:
    """``python -m smsstatus.cli serve`` on a random loopback port."""

    def __init__(
        self, cwd: Path, *, db: str | None = None, args: Sequence[str] = (), env: dict[str, str] | None = None
    ) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable,
            "-m",
            "smsstatus.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        if db is not None:
            command += ["--db", db]
        command += [*args, "--log-level", "warning"]
        self.log = cwd / f"server-{self.port}.log"
        self._log_file = self.log.open("wb")
        self.proc = subprocess.Popen(
            command, cwd=cwd, env=env or clean_env(), stdout=self._log_file, stderr=subprocess.STDOUT
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server not ready after {timeout} s:\n{self.output()}")

    def output(self) -> str:
        self._log_file.flush()
        return self.log.read_text("utf-8", "replace")

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers run."""
        self.proc.kill()
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._log_file.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()


# -- a D7 workload: every message gets scheduled, sent and a final status ------

FINALS = ("delivered", "un_delivered")


def d7_push(mid: str, status: str) -> bytes:
    return json.dumps(
        {
            "request_id": f"req-{mid}",
            "msg_id": mid,
            "recipient": "+971501234567",
            "originator": "T",
            "status": status,
        }
    ).encode()


def workload(messages: int, seed: int, prefix: str = "m") -> tuple[list[tuple[str, str]], dict[str, str]]:
    """(message id, D7 status) pushes: three events per message, shuffled so
    reports arrive out of order, plus one duplicate of a random event for
    every other message. Returns the pushes and each message's final D7 status."""
    rng = random.Random(seed)
    pushes: list[tuple[str, str]] = []
    finals: dict[str, str] = {}
    for n in range(messages):
        mid = f"{prefix}{n:05d}"
        final = FINALS[n % 2]
        finals[mid] = final
        events = [(mid, "scheduled"), (mid, "sent"), (mid, final)]
        pushes += events
        if n % 2 == 0:
            pushes.append(rng.choice(events))
    rng.shuffle(pushes)
    return pushes, finals


def send_all(
    bases: Sequence[str], pushes: Sequence[tuple[str, str]], *, threads: int = 4, seed: int = 1
) -> list[tuple[str, str, int]]:
    """Send every push (each to a randomly chosen base URL) from ``threads``
    threads; returns (message id, status, HTTP status) per push."""
    rng = random.Random(seed)
    assigned = [(mid, status, rng.choice(bases)) for mid, status in pushes]
    results: list[tuple[str, str, int]] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def run(chunk: list[tuple[str, str, str]]) -> None:
        try:
            with httpx.Client(timeout=30.0) as client:
                for mid, status, base in chunk:
                    r = client.post(
                        f"{base}/webhooks/d7",
                        content=d7_push(mid, status),
                        headers={"content-type": "application/json"},
                    )
                    with lock:
                        results.append((mid, status, r.status_code))
        except BaseException as exc:  # noqa: BLE001 -- reported by the caller
            errors.append(exc)

    workers = [threading.Thread(target=run, args=(assigned[i::threads],)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    if errors:
        raise errors[0]
    return results
