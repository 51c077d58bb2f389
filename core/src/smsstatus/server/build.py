"""Putting receiver, poller and tracker together from a configuration."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, cast

import attrs

from ..credentials import Credentials
from ..registry import Registry, load
from ..tracker import DEFAULT_URL, AutoTrack, Store, Tracker, open_store
from ..vendor import Capability
from .config import CallbacksConfig, ConfigError, ReceiverConfig, ServerConfig, import_callable, load_config

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from .admin import AdminAuth
    from .app import Receiver
    from .callbacks import CallbackLoop
    from .drainer import Drainer
    from .metrics import Metrics
    from .poller import Poller

__all__ = [
    "Server",
    "build_server",
    "open_configured_store",
    "database_url",
    "uvicorn_limits",
    "uvicorn_options",
]


def database_url(db: str | None, config: ServerConfig) -> str:
    """``--db``, else the config's ``database``, else SQLite in the working directory."""
    return db or config.database or DEFAULT_URL


def open_configured_store(db: str | None, config_path: str | None) -> Store:
    return open_store(database_url(db, load_config(config_path)))


@attrs.define
class Server:
    config: ServerConfig
    registry: Registry
    tracker: Tracker
    credentials: dict[str, Credentials]
    receiver: Receiver | None = None
    poller: Poller | None = None
    drainer: Drainer | None = None
    app: Starlette | None = None
    notes: list[str] = attrs.field(factory=list)
    #: The status callback delivery loop (``[callbacks]`` configured).
    callbacks: CallbackLoop | None = None
    #: ``/metrics`` and the operator's pages (an admin token configured).
    metrics: Metrics | None = None
    auth: AdminAuth | None = None

    def close(self) -> None:
        if self.poller is not None:
            self.poller.stop()
        if self.drainer is not None:
            self.drainer.stop()
        if self.callbacks is not None:
            self.callbacks.stop()
        self.tracker.store.close()


def build_server(
    *,
    db: str | None = None,
    config_path: str | None = None,
    config: ServerConfig | None = None,
    registry: Registry | None = None,
    poll: bool = True,
    app: bool = True,
    environ: Mapping[str, str] | None = None,
    poller_options: Mapping[str, Any] | None = None,
) -> Server:
    """Everything ``smsstatus serve`` runs: opens (and migrates) the store,
    reads credentials (config file, then ``SMSSTATUS_<VENDOR>_<NAME>``),
    builds the tracker, the receiver app and the poller."""
    config = config or load_config(config_path)
    registry = registry or load()
    notes = [f"plugin {f.name} not loaded: {f.error}" for f in registry.failures]
    for name in config.vendors:
        if name not in registry.vendors:
            raise ConfigError(config.source, f"vendors.{name}", "no such vendor plugin is installed")
    enabled = [v for v in registry.vendors if config.vendor(v).enabled]
    credentials = {v: config.credentials(v, registry.info(v), environ) for v in registry.vendors}
    notes += _unauthenticated_push_warnings(registry, enabled, credentials)

    polled = []
    for vendor in enabled:
        info = registry.info(vendor)
        if Capability.FETCH not in info.capabilities or info.poll is None or not config.vendor(vendor).poll:
            continue
        missing = [
            c.name
            for c in info.credentials
            if c.used_for == "fetch" and c.required and not credentials[vendor].optional(c.name)
        ]
        if missing:
            env = ", ".join(f"SMSSTATUS_{vendor.upper()}_{n.upper()}" for n in missing)
            notes.append(f"not polling {vendor}: credential {', '.join(missing)} not configured ({env})")
            continue
        polled.append(vendor)

    drained = []
    for vendor in enabled:
        info = registry.info(vendor)
        if Capability.DRAIN not in info.capabilities or not config.vendor(vendor).drain:
            continue
        missing = [
            c.name
            for c in info.credentials
            if c.used_for in ("fetch", "drain") and c.required and not credentials[vendor].optional(c.name)
        ]
        if missing:
            notes.append(f"not draining {vendor}: credential {', '.join(missing)} not configured")
            continue
        drained.append(vendor)

    listener = import_callable(config.receiver.on_change) if config.receiver.on_change else None
    auto_track = {}
    for vendor in polled:
        info = registry.info(vendor)
        setting = config.vendor(vendor).auto_track
        field = info.fetch_key if setting is None else None if setting == "off" else setting
        policy = info.poll
        if field in ("batch_id", "message_id") and policy is not None:
            auto_track[vendor] = AutoTrack(
                field=cast("Literal['batch_id', 'message_id']", field), policy=policy
            )

    admin_token = config.admin_token(environ)
    callbacks = config.callbacks_config(environ)
    outbox = None
    if callbacks is not None:
        from .callbacks import limits_of

        outbox = limits_of(callbacks)
    store = open_store(database_url(db, config))
    server = Server(
        config=config,
        registry=registry,
        tracker=Tracker(
            store,
            on_change=listener,
            auto_track=auto_track,
            dead_letter_limits=config.dead_letters,
            outbox=outbox,
        ),
        credentials=credentials,
        notes=notes,
    )
    try:
        _assemble(server, enabled, polled, drained, poll=poll, app=app, poller_options=poller_options or {})
        if app:
            _operations(server, admin_token, callbacks)
    except BaseException:
        with contextlib.suppress(Exception):
            store.close()
        raise
    return server


