"""Telnyx's webhook signature: Ed25519 over ``timestamp|body``.

Every webhook carries ``telnyx-signature-ed25519`` (base64 of a 64-byte
Ed25519 signature) and ``telnyx-timestamp`` (Unix seconds, when the webhook
was sent). The signed message is the timestamp, ``|``, and the raw body bytes;
the key is the account's Ed25519 public key from Mission Control (base64, 32
bytes). Telnyx's SDK refuses a timestamp more than 300 s from now
(team-telnyx/telnyx-python ``src/telnyx/lib/webhook_verification.py``); the
plugin measures the same window from the request's receive time, so a request
replayed later (from a dead-letter table, in a test) is judged by when it
arrived.

The verification uses `cryptography` (PyCA): a maintained, typed library
with wheels for every platform, whose Ed25519 comes from OpenSSL. It is
imported on the first verification only.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta

from smsstatus.plugin import AuthenticationError, CredentialsError, PushRequest

__all__ = ["SIGNATURE_HEADER", "TIMESTAMP_HEADER", "TOLERANCE", "public_key_bytes", "verify"]

SIGNATURE_HEADER = "telnyx-signature-ed25519"
TIMESTAMP_HEADER = "telnyx-timestamp"
TOLERANCE = timedelta(seconds=300)
CREDENTIAL = "public_key"

#: DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the 32-byte key follows it.
_SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")


def public_key_bytes(vendor: str, value: str) -> bytes:
    """The raw 32-byte key from its base64 form (raw, or DER SubjectPublicKeyInfo)."""
    try:
        data = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise CredentialsError(vendor, CREDENTIAL, "is not base64") from None
    if len(data) == 44 and data.startswith(_SPKI_PREFIX):
        data = data[len(_SPKI_PREFIX) :]
    if len(data) != 32:
        raise CredentialsError(vendor, CREDENTIAL, "must be an Ed25519 public key (32 bytes, base64)")
    return data


def _fail(vendor: str, reason: str) -> AuthenticationError:
    return AuthenticationError(vendor, CREDENTIAL, reason)


def sent_at(request: PushRequest) -> datetime | None:
    """When Telnyx sent the webhook, from ``telnyx-timestamp`` (``None`` when absent or not a number)."""
    value = request.headers.get(TIMESTAMP_HEADER, "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 12:
        return None
    return datetime.fromtimestamp(int(value), UTC)


def verify(vendor: str, request: PushRequest, public_key: str) -> None:
    """Check the Ed25519 signature and the timestamp window; raises
    :class:`~smsstatus.plugin.AuthenticationError` on any problem."""
    key = public_key_bytes(vendor, public_key)
    timestamp = request.headers.get(TIMESTAMP_HEADER)
    given = request.headers.get(SIGNATURE_HEADER)
    if not timestamp or not given:
        raise _fail(vendor, f"{SIGNATURE_HEADER} or {TIMESTAMP_HEADER} is missing")
    when = sent_at(request)
    if when is None:
        raise _fail(vendor, f"{TIMESTAMP_HEADER} is not Unix seconds")
    if abs(request.received_at - when) > TOLERANCE:
        raise _fail(vendor, f"{TIMESTAMP_HEADER} is more than 300 s from the receive time")
    try:
        signature = base64.b64decode(given.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise _fail(vendor, f"{SIGNATURE_HEADER} is not base64") from None
    if len(signature) != 64:
        raise _fail(vendor, f"{SIGNATURE_HEADER} is not a 64-byte Ed25519 signature")
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(key).verify(
            signature, timestamp.strip().encode() + b"|" + request.body
        )
    except InvalidSignature:
        raise _fail(vendor, f"{SIGNATURE_HEADER} does not match the request") from None
