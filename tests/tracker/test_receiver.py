"""The ASGI receiver: every installed push vendor's fixtures over HTTP, dead
letters and redaction, limits, forwarded headers, listeners, replay."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import smsstatus
from smsstatus import Capability, Credentials
from smsstatus.fixtures import Case, build_push_request, exchanges_of, load_cases
from smsstatus.replay import ReplayTransport, body_bytes
from smsstatus.serialize import from_dict
from smsstatus.server.app import Receiver, create_app
from smsstatus.server.config import ReceiverConfig
from smsstatus.server.replay import replay_dead_letters
from smsstatus.tracker import StatusChange, Store, StoreError, Tracker, event_key, message_key, open_store
from starlette.applications import Starlette
from starlette.routing import Route

from .helpers import PushVendor, push_body

with warnings.catch_warnings():  # starlette >= 1.0 prefers httpx2 for its test client
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

# -- every push vendor's fixtures, replayed over HTTP -----------------------------

INSTALLED = smsstatus.load()


def _push_cases() -> list[Case]:
    cases: list[Case] = []
    for loaded in INSTALLED.vendors.values():
        if Capability.PUSH in loaded.info.capabilities:
            cases += [c for c in load_cases(loaded.info) if c.kind == "push" and not c.xfail]
    return cases


PUSH_CASES = _push_cases()
EXPECTED_STATUS = {"payload": 400, "authentication": 401}


def _secrets(case: Case) -> list[str]:
    """The case's secret credential values: public ones (an SNS topic ARN the
    message itself names) may appear anywhere."""
    creds = case.data.get("credentials") or {}
    return [v for v in INSTALLED.credentials(case.vendor, creds).secret_values() if len(v) >= 4]


@pytest.mark.skipif(not PUSH_CASES, reason="no push vendor plugin with fixtures is installed")
@pytest.mark.parametrize("case", PUSH_CASES, ids=lambda c: f"{c.vendor}/{c.id}")
def test_fixture_push_over_http(case: Case, tmp_path: Path) -> None:
    """Each recorded push, sent over HTTP exactly as the vendor sent it (same
    URL, headers, body, and the recorded receive time), gets the reply the
    vendor expects; the stored reports are the fixture's expected reports;
    failures are dead letters without the case's secrets. The exchanges a
    push makes while parsing are the case's, replayed in order."""
    transport = ReplayTransport(exchanges_of(case))
    INSTALLED.use_push_transport(transport)
    try:
        _push_over_http(case, tmp_path)
    finally:
        INSTALLED.use_push_transport(None)
    assert transport.problems == [] and transport.unused == 0, transport.problems


def _push_over_http(case: Case, tmp_path: Path) -> None:
    recorded = build_push_request(case.data)
    parts = urlsplit(recorded.url)
    with open_store(f"sqlite:///{tmp_path / 'r.sqlite3'}") as store:
        tracker = Tracker(store)
        receiver = Receiver(
            INSTALLED,
            tracker,
            vendors=[case.vendor],
            credentials={case.vendor: Credentials(case.vendor, case.data.get("credentials") or {})},
            clock=lambda: recorded.received_at,
        )
        app = Starlette(
            routes=[
                Route(unquote(parts.path) or "/", receiver.endpoint(case.vendor), methods=["GET", "POST"])
            ]
        )
        # The recorded peer address, for plugins that check where a push came from.
        peer = (recorded.remote_addr or "testclient", 50000)
        with TestClient(app, base_url=f"{parts.scheme}://{parts.netloc}", client=peer) as client:
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            response = client.request(
                recorded.method, target, headers=list(recorded.headers.raw_items()), content=recorded.body
            )
        expect = case.data["expect"]
        letters = tracker.dead_letters(state=None)
        stored_text = json.dumps(
            [[d.url, d.headers, d.body.decode("utf-8", "replace"), d.error, d.items] for d in letters]
        )
        for secret in _secrets(case):
            assert secret not in stored_text, "a credential reached the dead-letter table"
        if "error" in expect:
            assert response.status_code == EXPECTED_STATUS.get(expect["error"]["type"], 500), response.text
            assert response.json()["error"] == expect["error"]["type"]
            assert len(letters) == 1 and letters[0].kind == "request"
            assert letters[0].error_type == expect["error"]["type"]
            assert tracker.counts()["events"] == 0
            return
        reply = expect["reply"]
        assert response.status_code == reply["status_code"]
        if "content_type" in reply:
            assert response.headers.get("content-type") == reply["content_type"]
        if "body" in reply:
            want = reply["body"]
            if "json" in want:
                assert response.json() == want["json"]
            else:
                assert response.content == body_bytes(want)[0]
        expected = [from_dict(r) for r in expect["reports"]]
        trackable: dict[str, smsstatus.StatusReport] = {}
        for report in expected:
            if message_key(report) is not None:
                trackable.setdefault(event_key(report), report)
        with store.read() as tx:
            stored = [
                from_dict(store.dialect.json_out(r[0]))
                for r in tx.all("SELECT report FROM events ORDER BY id")
            ]
        assert stored == list(trackable.values())
        # Items that are no status (not_a_status) are acknowledged, never dead letters.
        failed = [e for e in expect.get("errors", []) if e["error"]["type"] != "not_a_status"]
        failed_items = len(failed) + sum(1 for r in expected if message_key(r) is None)
        if failed_items:
            assert len(letters) == 1 and letters[0].kind == "items"
            assert letters[0].items is not None and len(letters[0].items) == failed_items
        else:
            assert letters == []