def uvicorn_limits(receiver: ReceiverConfig) -> dict[str, Any]:
    """The uvicorn settings that bound what slow or many connections can hold
    (``docs/tracker.md``, "Security model"): requests in flight, idle
    keep-alive time, and the size of request line plus headers."""
    return {
        "limit_concurrency": receiver.limit_concurrency,
        "timeout_keep_alive": receiver.timeout_keep_alive,
        "h11_max_incomplete_event_size": receiver.max_header_bytes,
    }


def uvicorn_options(receiver: ReceiverConfig) -> dict[str, Any]:
    """Every uvicorn setting ``smsstatus serve`` uses besides host, port and
    log level (the load benchmark serves its bare ceiling app the same way)."""
    from .protocol import http_protocol

    return {
        # httptools (with the header bound h11 has) when installed, else h11;
        # the event loop is uvloop when installed ("auto").
        "http": http_protocol(),
        # The access log would print query strings, which can carry
        # credentials (InnoPaaS's legacy GET push): the receiver logs instead.
        "access_log": False,
        # Forwarded headers are handled by the receiver (forwarded_allow_ips).
        "proxy_headers": False,
        "server_header": False,
        "lifespan": "on",
        **uvicorn_limits(receiver),
    }


def _unauthenticated_push_warnings(
    registry: Registry, enabled: list[str], credentials: Mapping[str, Credentials]
) -> list[str]:
    """One line per receiving vendor that supports webhook authentication
    (declares a push credential) but has none configured: anyone who can
    reach its route can post reports for it."""
    lines = []
    for vendor in enabled:
        info = registry.info(vendor)
        names = [c.name for c in info.credentials if c.used_for == "push"]
        if Capability.PUSH not in info.capabilities or not names:
            continue
        if any(credentials[vendor].optional(name) for name in names):
            continue
        env = ", ".join(f"SMSSTATUS_{vendor.upper().replace('-', '_')}_{n.upper()}" for n in names)
        lines.append(
            f"WARNING: {vendor} pushes are not authenticated (anyone who reaches its route can post"
            f" reports): configure {', '.join(names)} ({env})"
        )
    return lines


