"""Bounded loopback load on ``smsstatus serve``: reports per second, stored,
and the share of the bare-ASGI ceiling the receiver reaches.

    .venv/bin/python benchmarks/load_receiver.py [--db URL] [--shape single|batch]
    .venv/bin/python benchmarks/load_receiver.py --ceiling --rounds 5      # vs a bare Starlette app
    .venv/bin/python benchmarks/load_receiver.py --db postgresql://... --workers 1,2,4

Starts ``smsstatus serve`` (receiver only, ``--no-poll``) on 127.0.0.1 and a
random port, sends ``--warmup`` untimed pushes (a fresh server's first
requests pay one-time costs: imports on first use, the store's first
statements), then a FIXED number of timed pushes over the same keep-alive
connections, and stops when they are answered or when the time limit
passes, whichever is first. Rates and CPU figures cover the timed pushes. Then it checks that every report acknowledged with HTTP 200 is in the
store, and prints reports per second.

The load generator is a separate process (one thread, non-blocking sockets,
``--clients`` keep-alive connections each sending its next push as soon as
the previous one is answered), so it costs little CPU and is measured: its
CPU share is printed next to the server's. ``--ceiling`` also serves a bare
Starlette app answering 200 (it reads the body, nothing else) exactly the way
``serve`` runs uvicorn, loads it with the same client and the same pushes, and
alternates the two for ``--rounds`` rounds: the receiver's share of that
ceiling is the median of the per-round ratios.

Shapes: ``single`` = D7 DLR pushes, one report per request (HTTP-bound);
``batch`` = Huawei batch pushes of 50 reports per request (store-bound).
Each message gets two reports (``sent`` then the final one) so the tracker
does real transitions, not only inserts. Only 127.0.0.1 is ever contacted.

Without ``--db`` a SQLite file in a temporary directory is used. For
PostgreSQL pass ``--db postgresql://...`` (e.g. from scripts/ci-postgres.sh);
the tables are created if needed and the run's message ids are unique, so an
existing database is not disturbed beyond the rows added.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

BATCH = 50
SCRIPT = Path(__file__).resolve()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bodies(shape: str, requests: int, run: str) -> list[tuple[str, bytes, int]]:
    """(path, body, reports in it) per request: two reports per message."""
    out: list[tuple[str, bytes, int]] = []
    if shape == "single":
        for n in range(requests):
            mid = f"{run}-{n // 2}"
            status = "sent" if n % 2 == 0 else "delivered"
            body = {
                "request_id": f"{run}-req",
                "msg_id": mid,
                "recipient": "+971501234567",
                "originator": "B",
                "status": status,
            }
            out.append(("/webhooks/d7", json.dumps(body).encode(), 1))
        return out
    for n in range(requests):
        first = (n // 2) * BATCH
        status, minute = ("ACCEPTD", "00") if n % 2 == 0 else ("DELIVRD", "01")
        items = [
            {
                "smsMsgId": f"{run}_{first + i}",
                "total": "1",
                "sequence": "1",
                "status": status,
                "source": "2",
                "updateTime": f"2025-06-10T09:{minute}:00Z",
            }
            for i in range(BATCH)
        ]
        out.append(("/webhooks/huawei", json.dumps({"statusReportList": items}).encode(), BATCH))
    return out


# -- the load generator (its own process) ---------------------------------------


class _Connection:
    __slots__ = ("buffer", "count", "sent_at", "sock")

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.buffer = bytearray()
        self.sent_at = 0.0
        self.count = 0


def _response(buffer: bytearray) -> tuple[int, bool, int] | None:
    """(status, close, length consumed) of the first complete response in
    ``buffer``, or ``None`` while it is incomplete. The servers measured
    here always send Content-Length."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buffer[:end]).lower()
    length = 0
    close = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name == b"content-length":
            length = int(value)
        elif name == b"connection":
            close = b"close" in value
        elif name == b"transfer-encoding":
            raise SystemExit("load client: chunked responses are not expected here")
    if len(buffer) < end + 4 + length:
        return None
    return int(head[9:12]), close, end + 4 + length


