"""Issue 10 point 6: deeply nested JSON is a payload error (never a 500), the
redactor survives it, and one bad request never fails another in a group
commit."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime

import pytest
import smsstatus
from smsstatus import Capability, PushRequest
from smsstatus.server.app import Receiver, create_app
from smsstatus.server.redact import Redactor
from smsstatus.tracker import Tracker

from .helpers import PushVendor, push_body

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

INSTALLED = smsstatus.load()
PUSH_VENDORS = sorted(v for v, lv in INSTALLED.vendors.items() if Capability.PUSH in lv.info.capabilities)
#: Push credentials for the bundled vendors that take them, so the redactor
#: has secret fields and values to look for (the configuration of the attack).
CREDENTIALS = {
    "innopaas": {"receiver": "acme", "pswd": "pa55-word-secret"},
    "uspeedo": {"webhook_token": "tok-en-secret-1"},
}


def _nested(depth: int, opener: bytes = b"[") -> bytes:
    closer = b"]" if opener == b"[" else b"}"
    if opener == b"{":
        return b'{"a":' * depth + b"1" + closer * depth
    return opener * depth + closer * depth


def _request(vendor: str, body: bytes, content_type: str = "application/json") -> PushRequest:
    return PushRequest(
        method="POST",
        url=f"http://hooks.test/webhooks/{vendor}",
        headers=[("content-type", content_type)],
        body=body,
        received_at=datetime(2025, 6, 10, 9, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize("vendor", PUSH_VENDORS)
@pytest.mark.parametrize("depth", [500, 5_000, 100_000])
@pytest.mark.parametrize("opener", [b"[", b"{"])
def test_nested_json_is_never_a_server_error(
    vendor: str, depth: int, opener: bytes, tracker: Tracker
) -> None:
    receiver = Receiver(INSTALLED, tracker, vendors=[vendor], credentials=CREDENTIALS)
    try:
        with TestClient(create_app(receiver)) as client:
            response = client.post(
                f"/webhooks/{vendor}",
                content=_nested(depth, opener),
                headers={"content-type": "application/json"},
            )
    finally:
        receiver.close()
    # Whatever a plugin makes of it (most refuse it), it is the sender's fault.
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.json()["error"] in ("payload", "authentication")


def test_nested_json_inside_a_valid_field_is_stored_or_refused_not_crashed(tracker: Tracker) -> None:
    registry = smsstatus.Registry(vendors={"acme": PushVendor("acme")})
    receiver = Receiver(registry, tracker, credentials={"acme": {"pswd": "pa55-word-secret"}})
    deep = json.loads(_nested(400))  # readable by json, deep enough to hurt recursive code
    body = json.dumps({"id": "m1", "status": "sent", "pswd": "pa55-word-secret", "x": deep}).encode()
    (answer,) = receiver.handle_many([("acme", _request("acme", body))])
    assert answer.status_code in (200, 400)


@pytest.mark.parametrize("depth", [500, 5_000, 100_000])
def test_redactor_survives_nested_json(depth: int) -> None:
    redactor = Redactor(["pswd"], ["pa55-word-secret"])
    body = b'{"pswd":"pa55-word-secret","x":' + _nested(depth) + b"}"
    cleaned = redactor.body(body, "application/json")
    assert b"pa55-word-secret" not in cleaned
    assert redactor.raw(json.loads(_nested(min(depth, 900)))) is not None


def _d7_push(index: int) -> bytes:
    return json.dumps(
        {
            "request_id": f"r-{index}",
            "msg_id": f"m-{index}",
            "recipient": "+971501234567",
            "originator": "Shop",
            "status": "delivered",
        }
    ).encode()


@pytest.mark.skipif("d7" not in INSTALLED.vendors, reason="the D7 plugin is not installed")
def test_nested_pushes_in_a_group_commit_never_fail_valid_ones(tracker: Tracker) -> None:
    """The attack of the issue: 40 nested pushes mixed with 400 valid D7
    pushes, all in one group commit; every valid push is stored and answered."""
    receiver = Receiver(INSTALLED, tracker, vendors=["d7", "innopaas"], credentials=CREDENTIALS)
    try:
        pushes: list[tuple[str, PushRequest]] = []
        for index in range(400):
            pushes.append(("d7", _request("d7", _d7_push(index))))
            if index % 10 == 0:
                vendor = "innopaas" if index % 20 else "d7"
                pushes.append((vendor, _request(vendor, _nested(500 if index % 40 else 100_000))))
        answers = receiver.handle_many(pushes)
    finally:
        receiver.close()
    by_kind = [(vendor, p.body.startswith(b"[[")) for vendor, p in pushes]
    valid = [a for a, (_, nested) in zip(answers, by_kind, strict=True) if not nested]
    bad = [a for a, (_, nested) in zip(answers, by_kind, strict=True) if nested]
    assert len(valid) == 400 and len(bad) == 40
    assert {a.status_code for a in valid} == {200}
    assert {a.status_code for a in bad} == {400}
    assert tracker.counts()["messages"] == 400


class _Unstorable(PushVendor):
    """Parses fine but returns, for ``id == "poison"``, a report the store
    cannot serialise: a stand-in for any fault that shows only at commit."""

    @smsstatus.hookimpl
    def parse_push(
        self, vendor: str, request: PushRequest, credentials: smsstatus.Credentials
    ) -> smsstatus.PushResult:
        result = super().parse_push(vendor, request, credentials)
        if b'"poison"' in request.body:
            object.__setattr__(result.reports[0], "raw", {"x": object()})  # not JSON
        return result


def test_a_push_that_fails_at_commit_fails_alone(tracker: Tracker) -> None:
    registry = smsstatus.Registry(vendors={"acme": _Unstorable("acme")})
    receiver = Receiver(registry, tracker)
    try:
        pushes = [("acme", _request("acme", push_body(f"m{i}", "sent"))) for i in range(20)]
        pushes.insert(7, ("acme", _request("acme", push_body("poison", "sent"))))
        answers = receiver.handle_many(pushes)
    finally:
        receiver.close()
    codes = [a.status_code for a in answers]
    assert codes[7] == 500 and codes[:7] + codes[8:] == [200] * 20
    assert tracker.counts()["messages"] == 20