def _assemble(
    server: Server,
    enabled: list[str],
    polled: list[str],
    drained: list[str],
    *,
    poll: bool,
    app: bool,
    poller_options: Mapping[str, Any],
) -> None:
    config, registry = server.config, server.registry
    if poll and polled:
        from .poller import Poller, VendorPoll

        vendors = []
        for vendor in polled:
            policy = registry.info(vendor).poll
            assert policy is not None
            vendors.append(
                VendorPoll(
                    vendor=vendor,
                    policy=policy,
                    credentials=server.credentials[vendor],
                    base_url=config.vendor(vendor).base_url,
                )
            )
        options: dict[str, Any] = {
            "owner": config.poller.owner,
            "lease_seconds": config.poller.lease_seconds,
            "fetch_timeout": config.poller.fetch_timeout,
            "tick": config.poller.tick_seconds,
            **poller_options,
        }
        if config.poller.enabled:
            server.poller = Poller(registry, server.tracker, vendors, **options)
        else:
            server.notes.append("poller disabled in the config")
    if poll and drained:
        if config.poller.enabled:
            server.drainer = _drainer(server, drained)
        else:
            server.notes.append("drains disabled with the poller in the config")
    if app:
        from .app import Receiver

        server.receiver = Receiver(
            registry,
            server.tracker,
            vendors=enabled,
            credentials=server.credentials,
            config=config.receiver,
            sources={
                v: sources for v in enabled if (sources := config.vendor(v).allowed_sources) is not None
            },
        )
        # The app itself is made by _operations, which adds the operator's routes.


def _hooks(server: Server) -> list[tuple[Callable[[], None], Callable[[], None]]]:
    """What the app's lifespan starts and stops: poller, drainer, callbacks."""
    hooks: list[tuple[Callable[[], None], Callable[[], None]]] = []
    for part in (server.poller, server.drainer, server.callbacks):
        if part is not None:
            hooks.append((part.start, part.stop))
    return hooks


def _operations(server: Server, admin_token: str | None, callbacks: CallbacksConfig | None) -> None:
    """The operator's side (``docs/operations.md``): with a token, metrics
    observe every part and ``/metrics``, ``/api/stats``, ``/ui`` exist; with a
    callback URL, the delivery loop runs with the app."""
    from .app import create_app
    from .poller import default_owner

    assert server.receiver is not None
    if admin_token:
        from .admin import AdminAuth
        from .metrics import Metrics

        server.metrics = Metrics(server.registry.vendors)
        for part in (server.tracker, server.receiver, server.poller, server.drainer):
            if part is not None:
                part.observer = server.metrics
        server.auth = AdminAuth(
            admin_token, server.receiver.address, session_seconds=server.config.admin.session_hours * 3600.0
        )
    if callbacks is not None:
        from .callbacks import CallbackLoop

        server.callbacks = CallbackLoop(
            server.tracker.store,
            callbacks,
            owner=server.config.poller.owner or default_owner(),
            observer=server.metrics,
        )
    routes = []
    if server.auth is not None and server.metrics is not None:
        from .operations import operator_routes

        routes = operator_routes(server, server.auth, server.metrics)
    server.app = create_app(server.receiver, lifespan_hooks=_hooks(server), extra_routes=routes)


def _drainer(server: Server, drained: list[str]) -> Drainer:
    """The drain loop for the vendors configured with ``drain = true``
    (``docs/drain.md``): one lease per vendor account, shared by every server
    on the store."""
    from .drainer import Drainer, VendorDrain, lease_name
    from .poller import default_owner

    config, registry = server.config, server.registry
    drains = []
    for vendor in drained:
        vendor_config = config.vendor(vendor)
        base_url = vendor_config.base_url or registry.info(vendor).default_base_url
        public = [c.name for c in registry.info(vendor).credentials if not c.secret]
        drains.append(
            VendorDrain(
                vendor=vendor,
                credentials=server.credentials[vendor],
                base_url=vendor_config.base_url,
                interval=vendor_config.drain_interval,
                lease=lease_name(vendor, base_url, server.credentials[vendor], public),
            )
        )
    return Drainer(
        registry,
        server.tracker,
        drains,
        owner=config.poller.owner or default_owner(),
        lease_seconds=config.poller.lease_seconds,
        timeout=config.poller.fetch_timeout,
        tick=config.poller.tick_seconds,
    )
