"""The plugin host: loads vendor plugins and routes each call to one vendor.

Design points (see ``docs/architecture.md``):

* Every entry point in ``smsstatus.vendors`` is loaded on its own; a plugin that
  fails to import or registers wrongly becomes a :class:`PluginFailure` and
  never takes the others down.
* A call for vendor X goes through a caller holding only X's implementation
  plus the cross-cutting wrappers (``pm.subset_hook_caller``), built once per
  vendor and hook. Nothing relies on ``firstresult`` ordering.
* Exceptions a plugin raises that are not :class:`SmsStatusError` become
  :class:`PluginError`. Every error a hook raises or returns is scrubbed of
  the credentials' secrets in every spelling, and of what the HTTP client
  recorded sending (:mod:`smsstatus.scrub`); an :class:`AuthenticationError`
  also loses any digest the request did not carry (a signing oracle).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import pluggy

from . import apiversion, discovery, hookspecs
from .credentials import Credentials, Secret, check_names
from .errors import (
    AuthenticationError,
    PayloadError,
    PluginError,
    SmsStatusError,
    UnknownVendorError,
    UnsupportedError,
)
from .limits import DEFAULT_MAX_RESPONSE_BYTES, HttpLimits, RetryPolicy
from .model import (
    MAX_ID_LENGTH,
    MAX_PARTS,
    MappedStatus,
    ReportWarning,
    StatusReport,
    WarningCode,
    identity_problem,
)
from .request import DrainResult, FetchResult, PushRequest, PushResult
from .scrub import Scrubber, without_oracles
from .vendor import Capability, VendorInfo

if TYPE_CHECKING:
    from decimal import Decimal

    import httpx

    from .http import HttpClient

__all__ = [
    "Registry",
    "LoadedVendor",
    "PluginFailure",
    "load",
    "VENDOR_GROUP",
    "WRAPPER_GROUP",
    "PUSH_TIMEOUT",
    "PUSH_RETRY",
    "PUSH_MAX_RESPONSE_BYTES",
    "PUSH_LIMITS",
]


#: Entry point group of vendor plugins; the entry point name is the vendor id.
VENDOR_GROUP = "smsstatus.vendors"
#: Entry point group of cross-cutting plugins (wrappers that see every vendor).
WRAPPER_GROUP = "smsstatus.plugins"
#: Comma-separated allow-list of vendor ids to load (unset: all).
ALLOW_ENV = "SMSSTATUS_VENDORS"

CredentialsInput = Credentials | Mapping[str, str | Secret] | None

#: The deadline of an HTTP exchange a plugin makes while parsing a push: the
#: vendor is waiting for the answer (SNS gives up after 15 s by default).
PUSH_TIMEOUT = 10.0
#: No retries on the push path: the vendor retries the whole push.
PUSH_RETRY = RetryPolicy(attempts=1)
#: The largest answer a push-path exchange takes: what plugins fetch there
#: (a signing certificate, a key set, a subscription confirmation) is a few
#: KiB, and the receiver holds it while the vendor waits.
PUSH_MAX_RESPONSE_BYTES = 1024 * 1024
#: The bounds of every exchange a plugin makes while parsing a push (the
#: same rules as fetch's: :class:`~smsstatus.http.HttpLimits`).
PUSH_LIMITS = HttpLimits(timeout=PUSH_TIMEOUT, max_response_bytes=PUSH_MAX_RESPONSE_BYTES)


@attrs.frozen
class LoadedVendor:
    """A vendor plugin that loaded and registered cleanly."""

    id: str
    info: VendorInfo
    plugin: object = attrs.field(repr=False)
    distribution: str | None = None
    version: str | None = None
    hooks: frozenset[str] = frozenset()
    #: The plugin API version the plugin declares (``None``: it predates the
    #: declaration and is taken as :data:`~smsstatus.apiversion.UNDECLARED_VERSION`).
    plugin_api: str | None = None


@attrs.frozen
class PluginFailure:
    """A plugin that could not be used, and why."""

    name: str
    error: str
    distribution: str | None = None
    version: str | None = None


class Registry:
    """The set of loaded vendor plugins, and the library API on top of them.

    Build it with :func:`load` (entry points) or directly with plugin objects::

        registry = Registry(vendors={"acme": acme_module})

    ``push_limits`` bounds every HTTP exchange a plugin makes while parsing
    a push (its ``parse_push`` names ``client``): a total deadline and a size
    limit, as :meth:`fetch`'s ``timeout`` and ``max_response_bytes`` do.
    """

    def __init__(
        self,
        vendors: Mapping[str, object] | None = None,
        wrappers: Iterable[object] = (),
        *,
        push_limits: HttpLimits = PUSH_LIMITS,
    ) -> None:
        self._pm = pluggy.PluginManager(hookspecs.PROJECT)
        self._pm.add_hookspecs(hookspecs)
        self._vendors: dict[str, LoadedVendor] = {}
        self._failures: list[PluginFailure] = []
        self._callers: dict[tuple[str, str], Callable[..., Any]] = {}
        # parse_push's per-vendor route: (caller, takes a client, max_batch).
        self._push_routes: dict[str, tuple[Callable[..., Any], bool, int]] = {}
        self._credential_names: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {}
        self._no_credentials: dict[str, Credentials] = {}
        # parse_push's HTTP client, for the plugins that take one: whether a
        # vendor's implementation names it, and one client per such vendor.
        self._push_takes_client: dict[str, bool] = {}
        self._push_clients: dict[str, HttpClient] = {}
        self._push_transport: httpx.BaseTransport | None = None
        self._push_limits = push_limits
        self._push_lock = threading.Lock()
        for name, plugin in (vendors or {}).items():
            self.add_vendor(name, plugin)
        for wrapper in wrappers:
            self.add_wrapper(wrapper)

    # -- loading ---------------------------------------------------------

    @property
    def vendors(self) -> Mapping[str, LoadedVendor]:
        return dict(self._vendors)

    @property
    def failures(self) -> tuple[PluginFailure, ...]:
        return tuple(self._failures)

    @property
    def plugin_manager(self) -> pluggy.PluginManager:
        """The underlying pluggy manager (for tracing with ``add_hookcall_monitoring``)."""
        return self._pm

    def add_failure(self, failure: PluginFailure) -> None:
        from . import logs  # only a broken plugin logs here: kept off start-up

        logs.get().warning("plugin %s not loaded: %s", failure.name, failure.error)
        self._failures.append(failure)

    def add_vendor(
        self,
        name: str,
        plugin: object,
        *,
        distribution: str | None = None,
        version: str | None = None,
    ) -> LoadedVendor | None:
        """Register one vendor plugin under ``name``; returns ``None`` and
        records a :class:`PluginFailure` when it is broken."""
        try:
            loaded = self._register_vendor(name, plugin, distribution, version)
        except PluginError as exc:
            self.add_failure(PluginFailure(name, exc.reason, distribution, version))
            return None
        self._vendors[name] = loaded
        self._forget_callers()
        return loaded

    def _register_vendor(
        self, name: str, plugin: object, distribution: str | None, version: str | None
    ) -> LoadedVendor:
        if name in self._vendors:
            other = self._vendors[name].distribution or "another plugin"
            raise PluginError(name, f"duplicate vendor id: already provided by {other}")
        # Before pluggy sees the hooks: a plugin for another API may implement hooks or
        # return metadata this host does not know, and the version is the real reason.
        api = _plugin_api(name, plugin)
        try:
            self._pm.register(plugin, name=f"vendor:{name}")
        except ValueError as exc:  # pluggy: plugin object or name already registered
            raise PluginError(name, f"could not register: {exc}") from None
        except pluggy.PluginValidationError as exc:
            raise PluginError(name, f"hook does not match its spec: {exc}") from None
        try:
            hooks = self._validate_hooks(name, plugin)
            info = self._call_info(name, plugin)
        except PluginError:
            self._pm.unregister(plugin)
            raise
        return LoadedVendor(name, info, plugin, distribution, version, hooks, api)

    def _validate_hooks(self, name: str, plugin: object) -> frozenset[str]:
        callers = self._pm.get_hookcallers(plugin) or []
        hooks: set[str] = set()
        problems: list[str] = []
        for caller in callers:
            if caller.spec is None:
                problems.append(
                    f"unknown hook {caller.name!r} (not one of {', '.join(hookspecs.HOOK_NAMES)})"
                )
                continue
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin and impl.kwargnames:
                    problems.append(
                        f"hook {caller.name!r} gives defaults to {', '.join(impl.kwargnames)}:"
                        " pluggy never passes such arguments"
                    )
            hooks.add(caller.name)
        if not hooks and not problems:
            problems.append("registers no smsstatus hooks (are they decorated with smsstatus.hookimpl?)")
        elif "vendor_info" not in hooks and not problems:
            problems.append("does not implement the vendor_info hook")
        if problems:
            raise PluginError(name, "; ".join(problems))
        return frozenset(hooks)

    def _call_info(self, name: str, plugin: object) -> VendorInfo:
        impls = [i for i in self._pm.hook.vendor_info.get_hookimpls() if i.plugin is plugin]
        try:
            info = impls[0].function()
        except Exception as exc:  # noqa: BLE001 -- a plugin's own bug must not escape loading
            raise PluginError(name, f"vendor_info raised {type(exc).__name__}: {exc}") from None
        if not isinstance(info, VendorInfo):
            raise PluginError(name, f"vendor_info returned {type(info).__name__}, not VendorInfo")
        if info.id != name:
            raise PluginError(name, f"vendor_info id {info.id!r} differs from the entry point name {name!r}")
        if not isinstance(info.max_batch, int) or isinstance(info.max_batch, bool) or info.max_batch < 1:
            raise PluginError(name, f"max_batch {info.max_batch!r} is not a positive integer")
        if info.fetch_key not in (None, "message_id", "batch_id"):
            raise PluginError(name, f"fetch_key {info.fetch_key!r} is not 'message_id' or 'batch_id'")
        for capability, hook in (
            (Capability.PUSH, "parse_push"),
            (Capability.FETCH, "fetch"),
            (Capability.DRAIN, "drain"),
        ):
            implemented = hook in (c.name for c in self._pm.get_hookcallers(plugin) or [])
            if (capability in info.capabilities) != implemented:
                raise PluginError(
                    name,
                    f"capability {capability.value!r} declared={capability in info.capabilities}"
                    f" but hook {hook!r} implemented={implemented}",
                )
        return info

    def add_wrapper(self, plugin: object, name: str | None = None) -> None:
        """Register a cross-cutting plugin (hook wrappers that see every vendor)."""
        self._pm.register(plugin, name=f"wrapper:{name}" if name else None)
        self._forget_callers()

    def _forget_callers(self) -> None:
        self._callers.clear()
        self._push_takes_client.clear()
        self._push_routes.clear()

    # -- dispatch ----------------------------------------------------------

    def _caller(self, vendor: str, hook: str) -> Callable[..., Any]:
        key = (vendor, hook)
        caller = self._callers.get(key)
        if caller is None:
            caller = self._callers[key] = self._build_caller(vendor, hook)
        return caller

    def _build_caller(
        self, vendor: str, hook: str, names: tuple[str, ...] | None = None
    ) -> Callable[..., Any]:
        """A callable that reaches ``vendor``'s implementation of ``hook`` only,
        taking the hookspec's arguments positionally, in the spec's order
        (or only ``names`` of them, in that order: the others are ``None``).

        With cross-cutting plugins present it is pluggy's subset caller (all
        other vendors removed, wrappers kept). Without them the subset would
        hold exactly one plain implementation, so the host calls that function
        directly, with the arguments it names: the same result without
        pluggy's per-call bookkeeping or a keyword dict per call, which were
        most of the dispatch cost on the push hot path.
        """
        own = self._vendors[vendor].plugin
        vendor_plugins = {id(v.plugin) for v in self._vendors.values()}
        hook_caller = getattr(self._pm.hook, hook)
        spec_names = tuple(hook_caller.spec.argnames)
        taken = spec_names if names is None else names
        impls = hook_caller.get_hookimpls()
        mine = [i for i in impls if i.plugin is own]
        only_vendors = all(id(i.plugin) in vendor_plugins for i in impls)
        if only_vendors and len(mine) == 1 and not (mine[0].hookwrapper or mine[0].wrapper):
            return _positional(mine[0].function, taken, tuple(mine[0].argnames))
        others = [v.plugin for v in self._vendors.values() if v.plugin is not own]
        subset = self._pm.subset_hook_caller(hook, remove_plugins=others)

        def through_pluggy(*args: Any) -> Any:
            # Every spec argument named: pluggy warns about one left out.
            return subset(**{**dict.fromkeys(spec_names), **dict(zip(taken, args, strict=True))})

        return through_pluggy

    def get(self, vendor: str) -> LoadedVendor:
        try:
            return self._vendors[vendor]
        except KeyError:
            for failure in self._failures:
                if failure.name == vendor:
                    raise PluginError(vendor, f"failed to load: {failure.error}") from None
            raise UnknownVendorError(vendor, tuple(sorted(self._vendors))) from None

    def info(self, vendor: str) -> VendorInfo:
        return self.get(vendor).info

    def credentials(self, vendor: str, values: CredentialsInput) -> Credentials:
        """``values`` as :class:`Credentials`, knowing which of the vendor's
        declared credentials are public identifiers rather than secrets.

        A name the vendor does not declare raises
        :class:`~smsstatus.errors.UnknownCredentialError`, whether ``values``
        is a mapping or ready-made :class:`Credentials`.
        """
        accepted, public = self._declared(vendor)
        if isinstance(values, Credentials):
            check_names(vendor, accepted, values)
            return values
        if not values:  # the common webhook case: one shared empty instance per vendor
            empty = self._no_credentials.get(vendor)
            if empty is None:
                empty = self._no_credentials[vendor] = Credentials(vendor, None, public)
            return empty
        check_names(vendor, accepted, values)
        return Credentials(vendor, values, public)

    def _declared(self, vendor: str) -> tuple[tuple[str, ...], frozenset[str]]:
        """The vendor's credential names, and those of them that are public."""
        declared = self._credential_names.get(vendor)
        if declared is None:
            specs = self.info(vendor).credentials
            declared = self._credential_names[vendor] = (
                tuple(c.name for c in specs),
                frozenset(c.name for c in specs if not c.secret),
            )
        return declared

    def _call(
        self, vendor: str, hook: str, creds: Credentials | None, *args: Any, scrubber: Scrubber | None = None
    ) -> Any:
        """Call ``vendor``'s ``hook`` with the spec's arguments after ``vendor``,
        in order; every error it raises leaves scrubbed of the credentials'
        secrets (and, with ``scrubber``, of what the HTTP client recorded sending)."""
        caller = self._callers.get((vendor, hook))
        if caller is None:  # first call for this vendor and hook (or an error to raise)
            caller = self._supported_caller(vendor, hook)
        return self._invoke(caller, vendor, hook, creds, args, scrubber)

    def _supported_caller(self, vendor: str, hook: str) -> Callable[..., Any]:
        if hook not in self.get(vendor).hooks:
            raise UnsupportedError(vendor, hook)
        return self._caller(vendor, hook)

    @staticmethod
    def _invoke(  # noqa: PLR0917 -- private, positional like the hooks it calls
        caller: Callable[..., Any],
        vendor: str,
        hook: str,
        creds: Credentials | None,
        args: tuple[Any, ...],
        scrubber: Scrubber | None = None,
        *,
        request: PushRequest | None = None,
    ) -> Any:
        try:
            result = caller(vendor, *args)
        except Exception as exc:  # noqa: BLE001 -- a plugin's bug becomes a PluginError
            raise _translated(exc, vendor, hook, creds, scrubber, request=request) from _cause(exc)
        if result is None:
            raise PluginError(vendor, f"{hook} returned nothing")
        return result

    def parse_push(
        self,
        vendor: str,
        request: PushRequest,
        credentials: CredentialsInput = None,
        *,
        client: HttpClient | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> PushResult:
        """Normalise one webhook request from ``vendor``.

        A plugin whose ``parse_push`` takes ``client`` gets ``client`` when
        given, else a client of its own for this call over ``transport``
        (offline replay) when given, else the vendor's shared push client
        (see :meth:`use_push_transport`). The clients the registry makes obey
        its ``push_limits`` (each exchange: a total deadline, a size limit,
        no retry). Other plugins get no client, and these arguments cost them
        nothing.
        """
        route = self._push_routes.get(vendor)
        if route is None:  # first push for this vendor (or an error to raise)
            route = self._push_route(vendor)
        caller, takes_client, max_batch = route
        creds = None
        if credentials is None or (credentials.__class__ is dict and not credentials):
            creds = self._no_credentials.get(vendor)  # the webhook's usual case, once known
        if creds is None:
            creds = self.credentials(vendor, credentials)
        if not takes_client:
            try:  # _invoke, written out: this is every webhook's path
                result = caller(vendor, request, creds)
            except Exception as exc:  # noqa: BLE001 -- a plugin's bug becomes a PluginError
                raise _translated(exc, vendor, "parse_push", creds, request=request) from _cause(exc)
            if result is None:
                raise PluginError(vendor, "parse_push returned nothing")
        elif client is not None:
            result = self._invoke(
                caller, vendor, "parse_push", creds, (request, creds, client), request=request
            )
        elif transport is not None:
            with self._new_push_client(vendor, transport, creds.secret_values()) as own:
                result = self._invoke(
                    caller, vendor, "parse_push", creds, (request, creds, own), request=request
                )
        else:
            shared = self._shared_push_client(vendor)
            result = self._invoke(
                caller, vendor, "parse_push", creds, (request, creds, shared), request=request
            )
        if result.__class__ is not PushResult and not isinstance(result, PushResult):
            raise PluginError(vendor, f"parse_push returned {type(result).__name__}, not PushResult")
        reports = result.reports
        if len(reports) == 1 and max_batch > 0 and not result.errors:
            # Nearly every push: one report, no failed items. The checks below
            # asked in one pass (0.65 -> 0.52-0.57 us with a do-nothing plugin,
            # paired); a part, or a price beyond the bound, goes the whole way
            # below.
            report = reports[0]
            message_id = report.message_id
            if (
                # identity_problem's common case written out, without a call
                # (an id it takes otherwise, such as one with a no-break
                # space, is checked by the loop below)
                (
                    message_id is None
                    or (
                        0 < len(message_id) <= MAX_ID_LENGTH
                        and message_id.isprintable()
                        and not message_id.isspace()
                    )
                )
                and (report.batch_id is None or identity_problem(report.batch_id) is None)
                and (report.part_ref is None or identity_problem(report.part_ref) is None)
                and report.part is None
                and (report.price is None or _amount_in_bounds(report.price.amount))
            ):
                return result
        if result.errors:
            result = _scrub_items(result, _scrubber_of(creds), raw=False)
        if len(result.reports) + len(result.errors) > max_batch:
            _check_batch(vendor, len(result.reports) + len(result.errors), max_batch)
        priced_beyond = False
        for report in result.reports:
            # _check_reports' rules, asked here as yes/no questions (an id:
            # two C-level scans; a part: one chained comparison); it runs only
            # when one fails, to raise with the report and the reason.
            message_id, batch_id, part, part_ref = (
                report.message_id,
                report.batch_id,
                report.part,
                report.part_ref,
            )
            if (
                (message_id is not None and identity_problem(message_id) is not None)
                or (batch_id is not None and identity_problem(batch_id) is not None)
                or (part is not None and not 1 <= part.index <= part.total <= MAX_PARTS)
                or (part_ref is not None and identity_problem(part_ref) is not None)
            ):
                _check_reports(vendor, result.reports)
                break
            if report.price is not None and not _amount_in_bounds(report.price.amount):
                priced_beyond = True  # bounded after the loop: every report's ids are still checked
        return _bounded_prices(result) if priced_beyond else result

    def _push_route(self, vendor: str) -> tuple[Callable[..., Any], bool, int]:
        caller = self._supported_caller(vendor, "parse_push")
        takes_client = self._push_takes_client.get(vendor)
        if takes_client is None:
            takes_client = self._takes_client(vendor)
        if not takes_client:
            # Called as (vendor, request, credentials): most plugins' parse_push
            # takes exactly these, and is then called itself, without a
            # generated layer that drops the client every push.
            caller = self._build_caller(vendor, "parse_push", _PUSH_ARGS)
        route = self._push_routes[vendor] = (caller, takes_client, self._vendors[vendor].info.max_batch)
        return route

    def _takes_client(self, vendor: str) -> bool:
        """Whether ``vendor``'s ``parse_push`` (or a wrapper around it) names ``client``."""
        loaded = self.get(vendor)
        vendor_plugins = {id(v.plugin) for v in self._vendors.values()}
        takes = any(
            "client" in impl.argnames
            for impl in self._pm.hook.parse_push.get_hookimpls()
            if impl.plugin is loaded.plugin or id(impl.plugin) not in vendor_plugins
        )
        self._push_takes_client[vendor] = takes
        return takes

    def _new_push_client(
        self, vendor: str, transport: httpx.BaseTransport | None, secrets: Sequence[str] = ()
    ) -> HttpClient:
        from .http import HttpClient  # the client's module loads with the first client, not at start-up

        return HttpClient(
            vendor, None, limits=self._push_limits, retry=PUSH_RETRY, transport=transport, secrets=secrets
        )

    def _shared_push_client(self, vendor: str) -> HttpClient:
        client = self._push_clients.get(vendor)
        if client is None:
            with self._push_lock:
                client = self._push_clients.get(vendor)
                if client is None:
                    client = self._push_clients[vendor] = self._new_push_client(vendor, self._push_transport)
        return client

    def use_push_transport(self, transport: httpx.BaseTransport | None) -> None:
        """Send the HTTP exchanges of every later push through ``transport``
        (an offline replay: the conformance kit, tests, benchmarks); ``None``
        goes back to the network. The vendors' shared push clients are
        replaced, so whatever a plugin cached per client is dropped."""
        with self._push_lock:
            old, self._push_clients = self._push_clients, {}
            self._push_transport = transport
        for client in old.values():
            client.close()

    def close(self) -> None:
        """Close the push clients (their connections); the registry stays usable."""
        self.use_push_transport(self._push_transport)

    def fetch(
        self,
        vendor: str,
        ids: Sequence[str],
        credentials: CredentialsInput = None,
        *,
        base_url: str | None = None,
        timeout: float = 15.0,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> FetchResult:
        """Pull the status of ``ids`` from ``vendor``'s API.

        ``base_url`` overrides the plugin's default (regional nodes, loopback
        tests); ``transport`` replaces the network (offline replay).
        ``timeout`` is the total deadline of each HTTP exchange the plugin
        makes (retries, their waits and the whole answer included) and
        ``max_response_bytes`` the largest answer taken (:class:`HttpLimits`).
        """
        creds = self.credentials(vendor, credentials)
        with self._client(
            vendor, creds, base_url, timeout, max_response_bytes, retry, transport, sleep
        ) as client:
            # One scrubber for the call: the secrets, plus what the client records sending.
            result = self._call(vendor, "fetch", creds, tuple(ids), creds, client, scrubber=client.scrubber)
        if not isinstance(result, FetchResult):
            raise PluginError(vendor, f"fetch returned {type(result).__name__}, not FetchResult")
        if result.errors:
            result = _scrub_items(result, client.scrubber, raw=True)
        _check_batch(
            vendor, len(result.reports) + len(result.errors), self.info(vendor).max_batch * max(len(ids), 1)
        )
        _check_reports(vendor, result.reports)
        return _bounded_prices(result)

    def drain(
        self,
        vendor: str,
        credentials: CredentialsInput = None,
        *,
        base_url: str | None = None,
        timeout: float = 15.0,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> DrainResult:
        """Collect one batch from ``vendor``'s consuming pull (one request).

        The vendor forgets what it returned: store the batch (reports and item
        errors, which carry the raw records) before calling again, and call
        again while ``more`` is true. Options as for :meth:`fetch`.
        """
        creds = self.credentials(vendor, credentials)
        with self._client(
            vendor, creds, base_url, timeout, max_response_bytes, retry, transport, sleep
        ) as client:
            result = self._call(vendor, "drain", creds, creds, client, scrubber=client.scrubber)
        if not isinstance(result, DrainResult):
            raise PluginError(vendor, f"drain returned {type(result).__name__}, not DrainResult")
        return result

    def _client(  # noqa: PLR0917 -- the public methods' options, passed through
        self,
        vendor: str,
        creds: Credentials,
        base_url: str | None,
        timeout: float,
        max_response_bytes: int,
        retry: RetryPolicy | None,
        transport: httpx.BaseTransport | None,
        sleep: Callable[[float], None] | None,
    ) -> HttpClient:
        from .http import HttpClient  # the client's module loads with the first client, not at start-up

        return HttpClient(
            vendor,
            base_url or self.info(vendor).default_base_url,
            limits=HttpLimits(timeout=timeout, max_response_bytes=max_response_bytes),
            retry=retry,
            transport=transport,
            scrubber=Scrubber(creds.secret_values()),
            sleep=sleep or time.sleep,
        )

    def map_status(self, vendor: str, status: str, code: str | None = None) -> MappedStatus:
        """Map one vendor status (and code) to its canonical meaning."""
        result = self._call(vendor, "map_status", None, status, code)
        if not isinstance(result, MappedStatus):
            raise PluginError(vendor, f"map_status returned {type(result).__name__}, not MappedStatus")
        return result

    async def afetch(
        self,
        vendor: str,
        ids: Sequence[str],
        credentials: CredentialsInput = None,
        *,
        client: httpx.AsyncClient | None = None,
        **options: Any,
    ) -> FetchResult:
        """:meth:`fetch` for ``async def`` code: the same results, errors,
        retries, limits and offline replay, without blocking the event loop.

        ``options`` are :meth:`fetch`'s keywords (``base_url``, ``timeout``,
        ``retry``, ``transport`` for offline replay, ...), passed to it as they
        are. The HTTP requests go through ``client``, the application's
        ``httpx.AsyncClient`` (its connection pool, proxies, certificates and
        event hooks; the request itself -- URL, headers, timeouts -- is the
        plugin's); without one, a client is made for this call. The plugin's
        synchronous ``fetch`` runs in a worker thread: see :mod:`smsstatus.aio`
        for how, and what it costs.

        Cancelling the awaiting task returns at once, but the fetch is not
        interrupted: it runs on in its worker thread until it ends (each
        request bounded by its total deadline, ``timeout``), and its result is
        dropped.
        """
        from .aio import afetch

        return await afetch(self, vendor, ids, credentials, client=client, **options)


def _plugin_api(name: str, plugin: object) -> str | None:
    """The plugin API version ``plugin`` declares, or :class:`PluginError` when
    this host does not provide it."""
    try:
        declared = apiversion.declared_version(plugin)
    except Exception as exc:  # noqa: BLE001 -- a plugin object's __getattr__ may raise anything
        raise PluginError(name, f"reading {apiversion.DECLARATION} raised {type(exc).__name__}") from None
    problem = apiversion.incompatibility(declared)
    if problem is not None:
        raise PluginError(name, problem)
    return declared if isinstance(declared, str) else None


def _translated(
    exc: Exception,
    vendor: str,
    hook: str,
    creds: Credentials | None,
    scrubber: Scrubber | None = None,
    *,
    request: PushRequest | None = None,
) -> SmsStatusError:
    """What the host raises for ``exc`` raised by a plugin's ``hook``: its own
    error, or a :class:`PluginError` for anything else, scrubbed of the
    credentials' secrets (and, with ``scrubber``, of what the HTTP client
    recorded sending); a push's :class:`AuthenticationError` also loses any
    digest ``request`` did not carry (a signing oracle)."""
    scrub = scrubber or _scrubber_of(creds)
    if isinstance(exc, SmsStatusError):
        if request is not None and isinstance(exc, AuthenticationError):
            without_oracles(exc, request)
        return scrub.error(exc)
    scrub.error(exc)  # it stays chained: tracebacks show it
    return PluginError(vendor, scrub(f"{hook} raised {type(exc).__name__}: {exc}"))


def _cause(exc: Exception) -> Exception | None:
    """The ``from`` of the translated error: hide the plugin's own error's context, keep a bug's."""
    return None if isinstance(exc, SmsStatusError) else exc


#: What the push route passes to a parse_push that takes no client.
_PUSH_ARGS = ("vendor", "request", "credentials")


def _positional(
    function: Callable[..., Any], spec_names: tuple[str, ...], names: tuple[str, ...]
) -> Callable[..., Any]:
    """``function`` (a hook implementation taking ``names``, a subset of the
    spec's) as a callable taking every spec argument positionally."""
    if names == spec_names:
        return function
    if not all(name.isidentifier() for name in (*spec_names, *names)):  # pluggy checked; belt and braces
        raise PluginError("?", f"hook arguments {names!r} are not identifiers")
    # One generated lambda, as attrs generates __init__: picking the arguments
    # costs nothing per call (no keyword dict, no list).
    source = f"lambda {', '.join(spec_names)}: function({', '.join(names)})"
    call: Callable[..., Any] = eval(source, {"function": function})  # noqa: S307 -- identifiers only
    return call


def _check_batch(vendor: str, count: int, limit: int) -> None:
    """The host's own check of a plugin's declared batch bound: a plugin that
    forgot to refuse an over-long batch still never hands it on."""
    if count > limit:
        raise PayloadError(vendor, "$", f"{count} records; the vendor's batches hold at most {limit}")


def _check_reports(vendor: str, reports: Sequence[StatusReport]) -> None:
    """The host's check of what every report holds, whatever a plugin built:
    a part a concatenated SMS can have (``1 <= index <= total <= MAX_PARTS``),
    and ids (message, batch, segment) that every store can hold and query back (``identity_problem``:
    no control characters, no lone surrogates, at most 256 characters)."""
    for position, report in enumerate(reports):
        part = report.part
        if part is not None and not 1 <= part.index <= part.total <= MAX_PARTS:
            raise PayloadError(
                vendor,
                "$",
                f"report {position}: part {part.index} of {part.total} is not a part of an SMS"
                f" (at most {MAX_PARTS} parts)",
            )
        for name, value in (
            ("message_id", report.message_id),
            ("batch_id", report.batch_id),
            ("part_ref", report.part_ref),
        ):
            problem = None if value is None else identity_problem(value)
            if problem is not None:
                raise PayloadError(vendor, "$", f"report {position}: {name} {problem}")


#: The largest power of ten, either way, of a price the host hands on.
MAX_PRICE_EXPONENT = 30


def _amount_in_bounds(amount: Decimal) -> bool:
    return amount.is_finite() and abs(amount.adjusted()) <= MAX_PRICE_EXPONENT


def _bounded_prices(result: _Result) -> _Result:
    """``result`` with every price beyond 10^±30 (or not finite) made null plus
    an out-of-range warning; the vendor's value stays in ``raw``.

    A price is stored and shown as fixed-point text: "1e999999", ten bytes a
    sender wrote, would be a megabyte in the store for every report of a
    batch. The host applies the bound to every plugin's reports, lean path or
    detailed, so the two paths of a plugin still give the same result."""
    reports = result.reports
    if all(r.price is None or _amount_in_bounds(r.price.amount) for r in reports):
        return result
    bounded = tuple(
        report
        if report.price is None or _amount_in_bounds(report.price.amount)
        else attrs.evolve(
            report,
            price=None,
            warnings=(
                *report.warnings,
                ReportWarning(
                    "price",
                    WarningCode.OUT_OF_RANGE,
                    f"the amount is beyond 10^±{MAX_PRICE_EXPONENT} or not finite (kept in raw)",
                ),
            ),
        )
        for report in reports
    )
    return attrs.evolve(result, reports=bounded)


def _scrubber_of(creds: Credentials | None) -> Scrubber:
    return Scrubber(creds.secret_values() if creds else ())


_Result = TypeVar("_Result", bound=PushResult | FetchResult)


def _scrub_items(result: _Result, scrubber: Scrubber, *, raw: bool) -> _Result:
    """Item errors scrubbed in place; with ``raw`` (a fetch: the vendor's
    answer, never replayed) their raw values too. A push item's raw is what
    the vendor sent, kept for replay: the receiver redacts what it stores."""
    if not scrubber:
        return result
    items = []
    for item in result.errors:
        scrubber.error(item.error)
        items.append(attrs.evolve(item, raw=scrubber.value(item.raw)) if raw else item)
    return attrs.evolve(result, errors=tuple(items))


def _allowed(environ: Mapping[str, str]) -> frozenset[str] | None:
    raw = environ.get(ALLOW_ENV)
    if raw is None:
        return None
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


def load(
    *, environ: Mapping[str, str] | None = None, wrappers: bool = True, push_limits: HttpLimits = PUSH_LIMITS
) -> Registry:
    """Load every installed vendor plugin (and cross-cutting plugin).

    Each entry point is imported on its own; one that fails is recorded in
    :attr:`Registry.failures` with its error. ``SMSSTATUS_VENDORS=a,b`` limits
    loading to those vendor ids.
    """
    env = os.environ if environ is None else environ
    allowed = _allowed(env)
    registry = Registry(push_limits=push_limits)
    # smsstatus.discovery, not importlib.metadata: the same entry points,
    # without importing importlib.metadata (and email) at every start-up.
    for ep in sorted(discovery.entries(VENDOR_GROUP), key=lambda e: e.name):
        if allowed is not None and ep.name not in allowed:
            continue
        dist, version = ep.distribution()
        try:
            plugin = ep.load()
        except Exception as exc:  # noqa: BLE001 -- an import-time bug stays in its plugin
            registry.add_failure(
                PluginFailure(ep.name, f"import failed: {type(exc).__name__}: {exc}", dist, version)
            )
            continue
        registry.add_vendor(ep.name, plugin, distribution=dist, version=version)
    if wrappers:
        for ep in sorted(discovery.entries(WRAPPER_GROUP), key=lambda e: e.name):
            dist, version = ep.distribution()
            try:
                registry.add_wrapper(ep.load(), name=ep.name)
            except Exception as exc:  # noqa: BLE001 -- isolate plugin bugs
                registry.add_failure(
                    PluginFailure(ep.name, f"wrapper failed: {type(exc).__name__}: {exc}", dist, version)
                )
    return registry
