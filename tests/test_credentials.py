"""Secrets stay secret; webhook credentials are compared in constant time."""

from __future__ import annotations

import hmac

import pytest
from smsstatus import AuthenticationError, Credentials, CredentialsError, Secret, check_credential
from smsstatus.credentials import credentials_from_env, redact


def test_secret_never_shows_its_value() -> None:
    secret = Secret("hunter2")
    assert "hunter2" not in repr(secret) and "hunter2" not in str(secret)
    assert "hunter2" not in repr(Credentials("v", {"pswd": "hunter2"}))
    assert secret.reveal() == "hunter2"


def test_check_credential(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append(1)
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    check_credential("innopaas", "pswd", None, "anything")  # nothing configured: no check
    check_credential("innopaas", "pswd", "right", "right")
    with pytest.raises(AuthenticationError, match="does not match") as info:
        check_credential("innopaas", "pswd", "right", "wrong")
    assert "right" not in str(info.value) and "wrong" not in str(info.value)
    with pytest.raises(AuthenticationError, match="missing"):
        check_credential("innopaas", "pswd", "right", "")
    assert len(calls) == 2  # both comparisons went through hmac.compare_digest


def test_require_and_env() -> None:
    creds = Credentials("d7", credentials_from_env("d7", ("api_token",), {"SMSSTATUS_D7_API_TOKEN": "t0ken"}))
    assert creds.require("api_token") == "t0ken"
    with pytest.raises(CredentialsError, match="SMSSTATUS_D7_OTHER"):
        creds.require("other")
    assert redact("Bearer t0ken", creds.secret_values()) == "Bearer ***"


def test_public_identifiers_and_short_values_are_not_scrubbed() -> None:
    creds = Credentials(
        "uspeedo",
        {"account_id": "1", "access_key_id": "AKID-public", "secret": "s3cret-key"},
        public=frozenset({"access_key_id"}),
    )
    assert creds.secret_values() == ("s3cret-key",)  # "1" too short to scrub, the key id is public
    assert redact("uspeedo account 1 key AKID-public s3cret-key", creds.secret_values()) == (
        "uspeedo account 1 key AKID-public ***"
    )
    assert "AKID-public" not in repr(creds)  # still never shown by repr


def test_registry_knows_which_credentials_are_public(registry: object) -> None:
    import smsstatus

    assert isinstance(registry, smsstatus.Registry)
    creds = registry.credentials("acme", {"token": "t0ken-value", "api_key": "k3y-value"})
    assert set(creds.secret_values()) == {"t0ken-value", "k3y-value"}  # both declared secret
