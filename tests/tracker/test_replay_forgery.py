"""Issue 10 point 1: replay never forges a report. A dead letter records
whether its push authenticated, replay rebuilds the push from a copy that
keeps it as received (minus the configured secrets) and checks push
authentication again; the redacted text that is shown is never replayed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import smsstatus
from smsstatus import Credentials, PushRequest
from smsstatus.server.app import Receiver
from smsstatus.server.replay import replay_dead_letters
from smsstatus.server.replay_copy import make_replay_copy, restore
from smsstatus.tracker import NotTrackedError, Tracker

from .helpers import PushVendor, push_body

INSTALLED = smsstatus.load()
SECRET = "pa55-word-secret"
INNOPAAS = {"receiver": "acme", "pswd": SECRET}


def _request(vendor: str, body: bytes, url: str | None = None) -> PushRequest:
    return PushRequest(
        method="POST",
        url=url or f"https://hooks.example.com/webhooks/{vendor}",
        headers=[("content-type", "application/json")],
        body=body,
        received_at=datetime(2025, 6, 10, 9, 0, tzinfo=UTC),
    )


def _innopaas_push(pswd: str) -> bytes:
    # The documented push (docs "data push"), with "pswd" as given: the
    # attack writes a bare, unquoted value, which makes the body invalid JSON.
    return (
        '{"batchSeq":"I8393346_2506101652_35","receiver":"acme","pswd":' + pswd + ","
        '"notifyTime":"1749545540975","mobile":"8618888888888","msgid":"627239445736452096",'
        '"requestTime":"1749545538198","uid":"I8393346_2506101652_35","status":"DELIVRD",'
        '"reportTime":"1749545540967","smsNum":"1"}'
    ).encode()


@pytest.mark.skipif("innopaas" not in INSTALLED.vendors, reason="the InnoPaaS plugin is not installed")
def test_the_issue_attack_is_not_replayed_into_a_report(tracker: Tracker) -> None:
    """Broken JSON carrying "pswd":x, InnoPaaS credentials configured: 400 and
    a dead letter; redaction makes the *shown* body valid JSON, but neither a
    plain replay nor --include-unauthenticated stores a report from it."""
    receiver = Receiver(INSTALLED, tracker, vendors=["innopaas"], credentials={"innopaas": INNOPAAS})
    try:
        (answer,) = receiver.handle_many([("innopaas", _request("innopaas", _innopaas_push("x")))])
    finally:
        receiver.close()
    assert answer.status_code == 400
    creds = {"innopaas": Credentials("innopaas", INNOPAAS)}
    for include_unauthenticated in (False, True):
        outcomes = replay_dead_letters(
            INSTALLED, tracker, creds, include_unauthenticated=include_unauthenticated
        )
        assert [o.state for o in outcomes] in (["failed"], ["skipped"])
        with pytest.raises(NotTrackedError):
            tracker.message("innopaas", "627239445736452096")
    (letter,) = tracker.dead_letters()
    assert letter.authentication == "unverified"
    assert letter.replay_copy is not None and SECRET.encode() not in letter.replay_copy
    assert json.loads(letter.body)["pswd"] == "***"  # what is shown, redacted


@pytest.mark.skipif("innopaas" not in INSTALLED.vendors, reason="the InnoPaaS plugin is not installed")
def test_an_authenticated_push_is_replayed_with_its_credentials_checked_again(tracker: Tracker) -> None:
    """A push carrying the right password that failed for another reason is
    replayed from its copy (the password filled back in from the config)."""
    receiver = Receiver(INSTALLED, tracker, vendors=["innopaas"], credentials={"innopaas": INNOPAAS})
    body = _innopaas_push(json.dumps(SECRET)).replace(b'"status":"DELIVRD"', b'"status":7')
    try:
        (answer,) = receiver.handle_many([("innopaas", _request("innopaas", body))])
    finally:
        receiver.close()
    assert answer.status_code == 400
    (letter,) = tracker.dead_letters()
    assert SECRET.encode() not in (letter.replay_copy or b"") and SECRET.encode() not in letter.body
    # The copy rebuilds the push byte for byte from the configuration.
    assert restore(letter.replay_copy or b"", INNOPAAS)[3] == body


def test_replay_policy_with_a_fixed_plugin(tracker: Tracker) -> None:
    """With push credentials configured, replay re-checks them: the push that
    carried a wrong password while the plugin was broken is not stored."""
    vendor = PushVendor("acme")
    registry = smsstatus.Registry(vendors={"acme": vendor})
    receiver = Receiver(registry, tracker, credentials={"acme": {"pswd": SECRET}})
    vendor.broken = True
    try:
        answers = receiver.handle_many(
            [
                ("acme", _request("acme", push_body("m1", "ok", pswd=SECRET))),
                ("acme", _request("acme", push_body("m2", "ok", pswd="bad-guess"))),
            ]
        )
    finally:
        receiver.close()
    assert [a.status_code for a in answers] == [400, 400]
    assert [d.authentication for d in tracker.dead_letters()] == ["unverified", "unverified"]
    vendor.broken = False
    creds = {"acme": Credentials("acme", {"pswd": SECRET})}
    outcomes = replay_dead_letters(registry, tracker, creds)
    assert [(o.state, o.applied) for o in outcomes] == [("replayed", 1), ("failed", 0)]
    assert tracker.message("acme", "m1")[0].status is smsstatus.Status.DELIVERED
    with pytest.raises(NotTrackedError):
        tracker.message("acme", "m2")


def test_without_push_credentials_replay_needs_the_override(tracker: Tracker) -> None:
    vendor = PushVendor("acme")
    registry = smsstatus.Registry(vendors={"acme": vendor})
    receiver = Receiver(registry, tracker)  # no push credential: nothing authenticates a push
    vendor.broken = True
    try:
        (answer,) = receiver.handle_many([("acme", _request("acme", push_body("m1", "ok")))])
    finally:
        receiver.close()
    assert answer.status_code == 400
    assert tracker.dead_letters()[0].authentication == "none"
    vendor.broken = False
    (outcome,) = replay_dead_letters(registry, tracker, {})
    assert outcome.state == "skipped" and "--include-unauthenticated" in (outcome.error or "")
    (outcome,) = replay_dead_letters(registry, tracker, {}, include_unauthenticated=True)
    assert outcome.state == "replayed"


def test_failed_authentication_is_recorded_and_not_replayed_by_default(tracker: Tracker) -> None:
    registry = smsstatus.Registry(vendors={"acme": PushVendor("acme")})
    receiver = Receiver(registry, tracker, credentials={"acme": {"pswd": SECRET}})
    try:
        (answer,) = receiver.handle_many([("acme", _request("acme", push_body("m1", "ok", pswd="guess")))])
    finally:
        receiver.close()
    assert answer.status_code == 401
    assert tracker.dead_letters()[0].authentication == "failed"
    creds = {"acme": Credentials("acme", {"pswd": SECRET})}
    assert replay_dead_letters(registry, tracker, creds)[0].state == "skipped"
    # Tried again on request: authentication is still checked, and still fails.
    assert replay_dead_letters(registry, tracker, creds, include_unauthenticated=True)[0].state == "failed"
    with pytest.raises(NotTrackedError):
        tracker.message("acme", "m1")


def test_a_batch_with_bad_items_records_a_passed_authentication(tracker: Tracker) -> None:
    registry = smsstatus.Registry(vendors={"acme": PushVendor("acme")})
    receiver = Receiver(registry, tracker, credentials={"acme": {"pswd": SECRET}})
    body = json.dumps({"pswd": SECRET, "items": [{"id": "a", "status": "ok"}, {"id": "b", "status": 7}]})
    try:
        (answer,) = receiver.handle_many([("acme", _request("acme", body.encode()))])
    finally:
        receiver.close()
    assert answer.status_code == 200
    (letter,) = tracker.dead_letters()
    assert letter.kind == "items" and letter.authentication == "passed"


def test_a_sender_cannot_write_a_hole_into_the_copy() -> None:
    """The copy is structured JSON: text that looks like a hole stays text."""
    lookalike = b'{"pswd": {"secret": "pswd", "encoding": "raw"}, "id": "m1", "status": "ok"}'
    copy = make_replay_copy(
        method="POST", url="https://h/x", headers=[("a", "b")], body=lookalike, secrets={"pswd": SECRET}
    )
    assert copy is not None
    assert restore(copy, {"pswd": SECRET})[3] == lookalike


def test_a_secret_in_an_encoding_that_cannot_be_cut_keeps_no_copy() -> None:
    import base64

    basic = "Basic " + base64.b64encode(f"user:{SECRET}".encode()).decode()
    header_only = make_replay_copy(
        method="POST",
        url="https://h/x",
        headers=[("authorization", "Basic " + base64.b64encode(SECRET.encode()).decode())],
        body=b"{}",
        secrets={"pswd": SECRET},
    )
    assert header_only is None
    basic_pair = make_replay_copy(
        method="POST",
        url="https://h/x",
        headers=[("authorization", basic)],
        body=b"{}",
        secrets={"pswd": SECRET},
    )
    assert basic_pair is None
    copy = make_replay_copy(
        method="POST",
        url=f"https://h/x?token={SECRET}",
        headers=[],
        body=SECRET.encode(),
        secrets={"pswd": SECRET},
    )
    assert copy is not None and SECRET.encode() not in copy
    assert restore(copy, {"pswd": SECRET})[1:4:2] == (f"https://h/x?token={SECRET}", SECRET.encode())
