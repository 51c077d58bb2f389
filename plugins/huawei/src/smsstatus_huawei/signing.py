"""Huawei's optional AK/SK push authentication (API Gateway ``SDK-HMAC-SHA256``).

When push AK/SK authentication is enabled on the application, Huawei adds two
headers to every status-report push ("AK/SK-based Pushing Authentication",
``api-msgsms/sms_05_0064``)::

    X-Sdk-Date: 20250610T085220Z
    Authorization: SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=host;x-sdk-date, Signature=<hex>

The signature is the API Gateway signer's (its public ``signer.py``)::

    canonical request = METHOD \\n canonical URI \\n canonical query \\n
                        canonical headers \\n signed headers \\n hex(sha256(body))
    string to sign    = "SDK-HMAC-SHA256" \\n X-Sdk-Date \\n hex(sha256(canonical request))
    signature         = hex(HMAC-SHA256(SK, string to sign))

* canonical URI: the path percent-decoded, split on ``/``, each segment
  re-encoded (RFC 3986 unreserved characters kept), joined, ending in ``/``;
* canonical query: every ``key=value`` pair percent-decoded then re-encoded the
  same way, sorted by key and, for a repeated key, by value; a key without
  ``=`` counts as ``key=``;
* canonical headers: ``name:value`` per signed header (lower-case name, value
  trimmed), each followed by ``\\n`` -- hence the empty line before the signed
  header list.

Huawei documents a dual-AK/SK mode for key rotation: two AK/SK pairs may be
valid at once and ``Access`` says which one signed. Every comparison of a
configured value with a received one runs in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, unquote, urlsplit

from smsstatus.plugin import AuthenticationError, CredentialsError, PushRequest, secret_equals

__all__ = [
    "ALGORITHM",
    "MAX_SKEW",
    "KeyPair",
    "key_pairs",
    "canonical_uri",
    "canonical_query",
    "canonical_request",
    "string_to_sign",
    "sign",
    "verify",
]

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
#: How far X-Sdk-Date may be from our receive time (either way).
MAX_SKEW = timedelta(minutes=15)

_AUTHORIZATION = re.compile(
    r"SDK-HMAC-SHA256\s+Access=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9A-Za-z]+)\s*"
)
_DATE = re.compile(r"\d{8}T\d{6}Z")
_CONTENT_SHA256 = "x-sdk-content-sha256"

#: (app key or None, app secret): a configured AK/SK pair.
KeyPair = tuple[str | None, str]


def _encode(text: str) -> str:
    return quote(text, safe="~")


def canonical_uri(path: str) -> str:
    uri = "/".join(_encode(segment) for segment in unquote(path).split("/"))
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(query: str) -> str:
    pairs: list[tuple[str, str]] = []
    for item in query.split("&"):
        key, _, value = item.partition("=")
        if key:
            pairs.append((unquote(key), unquote(value)))
    # The signer sorts the decoded keys, and the decoded values of a repeated
    # key, before encoding them (encoding changes the order: ':' > '0' < '%3A').
    pairs.sort()
    return "&".join(f"{_encode(key)}={_encode(value)}" for key, value in pairs)


def canonical_request(
    method: str, url: str, headers: Sequence[tuple[str, str]], signed: Sequence[str], body_hash: str
) -> str:
    """The canonical request of ``method url`` with the given ``(name, value)``
    of each signed header (names lower case, in signed order)."""
    parts = urlsplit(url)
    header_lines = "".join(f"{name}:{value.strip()}\n" for name, value in headers)
    return "\n".join(
        (
            method.upper(),
            canonical_uri(parts.path or "/"),
            canonical_query(parts.query),
            header_lines,
            ";".join(signed),
            body_hash,
        )
    )


def string_to_sign(canonical: str, sdk_date: str) -> str:
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{sdk_date}\n{digest}"


def sign(secret: str, to_sign: str) -> str:
    return hmac.new(secret.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def key_pairs(vendor: str, values: dict[str, str | None]) -> list[KeyPair]:
    """The configured AK/SK pairs (empty: push authentication is off).

    ``app_secret`` turns authentication on; ``app_key`` (optional with one
    pair) restricts ``Access``. A second pair (``app_key_2``/``app_secret_2``)
    needs both keys so ``Access`` can choose between them.
    """
    key1, secret1 = values.get("app_key"), values.get("app_secret")
    key2, secret2 = values.get("app_key_2"), values.get("app_secret_2")
    pairs: list[KeyPair] = []
    if secret1:
        pairs.append((key1, secret1))
    elif key1:
        raise CredentialsError(vendor, "app_secret", "is required when app_key is configured")
    if secret2:
        if not key2:
            raise CredentialsError(vendor, "app_key_2", "is required when app_secret_2 is configured")
        if not (secret1 and key1):
            raise CredentialsError(
                vendor, "app_key", "is required, with app_secret, when app_key_2/app_secret_2 are configured"
            )
        pairs.append((key2, secret2))
    elif key2:
        raise CredentialsError(vendor, "app_secret_2", "is required when app_key_2 is configured")
    return pairs


def _fail(vendor: str, reason: str, credential: str = "app_secret") -> AuthenticationError:
    return AuthenticationError(vendor, credential, reason)


def verify(vendor: str, request: PushRequest, pairs: Sequence[KeyPair]) -> None:
    """Check the request's ``SDK-HMAC-SHA256`` signature against the
    configured pairs; raises :class:`AuthenticationError` on any problem."""
    header = request.headers.get("authorization")
    if not header:
        raise _fail(vendor, "Authorization header is missing")
    match = _AUTHORIZATION.fullmatch(header.strip())
    if match is None:
        raise _fail(
            vendor, "Authorization header is not SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=..."
        )
    access, signed_text, signature = match.groups()

    secret = _secret_for(vendor, access, pairs)

    sdk_date = request.headers.get("x-sdk-date", "").strip()
    if not sdk_date:
        raise _fail(vendor, "X-Sdk-Date header is missing")
    if not _DATE.fullmatch(sdk_date):
        raise _fail(vendor, "X-Sdk-Date is not yyyyMMdd'T'HHmmss'Z'")
    try:
        signed_at = datetime.strptime(sdk_date, DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise _fail(vendor, "X-Sdk-Date is not a valid time") from None
    if abs(request.received_at - signed_at) > MAX_SKEW:
        raise _fail(vendor, "X-Sdk-Date is more than 15 minutes from the receive time")

    signed = signed_text.split(";")
    lines: list[tuple[str, str]] = []
    for name in signed:
        if not name or name != name.lower():
            raise _fail(vendor, "SignedHeaders must be lower-case header names separated by ';'")
        if name not in request.headers:
            raise _fail(vendor, f"signed header {name!r} is not in the request")
        lines.append((name, request.headers[name]))

    body_hash = hashlib.sha256(request.body).hexdigest()
    declared = request.headers.get(_CONTENT_SHA256)
    if declared is not None and not secret_equals(body_hash, declared.strip().lower()):
        # The signer signs this header's value instead of the body hash; accept
        # it only where it is the body's hash (never UNSIGNED-PAYLOAD).
        raise _fail(vendor, "X-Sdk-Content-Sha256 does not match the body")

    canonical = canonical_request(request.method, request.url, lines, signed, body_hash)
    expected = sign(secret, string_to_sign(canonical, sdk_date))
    if not secret_equals(expected, signature.lower()):
        raise _fail(vendor, "signature does not match")


def _secret_for(vendor: str, access: str, pairs: Sequence[KeyPair]) -> str:
    """The secret of the pair ``Access`` names; every pair is compared so the
    time taken does not depend on which one matches."""
    chosen: str | None = None
    for key, secret in pairs:
        if key is None:
            if len(pairs) == 1:
                chosen = secret
        elif secret_equals(key, access) and chosen is None:
            chosen = secret
    if chosen is None:
        raise _fail(vendor, "Access is not a configured app key", "app_key")
    return chosen
