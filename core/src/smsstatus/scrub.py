"""One scrubber for every text that leaves the process.

A :class:`Scrubber` is built from the configured secrets and grows with what
the HTTP client records it sent (credential-bearing header values). It
replaces each of them with ``***`` in every spelling that can come back in a
vendor's echo of the request, a log line or an error:

* raw, percent-encoded (``%2F`` or ``%2f``, space as ``%20`` or ``+``),
  JSON-escaped (also with ``\\/``, as PHP writes it), HTML-escaped, hex;
* base64, standard and URL-safe, **at each of the three byte alignments**: the
  part of an encoding determined by the secret's bytes alone, so the secret is
  found inside a longer encoded value such as Basic auth's
  ``base64("<time>:<token>")`` whatever precedes it;
* each recorded header value whole, its credential after the scheme
  (``Basic``/``Bearer``...), and a Basic credential decoded.

The registry scrubs every error a hook raises and every item error it returns
with one (:meth:`Scrubber.error`), the HTTP client's logging filter uses the
one of the exchange running (:func:`active`), and the CLI scrubs its error
lines. Values shorter than :data:`~smsstatus.credentials.MIN_REDACTED_LENGTH`
are not scrubbed (replacing "1" everywhere would garble every message, and no
real secret is that short), and encoded spellings are searched for values of
:data:`~smsstatus.leaks.MIN_ENCODED` characters or more only. The spellings are
the conformance kit's (:mod:`smsstatus.leaks`): what the kit calls a leak is
exactly what the scrubber removes.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import threading
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote, unquote_plus

from .credentials import MIN_REDACTED_LENGTH, REDACTED

if TYPE_CHECKING:
    from .errors import AuthenticationError
    from .request import PushRequest

__all__ = ["Scrubber", "active", "scrubbing", "spellings", "is_credential_header", "without_oracles"]

_E = TypeVar("_E", bound=BaseException)

#: Header names whose values are credentials or digests made with one.
_CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
_CREDENTIAL_WORDS = ("auth", "token", "secret", "signature", "password", "api-key", "apikey")

#: Recorded values kept per scrubber: a client that sends a fresh
#: Authorization per request (Contacta's time-based Basic user name) must not
#: grow the pattern without bound. Past the cap, the secret's own spellings
#: (base64 at every alignment included) still catch them.
MAX_RECORDED = 64

_PERCENT = re.compile(r"%[0-9A-F]{2}")


def _literal(value: str) -> str:
    """``value`` as a pattern, its percent-escapes matched in either case
    (``%2F`` and ``%2f`` are the same byte)."""
    return _PERCENT.sub(
        lambda m: "%" + "".join(f"[{c}{c.lower()}]" if c.isalpha() else c for c in m.group()[1:]),
        re.escape(value),
    )


def is_credential_header(name: str) -> bool:
    """Whether a header's value is (or is made with) a credential."""
    lowered = name.lower()
    return lowered in _CREDENTIAL_HEADERS or any(word in lowered for word in _CREDENTIAL_WORDS)


def spellings(secret: str) -> set[str]:
    """Every spelling of ``secret`` the scrubber looks for: the ones the
    conformance kit searches leaks for (:func:`smsstatus.leaks.spellings`)."""
    from .leaks import spellings as leak_spellings  # here, not at start-up: base64 & co.

    return {needle for _, needle in leak_spellings(secret) if len(needle) >= MIN_REDACTED_LENGTH}


def _sent_forms(value: str) -> set[str]:
    """A recorded header value, its credential part, and a Basic one decoded."""
    forms = {value.strip()}
    scheme, _, credential = value.strip().partition(" ")
    credential = credential.strip()
    if credential:
        forms.add(credential)
        if scheme.lower() == "basic":
            import base64

            with contextlib.suppress(ValueError):  # binascii.Error and UnicodeDecodeError are ValueErrors
                forms.add(base64.b64decode(credential, validate=True).decode("utf-8"))
    return {f for f in forms if len(f) >= MIN_REDACTED_LENGTH}


