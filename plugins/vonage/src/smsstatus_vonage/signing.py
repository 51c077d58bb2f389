"""Vonage's signed SMS API webhooks (the ``sig`` parameter).

Nexmo/station ``concepts/guides/signing-messages.md``: drop ``sig``, sort the
remaining parameters by key, replace every ``&`` and ``=`` in each value with
``_``, and build ``&k1=v1&k2=v2...`` (with a leading ``&``). Then, by the
signature method set in the dashboard:

* ``md5hash`` ("MD5 hash", Vonage's default): hex MD5 of the string followed by
  the signature secret;
* ``md5``, ``sha1``, ``sha256``, ``sha512`` ("... HMAC"): hex HMAC of the
  string keyed with the signature secret.

Vonage's example ``sig`` is upper-case hex, so the comparison ignores case; it
runs in constant time. The request's ``timestamp`` (Unix seconds, present
whenever signing is on) must be within :data:`MAX_AGE` of the receive time.
No error names or derives anything from the secret or the expected signature.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta

from smsstatus.plugin import AuthenticationError, CredentialsError, from_epoch_seconds, secret_equals

__all__ = ["METHODS", "DEFAULT_METHOD", "MAX_AGE", "signing_string", "sign", "verify"]

#: Dashboard method -> hashlib name. ``md5hash`` is the plain hash, the rest HMACs.
METHODS: dict[str, str] = {
    "md5hash": "md5",
    "md5": "md5",
    "sha1": "sha1",
    "sha256": "sha256",
    "sha512": "sha512",
}
DEFAULT_METHOD = "md5hash"
#: How far ``timestamp`` may be from the receive time. Vonage documents no
#: window, and resends a receipt it could not deliver (assumed with its first
#: timestamp), so the window is wide: a day.
MAX_AGE = timedelta(hours=24)

_CREDENTIAL = "signature_secret"


def signing_string(params: Mapping[str, str]) -> str:
    """``&k=v...`` over every parameter but ``sig``, sorted by key, values sanitised."""
    return "".join(
        f"&{key}={params[key].replace('&', '_').replace('=', '_')}" for key in sorted(params) if key != "sig"
    )


def sign(params: Mapping[str, str], secret: str, method: str = DEFAULT_METHOD) -> str:
    """The lower-case hex signature of ``params`` (``sig`` ignored)."""
    text = signing_string(params).encode("utf-8")
    digest = METHODS[method]
    if method == "md5hash":
        # MD5 is Vonage's protocol here, not our choice.
        return hashlib.md5(text + secret.encode("utf-8")).hexdigest()  # noqa: S324
    return hmac.new(secret.encode("utf-8"), text, digest).hexdigest()


def normalise_method(vendor: str, configured: str | None) -> str:
    method = (configured or DEFAULT_METHOD).strip().lower().replace("-", "").replace(" ", "")
    method = {"md5hmac": "md5", "sha1hmac": "sha1", "sha256hmac": "sha256", "sha512hmac": "sha512"}.get(
        method, method
    )
    if method not in METHODS:
        raise CredentialsError(
            vendor,
            "signature_method",
            f"must be one of {', '.join(METHODS)} (the dashboard's signature method)",
        )
    return method


def verify(vendor: str, params: Mapping[str, str], secret: str, method: str, received_at: datetime) -> None:
    """Raise :class:`AuthenticationError` unless ``params`` carry a valid, fresh ``sig``."""
    given = params.get("sig")
    if not given:
        raise AuthenticationError(vendor, _CREDENTIAL, "the receipt carries no sig (is signing enabled?)")
    stamp = params.get("timestamp")
    if not stamp:
        raise AuthenticationError(vendor, _CREDENTIAL, "a signed receipt must carry its timestamp")
    try:
        signed_at = from_epoch_seconds(stamp.strip())
    except ValueError:
        raise AuthenticationError(vendor, _CREDENTIAL, "timestamp is not Unix seconds") from None
    if not secret_equals(sign(params, secret, method), given.strip().lower()):
        raise AuthenticationError(vendor, _CREDENTIAL, "sig does not match")
    if abs(received_at - signed_at) > MAX_AGE:
        raise AuthenticationError(
            vendor, _CREDENTIAL, "timestamp is more than 24 hours from the receive time"
        )
