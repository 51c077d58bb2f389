"""Issue 10 point 4: an authentication failure reveals nothing derived from the
secret. An expected signature or digest in an error is a signing oracle: send
a push with any signature, read the right one from the 401, replay it.

Two layers are tested. Each bundled vendor that authenticates pushes (Huawei's
HMAC-SHA256 signature, InnoPaaS's receiver/pswd, uSpeedo's webhook token) is
attacked in each way its check can fail, and the error must hold neither the
secret (any spelling) nor the expected value (computed here) nor any digest
the request did not carry. Then the host's own rule: whatever a plugin puts
in an AuthenticationError, a digest-like value the request did not carry is
removed before the error leaves the registry. (D7 and Contacta take no push
credentials: their API tokens are covered by the echo tests.)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote

import pytest
import smsstatus
from smsstatus import AuthenticationError, Capability, CredentialSpec, PushRequest, VendorInfo, hookimpl

REGISTRY = smsstatus.load()
NOW = datetime.now(UTC).replace(microsecond=0)

_RUN = re.compile(r"[A-Za-z0-9+/_=]{8,}")


def request_text(request: PushRequest) -> str:
    headers = "\n".join(f"{k}: {v}" for k, v in request.headers.items())
    body = request.body.decode("utf-8", "replace")
    return "\n".join((request.url, unquote(request.url), headers, body, unquote(body)))


def digests_of(secret: str, request: PushRequest) -> list[str]:
    """What a careless plugin might print: digests of the secret, and MACs of
    the request made with it, in hex and base64."""
    raw = secret.encode()
    values = [hashlib.new(name, raw).digest() for name in ("md5", "sha1", "sha256")]
    values += [hmac.new(raw, request.body, name).digest() for name in ("sha1", "sha256")]
    return [v.hex() for v in values] + [base64.b64encode(v).decode() for v in values]


def assert_no_oracle(error: AuthenticationError, request: PushRequest, secret: str, *expected: str) -> None:
    text = f"{error} {error!r} {error.args!r} {vars(error)!r}"
    for value in (secret, quote(secret, safe=""), *expected, *digests_of(secret, request)):
        assert value not in text, f"{value!r} in {text!r}"
    carried = request_text(request)
    unexplained = [
        run
        for run in _RUN.findall(text)
        if any(c.isdigit() for c in run) and any(c.isalpha() for c in run) and run.rstrip("=") not in carried
    ]
    # The names of the vendor and of the credential are words, not digests.
    assert set(unexplained) <= {error.vendor, error.credential}, unexplained


# -- Huawei: SDK-HMAC-SHA256 ---------------------------------------------------------

HUAWEI_SECRET = "huawei-Push-SK-0123456789"
HUAWEI_URL = "https://hooks.example.com/webhooks/huawei?x=1"
HUAWEI_BODY = b"smsMsgId=m_1&total=1&sequence=1&status=DELIVRD&updateTime=2025-06-10T08%3A52%3A20Z"


def huawei_expected(body: bytes, sdk_date: str) -> str:
    """The signature Huawei's signer would compute (its public signer.py)."""
    canonical = "\n".join(
        (
            "POST",
            "/webhooks/huawei/",
            "x=1",
            f"host:hooks.example.com\nx-sdk-date:{sdk_date}\n",
            "host;x-sdk-date",
            hashlib.sha256(body).hexdigest(),
        )
    )
    to_sign = f"SDK-HMAC-SHA256\n{sdk_date}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    return hmac.new(HUAWEI_SECRET.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


def huawei_push(
    *, signature: str | None = None, access: str = "test-ak", when: datetime = NOW, body: bytes = HUAWEI_BODY
) -> tuple[PushRequest, str]:
    sdk_date = when.strftime("%Y%m%dT%H%M%SZ")
    expected = huawei_expected(body, sdk_date)
    authorization = (
        f"SDK-HMAC-SHA256 Access={access}, SignedHeaders=host;x-sdk-date, Signature={signature or expected}"
    )
    request = PushRequest.build(
        method="POST",
        url=HUAWEI_URL,
        headers=[("Host", "hooks.example.com"), ("X-Sdk-Date", sdk_date), ("Authorization", authorization)],
        content_type="application/x-www-form-urlencoded",
        body=body,
        received_at=NOW,
    )
    return request, expected


HUAWEI_ATTACKS = {
    "wrong signature": lambda: huawei_push(signature="0" * 64),
    # The original body's valid signature on a changed body: what the check expects is the new body's.
    "tampered body": lambda: huawei_push(
        body=HUAWEI_BODY.replace(b"DELIVRD", b"UNDELIV"), signature=huawei_push()[1]
    ),
    "unknown access key": lambda: huawei_push(access="other-ak"),
    "stale date": lambda: huawei_push(when=NOW - timedelta(hours=2)),
}