class Scrubber:
    """Replaces secrets, in every spelling, in text and in errors.

    Safe to share between threads (a vendor's shared push client): the known
    values and their pattern are one immutable pair, replaced whole.
    """

    __slots__ = ("_lock", "_recorded", "_secrets", "_state")

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._state: tuple[frozenset[str], re.Pattern[str] | None] = (frozenset(), None)
        self._secrets: tuple[str, ...] = ()
        self._recorded = 0
        for secret in secrets:
            self.add_secret(secret)

    @property
    def secrets(self) -> tuple[str, ...]:
        """The secrets given (not the values recorded as sent)."""
        return self._secrets

    def add_secret(self, secret: str) -> None:
        if len(secret) >= MIN_REDACTED_LENGTH:
            with self._lock:
                if secret not in self._secrets:
                    self._secrets = (*self._secrets, secret)
            self._extend(spellings(secret))

    def add_sent(self, name: str, value: str) -> None:
        """Record a header value the client sent: scrubbed from then on when it
        is credential-bearing (by name) or holds a known secret."""
        if self._recorded >= MAX_RECORDED:
            return
        if is_credential_header(name) or (self and self.scrub(value) != value):
            self._recorded += 1
            forms = _sent_forms(value)
            self._extend(forms | {s for form in forms for s in spellings(form)})

    def _extend(self, values: set[str]) -> None:
        with self._lock:
            known = self._state[0]
            if not values <= known:
                self._state = (known | values, None)

    def __bool__(self) -> bool:
        return bool(self._state[0])

    def scrub(self, text: str) -> str:
        """``text`` with every known value replaced by ``***``."""
        values, pattern = self._state
        if not values:
            return text
        if pattern is None:
            ordered = sorted(values, key=lambda v: (-len(v), v))  # longest spelling first
            pattern = re.compile("|".join(map(_literal, ordered)))
            with self._lock:
                if self._state[0] is values:  # not extended meanwhile: keep the pattern
                    self._state = (values, pattern)
        return pattern.sub(REDACTED, text)

    __call__ = scrub

    def value(self, value: Any) -> Any:
        """A JSON-compatible value with every string (keys too) scrubbed."""
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, dict):
            return {self.value(k): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value

    def error(self, exc: _E) -> _E:
        """Scrub ``exc`` in place: its message (``args``) and every text
        attribute (``reason``, ``message``, ``field``, ``vendor_code``...);
        likewise the exception it was raised from."""
        if not self:
            return exc
        for error in (exc, exc.__cause__):
            if error is None:
                continue
            for name, attr in list(vars(error).items()):
                if isinstance(attr, str):
                    setattr(error, name, self.scrub(attr))
            error.args = tuple(self.scrub(a) if isinstance(a, str) else a for a in error.args)
        return exc


_ACTIVE: contextvars.ContextVar[Scrubber | None] = contextvars.ContextVar("smsstatus_scrubber", default=None)


@contextlib.contextmanager
def scrubbing(scrubber: Scrubber) -> Iterator[Scrubber]:
    """Make ``scrubber`` the one log filters use in this context (a fetch)."""
    token = _ACTIVE.set(scrubber)
    try:
        yield scrubber
    finally:
        _ACTIVE.reset(token)


def active() -> Scrubber | None:
    """The scrubber of the work running in this context, if any."""
    return _ACTIVE.get()


# -- signing oracles -------------------------------------------------------------

#: A run of base64/hex characters; '-' separates runs so that names such as
#: ``SDK-HMAC-SHA256`` stay words.
_DIGEST_LIKE = re.compile(r"[A-Za-z0-9+/_]{8,}={0,2}")
#: Shorter runs carry too few bits of a digest to help forge one.
MIN_DIGEST_CHARS = 8


def _looks_like_digest(token: str) -> bool:
    core = token.rstrip("=")
    return len(core) >= MIN_DIGEST_CHARS and any(c.isdigit() for c in core) and any(c.isalpha() for c in core)


def _evidence(request: PushRequest) -> str:
    """Everything the request carried, as text (and percent-decoded)."""
    body = request.body.decode("utf-8", "replace")
    headers = "\n".join(f"{name}: {value}" for name, value in request.headers.items())
    return "\n".join((request.url, unquote(request.url), headers, body, unquote_plus(body)))


def without_oracles(error: AuthenticationError, request: PushRequest) -> AuthenticationError:
    """Replace, in ``error``'s text, every digest-like value the request did
    not carry, in place.

    An authentication failure may say *what* failed, never what was expected:
    an expected signature or digest computed with the secret lets anyone sign
    forged pushes. The host cannot recompute every vendor's scheme, but it can
    enforce the rule's observable half: a run of at least
    :data:`MIN_DIGEST_CHARS` base64 or hex characters mixing letters and
    digits, that appears nowhere in the request, came from the plugin and is
    removed. (Quoting what the request carried, its own signature included,
    reveals nothing.) How many were removed is kept in ``error.withheld``, so
    the conformance kit still fails the plugin; each signing plugin's tests
    check its own scheme.
    """
    evidence: str | None = None
    withheld: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        nonlocal evidence
        token = match.group()
        if not _looks_like_digest(token):
            return token
        if evidence is None:
            # The names the error is about are not digests either.
            evidence = "\n".join((_evidence(request), error.vendor, error.credential))
        if token in evidence or token.rstrip("=") in evidence:
            return token
        withheld.add(token)
        return REDACTED

    for name, attr in list(vars(error).items()):
        if isinstance(attr, str):
            setattr(error, name, _DIGEST_LIKE.sub(replace, attr))
    error.args = tuple(_DIGEST_LIKE.sub(replace, a) if isinstance(a, str) else a for a in error.args)
    if withheld:  # counted, never kept: the conformance kit fails such a plugin
        error.withheld = len(withheld)
    return error
