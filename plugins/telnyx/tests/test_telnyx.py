"""Tests of the telnyx plugin: every fixture case, the signature scheme as
Telnyx's SDK tests exercise it, and the tricky parts. Expected values come from
Telnyx's docs and SDK, never from the plugin's output."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
import smsstatus_telnyx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from smsstatus.plugin import AuthenticationError, Capability, CredentialsError, PushRequest, Status
from smsstatus.plugin.testing import Case, Registry, load, load_cases, run_case
from smsstatus_telnyx import signature

REGISTRY = Registry(vendors={"telnyx": smsstatus_telnyx})
CASES = load_cases(REGISTRY.info("telnyx"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture(case: Case) -> None:
    run_case(REGISTRY, case)


def test_fixture_coverage() -> None:
    assert {c.kind for c in CASES} == {"push", "fetch", "map"}
    mapped = {(c.data["status"], c.data.get("code")) for c in CASES if c.kind == "map"}
    documented = {(s.value, s.code) for s in REGISTRY.info("telnyx").statuses}
    assert documented <= mapped, documented - mapped


def test_entry_point_loads() -> None:
    registry = load(environ={"SMSSTATUS_VENDORS": "telnyx"})
    loaded = registry.vendors["telnyx"]
    assert loaded.distribution == "smsstatus-telnyx"
    assert loaded.hooks == {"vendor_info", "parse_push", "fetch", "map_status"}
    assert loaded.info.capabilities == {Capability.PUSH, Capability.FETCH}


# -- the fixture key is RFC 8032's published test key ----------------------------------


def test_fixture_key_is_rfc8032_test_1() -> None:
    """RFC 8032 section 7.1, TEST 1: this secret key has this public key, and
    signs the empty message as published; the fixtures' public_key is it."""
    secret = Ed25519PrivateKey.from_private_bytes(
        bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    )
    public = secret.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert public.hex() == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    assert secret.sign(b"").hex() == (
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    )
    configured = {c.data["credentials"]["public_key"] for c in CASES if c.id == "push-auth::signed"}
    assert configured == {base64.b64encode(public).decode()}


# -- the scheme as team-telnyx/telnyx-python tests/test_webhook.py exercises it ------------
# (commit 0f959d7a3353a1a2aa16ad1420d60d38522c958d): a generated key signs
# timestamp + b"|" + payload; the payload below is that test's DUMMY_WEBHOOK_PAYLOAD.

DUMMY = b"""{
    "record_type": "event",
    "id": "0ccc7b54-4df3-4bca-a65a-3da1ecc777f0",
    "event_type": "call_initiated",
    "created_at": "2018-02-02T22:25:27.521992Z"
}"""
KEY = Ed25519PrivateKey.generate()
PUBLIC = base64.b64encode(
    KEY.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
).decode()
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _request(
    body: bytes, ts: datetime, *, sign_body: bytes | None = None, sign_ts: str | None = None
) -> PushRequest:
    stamp = str(int(ts.timestamp()))
    signed = base64.b64encode(KEY.sign((sign_ts or stamp).encode() + b"|" + (sign_body or body))).decode()
    return PushRequest.build(
        body=body,
        content_type="application/json",
        headers=[("telnyx-timestamp", stamp), ("telnyx-signature-ed25519", signed)],
        received_at=NOW,
    )


def test_valid_header_and_signature() -> None:
    signature.verify("telnyx", _request(DUMMY, NOW), PUBLIC)


def test_window_is_measured_from_the_receive_time() -> None:
    signature.verify("telnyx", _request(DUMMY, NOW - timedelta(seconds=300)), PUBLIC)
    for offset in (-301, 301):
        with pytest.raises(AuthenticationError):
            signature.verify("telnyx", _request(DUMMY, NOW + timedelta(seconds=offset)), PUBLIC)


@pytest.mark.parametrize(
    "request_",
    [
        _request(DUMMY.replace(b"call_initiated", b"call_answered"), NOW, sign_body=DUMMY),  # body
        _request(DUMMY, NOW, sign_ts=str(int(NOW.timestamp()) - 1)),  # timestamp
    ],
    ids=["tampered-body", "tampered-timestamp"],
)
def test_tampering_is_refused_without_leaking(request_: PushRequest) -> None:
    with pytest.raises(AuthenticationError) as info:
        signature.verify("telnyx", request_, PUBLIC)
    assert info.value.credential == "public_key"
    assert request_.headers["telnyx-signature-ed25519"] not in str(info.value)


@pytest.mark.parametrize("value", ["", "not base64", base64.b64encode(b"x" * 31).decode()])
def test_a_bad_configured_key_is_a_credentials_error(value: str) -> None:
    with pytest.raises(CredentialsError):
        signature.verify("telnyx", _request(DUMMY, NOW), value)


def test_event_id_is_not_the_message_id() -> None:
    case = next(c for c in CASES if c.id == "push::doc-message-sent")
    body = case.data["request"]["body"]["json"]
    (report,) = REGISTRY.parse_push(
        "telnyx", PushRequest.build(body=__import__("json").dumps(body), content_type="application/json")
    ).reports
    assert report.message_id == body["data"]["payload"]["id"] != body["data"]["id"]
    assert report.extra["event_id"] == body["data"]["id"]


def test_delivery_unconfirmed_is_not_final() -> None:
    assert REGISTRY.map_status("telnyx", "delivery_unconfirmed").status is Status.UNKNOWN
    assert not REGISTRY.map_status("telnyx", "sent").final
