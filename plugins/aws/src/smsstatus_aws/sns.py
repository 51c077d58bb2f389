"""Amazon SNS HTTP/S delivery: the envelope, its signature, the handshake.

SNS POSTs a JSON envelope (``Content-Type: text/plain; charset=UTF-8``,
header ``x-amz-sns-message-type``) whose ``Type`` is ``Notification``,
``SubscriptionConfirmation`` or ``UnsubscribeConfirmation`` (SNS developer
guide, "HTTP/S notification JSON format"). A notification carries the
delivery event as a JSON **string** in ``Message``.

Verification ("Verifying the signatures of Amazon SNS messages"):

* ``SigningCertURL`` must be an HTTPS URL on an SNS host
  (``sns.<region>.amazonaws.com``, or ``.amazonaws.com.cn``) ending in
  ``.pem``; nothing else is ever fetched. The certificate is downloaded with
  the host's HTTP client and cached per client, so each is fetched once;
* the string to sign is ``name\\nvalue\\n`` for Message, MessageId, Subject
  (if present), Timestamp, TopicArn and Type (notifications), or Message,
  MessageId, SubscribeURL, Timestamp, Token, TopicArn and Type
  (confirmations);
* ``Signature`` is base64 RSA PKCS#1 v1.5 over it with SHA-1
  (``SignatureVersion`` 1) or SHA-256 (2).

The expected topics (credential ``topic_arn``) bind the messages to the
operator's own topics: any AWS account can sign a message for its own topic.
A ``SubscriptionConfirmation`` is confirmed (a GET of ``SubscribeURL``, again
only on an SNS host) only for a configured topic.
"""

from __future__ import annotations

import base64
import binascii
import re
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from smsstatus.plugin import AuthenticationError, PayloadError, VendorError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
    from cryptography.hazmat.primitives.hashes import HashAlgorithm
    from smsstatus.plugin import HttpClient

__all__ = [
    "CONFIRMATION_KEYS",
    "NOTIFICATION_KEYS",
    "TOPIC_CREDENTIAL",
    "allowed_sns_url",
    "check_topic",
    "confirm",
    "string_to_sign",
    "verified_from_cache",
    "verify",
]

TOPIC_CREDENTIAL = "topic_arn"
NOTIFICATION_KEYS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_KEYS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
#: A certificate larger than this is not SNS's.
MAX_CERTIFICATE_BYTES = 16 * 1024
#: Certificates kept per client (SNS rotates rarely; regions each have one).
MAX_CACHED = 32

_SNS_HOST = re.compile(r"sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?")
_CACHE: weakref.WeakKeyDictionary[Any, dict[str, RSAPublicKey]] = weakref.WeakKeyDictionary()


def allowed_sns_url(url: object) -> bool:
    """Whether ``url`` is HTTPS on an SNS host, with no user, port or fragment tricks."""
    if not isinstance(url, str) or len(url) > 2048:
        return False
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return False
    return (
        parts.scheme == "https"
        and parts.username is None
        and port in (None, 443)
        and not parts.fragment
        and _SNS_HOST.fullmatch(parts.hostname or "") is not None
    )


def _fail(vendor: str, reason: str, credential: str = "sns_signature") -> AuthenticationError:
    return AuthenticationError(vendor, credential, reason)


def string_to_sign(envelope: Mapping[str, Any]) -> str:
    keys = NOTIFICATION_KEYS if envelope.get("Type") == "Notification" else CONFIRMATION_KEYS
    return "".join(f"{k}\n{envelope[k]}\n" for k in keys if isinstance(envelope.get(k), str))


def check_topic(vendor: str, envelope: Mapping[str, Any], expected: str | None) -> None:
    """Refuse a topic other than the configured ones (comma-separated)."""
    if expected is None:
        return
    allowed = {t.strip() for t in expected.split(",") if t.strip()}
    topic = envelope.get("TopicArn")
    if not isinstance(topic, str) or topic not in allowed:
        raise _fail(vendor, "the message's TopicArn is not a configured topic_arn", TOPIC_CREDENTIAL)