# -- the receiver with a small test vendor ------------------------------------------


@pytest.fixture
def vendor() -> PushVendor:
    return PushVendor("acme")


@pytest.fixture
def registry(vendor: PushVendor) -> smsstatus.Registry:
    return smsstatus.Registry(vendors={"acme": vendor})


def make_client(
    registry: smsstatus.Registry, tracker: Tracker, creds: dict[str, str] | None = None, **config: Any
) -> TestClient:
    receiver = Receiver(
        registry,
        tracker,
        credentials={"acme": creds or {}},  # a plain mapping is accepted too
        config=ReceiverConfig(**config),
    )
    return TestClient(create_app(receiver))


@pytest.fixture
def client(registry: smsstatus.Registry, tracker: Tracker) -> Iterator[TestClient]:
    with make_client(registry, tracker, {"pswd": "pa55-word-secret"}) as c:
        yield c


def post(client: TestClient, body: bytes, path: str = "/webhooks/acme", **kwargs: Any) -> Any:
    headers = {"content-type": "application/json", **kwargs.pop("headers", {})}
    return client.post(path, content=body, headers=headers, **kwargs)


def test_push_stored_before_the_vendor_reply(client: TestClient, tracker: Tracker) -> None:
    response = post(client, push_body("m1", "sent", pswd="pa55-word-secret"))
    assert response.status_code == 200 and response.json() == {"code": 0, "message": "ok"}
    (record,) = tracker.message("acme", "m1")
    assert record.status is smsstatus.Status.SENT
    assert "pswd" not in record.history[0].report["raw"]
    assert (
        post(client, push_body("m1", "ok", pswd="pa55-word-secret"), path="/webhooks/acme/").status_code
        == 200
    )
    assert tracker.message("acme", "m1")[0].status is smsstatus.Status.DELIVERED


def test_malformed_push_is_400_and_dead_letter_without_secret(client: TestClient, tracker: Tracker) -> None:
    body = b'{"id": "m1", "status": 5, "pswd": "pa55-word-secret"}'
    response = post(client, body + b"", params={"pswd": "pa55-word-secret", "x": "1"})
    assert response.status_code == 400
    problem = response.json()
    assert problem["error"] == "payload" and problem["field"] == "$.status"
    (letter,) = tracker.dead_letters()
    assert letter.id == problem["dead_letter"] and letter.kind == "request" and letter.error_type == "payload"
    assert "pa55-word-secret" not in letter.url and "pswd=%2A%2A%2A" not in letter.url
    assert "pswd=***" in letter.url and "x=1" in letter.url
    assert b"pa55-word-secret" not in letter.body and json.loads(letter.body)["pswd"] == "***"
    assert json.loads(letter.body)["status"] == 5


