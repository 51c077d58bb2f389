"""Credentials: secrets that never show up in a repr, a log or an error.

A :class:`Secret` hides its value from ``repr``/``str``; code that needs the
value calls :meth:`Secret.reveal`. :func:`secret_equals` compares in constant
time. :class:`Credentials` is the read-only mapping a plugin receives.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence

import attrs

from .errors import AuthenticationError, CredentialsError, UnknownCredentialError

__all__ = [
    "Secret",
    "Credentials",
    "CredentialSpec",
    "secret_equals",
    "check_credential",
    "check_names",
    "declared_credentials",
    "credentials_from_env",
]

REDACTED = "***"


class Secret:
    """A secret string. ``repr`` and ``str`` never show it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return secret_equals(self._value, other._value)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(Secret)

    def __bool__(self) -> bool:
        return bool(self._value)


def secret_equals(expected: str | bytes, given: str | bytes) -> bool:
    """Compare two secrets in constant time (with respect to their content)."""
    # Imported here, not at start-up: hmac loads the OpenSSL bindings (a few
    # ms every `smsstatus` command would pay); after the first call the
    # import is a sys.modules lookup.
    import hmac

    a = expected.encode("utf-8") if isinstance(expected, str) else expected
    b = given.encode("utf-8") if isinstance(given, str) else given
    return hmac.compare_digest(a, b)


@attrs.frozen
class CredentialSpec:
    """A credential a plugin uses, declared in its metadata.

    ``used_for`` is ``"push"`` (checking webhook requests), ``"fetch"``
    (calling the vendor's API) or ``"drain"`` (collecting reports the vendor
    hands out once, where that takes credentials of its own). ``secret`` values are redacted everywhere.
    ``required`` means the operation cannot run without it; an optional push
    credential turns webhook authentication on when configured.
    """

    name: str
    used_for: str
    description: str
    secret: bool = True
    required: bool = False


#: Values shorter than this are not scrubbed from text: replacing "1" everywhere
#: would mangle every message, and no real secret is that short.
MIN_REDACTED_LENGTH = 4


class Credentials(Mapping[str, Secret]):
    """Read-only credentials of one vendor; values are :class:`Secret`.

    ``public`` names credentials that are identifiers rather than secrets
    (an account id, an access key id): they are still hidden from reprs, but
    not scrubbed from messages, where they would only garble them.
    """

    __slots__ = ("_public", "_values", "_vendor")

    def __init__(
        self,
        vendor: str,
        values: Mapping[str, str | Secret] | None = None,
        public: frozenset[str] = frozenset(),
    ) -> None:
        self._vendor = vendor
        self._public = public
        self._values: dict[str, Secret] = {
            k: v if isinstance(v, Secret) else Secret(v) for k, v in (values or {}).items()
        }

    @property
    def vendor(self) -> str:
        return self._vendor

    def __getitem__(self, name: str) -> Secret:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def require(self, name: str) -> str:
        """The revealed value, or :class:`CredentialsError` naming what is missing."""
        secret = self._values.get(name)
        if secret is None or not secret.reveal():
            raise CredentialsError(
                self._vendor,
                name,
                f"is not configured (pass it as a credential or set SMSSTATUS_{self._vendor.upper()}_{name.upper()})",
            )
        return secret.reveal()

    def optional(self, name: str) -> str | None:
        secret = self._values.get(name)
        return secret.reveal() if secret is not None and secret.reveal() else None

    def secret_values(self) -> tuple[str, ...]:
        """The values to scrub from any text: every credential not declared
        public, at least :data:`MIN_REDACTED_LENGTH` characters long."""
        return tuple(
            value
            for name, secret in self._values.items()
            if name not in self._public and len(value := secret.reveal()) >= MIN_REDACTED_LENGTH
        )

    def __repr__(self) -> str:
        return f"Credentials(vendor={self._vendor!r}, names={sorted(self._values)!r})"


def check_names(vendor: str, accepted: Sequence[str], names: Iterable[str]) -> None:
    """Raise :class:`UnknownCredentialError` for the first name not in ``accepted``.

    Every way credentials enter (library call, CLI option, config file) goes
    through this check: a name the plugin never reads is a mistake, and for a
    webhook credential a dangerous one (authentication silently off).
    """
    for name in names:
        if name not in accepted:
            raise UnknownCredentialError(vendor, name, tuple(accepted))


def declared_credentials(
    vendor: str, specs: Sequence[CredentialSpec], values: Mapping[str, str | Secret]
) -> Credentials:
    """``values`` as ``vendor``'s :class:`Credentials`, checked against the
    credentials it declares (``VendorInfo.credentials``), public ones marked."""
    check_names(vendor, [spec.name for spec in specs], values)
    return Credentials(vendor, values, frozenset(spec.name for spec in specs if not spec.secret))


def check_credential(vendor: str, name: str, expected: str | None, given: str | None) -> None:
    """Check a webhook credential a vendor sent against the configured one.

    Does nothing when no credential is configured (the vendor's push is then
    unauthenticated by the operator's choice). Raises
    :class:`AuthenticationError` when it is missing or wrong; the comparison
    runs in constant time.
    """
    if not expected:
        return
    if given is None or given == "":
        raise AuthenticationError(vendor, name, "missing")
    if not secret_equals(expected, given):
        raise AuthenticationError(vendor, name, "does not match the configured value")


def credentials_from_env(
    vendor: str, names: tuple[str, ...], environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Read ``SMSSTATUS_<VENDOR>_<NAME>`` variables for the given credential names."""
    env = os.environ if environ is None else environ
    prefix = f"SMSSTATUS_{vendor.upper().replace('-', '_')}_"
    found: dict[str, str] = {}
    for name in names:
        value = env.get(prefix + name.upper().replace("-", "_"))
        if value is not None:
            found[name] = value
    return found


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """Replace every occurrence of each secret in ``text``, in every spelling
    (:class:`smsstatus.scrub.Scrubber`)."""
    from .scrub import Scrubber

    return Scrubber(secrets).scrub(text)