def _certificate(vendor: str, url: str, client: HttpClient) -> RSAPublicKey:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

    cache = _CACHE.setdefault(client, {})
    key = cache.get(url)
    if key is not None:
        return key
    response = client.request("GET", url)
    if response.status_code != 200:
        # SNS's own host does not have it: not a certificate SNS signed with.
        raise _fail(vendor, f"the signing certificate could not be fetched (HTTP {response.status_code})")
    if len(response.content) > MAX_CERTIFICATE_BYTES:
        raise _fail(vendor, "the signing certificate is too large")
    try:
        certificate = x509.load_pem_x509_certificate(response.content)
    except ValueError:
        raise _fail(vendor, "the signing certificate is not a PEM certificate") from None
    public = certificate.public_key()
    if not isinstance(public, RSAPublicKey):
        raise _fail(vendor, "the signing certificate's key is not RSA")
    if len(cache) >= MAX_CACHED:
        cache.clear()
    cache[url] = public
    return public


def _signature_of(vendor: str, envelope: Mapping[str, Any]) -> tuple[HashAlgorithm, str, bytes]:
    """The envelope's hash algorithm, certificate URL and signature, each checked."""
    version = envelope.get("SignatureVersion")
    if version not in ("1", "2"):
        raise _fail(vendor, "SignatureVersion is not 1 or 2")
    url = envelope.get("SigningCertURL")
    if not allowed_sns_url(url) or not str(url).endswith(".pem"):
        raise _fail(vendor, "SigningCertURL is not an HTTPS .pem URL on an SNS host")
    signature = envelope.get("Signature")
    try:
        raw = base64.b64decode(signature if isinstance(signature, str) else "", validate=True)
    except (binascii.Error, ValueError):
        raise _fail(vendor, "the Signature is not base64") from None
    if not raw:
        raise _fail(vendor, "the Signature is missing")
    return _algorithm(version), str(url), raw


def _algorithm(version: str) -> HashAlgorithm:
    """SignatureVersion 1 signs with SHA-1, 2 with SHA-256."""
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA1() if version == "1" else hashes.SHA256()  # noqa: S303 -- SNS signs version 1 with SHA-1


def _signed_by(key: RSAPublicKey, envelope: Mapping[str, Any], algorithm: HashAlgorithm, raw: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import padding

    try:
        key.verify(raw, string_to_sign(envelope).encode("utf-8"), padding.PKCS1v15(), algorithm)
    except InvalidSignature:
        return False
    return True


def verify(vendor: str, envelope: Mapping[str, Any], client: HttpClient) -> None:
    """Check an envelope's signature (any Type)."""
    algorithm, url, raw = _signature_of(vendor, envelope)
    key = _certificate(vendor, url, client)
    if not _signed_by(key, envelope, algorithm, raw):
        raise _fail(vendor, "the Signature does not match the message")


def verified_from_cache(
    vendor: str, envelope: Mapping[str, Any], topics: str | None, client: HttpClient | None
) -> bool:
    """Whether :func:`check_topic` and :func:`verify` both pass without
    fetching anything: ``False`` when either would refuse the envelope, and
    when this client has not fetched its certificate yet (the lean path's
    check; the detailed path then fetches, or explains the refusal)."""
    cached = None if client is None else _CACHE.get(client)
    url = envelope.get("SigningCertURL")
    # Only a URL that passed verify's checks is ever cached, so a cached one needs no second look.
    key = cached.get(url) if cached is not None and url.__class__ is str else None
    if key is None:
        return False
    version = envelope.get("SignatureVersion")
    signature = envelope.get("Signature")
    if version not in ("1", "2") or signature.__class__ is not str:
        return False
    try:
        check_topic(vendor, envelope, topics)
        raw = base64.b64decode(signature, validate=True)
    except (AuthenticationError, binascii.Error, ValueError):
        return False
    return bool(raw) and _signed_by(key, envelope, _algorithm(version), raw)


def confirm(vendor: str, envelope: Mapping[str, Any], client: HttpClient) -> None:
    """Answer a ``SubscriptionConfirmation``: GET its ``SubscribeURL``."""
    url = envelope.get("SubscribeURL")
    if not allowed_sns_url(url):
        raise PayloadError(vendor, "$.SubscribeURL", "not an HTTPS URL on an SNS host")
    # Sent as SNS wrote it (its Token and Action in the query).
    response = client.request("GET", str(url))
    if response.status_code != 200:
        raise VendorError(
            vendor, "SNS refused the subscription confirmation", http_status=response.status_code
        )
