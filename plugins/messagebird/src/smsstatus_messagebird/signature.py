"""MessageBird's webhook signatures.

``MessageBird-Signature-JWT`` (current; messagebird/python-rest-api
``messagebird/request_validator.py``, MessageBird docs "Verifying requests"):
a JWT signed with the account's **signing key** (not the API access key),
HS256, HS384 or HS512, whose claims bind the request:

* ``iss`` = ``MessageBird``; ``nbf`` and ``exp`` (Unix seconds) bound when it
  may be received, with 1 second of leeway either way, as the SDK allows;
* ``url_hash``: hex SHA-256 of the full URL MessageBird called (scheme, host,
  port, path and the query exactly as sent);
* ``payload_hash``: hex SHA-256 of the raw body, present exactly when the body
  is not empty (a GET status report has none);
* ``jti``: a unique id, kept for a consumer's replay bookkeeping.

The times are checked against the request's receive time, never the clock
when the check runs, so a stored request verifies the same way on replay.

``MessageBird-Signature`` (deprecated; ``messagebird/signed_request.py``):
``base64(HMAC-SHA256(signing_key, timestamp + "\\n" + sorted urlencoded query
+ "\\n" + SHA-256(body)))``, the timestamp (Unix seconds) in
``MessageBird-Request-Timestamp``, accepted within 10 seconds of the receive
time (the SDK's ``isRecent``).

The JWT is checked here with the standard library: only HMAC algorithms are
allowed, so none of a general JWT library's key handling is needed, and a
library's time checks read the wall clock instead of the receive time. Every
comparison is constant-time, and an error says what failed, never an expected
value.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
from typing import Any
from urllib.parse import urlencode

from smsstatus.plugin import AuthenticationError, PushRequest, secret_equals

__all__ = [
    "CREDENTIAL",
    "JWT_HEADER",
    "LEGACY_HEADER",
    "LEGACY_TIMESTAMP_HEADER",
    "LEEWAY",
    "check_jwt",
    "check_legacy",
    "legacy_signature",
    "verify",
]

CREDENTIAL = "signing_key"
JWT_HEADER = "MessageBird-Signature-JWT"
LEGACY_HEADER = "MessageBird-Signature"
LEGACY_TIMESTAMP_HEADER = "MessageBird-Request-Timestamp"
ISSUER = "MessageBird"
#: Seconds of clock skew allowed on nbf and exp (the SDK's leeway).
LEEWAY = 1
#: How far a legacy signature's timestamp may be from the receive time.
LEGACY_WINDOW = 10
#: A token longer than this is not one MessageBird made.
MAX_TOKEN = 8192

_ALGORITHMS = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def _fail(vendor: str, reason: str) -> AuthenticationError:
    return AuthenticationError(vendor, CREDENTIAL, reason)


def verify(vendor: str, request: PushRequest, key: str) -> dict[str, Any] | None:
    """Check the request's signature: the JWT when sent, else the deprecated
    scheme. Returns the JWT's claims (``None`` for the deprecated scheme)."""
    token = request.headers.get(JWT_HEADER)
    if token is not None:
        return check_jwt(vendor, request, key, token)
    if request.headers.get(LEGACY_HEADER) is not None:
        check_legacy(vendor, request, key)
        return None
    raise _fail(vendor, f"the {JWT_HEADER} header is missing")