def test_unauthenticated_push_is_401_and_dead_letter(client: TestClient, tracker: Tracker) -> None:
    response = post(client, push_body("m1", "sent", pswd="wrong-guess"))
    assert response.status_code == 401
    assert response.json() == {
        "error": "authentication",
        "vendor": "acme",
        "credential": "pswd",
        "dead_letter": 1,
    }
    (letter,) = tracker.dead_letters()
    assert letter.error_type == "authentication" and b"wrong-guess" not in letter.body
    assert tracker.counts()["events"] == 0


def test_batch_item_errors_dead_lettered_good_reports_stored(client: TestClient, tracker: Tracker) -> None:
    body = json.dumps(
        {
            "pswd": "pa55-word-secret",
            "items": [
                {"id": "a", "status": "ok"},
                {"id": "b", "status": 7, "pswd": "pa55-word-secret"},
                {"status": "sent"},  # no message id: cannot be tracked
                {"id": "c", "status": "fail"},
            ],
        }
    ).encode()
    response = post(client, body)
    assert response.status_code == 200
    assert {r.key.message_id for mid in ("a", "c") for r in tracker.message("acme", mid)} == {"a", "c"}
    (letter,) = tracker.dead_letters()
    assert letter.kind == "items" and letter.items is not None
    assert [(i["index"], i["error_type"]) for i in letter.items] == [(1, "payload"), (None, "untrackable")]
    assert "pa55-word-secret" not in json.dumps(letter.items) and b"pa55-word-secret" not in letter.body


def test_items_that_are_no_status_are_acknowledged_without_a_dead_letter(
    client: TestClient, tracker: Tracker
) -> None:
    body = json.dumps(
        {
            "pswd": "pa55-word-secret",
            "items": [
                {"id": "a", "status": "ok"},
                {"id": "mo-1", "inbound": "hello"},
                {"id": "b", "status": 7},
            ],
        }
    ).encode()
    response = post(client, body)
    assert response.status_code == 200 and response.json() == {"code": 0, "message": "ok"}
    assert [r.key.message_id for r in tracker.message("acme", "a")] == ["a"]
    with pytest.raises(smsstatus.tracker.NotTrackedError):
        tracker.message("acme", "mo-1")
    # Only the unreadable item is a dead letter; the inbound message left nothing.
    (letter,) = tracker.dead_letters()
    assert letter.items is not None
    assert [(i["index"], i["error_type"]) for i in letter.items] == [(2, "payload")]
    # Alone, it leaves no dead letter at all.
    alone = post(
        client, json.dumps({"pswd": "pa55-word-secret", "items": [{"id": "mo-2", "inbound": "hi"}]}).encode()
    )
    assert alone.status_code == 200
    assert len(tracker.dead_letters()) == 1


def test_body_limit(registry: smsstatus.Registry, tracker: Tracker) -> None:
    with make_client(registry, tracker, max_body_bytes=64) as client:
        response = post(client, push_body("m1", "sent", pad="x" * 100))
        assert response.status_code == 413 and response.json()["max_body_bytes"] == 64

        def chunks() -> Iterator[bytes]:  # no Content-Length: the stream is cut at the limit
            yield b'{"id": "m1", '
            yield b'"pad": "' + b"y" * 100 + b'", "status": "sent"}'

        response = client.post(
            "/webhooks/acme", content=chunks(), headers={"content-type": "application/json"}
        )
        assert response.status_code == 413
    letters = tracker.dead_letters()
    assert [(d.error_type, d.body_complete, d.body) for d in letters] == [("too_large", False, b"")] * 2
    assert replay_dead_letters(registry, tracker, {})[0].state == "skipped"


