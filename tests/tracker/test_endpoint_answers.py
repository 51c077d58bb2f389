"""What the webhook endpoint sends: each answer's ASGI header list is a new list every time (a
server may change the list it is handed; shared answers must not change with it), and a
Content-Length that is not plain ASCII digits is not read as a number."""

from __future__ import annotations

import asyncio
from typing import Any

import smsstatus
from smsstatus.server.app import Handled, Receiver, create_app
from smsstatus.tracker import Tracker

from .helpers import PushVendor, push_body, push_scope


def _call(app: Any, body: bytes, scope: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "http.response.start":
            message["headers"].append((b"x-added-by-the-server", b"1"))

    asyncio.run(app(scope or push_scope(), receive, send))
    return sent


def test_an_answer_s_head_is_encoded_from_its_fields() -> None:
    answer = Handled(status_code=200, body=b'{"ok":true}', content_type="application/json")
    assert answer.head == ((b"content-length", b"11"), (b"content-type", b"application/json"))
    assert Handled(status_code=204).head == ((b"content-length", b"0"),)


def test_a_server_changing_the_header_list_changes_no_later_answer(tracker: Tracker) -> None:
    receiver = Receiver(smsstatus.Registry(vendors={"acme": PushVendor("acme")}), tracker)
    app = create_app(receiver)
    try:
        answers = [_call(app, push_body(f"m{n}", "sent")) for n in range(3)]
    finally:
        receiver.close()
    for sent in answers:
        start = sent[0]
        assert start["status"] == 200
        names = [name for name, _ in start["headers"]]
        assert names.count(b"x-added-by-the-server") == 1  # added once, by this request's server
        assert names.count(b"content-length") == 1
    assert tracker.counts()["messages"] == 3


def test_a_content_length_of_other_digits_is_not_a_number(tracker: Tracker) -> None:
    # "²" is a digit to str.isdigit() but not to int(): read as bytes, it is no declared length.
    receiver = Receiver(smsstatus.Registry(vendors={"acme": PushVendor("acme")}), tracker)
    scope = push_scope()
    scope["headers"] = [(b"content-length", b"\xb2"), *scope["headers"]]
    try:
        sent = _call(create_app(receiver), push_body("m1", "sent"), scope)
    finally:
        receiver.close()
    assert sent[0]["status"] == 200
    assert tracker.counts()["messages"] == 1