def _requests(shape: str, count: int, run: str, port: int) -> list[tuple[bytes, int]]:
    """The raw HTTP requests of ``count`` pushes, with the reports each holds."""
    return [
        (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body,
            reports,
        )
        for path, body, reports in bodies(shape, count, run)
    ]


def run_client(spec: dict[str, Any]) -> dict[str, Any]:
    """Send every push of ``spec`` over ``clients`` keep-alive connections
    (one thread, non-blocking sockets) and count what was acknowledged.

    ``warmup`` pushes (other message ids) go first over the same connections
    and are not timed: a fresh server's first requests pay one-time costs
    (imports on first use, the store's first statements, caches filling)
    that are no part of a receiver's steady state, for either server."""
    port, clients = int(spec["port"]), int(spec["clients"])
    time_limit = float(spec["time_limit"])
    warmup = _requests(spec["shape"], int(spec.get("warmup", 0)), spec["run"] + "w", port)
    work = _requests(spec["shape"], int(spec["requests"]), spec["run"], port)
    connections = [_Connection(port) for _ in range(clients)]
    warm = _drive(connections, warmup, time_limit) if warmup else None
    result = _measured(int(spec["server_pid"]), lambda: _drive(connections, work, time_limit))
    for conn in connections:
        conn.sock.close()
    result["warmup_reports"] = warm["reports"] if warm else 0
    result["warmup_failed"] = warm["failed"] if warm else 0
    return result


def _drive(
    connections: list[_Connection], work: list[tuple[bytes, int]], time_limit: float
) -> dict[str, Any]:
    """Send ``work`` over ``connections``, each sending its next request as
    soon as its previous one is answered; timed from the first send."""
    selector = selectors.DefaultSelector()
    next_index = 0
    acked = reports = failures = answered = 0
    latencies: list[float] = []
    deadline = time.monotonic() + time_limit

    def send_next(conn: _Connection) -> bool:
        nonlocal next_index
        if next_index >= len(work) or time.monotonic() > deadline:
            return False
        data, conn.count = work[next_index]
        next_index += 1
        conn.sent_at = time.perf_counter()
        conn.sock.sendall(data)
        return True

    cpu0 = time.process_time()
    started = time.perf_counter()
    busy = 0
    for conn in connections:
        if send_next(conn):
            selector.register(conn.sock, selectors.EVENT_READ, conn)
            busy += 1
    while busy:
        for key, _ in selector.select(timeout=max(1.0, time_limit)):
            conn = key.data
            data = conn.sock.recv(65536)
            if not data:
                raise SystemExit("load client: the server closed a connection")
            conn.buffer += data
            while (parsed := _response(conn.buffer)) is not None:
                status, close, used = parsed
                del conn.buffer[:used]
                latencies.append(time.perf_counter() - conn.sent_at)
                answered += 1
                if status == 200:
                    acked += 1
                    reports += conn.count
                else:
                    failures += 1
                if close:
                    raise SystemExit(f"load client: the server closed a connection after {status}")
                if not send_next(conn):
                    selector.unregister(conn.sock)
                    busy -= 1
        if time.monotonic() > deadline + 60:
            break
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu0
    selector.close()
    latencies.sort()
    return {
        "requests": acked,
        "failed": failures,
        "reports": reports,
        "seconds": round(elapsed, 3),
        "requests_per_second": round(acked / elapsed, 1),
        "reports_per_second": round(reports / elapsed, 1),
        "latency_ms_p50": round(statistics.median(latencies) * 1000, 2) if latencies else None,
        "latency_ms_p99": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2) if latencies else None,
        "client_cpu_percent": round(100 * cpu / elapsed, 1),
        "timed_out": time.monotonic() > deadline,
    }


# -- the bare ceiling ---------------------------------------------------------------


