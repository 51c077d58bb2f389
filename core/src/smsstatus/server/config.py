"""Configuration of ``smsstatus serve`` (receiver and poller).

A TOML file (every key optional; ``docs/tracker.md`` shows a full example)::

    database = "sqlite:///smsstatus.sqlite3"

    [receiver]
    prefix = "/webhooks"                      # route: {prefix}/{vendor}
    public_base_url = "https://hooks.example.com"
    forwarded_allow_ips = ["127.0.0.1", "::1"]
    max_body_bytes = 1048576
    on_change = "myapp.sms:on_status_change"
    writers = 1                               # default: 1 on SQLite, 4 on PostgreSQL
    max_batch = 100                           # pushes per transaction (group commit)
    body_timeout = 10.0                       # seconds to send the body, else 408
    limit_concurrency = 200                   # serve: requests in flight before 503
    timeout_keep_alive = 5.0                  # serve: idle keep-alive seconds
    max_header_bytes = 16384                  # serve: request line + headers

    [poller]
    enabled = true
    tick_seconds = 1.0
    lease_seconds = 300
    fetch_timeout = 15.0

    [dead_letters]
    body_prefix_bytes = 65536                 # of a rejected push's body
    max_letters = 10000                       # per quota (authenticated / others)
    max_bytes = 67108864                      # per quota
    retention_days = 30

    [server]
    admin_token = "..."                       # /metrics, /api/stats, /ui (SMSSTATUS_ADMIN_TOKEN)
    session_hours = 12

    [callbacks]                               # every applied status change, POSTed
    url = "https://app.example.com/sms-status"
    secret = "..."                            # HMAC key (SMSSTATUS_CALLBACKS_SECRET)

    [vendors.d7]
    credentials = { api_token = "..." }
    auto_track = "batch_id"

    [vendors.africastalking]
    allowed_sources = ["192.0.2.0/24"]         # pushes from elsewhere get 403

    [vendors.infobip]
    drain = true                              # collect /sms/1/reports (off by default)
    drain_interval_seconds = 60

Credentials also come from ``SMSSTATUS_<VENDOR>_<NAME>`` environment
variables, which win over the file. Secrets never appear in reprs or errors.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal, cast

import attrs

from ..credentials import Credentials, check_names, credentials_from_env, declared_credentials
from ..errors import SmsStatusError, UnknownCredentialError
from ..tracker.records import DeadLetterLimits
from ..vendor import VendorInfo
from .sources import SourceAllowlist

__all__ = [
    "ConfigError",
    "AdminConfig",
    "CallbacksConfig",
    "ReceiverConfig",
    "PollerConfig",
    "VendorConfig",
    "ServerConfig",
    "load_config",
    "parse_config",
    "import_callable",
]


class ConfigError(SmsStatusError, ValueError):
    """The configuration is invalid: names the file, the key and the problem."""

    exit_code = 2

    def __init__(self, where: str, key: str, reason: str) -> None:
        self.where = where
        self.key = key
        self.reason = reason
        super().__init__(f"{where}: {key}: {reason}" if key else f"{where}: {reason}")


@attrs.frozen(kw_only=True)
class ReceiverConfig:
    prefix: str = "/webhooks"
    #: The URL the vendors call, up to (not including) this server's path.
    public_base_url: str | None = None
    #: Clients whose X-Forwarded-Proto/Host/For headers are trusted ("*": all).
    forwarded_allow_ips: tuple[str, ...] = ("127.0.0.1", "::1")
    max_body_bytes: int = 1024 * 1024
    #: ``module:function`` called with every applied StatusChange.
    on_change: str | None = None
    #: Writer threads storing pushes (default: 1 on SQLite, 4 on PostgreSQL).
    writers: int | None = None
    #: Most pushes stored in one transaction (group commit).
    max_batch: int = 100
    #: Seconds a sender has to deliver the whole body once the headers are in
    #: (a stalled or trickling sender gets 408 and its connection is closed).
    body_timeout: float = 10.0
    #: ``smsstatus serve`` (uvicorn): connections and requests in flight before
    #: new requests get 503; each may hold up to ``max_body_bytes``.
    limit_concurrency: int = 200
    #: ``smsstatus serve``: seconds an idle keep-alive connection stays open.
    timeout_keep_alive: float = 5.0
    #: ``smsstatus serve``: the most bytes of request line and headers (h11).
    max_header_bytes: int = 16 * 1024


@attrs.frozen(kw_only=True)
class PollerConfig:
    enabled: bool = True
    tick_seconds: float = 1.0
    lease_seconds: float = 300.0
    fetch_timeout: float = 15.0
    owner: str | None = None


@attrs.frozen(kw_only=True)
class VendorConfig:
    enabled: bool = True
    poll: bool = True
    base_url: str | None = None
    #: None: the plugin's ``VendorInfo.fetch_key``; "off": never track pushes for polling.
    auto_track: Literal["batch_id", "message_id", "off"] | None = None
    credentials: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    #: Run the vendor's consuming pull (``drain``): off unless asked for, since
    #: whatever drains an account takes its reports from every other reader.
    drain: bool = False
    drain_interval: float = 60.0
    #: Client addresses/networks the vendor's pushes may come from (None: any);
    #: every other client gets 403 (:mod:`smsstatus.server.sources`).
    allowed_sources: tuple[str, ...] | None = None


#: Environment variables that win over the file (secrets are best kept there).
ADMIN_TOKEN_ENV = "SMSSTATUS_ADMIN_TOKEN"  # noqa: S105 -- a variable name
CALLBACKS_URL_ENV = "SMSSTATUS_CALLBACKS_URL"
CALLBACKS_SECRET_ENV = "SMSSTATUS_CALLBACKS_SECRET"  # noqa: S105 -- a variable name
#: Shorter operator tokens and callback secrets are refused: they could be guessed.
MIN_SECRET_LENGTH = 16


@attrs.frozen(kw_only=True)
class AdminConfig:
    """``[server]``: the operator's token guarding ``/metrics``, ``/api/*`` and
    ``/ui`` (none: those routes do not exist)."""

    admin_token: str | None = attrs.field(default=None, repr=False)
    session_hours: float = 12.0


@attrs.frozen(kw_only=True)
class CallbacksConfig:
    """``[callbacks]``: where every applied status change is POSTed, signed
    (``docs/operations.md``, "Status callbacks")."""

    url: str
    secret: str = attrs.field(repr=False)
    #: Total seconds of one POST (connect, send, the whole answer).
    timeout: float = 10.0
    #: The most bytes of an answer read (the rest is not waited for).
    max_response_bytes: int = 64 * 1024
    #: First retry after this many seconds; doubled per attempt, with full jitter.
    backoff: float = 1.0
    max_backoff: float = 600.0
    #: A change still undelivered this long after it was queued is given up.
    give_up_after: float = 72 * 3600.0
    #: Most changes waiting; past it new changes are not queued (counted).
    max_pending: int = 100_000
    #: Changes claimed per delivery round.
    batch: int = 50


@attrs.frozen(kw_only=True)
class ServerConfig:
    source: str = "<defaults>"
    database: str | None = None
    receiver: ReceiverConfig = ReceiverConfig()
    poller: PollerConfig = PollerConfig()
    dead_letters: DeadLetterLimits = attrs.field(factory=DeadLetterLimits)
    vendors: Mapping[str, VendorConfig] = attrs.field(factory=dict)
    admin: AdminConfig = AdminConfig()
    callbacks: CallbacksConfig | None = None

    def admin_token(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The operator's token: ``SMSSTATUS_ADMIN_TOKEN``, else ``[server] admin_token``."""
        env = os.environ if environ is None else environ
        token = env.get(ADMIN_TOKEN_ENV) or self.admin.admin_token
        if token is not None and len(token) < MIN_SECRET_LENGTH:
            where = ADMIN_TOKEN_ENV if env.get(ADMIN_TOKEN_ENV) else self.source
            raise ConfigError(where, "server.admin_token", f"must be at least {MIN_SECRET_LENGTH} characters")
        return token

    def callbacks_config(self, environ: Mapping[str, str] | None = None) -> CallbacksConfig | None:
        """``[callbacks]`` with ``SMSSTATUS_CALLBACKS_URL``/``_SECRET`` applied;
        ``None`` when no URL is configured."""
        env = os.environ if environ is None else environ
        url = env.get(CALLBACKS_URL_ENV) or (self.callbacks.url if self.callbacks else None)
        secret = env.get(CALLBACKS_SECRET_ENV) or (self.callbacks.secret if self.callbacks else "")
        if not url:
            return None
        if not url.startswith(("http://", "https://")):
            raise ConfigError(self.source, "callbacks.url", "must be an http:// or https:// URL")
        if len(secret) < MIN_SECRET_LENGTH:
            raise ConfigError(
                self.source,
                "callbacks.secret",
                f"required with a callback URL, at least {MIN_SECRET_LENGTH} characters ({CALLBACKS_SECRET_ENV})",
            )
        base = self.callbacks or CallbacksConfig(url=url, secret=secret)
        return attrs.evolve(base, url=url, secret=secret)

    def vendor(self, vendor: str) -> VendorConfig:
        return self.vendors.get(vendor, VendorConfig())

    def credentials(
        self, vendor: str, info: VendorInfo, environ: Mapping[str, str] | None = None
    ) -> Credentials:
        """The vendor's credentials: the file's, overridden by environment
        variables; a name the vendor does not declare is refused."""
        values = dict(self.vendor(vendor).credentials)
        try:
            check_names(vendor, [c.name for c in info.credentials], values)
        except UnknownCredentialError as exc:
            raise ConfigError(
                self.source, f"vendors.{vendor}.credentials.{exc.credential}", exc.reason
            ) from None
        values.update(credentials_from_env(vendor, tuple(c.name for c in info.credentials), environ))
        return declared_credentials(vendor, info.credentials, values)

    def secret_values(
        self, vendor: str, info: VendorInfo, environ: Mapping[str, str] | None = None
    ) -> tuple[str, ...]:
        """Configured values of the vendor's secret credentials (for redaction);
        undeclared names count as secret."""
        creds = self.credentials(vendor, info, environ)
        public = {c.name for c in info.credentials if not c.secret}
        return tuple(v for k in creds if k not in public and (v := creds[k].reveal()))