def test_public_url_and_forwarded_headers(
    registry: smsstatus.Registry, vendor: PushVendor, tracker: Tracker
) -> None:
    with make_client(registry, tracker) as client:
        post(client, push_body("m1", "sent"), params={"a": "1 2"})
        post(
            client,
            push_body("m2", "sent"),
            headers={
                "content-type": "application/json",
                "x-forwarded-proto": "https",
                "x-forwarded-host": "hooks.example.com",
                "x-forwarded-for": "203.0.113.9, 10.0.0.1",
            },
        )
    # TestClient's peer is "testclient", not a trusted proxy: headers ignored.
    assert vendor.seen_urls == ["http://testserver/webhooks/acme?a=1+2", "http://testserver/webhooks/acme"]
    vendor.seen_urls.clear()
    with make_client(registry, tracker, forwarded_allow_ips=("*",)) as client:
        post(
            client,
            push_body("m3", "sent"),
            headers={
                "content-type": "application/json",
                "x-forwarded-proto": "https",
                "x-forwarded-host": "hooks.example.com",
                "x-forwarded-for": "203.0.113.9, 10.0.0.1",
            },
        )
    with make_client(
        registry, tracker, public_base_url="https://sms.example.org/base", prefix="/in"
    ) as client:
        client.post(
            "/in/acme?k=v", content=push_body("m4", "sent"), headers={"content-type": "application/json"}
        )
    assert vendor.seen_urls == [
        "https://hooks.example.com/webhooks/acme",
        "https://sms.example.org/base/in/acme?k=v",
    ]
    assert vendor.seen_remote[-2] == "203.0.113.9"


def test_unknown_vendor_route_is_404(client: TestClient) -> None:
    assert post(client, push_body("m1", "sent"), path="/webhooks/nobody").status_code == 404


def test_store_failure_is_503_and_nothing_acknowledged(
    registry: smsstatus.Registry, tracker: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise StoreError("sqlite", "disk I/O error")

    with make_client(registry, tracker) as client:
        monkeypatch.setattr(tracker, "apply", broken)
        response = post(client, push_body("m1", "sent"))
    assert response.status_code == 503 and response.json()["error"] == "store"


def test_listener_hears_after_the_reply(registry: smsstatus.Registry, store: Store) -> None:
    heard: list[StatusChange] = []
    tracker = Tracker(store, on_change=heard.append)
    with make_client(registry, tracker) as client:
        post(client, push_body("m1", "sent"))
        post(client, push_body("m1", "sent"))  # duplicate: no change
        post(client, push_body("m1", "ok"))
    assert [(c.previous, c.status) for c in heard] == [
        (None, smsstatus.Status.SENT),
        (smsstatus.Status.SENT, smsstatus.Status.DELIVERED),
    ]


def test_health(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["ok"] is True


def test_replay_after_plugin_fix(registry: smsstatus.Registry, vendor: PushVendor, tracker: Tracker) -> None:
    creds = {"acme": Credentials("acme", {"pswd": "pa55-word-secret"})}
    with make_client(registry, tracker, {"pswd": "pa55-word-secret"}) as client:
        vendor.broken = True
        assert post(client, push_body("m1", "ok", pswd="pa55-word-secret")).status_code == 400
        assert post(client, push_body("m2", "ok", pswd="bad-guess")).status_code == 400
        # Still broken: replay fails and keeps the dead letters pending.
        outcomes = replay_dead_letters(registry, tracker, creds)
        assert [o.state for o in outcomes] == ["failed", "failed"]
        vendor.broken = False
        assert post(client, push_body("m3", "ok", pswd="wrong-again")).status_code == 401
    outcomes = replay_dead_letters(registry, tracker, creds)
    # Replay rebuilds each push as received and checks its password again: the
    # push with the wrong password is not stored (it would be a forgery), and
    # an authentication failure is not even tried by default.
    assert [(o.id, o.state, o.applied) for o in outcomes] == [
        (1, "replayed", 1),
        (2, "failed", 0),
        (3, "skipped", 0),
    ]
    assert tracker.message("acme", "m1")[0].status is smsstatus.Status.DELIVERED
    assert [d.id for d in tracker.dead_letters()] == [2, 3]
    outcomes = replay_dead_letters(registry, tracker, creds, include_unauthenticated=True)
    assert [(o.id, o.state) for o in outcomes] == [(2, "failed"), (3, "failed")]
    assert [d.id for d in tracker.dead_letters()] == [2, 3]
