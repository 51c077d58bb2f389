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
