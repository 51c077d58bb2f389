"""Vonage's signed Messages API webhooks: ``Authorization: Bearer <JWT>``.

Nexmo/station ``messages/concepts/signed-webhooks.md``: the JWT is HS256,
signed with the account's signature secret (SHA-256 whatever the dashboard's
signature method says), with the claims ``iat`` (Unix seconds), ``jti``,
``iss`` ("Vonage"), ``payload_hash`` (SHA-256 of the request body, hex),
``api_key`` and, optionally, ``application_id``.

Verification: PyJWT checks the token's structure and its HS256 signature (the
only algorithm accepted, so ``none`` and RS/HS confusion are refused); its own
clock checks are off because freshness is judged against the request's
**receive time**: ``iat`` may be at most :data:`MAX_AGE` old and
:data:`MAX_SKEW` ahead. Then ``payload_hash`` must equal the body's SHA-256
(constant time). PyJWT is used rather than hand-written JOSE parsing; it warns
about signature secrets shorter than 32 bytes, which are Vonage's to choose, so
that warning is silenced for the call.
"""

from __future__ import annotations

import hashlib
import warnings
from datetime import datetime, timedelta
from typing import Any

from smsstatus.plugin import AuthenticationError, from_epoch_seconds, secret_equals

__all__ = ["MAX_AGE", "MAX_SKEW", "bearer_token", "verify"]

#: How old ``iat`` may be at receive time. Vonage signs each attempt; five
#: minutes leaves room for slow deliveries and clock drift.
MAX_AGE = timedelta(minutes=5)
#: How far in the future ``iat`` may be (clock drift).
MAX_SKEW = timedelta(minutes=1)

_CREDENTIAL = "signature_secret"


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else ``None``."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _decode(vendor: str, token: str, secret: str) -> dict[str, Any]:
    import jwt

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", jwt.InsecureKeyLengthWarning)
            claims: dict[str, Any] = jwt.decode(
                token,
                secret,
                algorithms=["HS256"],
                options={
                    "verify_signature": True,
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "verify_aud": False,
                    "verify_iss": False,
                    "require": ["iat", "payload_hash"],
                },
            )
    except jwt.InvalidSignatureError:
        raise AuthenticationError(vendor, _CREDENTIAL, "the JWT signature does not match") from None
    except jwt.MissingRequiredClaimError as exc:
        raise AuthenticationError(vendor, _CREDENTIAL, f"the JWT has no {exc.claim} claim") from None
    except jwt.InvalidAlgorithmError:
        raise AuthenticationError(vendor, _CREDENTIAL, "the JWT is not HS256") from None
    except jwt.PyJWTError:
        raise AuthenticationError(vendor, _CREDENTIAL, "the bearer token is not a valid JWT") from None
    return claims


def verify(vendor: str, token: str, body: bytes, secret: str, received_at: datetime) -> dict[str, Any]:
    """Check a Messages API webhook's JWT; returns its claims.

    Raises :class:`AuthenticationError` (naming ``signature_secret``) for a bad
    signature, a stale or future ``iat``, or a body whose hash differs.
    """
    claims = _decode(vendor, token, secret)
    iat = claims["iat"]
    if isinstance(iat, float) and iat.is_integer():  # NumericDate may be written as 1587494962.0
        iat = int(iat)
    try:
        issued_at = from_epoch_seconds(iat)
    except ValueError:
        raise AuthenticationError(vendor, _CREDENTIAL, "the JWT's iat is not Unix seconds") from None
    if received_at - issued_at > MAX_AGE:
        raise AuthenticationError(
            vendor, _CREDENTIAL, "the JWT is stale (iat more than 5 minutes before receipt)"
        )
    if issued_at - received_at > MAX_SKEW:
        raise AuthenticationError(vendor, _CREDENTIAL, "the JWT's iat is in the future")
    declared = claims["payload_hash"]
    if not isinstance(declared, str) or not secret_equals(hashlib.sha256(body).hexdigest(), declared.lower()):
        raise AuthenticationError(vendor, _CREDENTIAL, "payload_hash does not match the body")
    return claims
