"""smsstatus.server.mount in a FastAPI app: the receiver's routes next to the host's, the poller and
the writers started and stopped by the host's lifespan, around the host's own startup and shutdown."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from smsstatus.server import mount
from smsstatus.tracker import StoreError

MESSAGE_ID = "d9835609-a4e0-10ea-a26a-eeafbe700fef"


_BEFORE: set[threading.Thread] = set()


def threads(prefix: str) -> list[str]:
    """This test's threads named ``prefix...`` (other tests may leave their own receivers' writers)."""
    return [t.name for t in threading.enumerate() if t.name.startswith(prefix) and t not in _BEFORE]


def test_mount_runs_with_the_host_lifespan(tmp_path: Path) -> None:
    config = tmp_path / "smsstatus.toml"
    # Polling D7 needs its token; its API is a closed loopback port, so nothing leaves this machine.
    config.write_text('[vendors.d7]\nbase_url = "http://127.0.0.1:9"\n')
    events: list[str] = []
    _BEFORE.clear()
    _BEFORE.update(threading.enumerate())

    @contextlib.asynccontextmanager
    async def host_lifespan(_app: FastAPI) -> AsyncIterator[None]:
        events.append(f"host start, poller running: {bool(threads('smsstatus-poller'))}")
        yield
        events.append(f"host stop, poller running: {bool(threads('smsstatus-poller'))}")

    app = FastAPI(lifespan=host_lifespan)

    @app.get("/hello")
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    server = mount(
        app,
        "/sms/hooks",
        # synchronous=FULL: a commit waits for an fsync, so pushes are stored by
        # writer threads (not on the event loop), whose start and stop this checks.
        db=f"sqlite:///{tmp_path / 'mounted.sqlite3'}?synchronous=FULL",
        config_path=str(config),
        environ={"SMSSTATUS_D7_API_TOKEN": "test-token-not-a-secret"},
    )
    assert server.poller is not None and [v.vendor for v in server.poller.vendors] == ["d7"]
    assert not threads("smsstatus-poller")  # nothing runs before the app starts

    body = {
        "request_id": MESSAGE_ID,
        "msg_id": MESSAGE_ID,
        "recipient": "+971576545600",
        "status": "delivered",
    }
    with TestClient(app) as client:
        assert client.get("/hello").json() == {"hello": "world"}
        pushed = client.post(
            "/sms/hooks/d7", content=json.dumps(body), headers={"Content-Type": "application/json"}
        )
        assert pushed.status_code == 200
        assert threads("smsstatus-writer")
        [record] = server.tracker.message("d7", MESSAGE_ID)
        assert record.status is not None and record.status.value == "delivered"
    # The host's own lifespan ran inside ours: the poller was up for both.
    assert events == ["host start, poller running: True", "host stop, poller running: True"]
    assert not threads("smsstatus-poller") and not threads("smsstatus-writer")
    with pytest.raises(StoreError):  # the store was closed at shutdown
        server.tracker.message("d7", MESSAGE_ID)


def test_mount_without_polling_keeps_the_host_routes(tmp_path: Path) -> None:
    app = FastAPI()
    server = mount(app, db=f"sqlite:///{tmp_path / 'm.sqlite3'}", poll=False, environ={})
    assert server.poller is None
    paths = {getattr(route, "path", None) for route in app.router.routes}
    assert "/webhooks/d7" in paths and "/webhooks/innopaas" in paths
    with TestClient(app) as client:
        assert client.post("/webhooks/d7", content=b"{not json").status_code == 400