def _b64url(vendor: str, part: str, what: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise _fail(vendor, f"the token's {what} is not base64url") from None


def _json_object(vendor: str, raw: bytes, what: str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise _fail(vendor, f"the token's {what} is not JSON") from None
    if not isinstance(data, dict):
        raise _fail(vendor, f"the token's {what} is not a JSON object")
    return data


def _number(vendor: str, claims: dict[str, Any], name: str) -> float:
    value = claims.get(name)
    if value is None:
        raise _fail(vendor, f"the token has no {name} claim")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _fail(vendor, f"the token's {name} claim is not a number")
    return float(value)


def check_jwt(vendor: str, request: PushRequest, key: str, token: str) -> dict[str, Any]:
    """Verify ``MessageBird-Signature-JWT``; the claims when it holds."""
    token = token.strip()
    if not token or len(token) > MAX_TOKEN or token.count(".") != 2:
        raise _fail(vendor, f"the {JWT_HEADER} header is not a JWT")
    head_part, claims_part, signature_part = token.split(".")
    header = _json_object(vendor, _b64url(vendor, head_part, "header"), "header")
    algorithm = header.get("alg")
    digest = _ALGORITHMS.get(algorithm) if isinstance(algorithm, str) else None
    if digest is None:
        raise _fail(vendor, "the token's algorithm is not HS256, HS384 or HS512")
    signed = f"{head_part}.{claims_part}".encode("ascii", "replace")
    expected = hmac.new(key.encode("utf-8"), signed, digest).digest()
    if not secret_equals(expected, _b64url(vendor, signature_part, "signature")):
        raise _fail(vendor, "the token's signature does not match the signing key")
    claims = _json_object(vendor, _b64url(vendor, claims_part, "claims"), "claims")
    if claims.get("iss") != ISSUER:
        raise _fail(vendor, f"the token's issuer is not {ISSUER}")
    now = request.received_at.timestamp()
    if _number(vendor, claims, "nbf") > now + LEEWAY:
        raise _fail(vendor, "the token is not valid yet at the receive time (nbf)")
    if _number(vendor, claims, "exp") <= now - LEEWAY:
        raise _fail(vendor, "the token had expired at the receive time (exp)")
    url_hash = claims.get("url_hash")
    if not isinstance(url_hash, str):
        raise _fail(vendor, "the token has no url_hash claim")
    if not secret_equals(hashlib.sha256(request.url.encode("utf-8")).hexdigest(), url_hash.lower()):
        raise _fail(vendor, "the token's url_hash does not match the request URL")
    payload_hash = claims.get("payload_hash")
    if request.body:
        if not isinstance(payload_hash, str) or not payload_hash:
            raise _fail(vendor, "the request has a body but the token has no payload_hash")
        if not secret_equals(hashlib.sha256(request.body).hexdigest(), payload_hash.lower()):
            raise _fail(vendor, "the token's payload_hash does not match the body")
    elif payload_hash:
        raise _fail(vendor, "the token has a payload_hash but the request has no body")
    return claims


def legacy_signature(key: str, timestamp: str, query: list[tuple[str, str]], body: bytes) -> str:
    """The deprecated ``MessageBird-Signature`` for these request parts."""
    payload = b"\n".join(
        (
            timestamp.encode("utf-8"),
            urlencode(sorted(query)).encode("utf-8"),
            hashlib.sha256(body).digest(),
        )
    )
    return base64.b64encode(hmac.new(key.encode("utf-8"), payload, hashlib.sha256).digest()).decode("ascii")


def check_legacy(vendor: str, request: PushRequest, key: str) -> None:
    """Verify the deprecated ``MessageBird-Signature`` scheme."""
    given = (request.headers.get(LEGACY_HEADER) or "").strip()
    timestamp = (request.headers.get(LEGACY_TIMESTAMP_HEADER) or "").strip()
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise _fail(vendor, f"the {LEGACY_TIMESTAMP_HEADER} header is missing or not Unix seconds")
    if abs(request.received_at.timestamp() - int(timestamp)) > LEGACY_WINDOW:
        raise _fail(
            vendor, f"the {LEGACY_TIMESTAMP_HEADER} is more than {LEGACY_WINDOW} s from the receive time"
        )
    expected = legacy_signature(key, timestamp, request.query_params, request.body)
    if not secret_equals(expected, given):
        raise _fail(vendor, f"the {LEGACY_HEADER} header does not match the request")
