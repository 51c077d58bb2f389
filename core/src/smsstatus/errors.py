"""The one error hierarchy of smsstatus.

Every error the library raises on purpose is a :class:`SmsStatusError`. Each
subclass carries structured attributes (vendor, field, HTTP status, ...) so
callers branch on data, never on message text. Messages are built from those
attributes and never contain a secret: values that could be secret are not
stored on errors at all.
"""

from __future__ import annotations

__all__ = [
    "SmsStatusError",
    "UnknownVendorError",
    "PayloadError",
    "AuthenticationError",
    "CredentialsError",
    "UnknownCredentialError",
    "VendorError",
    "NotFoundError",
    "TransportError",
    "DeadlineExceededError",
    "ResponseTooLargeError",
    "PluginError",
    "UnsupportedError",
    "NotAStatusError",
]


class SmsStatusError(Exception):
    """Base class of every error raised by smsstatus and its plugins."""

    #: Process exit code the CLI uses for this kind of error.
    exit_code: int = 1


class UnknownVendorError(SmsStatusError, LookupError):
    """No installed plugin provides the requested vendor id."""

    exit_code = 2

    def __init__(self, vendor: str, known: tuple[str, ...] = ()) -> None:
        self.vendor = vendor
        self.known = known
        hint = f" (installed: {', '.join(known)})" if known else " (no vendor plugins installed)"
        super().__init__(f"unknown vendor {vendor!r}{hint}")


class PayloadError(SmsStatusError, ValueError):
    """A vendor payload is malformed: names the vendor, the field and the reason.

    ``field`` is a JSON-path-like location (``$.Data[3].ReceiptTime``,
    ``form.status``, ``header.Content-Type``) so a reader can find the value.
    """

    exit_code = 3

    def __init__(self, vendor: str, field: str, reason: str) -> None:
        self.vendor = vendor
        self.field = field
        self.reason = reason
        super().__init__(f"{vendor}: bad payload at {field}: {reason}")


class AuthenticationError(SmsStatusError):
    """A push carried a wrong or missing webhook credential.

    The offending value is never stored or shown; only which credential failed.
    """

    exit_code = 3
    #: How many digest-like values the host removed from this error because
    #: the request did not carry them (:func:`smsstatus.scrub.without_oracles`):
    #: non-zero means the plugin's message was a signing oracle.
    withheld: int = 0

    def __init__(self, vendor: str, credential: str, reason: str) -> None:
        self.vendor = vendor
        self.credential = credential
        self.reason = reason
        super().__init__(f"{vendor}: authentication failed for {credential!r}: {reason}")


class CredentialsError(SmsStatusError):
    """A credential the operation needs was not configured."""

    exit_code = 2

    def __init__(self, vendor: str, credential: str, reason: str) -> None:
        self.vendor = vendor
        self.credential = credential
        self.reason = reason
        super().__init__(f"{vendor}: credential {credential!r} {reason}")


class UnknownCredentialError(CredentialsError):
    """A credential was given under a name the vendor does not declare.

    Never ignored: a misspelt webhook credential (``pswrd`` for ``pswd``) would
    otherwise leave push authentication silently off. ``accepted`` lists the
    names the vendor declares; the value given is never stored.
    """

    def __init__(self, vendor: str, credential: str, accepted: tuple[str, ...]) -> None:
        self.accepted = accepted
        names = ", ".join(accepted) if accepted else "none"
        super().__init__(vendor, credential, f"is not a credential of {vendor} (it accepts: {names})")


class VendorError(SmsStatusError):
    """The vendor's API answered with an error.

    ``http_status`` is the HTTP status of the answer that carried the error
    (200 for an error reported inside a successful body, as uSpeedo's
    ``RetCode``; ``None`` when no answer came), ``vendor_code`` and ``message``
    are the vendor's own code and text.
    """

    exit_code = 4

    def __init__(
        self,
        vendor: str,
        message: str,
        *,
        http_status: int | None = None,
        vendor_code: str | None = None,
    ) -> None:
        self.vendor = vendor
        self.http_status = http_status
        self.vendor_code = vendor_code
        self.message = message
        parts = [f"{vendor}: vendor error"]
        if http_status is not None:
            parts.append(f"HTTP {http_status}")
        if vendor_code is not None:
            parts.append(f"code {vendor_code}")
        super().__init__(" ".join(parts) + f": {message}")


class NotFoundError(VendorError):
    """The vendor does not know the requested message or request id."""


class TransportError(VendorError):
    """The vendor could not be reached (connection, timeout, retries exhausted),
    or its answer could not be taken within the limits."""


class DeadlineExceededError(TransportError):
    """An exchange with the vendor did not finish within its total deadline
    (``HttpLimits.timeout``: every attempt, retry wait and byte of the answer)."""

    def __init__(self, vendor: str, timeout: float) -> None:
        self.timeout = timeout
        super().__init__(
            vendor,
            f"no complete answer within the {timeout:g} s deadline (attempts, retry waits and the body included)",
        )


class ResponseTooLargeError(TransportError):
    """The vendor's answer is larger than ``HttpLimits.max_response_bytes``;
    reading stopped at the limit (or before, for a declared Content-Length)."""

    def __init__(self, vendor: str, limit: int, *, http_status: int | None = None) -> None:
        self.limit = limit
        super().__init__(vendor, f"answer larger than the {limit} byte limit", http_status=http_status)


class PluginError(SmsStatusError):
    """A plugin is broken: failed to import, registered wrongly, or misbehaved."""

    exit_code = 4

    def __init__(self, plugin: str, reason: str) -> None:
        self.plugin = plugin
        self.reason = reason
        super().__init__(f"plugin {plugin!r}: {reason}")


class UnsupportedError(SmsStatusError):
    """The vendor's plugin does not offer the requested operation (Huawei has no fetch)."""

    exit_code = 2

    def __init__(self, vendor: str, operation: str) -> None:
        self.vendor = vendor
        self.operation = operation
        super().__init__(f"vendor {vendor!r} does not support {operation}")


class NotAStatusError(SmsStatusError):
    """Vendor traffic that reached a status webhook but is no delivery status:
    an inbound message, a report that carries counts instead of events.

    Not a fault of the vendor or of the plugin, so nobody has anything to fix
    or replay: a plugin returns it as an :class:`~smsstatus.request.ItemError`
    of its ``PushResult`` (with the reply the vendor expects, so it does not
    retry), and the receiver acknowledges it without storing a dead letter.
    ``field`` says where the payload told (``$.type``), ``reason`` what it is.
    """

    exit_code = 3

    def __init__(self, vendor: str, field: str, reason: str) -> None:
        self.vendor = vendor
        self.field = field
        self.reason = reason
        super().__init__(f"{vendor}: not a delivery status ({field}): {reason}")
