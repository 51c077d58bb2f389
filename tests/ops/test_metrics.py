"""/metrics counts what happened, by bounded labels; several processes add up."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import smsstatus
from prometheus_client.parser import text_string_to_metric_families
from smsstatus.server.build import Server, build_server
from smsstatus.server.config import parse_config
from starlette.testclient import TestClient

from tests.tracker.helpers import PushVendor, push_body

from .test_operator_access import PSWD, TOKEN, make_server

BEARER = {"authorization": f"Bearer {TOKEN}"}


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def server(db_url: str) -> Iterator[Server]:
    built = make_server(db_url, server={"admin_token": TOKEN}, receiver={"max_body_bytes": 2000})
    try:
        yield built
    finally:
        built.close()


def test_metrics_count_pushes_reports_and_limits(server: Server) -> None:
    assert server.app is not None
    with TestClient(server.app) as client:

        def push(body: bytes) -> int:
            return client.post(
                "/webhooks/acme", content=body, headers={"content-type": "application/json"}
            ).status_code

        assert (
            push(push_body("m-1", "sent", pswd=PSWD, at="2025-03-01T12:00:00+00:00")) == 200
        )  # applied: sent
        assert push(push_body("m-1", "sent", pswd=PSWD, at="2025-03-01T12:00:00+00:00")) == 200  # duplicate
        assert (
            push(push_body("m-1", "ok", pswd=PSWD, at="2025-03-01T12:01:00+00:00")) == 200
        )  # applied: delivered
        assert (
            push(push_body("m-1", "queued", pswd=PSWD, at="2025-03-01T12:02:00+00:00")) == 200
        )  # final_regression
        assert push(push_body("m-2", "fail", pswd=PSWD)) == 200  # applied: undelivered
        assert push(push_body("m-3", "sent", pswd="wrong-password-x")) == 401  # dead letter, failed auth
        assert push(b'{"id": "m-4", "status": ') == 400  # dead letter, unverified
        assert push(b"{" + b" " * 3000 + b"}") == 413  # over max_body_bytes
        assert push(push_body("m-5", "weird-vendor-status-\x1b", pswd=PSWD)) == 200  # unmapped: unknown
        found = samples(client.get("/metrics", headers=BEARER).text)

    assert value(found, "smsstatus_pushes_total", vendor="acme", code="200") == 6
    assert value(found, "smsstatus_pushes_total", vendor="acme", code="401") == 1
    assert value(found, "smsstatus_pushes_total", vendor="acme", code="400") == 1
    assert value(found, "smsstatus_pushes_total", vendor="acme", code="413") == 1
    assert value(found, "smsstatus_reports_applied_total", vendor="acme", status="sent") == 1
    assert value(found, "smsstatus_reports_applied_total", vendor="acme", status="delivered") == 1
    assert value(found, "smsstatus_reports_applied_total", vendor="acme", status="undelivered") == 1
    assert value(found, "smsstatus_reports_applied_total", vendor="acme", status="unknown") == 1
    assert value(found, "smsstatus_reports_duplicate_total", vendor="acme") == 1
    assert (
        value(found, "smsstatus_reports_not_applied_total", vendor="acme", decision="final_regression") == 1
    )
    assert (
        value(found, "smsstatus_dead_letters_total", vendor="acme", kind="request", authentication="failed")
        == 1
    )
    assert (
        value(
            found, "smsstatus_dead_letters_total", vendor="acme", kind="request", authentication="unverified"
        )
        == 2
    )
    assert value(found, "smsstatus_limit_drops_total", limit="max_body_bytes", vendor="acme") == 1
    # Every write was timed: the 6 applied pushes' group commits and the 3 dead letters (at least).
    assert value(found, "smsstatus_store_commit_seconds_count") >= 6
    # No label holds what a sender wrote.
    for _, labels in found:
        for _, label in labels:
            assert "weird" not in label and "\x1b" not in label


def test_a_push_from_a_source_not_allowed_is_counted_as_refused(db_url: str) -> None:
    """``allowed_sources`` answers 403 before reading the body: a refused
    push (by code, and under the limit that refused it), nothing applied."""
    registry = smsstatus.Registry(vendors={"acme": PushVendor("acme")})
    acme = {"credentials": {"pswd": PSWD}, "allowed_sources": ["192.0.2.0/24"]}
    config = parse_config({"vendors": {"acme": acme}, "server": {"admin_token": TOKEN}})
    built = build_server(db=db_url, config=config, registry=registry, poll=False, environ={})
    try:
        assert built.app is not None
        body = push_body("m-1", "sent", pswd=PSWD)
        json_type = {"content-type": "application/json"}
        with TestClient(built.app, client=("203.0.113.5", 50000)) as outsider:
            assert outsider.post("/webhooks/acme", content=body, headers=json_type).status_code == 403
            assert outsider.post("/webhooks/acme", content=body, headers=json_type).status_code == 403
        with TestClient(built.app, client=("192.0.2.10", 50000)) as listed:
            assert listed.post("/webhooks/acme", content=body, headers=json_type).status_code == 200
            found = samples(listed.get("/metrics", headers=BEARER).text)
    finally:
        built.close()
    assert value(found, "smsstatus_pushes_total", vendor="acme", code="403") == 2
    assert value(found, "smsstatus_limit_drops_total", limit="allowed_sources", vendor="acme") == 2
    assert value(found, "smsstatus_pushes_total", vendor="acme", code="200") == 1
    assert value(found, "smsstatus_reports_applied_total", vendor="acme", status="sent") == 1


def test_vendor_labels_are_installed_plugins_only(server: Server) -> None:
    assert server.metrics is not None
    server.metrics.push_answered("a-vendor-nobody-installed", 200)
    assert server.metrics.vendor("acme") == "acme"
    assert server.metrics.vendor("<script>") == "other"
    found = samples(server.metrics.exposition().decode())
    assert value(found, "smsstatus_pushes_total", vendor="other", code="200") == 1


WORKER = """
import sys
from smsstatus.server.metrics import Metrics
m = Metrics(["acme"])
for _ in range(int(sys.argv[1])):
    m.push_answered("acme", 200)
