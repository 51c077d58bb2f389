"""One vendor plugin loaded on its own, and what its checks share.

A check family (one module of :mod:`smsstatus.conformance.checks`) is a
:class:`Family`: a name, and a ``plan`` function that looks at the
:class:`Context` and returns the family's items, each a function that returns
on success and raises :class:`~.outcomes.CheckFailed` or
:class:`~.outcomes.CheckSkipped` otherwise. The helpers here run a fixture
case's push or fetch the way every check does: fetch replayed offline with
the clock frozen, retries without sleeping.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs

from ..fixtures import Case, build_push_request, frozen_clock
from ..http import RetryPolicy
from ..registry import ALLOW_ENV, LoadedVendor, Registry, load
from ..replay import Exchange, ReplayTransport
from ..request import FetchResult, PushRequest, PushResult
from ..vendor import DocumentedStatus, VendorInfo
from .fixturefiles import FixtureFile
from .manifest import Manifest
from .outcomes import Options, Target
from .sandbox import Capture, NetworkGuard

__all__ = [
    "MIN_SECRET",
    "Context",
    "Family",
    "Item",
    "load_context",
    "expects_reports",
    "status_label",
    "altered",
    "push",
    "replay_fetch",
    "fetch_with",
    "secret_credentials",
    "push_request",
    "json_body",
    "plugin_files",
]

#: Credential values shorter than this are not searched for (too many false hits).
MIN_SECRET = 4


@attrs.define
class Context:
    """One vendor plugin loaded on its own, and what the checks share."""

    target: Target
    options: Options
    registry: Registry
    loaded: LoadedVendor | None
    load_problems: list[str]
    distribution: str | None = None
    version: str | None = None
    files: list[FixtureFile] = attrs.field(factory=list)
    manifest: Manifest = attrs.field(factory=lambda: Manifest(False))
    #: Every planned local id and check name (what a manifest entry may name).
    known_ids: frozenset[str] = frozenset()

    @property
    def vendor(self) -> str:
        return self.target.vendor

    @property
    def info(self) -> VendorInfo:
        assert self.loaded is not None
        return self.loaded.info

    @property
    def hooks(self) -> frozenset[str]:
        return self.loaded.hooks if self.loaded is not None else frozenset()

    @property
    def app_mode(self) -> bool:
        """Running an application's fixture files (``--fixtures``), not the plugin's."""
        return self.options.fixtures_dir is not None

    @property
    def cases(self) -> list[Case]:
        return [case for file in self.files for case in file.cases]


@attrs.frozen
class Item:
    """One planned item of a family: its subject (``None`` for a single-item
    family), the function that checks it, and a known failure it carries."""

    subject: str | None
    run: Callable[[], None]
    known_failure: str | None = None


@attrs.frozen
class Family:
    """A check: its stable name and how it plans its items for one vendor.

    ``app_mode``: it also runs on an application's fixture files
    (``--fixtures``). ``runs_fixtures``: it runs fixture cases, so selecting
    it (``--check``) also selects ``fixture-file``.
    """

    name: str
    plan: Callable[[Context], Iterable[Item]]
    app_mode: bool = False
    runs_fixtures: bool = False


def load_context(target: Target, options: Options) -> Context:
    """Load the vendor alone: only its entry point, no cross-cutting wrappers."""
    with Capture(), NetworkGuard() as guard:
        if target.plugin is None:
            registry = load(environ={ALLOW_ENV: target.vendor}, wrappers=False)
        else:
            registry = Registry()
            registry.add_vendor(target.vendor, target.plugin)
    loaded = registry.vendors.get(target.vendor)
    problems = []
    dist = version = None
    for failure in registry.failures:
        origin = f" ({failure.distribution} {failure.version})" if failure.distribution else ""
        problems.append(f"{failure.name}{origin}: {failure.error}")
        dist, version = dist or failure.distribution, version or failure.version
    if guard.attempts:
        problems.append("attempted network access while loading: " + "; ".join(guard.attempts))
    if loaded is not None:
        dist, version = loaded.distribution, loaded.version
    elif not problems:
        problems.append(f"no plugin registered under {target.vendor!r}")
    return Context(target, options, registry, loaded, problems, dist, version)


# -- small shared helpers -----------------------------------------------------------------


def plugin_files(plugin: object) -> list[Path]:
    """The plugin's own source files: its package, or its module."""
    module = plugin if isinstance(plugin, ModuleType) else inspect.getmodule(type(plugin))
    file = getattr(module, "__file__", None)
    if not file:
        return []
    path = Path(file)
    if path.name == "__init__.py":
        return sorted(p for p in path.parent.rglob("*.py") if "__pycache__" not in p.parts)
    return [path] if path.suffix == ".py" else []


def expects_reports(case: Case) -> bool:
    return "reports" in case.data["expect"]


def status_label(status: DocumentedStatus) -> str:
    return repr(status.value) if status.code is None else f"{status.value!r} code {status.code!r}"


def altered(value: str) -> str:
    """A wrong value of the same length (the last character changed)."""
    if not value:
        return "x"
    return value[:-1] + ("X" if value[-1] != "X" else "Y")


def secret_credentials(ctx: Context, values: Mapping[str, str]) -> dict[str, str]:
    """The credential values that are secret (undeclared names count as
    secret), long enough to search for."""
    declared = {spec.name: spec.secret for spec in ctx.info.credentials}
    return {k: v for k, v in values.items() if declared.get(k, True) and len(v) >= MIN_SECRET}


def _no_sleep(_seconds: float) -> None:
    return None


def push(ctx: Context, request: PushRequest, values: Mapping[str, str]) -> PushResult:
    """``parse_push`` of one request with these credential values."""
    return ctx.registry.parse_push(ctx.vendor, request, dict(values))


def push_request(case: Case) -> PushRequest:
    return build_push_request(case.data)


def fetch_with(
    ctx: Context,
    case: Case,
    transport: Any,
    *,
    ids: Sequence[str] | None = None,
    values: Mapping[str, str] | None = None,
    retry: RetryPolicy | None = None,
) -> FetchResult:
    """``fetch`` of a case's ids (or ``ids``) through ``transport``, the clock
    frozen as when fixtures are recorded, retries not sleeping."""
    creds = dict(case.data.get("credentials") or {}) if values is None else dict(values)
    with frozen_clock():
        return ctx.registry.fetch(
            ctx.vendor,
            case.data["ids"] if ids is None else ids,
            creds,
            base_url=case.data.get("base_url"),
            transport=transport,
            retry=retry,
            sleep=_no_sleep,
        )


def replay_fetch(
    ctx: Context, case: Case, exchanges: Sequence[Mapping[str, Any]] | None = None
) -> tuple[ReplayTransport, FetchResult | BaseException]:
    """Replay a fetch case (or these exchanges): the transport, and the result
    or the exception fetch raised."""
    recorded = case.data["exchanges"] if exchanges is None else exchanges
    transport = ReplayTransport([Exchange(x["request"], x["response"]) for x in recorded])
    try:
        return transport, fetch_with(ctx, case, transport)
    except Exception as exc:  # noqa: BLE001 -- the caller judges every outcome
        return transport, exc


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def json_body(request: PushRequest) -> bool:
    """Whether the body is JSON: by Content-Type, or sniffed when the type is
    neither JSON nor a form (as the fixture runner reads payloads)."""
    content_type = request.content_type
    return bool(request.body) and (
        content_type.endswith("json")
        or (content_type not in _FORM_TYPES and request.body.lstrip()[:1] in (b"{", b"["))
    )
