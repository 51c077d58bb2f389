"""Plivo's request signatures, V3 and V2.

Every request Plivo makes carries a signature with the (sub)account's Auth
Token and one with the main account's, each with a nonce:

* **V3** (``X-Plivo-Signature-V3``, ``X-Plivo-Signature-Ma-V3``,
  ``X-Plivo-Signature-V3-Nonce``; docs "Validation", which lists the message
  callback ``url`` among the signed URLs; plivo/plivo-python
  ``plivo/utils/signature_v3.py``)::

      signature = base64(HMAC-SHA256(auth_token, B + "." + nonce))

  with ``U = scheme://host[:port]/path`` and, for a GET, ``B = U + "?" +``
  every query parameter sorted by name (values of a repeated name sorted) as
  ``k=v`` joined by ``&`` (``U`` alone without parameters); for a POST,
  ``B = U + "?" + <the URL's own query, sorted, k=v&...>`` + ``"."`` when there
  are both query and body parameters + the body parameters sorted as
  ``k1v1k2v2...`` (``"?"`` is added whenever there are body parameters).
  Values are the decoded ones. The header may hold several signatures
  separated by commas (one per active Auth Token): any one matching is enough.

* **V2** (``X-Plivo-Signature-V2``, ``-Ma-V2``, ``-V2-Nonce``; docs "Signature
  Validation" of messaging; plivo-python ``validate_signature``)::

      signature = base64(HMAC-SHA256(auth_token, scheme://host[:port]/path + nonce))

  V2 covers neither the query nor the body: a captured V2 header authenticates
  any body sent to the same URL. The plugin checks V3 whenever its headers are
  present and falls back to V2 only without them, unless the operator
  configures ``signature_version = v3``.

Every comparison runs in constant time, and no expected signature appears in
any error.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlsplit

from smsstatus.plugin import AuthenticationError, CredentialsError, PushRequest, secret_equals

__all__ = ["Key", "base_url", "v3_message", "sign", "verify"]

#: (credential name, token, V3 header, V2 header): one configured token and the headers it signs.
Key = tuple[str, str, str, str]

V3_NONCE = "X-Plivo-Signature-V3-Nonce"
V2_NONCE = "X-Plivo-Signature-V2-Nonce"


def keys(auth_token: str | None, main_auth_token: str | None) -> list[Key]:
    """The configured tokens with the headers each one signs (empty: off)."""
    found: list[Key] = []
    if auth_token:
        found.append(("auth_token", auth_token, "X-Plivo-Signature-V3", "X-Plivo-Signature-V2"))
    if main_auth_token:
        found.append(
            ("main_auth_token", main_auth_token, "X-Plivo-Signature-Ma-V3", "X-Plivo-Signature-Ma-V2")
        )
    return found


def base_url(url: str) -> str:
    """``scheme://host[:port]/path``: the URL without its query (and fragment)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _sorted_query(params: Sequence[tuple[str, str]]) -> str:
    return "&".join(f"{name}={value}" for name, value in sorted(params))


def v3_message(method: str, url: str, body_params: Sequence[tuple[str, str]]) -> str:
    """The string V3 signs before ``"." + nonce`` (see the module docstring)."""
    base = base_url(url)
    query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    if method.upper() == "GET":
        text = _sorted_query([*query, *body_params])
        return f"{base}?{text}" if text else base
    query_text = _sorted_query(query)
    if not body_params:
        return f"{base}?{query_text}" if query_text else base
    joined = "".join(name + value for name, value in sorted(body_params))
    return f"{base}?{query_text}.{joined}" if query_text else f"{base}?{joined}"


def sign(token: str, message: str) -> str:
    digest = hmac.new(token.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _any_matches(expected: str, header: str) -> bool:
    matched = False
    for candidate in header.split(","):
        matched |= secret_equals(expected, candidate.strip())
    return matched


def verify(
    vendor: str,
    request: PushRequest,
    configured: Sequence[Key],
    body_params: Sequence[tuple[str, str]],
    *,
    v3_only: bool,
) -> None:
    """Check every configured token's signature; raises
    :class:`~smsstatus.AuthenticationError` on the first that fails."""
    headers = request.headers
    use_v3 = headers.get(V3_NONCE) is not None or any(headers.get(k[2]) is not None for k in configured)
    for credential, token, v3_header, v2_header in configured:
        if use_v3:
            nonce = headers.get(V3_NONCE)
            given = headers.get(v3_header)
            if not nonce or not given:
                raise AuthenticationError(vendor, credential, f"{v3_header} or {V3_NONCE} is missing")
            expected = sign(token, v3_message(request.method, request.url, body_params) + "." + nonce)
            if not _any_matches(expected, given):
                raise AuthenticationError(vendor, credential, f"{v3_header} does not match the request")
            continue
        if v3_only:
            raise AuthenticationError(vendor, credential, f"{v3_header} is missing (V3 is required)")
        nonce = headers.get(V2_NONCE)
        given = headers.get(v2_header)
        if not nonce or not given:
            raise AuthenticationError(vendor, credential, f"{v2_header} or {V2_NONCE} is missing")
        if not _any_matches(sign(token, base_url(request.url) + nonce), given):
            raise AuthenticationError(vendor, credential, f"{v2_header} does not match the request")


def version_policy(vendor: str, value: str | None) -> bool:
    """Whether V3 is required: ``signature_version`` is ``v3`` or unset (any)."""
    if value is None:
        return False
    text = value.strip().lower()
    if text == "v3":
        return True
    if text in ("", "any"):
        return False
    raise CredentialsError(vendor, "signature_version", "must be 'v3' or 'any'")