def serve_bare_app(port: int) -> None:
    """A Starlette app that reads the body and answers 200, nothing else,
    served the way ``smsstatus serve`` runs uvicorn (same options, same HTTP
    implementation and event loop)."""
    import uvicorn
    from smsstatus.server.build import uvicorn_options
    from smsstatus.server.config import ReceiverConfig
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    async def receive(request: Request) -> Response:
        await request.body()
        return Response(b"", status_code=200)

    async def health(_request: Request) -> Response:
        return JSONResponse({"ok": True})

    app = Starlette(
        routes=[
            Route("/healthz", health, methods=["GET"]),
            Route("/webhooks/{vendor}", receive, methods=["GET", "POST", "PUT"]),
        ]
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", **uvicorn_options(ReceiverConfig()))


# -- servers and measurements -----------------------------------------------------


def _cpu_seconds(pid: int) -> float | None:
    """CPU seconds used by ``pid`` and its children (Linux /proc), else None."""
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                if int(entry) == pid or int(fields[1]) == pid:
                    total += int(fields[11]) + int(fields[12])
        return total / ticks
    except (OSError, ValueError):
        return None


def _named_cpu_seconds(name: str) -> float | None:
    """CPU seconds of every process called ``name`` (the local PostgreSQL
    server's backends), or None where /proc is not there."""
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        found = False
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                if stat[stat.index("(") + 1 : stat.rindex(")")] != name:
                    continue
                fields = stat.rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
                found = True
        return total / ticks if found else None
    except (OSError, ValueError):
        return None


def _machine_busy() -> tuple[float, float] | None:
    """(busy, total) CPU ticks of the whole machine so far (/proc/stat)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return float(sum(fields) - idle), float(sum(fields))


def start_server(command: list[str], port: int, cwd: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMSSTATUS_")}
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            if s.recv(64).startswith(b"HTTP/1.1 200"):
                return proc
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("server not ready after 60 s")


@contextlib.contextmanager
def serving(
    kind: str, db: str, cwd: Path, *, workers: int = 1, config: Path | None = None
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = free_port()
    if kind == "bare":
        command = [sys.executable, str(SCRIPT), "--bare-app", str(port)]
    else:
        command = [sys.executable, "-m", "smsstatus.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
        command += ["--db", db, "--no-poll", "--log-level", "warning"]
        if workers > 1:
            command += ["--workers", str(workers)]
        if config is not None:
            command += ["--config", str(config)]
    proc = start_server(command, port, cwd)
    try:
        yield port, proc
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def load(port: int, proc: subprocess.Popen[bytes], spec: dict[str, Any]) -> dict[str, Any]:
    """Run the load generator against ``port``; it measures the CPU of the
    server, of a local PostgreSQL and of the whole machine (all cores) over
    its timed phase (:func:`_measured`)."""
    out = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--client-spec",
            json.dumps({**spec, "port": port, "server_pid": proc.pid}),
        ],
        capture_output=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"load client failed: {out.stderr.decode()[-2000:]}")
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def _measured(server_pid: int, drive: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``drive()``'s figures plus the CPU the server, a local PostgreSQL and
    the machine used while it ran."""
    cpu0 = _cpu_seconds(server_pid)
    db0 = _named_cpu_seconds("postgres")
    machine0 = _machine_busy()
    started = time.perf_counter()
    result = drive()
    elapsed = time.perf_counter() - started
    cpu1 = _cpu_seconds(server_pid)
    db1 = _named_cpu_seconds("postgres")
    machine1 = _machine_busy()
    if cpu0 is not None and cpu1 is not None:
        result["server_cpu_percent"] = round(100 * (cpu1 - cpu0) / elapsed, 1)
        if result["requests"]:
            result["server_cpu_us_per_request"] = round(1e6 * (cpu1 - cpu0) / result["requests"], 1)
    if db0 is not None and db1 is not None:
        result["postgres_cpu_percent"] = round(100 * (db1 - db0) / elapsed, 1)
    if machine0 is not None and machine1 is not None and machine1[1] > machine0[1]:
        cores = os.cpu_count() or 1
        share = (machine1[0] - machine0[0]) / (machine1[1] - machine0[1])
        result["machine_busy_percent"] = round(100 * share * cores, 1)  # of one core, like the others
    return result


def stored_reports(db: str, run: str) -> int:
    from smsstatus.tracker import open_store

    with open_store(db) as store, store.read() as tx:
        row = tx.one(
            "SELECT COUNT(*) FROM events e JOIN messages m ON m.id = e.message_pk WHERE m.message_id LIKE ?",
            (f"{run}%",),
        )
    return int(row[0]) if row else 0


def measure(
    kind: str,
    db: str,
    tmp: Path,
    *,
    shape: str,
    requests: int,
    clients: int,
    time_limit: float,
    warmup: int = 0,
    workers: int = 1,
    config: Path | None = None,
) -> dict[str, Any]:
    """One run: start the server, load it, stop it, check the store."""
    run = f"load{uuid.uuid4().hex[:10]}"
    spec = {
        "shape": shape,
        "requests": requests,
        "warmup": warmup,
        "run": run,
        "clients": clients,
        "time_limit": time_limit,
    }
    with serving(kind, db, tmp, workers=workers, config=config) as (port, proc):
        result = load(port, proc, spec)
    result.update(kind=kind, shape=shape, clients=clients, workers=workers)
    if kind == "receiver":
        stored = stored_reports(db, run)
        result.update(
            stored_reports=stored, nothing_lost=stored >= result["reports"] + result["warmup_reports"]
        )
    return result


def _spread(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


def ceiling(db: str, tmp: Path, *, rounds: int, **options: Any) -> dict[str, Any]:
    """The receiver against the bare app, alternating, ``rounds`` times."""
    runs: list[dict[str, Any]] = []
    for _ in range(rounds):
        bare = measure("bare", db, tmp, **options)
        receiver = measure("receiver", db, tmp, **options)
        runs.append(
            {
                "bare": bare,
                "receiver": receiver,
                "ratio": receiver["requests_per_second"] / bare["requests_per_second"],
            }
        )

    def of(kind: str, key: str) -> list[float]:
        return [float(r[kind][key]) for r in runs if r[kind].get(key) is not None]

    return {
        "rounds": rounds,
        "ratio": _spread([r["ratio"] for r in runs]),
        "bare_requests_per_second": _spread(of("bare", "requests_per_second")),
        "receiver_requests_per_second": _spread(of("receiver", "requests_per_second")),
        "bare_server_cpu_percent": _spread(of("bare", "server_cpu_percent") or [0.0]),
        "receiver_server_cpu_percent": _spread(of("receiver", "server_cpu_percent") or [0.0]),
        "bare_server_cpu_us_per_request": _spread(of("bare", "server_cpu_us_per_request") or [0.0]),
        "receiver_server_cpu_us_per_request": _spread(of("receiver", "server_cpu_us_per_request") or [0.0]),
        "machine_busy_percent": _spread(
            of("bare", "machine_busy_percent") + of("receiver", "machine_busy_percent") or [0.0]
        ),
        "client_cpu_percent": _spread(
            of("bare", "client_cpu_percent") + of("receiver", "client_cpu_percent")
        ),
        "receiver_latency_ms_p50": _spread(of("receiver", "latency_ms_p50")),
        "nothing_lost": all(r["receiver"]["nothing_lost"] for r in runs),
        "runs": runs,
    }


def machine() -> dict[str, Any]:
    import uvicorn

    info: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "uvicorn": uvicorn.__version__,
    }
    for module in ("httptools", "uvloop"):
        try:
            info[module] = __import__(module).__version__
        except ImportError:
            info[module] = None
    with contextlib.suppress(OSError):
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=None, help="store URL (default: SQLite in a temporary directory)")
    parser.add_argument("--shape", choices=["single", "batch"], default="single")
    parser.add_argument("--requests", type=int, default=4000, help="pushes to send (fixed)")
    parser.add_argument("--clients", type=int, default=32, help="keep-alive connections")
    parser.add_argument(
        "--warmup",
        type=int,
        default=None,
        help="untimed pushes sent first to every server started (default: a tenth of --requests)",
    )
    parser.add_argument(
        "--workers",
        default="1",
        help="receiver processes (serve --workers N; PostgreSQL only above 1); a list such as 1,2,4 runs each",
    )
    parser.add_argument(
        "--writers", type=int, default=None, help="receiver writer threads (default: the server's)"
    )
    parser.add_argument(
        "--ceiling", action="store_true", help="also measure the bare Starlette app, alternating"
    )
    parser.add_argument("--rounds", type=int, default=1, help="repeat each measurement this many times")
    parser.add_argument(
        "--time-limit", type=float, default=120.0, help="stop sending after this many seconds"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object only")
    parser.add_argument("--client-spec", help=argparse.SUPPRESS)
    parser.add_argument("--bare-app", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client_spec:
        print(json.dumps(run_client(json.loads(args.client_spec))))
        return
    if args.bare_app:
        serve_bare_app(args.bare_app)
        return
    if args.requests < 1 or args.requests > 1_000_000:
        parser.error("--requests must be between 1 and 1000000")
    workers = [int(w) for w in args.workers.split(",")]
    if args.rounds < 1 or any(w < 1 for w in workers):
        parser.error("--rounds and --workers must be at least 1")

    results = run(args.db, workers, args, print_lines=not args.json)
    if args.json:
        print(json.dumps(results))


def run(db_url: str | None, workers: list[int], args: Any, *, print_lines: bool) -> dict[str, Any]:
    from smsstatus.tracker import open_store, redact_url

    results: dict[str, Any] = {"machine": machine(), "runs": []}
    with tempfile.TemporaryDirectory(prefix="smsstatus-load-") as tmp_name:
        tmp = Path(tmp_name)
        db = db_url or f"sqlite:///{tmp / 'load.sqlite3'}"
        open_store(db).close()  # the schema, once, before servers start on it
        config = None
        if args.writers is not None:
            config = tmp / "load.toml"
            config.write_text(f"[receiver]\nwriters = {args.writers}\n")
        options = {
            "shape": args.shape,
            "requests": args.requests,
            "clients": args.clients,
            "time_limit": args.time_limit,
            "warmup": args.requests // 10 if args.warmup is None else args.warmup,
            "config": config,
        }
        store = redact_url(db).split(":", 1)[0]
        if args.ceiling:
            summary = ceiling(db, tmp, rounds=args.rounds, workers=workers[0], **options)
            results["ceiling"] = summary
            if print_lines:
                print(ceiling_line(summary, store, args.shape))
        for count in workers if not args.ceiling or len(workers) > 1 else []:
            runs = [measure("receiver", db, tmp, workers=count, **options) for _ in range(args.rounds)]
            summary = scaling_summary(runs, count, store)
            results["runs"].append(summary)
            if print_lines:
                print(scaling_line(summary))
    return results


def receiver_benchmark(*, quick: bool, postgres: str | None) -> dict[str, Any]:
    """The receiver section of ``python3 tasks.py bench`` (benchmarks/run.py):
    the receiver's share of the bare-app ceiling on SQLite, then worker
    scaling on PostgreSQL when a server is given; prints its lines."""
    from types import SimpleNamespace

    rounds, requests = (1, 2000) if quick else (5, 10_000)
    print(
        f"\nreceiver (benchmarks/load_receiver.py), {os.cpu_count()} cores, load average"
        f" {' '.join(f'{x:.1f}' for x in os.getloadavg())} before the run:"
    )
    options = SimpleNamespace(
        shape="single",
        requests=requests,
        clients=32,
        time_limit=120.0,
        warmup=None,
        writers=None,
        ceiling=True,
        rounds=rounds,
    )
    results = {"sqlite": run(None, [1], options, print_lines=True)}
    if postgres:
        options.ceiling = False
        options.rounds = 1 if quick else 3
        options.requests = 1500 if quick else 6000
        results["postgres"] = run(postgres, [1, 2, 4], options, print_lines=True)
    else:
        print(
            "worker scaling on PostgreSQL: skipped; set SMSSTATUS_TEST_POSTGRES_DSN"
            ' (eval "$(bash scripts/ci-postgres.sh)") and rerun'
        )
    return results


def scaling_summary(runs: list[dict[str, Any]], workers: int, store: str) -> dict[str, Any]:
    def of(key: str) -> list[float]:
        return [float(r[key]) for r in runs if r.get(key) is not None]

    return {
        "store": store,
        "workers": workers,
        "shape": runs[0]["shape"],
        "clients": runs[0]["clients"],
        "rounds": len(runs),
        "reports_per_second": _spread(of("reports_per_second")),
        "requests_per_second": _spread(of("requests_per_second")),
        "latency_ms_p50": _spread(of("latency_ms_p50")),
        "latency_ms_p99": _spread(of("latency_ms_p99")),
        "server_cpu_percent": _spread(of("server_cpu_percent") or [0.0]),
        "server_cpu_us_per_request": _spread(of("server_cpu_us_per_request") or [0.0]),
        "postgres_cpu_percent": _spread(of("postgres_cpu_percent") or [0.0]),
        "machine_busy_percent": _spread(of("machine_busy_percent") or [0.0]),
        "client_cpu_percent": _spread(of("client_cpu_percent")),
        "failed": sum(int(r["failed"]) for r in runs),
        "nothing_lost": all(r["nothing_lost"] for r in runs),
        "runs": runs,
    }


def _range(spread: dict[str, float], fmt: str = ",.0f") -> str:
    return f"{spread['median']:{fmt}} ({spread['min']:{fmt}} to {spread['max']:{fmt}})"


def ceiling_line(summary: dict[str, Any], store: str, shape: str) -> str:
    return (
        f"receiver vs bare Starlette app, {shape} pushes on {store}, median of {summary['rounds']} round(s):"
        f" receiver {_range(summary['receiver_requests_per_second'])} requests/s,"
        f" bare {_range(summary['bare_requests_per_second'])} requests/s,"
        f" share of the ceiling {_range(summary['ratio'], '.2f')};"
        f" server CPU {summary['receiver_server_cpu_percent']['median']:.0f} %"
        f" ({summary['receiver_server_cpu_us_per_request']['median']:.0f} µs a request; bare"
        f" {summary['bare_server_cpu_percent']['median']:.0f} %,"
        f" {summary['bare_server_cpu_us_per_request']['median']:.0f} µs), client CPU"
        f" {summary['client_cpu_percent']['median']:.0f} %, machine"
        f" {summary['machine_busy_percent']['median']:.0f} % of {os.cpu_count()} cores' 100 % each;"
        f" nothing lost: {summary['nothing_lost']}"
    )


def scaling_line(summary: dict[str, Any]) -> str:
    return (
        f"{summary['shape']} pushes on {summary['store']}, {summary['workers']} worker(s),"
        f" {summary['clients']} connections, median of {summary['rounds']}:"
        f" {_range(summary['reports_per_second'])} reports/s"
        f" ({summary['requests_per_second']['median']:,.0f} requests/s),"
        f" p50 {summary['latency_ms_p50']['median']:.1f} ms, p99 {summary['latency_ms_p99']['median']:.1f} ms;"
        f" server CPU {summary['server_cpu_percent']['median']:.0f} %"
        f" ({summary['server_cpu_us_per_request']['median']:.0f} µs a request),"
        f" PostgreSQL {summary['postgres_cpu_percent']['median']:.0f} %, client"
        f" {summary['client_cpu_percent']['median']:.0f} %, machine {summary['machine_busy_percent']['median']:.0f} %;"
        f" failed {summary['failed']},"
        f" nothing lost: {summary['nothing_lost']}"
    )


if __name__ == "__main__":
    main()