def test_huawei_sanity_the_right_signature_passes() -> None:
    request, _ = huawei_push()
    creds = {"app_key": "test-ak", "app_secret": HUAWEI_SECRET}
    assert REGISTRY.parse_push("huawei", request, creds).reports


@pytest.mark.parametrize("attack", sorted(HUAWEI_ATTACKS))
def test_huawei_failures_reveal_no_signature(attack: str) -> None:
    request, expected = HUAWEI_ATTACKS[attack]()
    with pytest.raises(AuthenticationError) as info:
        REGISTRY.parse_push("huawei", request, {"app_key": "test-ak", "app_secret": HUAWEI_SECRET})
    assert_no_oracle(info.value, request, HUAWEI_SECRET, expected)


# -- InnoPaaS: receiver/pswd in the body -------------------------------------------------

INNOPAAS_CREDS = {"receiver": "acme-user", "pswd": "Inno-Pa55word-x9"}


@pytest.mark.parametrize(
    "given",
    [
        {"receiver": "acme-user", "pswd": "guess-Pa55word-x8"},
        {"receiver": "acme-user"},
        {"receiver": "other-user", "pswd": "Inno-Pa55word-x9"},
        {"receiver": "acme-user", "pswd": 12345678},
    ],
)
def test_innopaas_failures_reveal_no_password(given: dict[str, Any]) -> None:
    body = {"msgid": "627239445736452096", "mobile": "8613800000000", "status": "DELIVRD", **given}
    request = PushRequest.build(method="POST", body=json.dumps(body), content_type="application/json")
    with pytest.raises(AuthenticationError) as info:
        REGISTRY.parse_push("innopaas", request, INNOPAAS_CREDS)
    assert_no_oracle(info.value, request, INNOPAAS_CREDS["pswd"])


# -- uSpeedo: the webhook token in the callback URL ----------------------------------------


@pytest.mark.parametrize("query", ["token=wrong-T0ken-guess", "", "token="])
def test_uspeedo_failures_reveal_no_token(query: str) -> None:
    secret = "usp-Webhook-T0ken-77"
    request = PushRequest.build(
        method="POST",
        url="https://hooks.example.com/webhooks/uspeedo",
        query=query,
        body=json.dumps({"MsgType": 2, "Data": []}),
        content_type="application/json",
    )
    with pytest.raises(AuthenticationError) as info:
        REGISTRY.parse_push("uspeedo", request, {"webhook_token": secret})
    assert_no_oracle(info.value, request, secret)


def test_every_bundled_push_credential_is_attacked_here() -> None:
    """A new push credential on a bundled vendor must get its attack above."""
    covered = {
        "huawei": {"app_key", "app_secret"},
        "innopaas": {"receiver", "pswd"},
        "uspeedo": {"webhook_token"},
    }
    for vendor in ("contacta", "d7", "huawei", "innopaas", "uspeedo"):
        push = {c.name for c in REGISTRY.info(vendor).credentials if c.used_for == "push"}
        assert push - {"app_key_2", "app_secret_2"} <= covered.get(vendor, set()), vendor


# -- the host's rule, whatever the plugin -------------------------------------------------

SECRET = "leaky-plugin-secret-1"


class Leaky:
    """Signs the body with HMAC-SHA256 and, on a mismatch, says what it expected."""

    @hookimpl
    def vendor_info(self) -> VendorInfo:
        return VendorInfo(
            id="leaky",
            display_name="Leaky",
            capabilities=frozenset({Capability.PUSH}),
            statuses=(),
            credentials=(CredentialSpec("app_secret_2", "push", "signing key"),),
        )

    @hookimpl
    def parse_push(self, vendor: str, request: PushRequest, credentials: smsstatus.Credentials) -> Any:
        key = credentials.require("app_secret_2").encode()
        digest = hmac.new(key, request.body, hashlib.sha256).digest()
        given = request.headers.get("x-signature", "")
        raise AuthenticationError(
            vendor,
            "app_secret_2",
            f"signature {given} does not match, expected {digest.hex()} (base64 {base64.b64encode(digest).decode()},"
            f" truncated {digest.hex()[:8]})",
        )


def test_the_host_removes_digests_the_request_did_not_carry() -> None:
    registry = smsstatus.Registry(vendors={"leaky": Leaky()})
    given = "9f86d081884c7d659a2feaa0c55ad015"
    request = PushRequest.build(
        body=b'{"id": "m1"}', headers={"X-Signature": given}, content_type="application/json"
    )
    with pytest.raises(AuthenticationError) as info:
        registry.parse_push("leaky", request, {"app_secret_2": SECRET})
    error = info.value
    assert_no_oracle(error, request, SECRET)
    # What may stay: the received signature (the sender's own), the names, the words.
    assert given in error.reason and error.credential == "app_secret_2"
    assert str(error).startswith("leaky: authentication failed for 'app_secret_2': signature ")
    assert "does not match, expected ***" in error.reason
    # Counted, so the conformance kit's signature-oracle check still fails such a plugin.
    assert error.withheld == 3