def load_config(path: str | os.PathLike[str] | None) -> ServerConfig:
    """Read a config file; ``None`` gives the defaults (no file needed)."""
    if path is None:
        return ServerConfig()
    where = str(path)
    try:
        data = tomllib.loads(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise ConfigError(where, "", f"cannot read: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(where, "", f"not valid TOML: {exc}") from None
    return parse_config(data, where)


def parse_config(data: Mapping[str, Any], where: str = "<config>") -> ServerConfig:
    top = _Table(where, "", data)
    database = top.opt_str("database")
    receiver_t = top.table("receiver")
    prefix = receiver_t.opt_str("prefix", "/webhooks") or ""
    if prefix and (not prefix.startswith("/") or prefix.endswith("/")):
        receiver_t.fail("prefix", "must start with '/' and not end with '/' (or be empty)")
    public = receiver_t.opt_str("public_base_url")
    if public is not None:
        if not public.startswith(("http://", "https://")):
            receiver_t.fail("public_base_url", "must be an http:// or https:// URL")
        public = public.rstrip("/")
    allow = receiver_t.str_list("forwarded_allow_ips", ["127.0.0.1", "::1"])
    max_body = receiver_t.opt_int("max_body_bytes", 1024 * 1024)
    if max_body < 1:
        receiver_t.fail("max_body_bytes", "must be positive")
    on_change = receiver_t.opt_str("on_change")
    if on_change is not None and ":" not in on_change:
        receiver_t.fail("on_change", "expected 'module:function'")
    writers = receiver_t.opt_int("writers", 0) or None
    max_batch = receiver_t.opt_int("max_batch", 100)
    if (writers is not None and writers < 1) or max_batch < 1:
        receiver_t.fail("writers" if writers is not None and writers < 1 else "max_batch", "must be positive")
    body_timeout = receiver_t.positive("body_timeout", 10.0)
    limit_concurrency = int(receiver_t.positive("limit_concurrency", 200))
    timeout_keep_alive = receiver_t.positive("timeout_keep_alive", 5.0)
    max_header_bytes = int(receiver_t.positive("max_header_bytes", 16 * 1024))
    receiver_t.done()

    poller_t = top.table("poller")
    poller = PollerConfig(
        enabled=poller_t.opt_bool("enabled", True),
        tick_seconds=poller_t.positive("tick_seconds", 1.0),
        lease_seconds=poller_t.positive("lease_seconds", 300.0),
        fetch_timeout=poller_t.positive("fetch_timeout", 15.0),
        owner=poller_t.opt_str("owner"),
    )
    poller_t.done()

    limits_t = top.table("dead_letters")
    defaults = DeadLetterLimits()
    dead_letters = DeadLetterLimits(
        body_prefix_bytes=int(limits_t.positive("body_prefix_bytes", defaults.body_prefix_bytes)),
        max_letters=int(limits_t.positive("max_letters", defaults.max_letters)),
        max_bytes=int(limits_t.positive("max_bytes", defaults.max_bytes)),
        retention_days=limits_t.positive("retention_days", defaults.retention_days),
    )
    limits_t.done()

    admin_t = top.table("server")
    admin = AdminConfig(
        admin_token=admin_t.opt_str("admin_token"),
        session_hours=admin_t.positive("session_hours", 12.0),
    )
    admin_t.done()
    callbacks = _callbacks(top.table("callbacks"))

    vendors: dict[str, VendorConfig] = {}
    vendors_t = top.table("vendors")
    for name in list(vendors_t.data):
        v = vendors_t.table(name)
        creds_t = v.table("credentials")
        credentials = {}
        for key in list(creds_t.data):
            value = creds_t.data[key]
            if not isinstance(value, str):
                # Never echo the value: it may be a secret.
                creds_t.fail(key, f"must be a string, got {type(value).__name__}")
            credentials[key] = value
            creds_t.seen.add(key)
        auto = v.opt_str("auto_track")
        if auto not in (None, "batch_id", "message_id", "off"):
            v.fail("auto_track", "must be 'batch_id', 'message_id' or 'off'")
        base_url = v.opt_str("base_url")
        sources = v.str_list("allowed_sources", []) if "allowed_sources" in v.data else None
        if sources is not None:
            try:
                SourceAllowlist(sources)
            except ValueError as exc:
                v.fail("allowed_sources", str(exc))
        if base_url is not None and not base_url.startswith(("http://", "https://")):
            v.fail("base_url", "must be an http:// or https:// URL")
        vendors[name] = VendorConfig(
            enabled=v.opt_bool("enabled", True),
            poll=v.opt_bool("poll", True),
            base_url=base_url,
            auto_track=cast("Literal['batch_id', 'message_id', 'off'] | None", auto),
            credentials=credentials,
            drain=v.opt_bool("drain", False),
            drain_interval=v.positive("drain_interval_seconds", 60.0),
            allowed_sources=tuple(sources) if sources is not None else None,
        )
        v.done()
    vendors_t.done()
    top.done()
    return ServerConfig(
        source=where,
        database=database,
        receiver=ReceiverConfig(
            prefix=prefix,
            public_base_url=public,
            forwarded_allow_ips=tuple(allow),
            max_body_bytes=max_body,
            on_change=on_change,
            writers=writers,
            max_batch=max_batch,
            body_timeout=body_timeout,
            limit_concurrency=limit_concurrency,
            timeout_keep_alive=timeout_keep_alive,
            max_header_bytes=max_header_bytes,
        ),
        poller=poller,
        dead_letters=dead_letters,
        vendors=vendors,
        admin=admin,
        callbacks=callbacks,
    )


def _callbacks(table: _Table) -> CallbacksConfig | None:
    """``[callbacks]``; the URL and secret are checked when used (the
    environment may supply them)."""
    url = table.opt_str("url")
    secret = table.opt_str("secret") or ""
    d = CallbacksConfig(url="", secret="")
    config = CallbacksConfig(
        url=url or "",
        secret=secret,
        timeout=table.positive("timeout", d.timeout),
        max_response_bytes=int(table.positive("max_response_bytes", d.max_response_bytes)),
        backoff=table.positive("backoff_seconds", d.backoff),
        max_backoff=table.positive("max_backoff_seconds", d.max_backoff),
        give_up_after=table.positive("give_up_after_hours", d.give_up_after / 3600.0) * 3600.0,
        max_pending=int(table.positive("max_pending", d.max_pending)),
        batch=int(table.positive("batch", d.batch)),
    )
    table.done()
    return config if table.data else None


class _Table:
    """Typed access to one TOML table; :meth:`done` rejects unknown keys."""

    def __init__(self, where: str, path: str, data: Any) -> None:
        self.where = where
        self.path = path
        if not isinstance(data, Mapping):
            raise ConfigError(where, path, f"must be a table, got {type(data).__name__}")
        self.data: Mapping[str, Any] = data
        self.seen: set[str] = set()

    def _key(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, reason: str) -> None:
        raise ConfigError(self.where, self._key(key), reason)

    def _get(self, key: str, kinds: tuple[type, ...], what: str) -> Any:
        self.seen.add(key)
        value = self.data.get(key)
        if value is not None and (not isinstance(value, kinds) or isinstance(value, bool) != (bool in kinds)):
            self.fail(key, f"must be {what}, got {type(value).__name__}")
        return value

    def table(self, key: str) -> _Table:
        self.seen.add(key)
        return _Table(self.where, self._key(key), self.data.get(key, {}))

    def opt_str(self, key: str, default: str | None = None) -> str | None:
        value = self._get(key, (str,), "a string")
        return default if value is None else cast("str", value)

    def opt_bool(self, key: str, default: bool) -> bool:
        value = self._get(key, (bool,), "true or false")
        return default if value is None else bool(value)

    def opt_int(self, key: str, default: int) -> int:
        value = self._get(key, (int,), "an integer")
        return default if value is None else int(value)

    def positive(self, key: str, default: float) -> float:
        value = self._get(key, (int, float), "a number")
        if value is None:
            return default
        if value <= 0:
            self.fail(key, "must be positive")
        return float(value)

    def str_list(self, key: str, default: list[str]) -> list[str]:
        value = self._get(key, (list,), "a list of strings")
        if value is None:
            return default
        if not all(isinstance(v, str) for v in value):
            self.fail(key, "must be a list of strings")
        return list(value)

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.seen)
        if unknown:
            self.fail(unknown[0], "unknown key")


def import_callable(spec: str, where: str = "receiver.on_change") -> Callable[..., Any]:
    """Import ``module:attribute`` (a listener named in the config)."""
    import importlib

    module_name, _, attr = spec.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError) as exc:
        raise ConfigError("config", where, f"cannot import {spec!r}: {exc}") from None
    if not callable(target):
        raise ConfigError("config", where, f"{spec!r} is not callable")
    return cast("Callable[..., Any]", target)
