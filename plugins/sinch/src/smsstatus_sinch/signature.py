"""Authenticating Sinch's delivery-report callbacks.

Sinch documents two options an account manager can provision for SMS REST API
callbacks that a receiver can check ("Webhooks: Callbacks"; sinch-sdk-java
``WebHooksService``): **Basic authentication** (a username and password in the
callback) and, since 2025-02-13, **HMAC** configured per service plan (release
notes; the page does not spell the scheme out). The HMAC scheme is the one the
official SDKs validate (sinch/sinch-sdk-python
``sinch/domains/authentication/sinch_events/v1/authentication_validation.py``;
sinch/sinch-sdk-dotnet ``ISmsSinchEvents.ValidateAuthenticationHeader``)::

    x-sinch-webhook-signature = base64(HMAC(secret, raw body + "." + nonce + "." + timestamp))

with ``x-sinch-webhook-signature-nonce`` and ``-timestamp`` headers and the
algorithm named by ``x-sinch-webhook-signature-algorithm`` (``HmacSHA256``
when absent; the .NET SDK also accepts ``HmacSHA384`` and ``HmacSHA512``).
Neither SDK checks the timestamp's age, and Sinch retries a callback for up to
~23 hours, so the plugin does not either. mTLS, OAuth 2.0 and AWS SNS delivery
are not checked here (mTLS belongs to the TLS layer in front of the receiver).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from smsstatus.plugin import AuthenticationError, PushRequest, secret_equals

__all__ = ["ALGORITHMS", "sign", "verify_basic", "verify_hmac"]

SIGNATURE = "x-sinch-webhook-signature"
NONCE = "x-sinch-webhook-signature-nonce"
TIMESTAMP = "x-sinch-webhook-signature-timestamp"
ALGORITHM = "x-sinch-webhook-signature-algorithm"

#: The algorithm names the SDKs accept, and their digests.
ALGORITHMS = {"hmacsha256": hashlib.sha256, "hmacsha384": hashlib.sha384, "hmacsha512": hashlib.sha512}


def sign(secret: str, body: bytes, nonce: str, timestamp: str, algorithm: str = "HmacSHA256") -> str:
    digest = ALGORITHMS[algorithm.lower()]
    message = body + f".{nonce}.{timestamp}".encode()
    return base64.b64encode(hmac.new(secret.encode("utf-8"), message, digest).digest()).decode("ascii")


def verify_hmac(vendor: str, request: PushRequest, secret: str) -> None:
    headers = request.headers
    given, nonce, timestamp = headers.get(SIGNATURE), headers.get(NONCE), headers.get(TIMESTAMP)
    if not given or not nonce or not timestamp:
        raise AuthenticationError(
            vendor, "webhook_secret", f"{SIGNATURE}, its nonce or its timestamp is missing"
        )
    algorithm = (headers.get(ALGORITHM) or "HmacSHA256").strip()
    if algorithm.lower() not in ALGORITHMS:
        raise AuthenticationError(vendor, "webhook_secret", f"{ALGORITHM} names an unsupported algorithm")
    expected = sign(secret, request.body, nonce, timestamp, algorithm)
    if not secret_equals(expected, given.strip()):
        raise AuthenticationError(vendor, "webhook_secret", f"{SIGNATURE} does not match the request")


def verify_basic(vendor: str, request: PushRequest, username: str | None, password: str) -> None:
    """Check ``Authorization: Basic`` against the configured password (and
    username, when one is configured), in constant time."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "basic" or not token:
        raise AuthenticationError(vendor, "basic_password", "Basic Authorization header is missing")
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise AuthenticationError(
            vendor, "basic_password", "Authorization header is not valid Basic credentials"
        ) from None
    user, sep, given = decoded.partition(":")
    if not sep:
        raise AuthenticationError(
            vendor, "basic_password", "Authorization header is not valid Basic credentials"
        )
    user_ok = secret_equals(username, user) if username is not None else True
    password_ok = secret_equals(password, given)
    if not (user_ok and password_ok):
        raise AuthenticationError(vendor, "basic_password", "Basic credentials do not match")
