"""Twilio's webhook signature, ``X-Twilio-Signature``.

Twilio signs every webhook with the account's Auth Token (docs "Webhooks
security"; twilio/twilio-python ``twilio/request_validator.py``)::

    signature = base64(HMAC-SHA1(auth_token, URL + name1 + value1 + name2 + value2 ...))

* ``URL`` is the full URL Twilio requested: scheme, host, path and query, as
  configured (the query is not re-ordered or re-encoded);
* the POST form parameters follow, sorted by name, and a repeated name by
  value, each name and value concatenated with nothing in between (decoded,
  not URL-encoded); a GET request signs the URL alone;
* a JSON body is not covered by the parameters: Twilio adds
  ``bodySHA256=<hex SHA-256 of the body>`` to the URL and signs the URL alone,
  so the body is checked against that hash.

Twilio's own validator accepts a signature computed over the URL without its
port or with it (the default port added when the URL has none), because
Twilio's signing is inconsistent about ports; this module does the same. Every
candidate is compared in constant time and none is ever shown: an expected
signature in an error message would be an oracle.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from urllib.parse import urlsplit

from smsstatus.plugin import AuthenticationError, PushRequest, secret_equals

__all__ = ["HEADER", "BODY_HASH_PARAM", "compute", "url_variants", "verify"]

HEADER = "X-Twilio-Signature"
BODY_HASH_PARAM = "bodySHA256"
CREDENTIAL = "auth_token"

_DEFAULT_PORTS = {"https": "443", "http": "80"}


def compute(token: str, url: str, params: Sequence[tuple[str, str]]) -> str:
    """The signature Twilio sends for ``url`` and POST ``params``."""
    data = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def url_variants(url: str) -> tuple[str, ...]:
    """``url`` without its port, and with it (the scheme's default port added
    when it has none), every other character left as it is."""
    parts = urlsplit(url)
    netloc = parts.netloc
    start = url.find("//")
    if start < 0 or not netloc:
        return (url,)
    start += 2
    end = start + len(netloc)
    head, tail = url[:start], url[end:]
    host, port = _split_port(netloc)
    without = head + host + tail
    default = _DEFAULT_PORTS.get(parts.scheme.lower())
    if port is not None:
        return (without, url)
    if default is None:
        return (url,)
    return (without, head + host + ":" + default + tail)


def _split_port(netloc: str) -> tuple[str, str | None]:
    if netloc.endswith("]"):  # an IPv6 literal without a port
        return netloc, None
    host, sep, port = netloc.rpartition(":")
    if sep and port.isdigit() and host:
        return host, port
    return netloc, None


def _fail(vendor: str, reason: str) -> AuthenticationError:
    return AuthenticationError(vendor, CREDENTIAL, reason)


def verify(vendor: str, request: PushRequest, token: str, form: Sequence[tuple[str, str]] | None) -> None:
    """Check ``X-Twilio-Signature``; ``form`` holds the POST form parameters
    (``None`` when the body is not a form). Raises
    :class:`~smsstatus.AuthenticationError` on any mismatch."""
    given = request.headers.get(HEADER)
    if given is None or not given.strip():
        raise _fail(vendor, f"the {HEADER} header is missing")
    params: Sequence[tuple[str, str]] = ()
    if form is not None:
        params = form
    else:
        declared = [v for k, v in request.query_params if k == BODY_HASH_PARAM]
        if declared:
            body_hash = hashlib.sha256(request.body).hexdigest()
            if not secret_equals(body_hash, declared[0].strip().lower()):
                raise _fail(vendor, f"the body does not match the URL's {BODY_HASH_PARAM}")
        elif request.body:
            raise _fail(vendor, f"a body that is not a form must be covered by {BODY_HASH_PARAM}")
    signature = given.strip()
    matched = False
    for candidate in url_variants(request.url):
        # Every variant is computed and compared, so the time taken does not
        # say which one matched.
        matched |= secret_equals(compute(token, candidate, params), signature)
    if not matched:
        raise _fail(vendor, f"the {HEADER} header does not match the request")