m.write_committed(0.01)
m.outbox_pending(int(sys.argv[1]), 1.0)
if len(sys.argv) > 2:
    sys.stdout.write(m.exposition().decode())
"""


def test_several_processes_add_up_in_multiprocess_mode(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for count in ("3", "4"):
        subprocess.run([sys.executable, "-c", WORKER, count], env=env, check=True, timeout=60)
    scrape = subprocess.run(
        [sys.executable, "-c", WORKER, "5", "scrape"],
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    )
    found = samples(scrape.stdout)
    assert value(found, "smsstatus_pushes_total", vendor="acme", code="200") == 3 + 4 + 5
    assert value(found, "smsstatus_store_commit_seconds_count") == 3
    assert value(found, "smsstatus_callback_outbox_pending") == 5  # the largest any process saw


def test_poller_and_drain_observers(store: Any) -> None:
    """The poller tells the metrics of each fetch call, how late each target
    was, and of the windows that ran out."""
    import smsstatus
    from smsstatus.server.metrics import Metrics
    from smsstatus.tracker import Tracker

    from tests.tracker.helpers import POLICY, Clock, Vendor
    from tests.tracker.test_poller import STATE, make_poller

    registry = smsstatus.Registry(vendors={"acme": Vendor("acme")})
    clock = Clock()
    metrics = Metrics(["acme"])
    tracker = Tracker(store, clock=clock, observer=metrics)
    tracker.track("acme", "a", POLICY)
    tracker.track("acme", "b", POLICY)
    STATE.update({"a": "ok", "b": "sent"})
    poller = make_poller(registry, tracker, clock, observer=metrics)
    clock.advance(POLICY.first_after + 5)  # both due 5 s ago
    poller.run_once()
    clock.advance(POLICY.give_up_after)  # b's window runs out
    poller.run_once()
    metrics.drained("acme", ok=True, reports=3)
    metrics.drained("acme", ok=False, reports=0)
    found = samples(metrics.exposition().decode())
    # batch_limit 2: one call for a and b.
    assert value(found, "smsstatus_poll_requests_total", vendor="acme", outcome="ok") == 1
    assert value(found, "smsstatus_poll_lag_seconds_count", vendor="acme") == 3  # a, b, then b again
    assert value(found, "smsstatus_poll_lag_seconds_bucket", vendor="acme", le="5.0") == 2
    assert value(found, "smsstatus_poll_windows_expired_total", vendor="acme") == 1
    assert value(found, "smsstatus_reports_applied_total", vendor="acme", status="delivered") == 1
    assert value(found, "smsstatus_drain_requests_total", vendor="acme", outcome="ok") == 1
    assert value(found, "smsstatus_drain_requests_total", vendor="acme", outcome="failed") == 1
    assert value(found, "smsstatus_drained_reports_total", vendor="acme") == 3
