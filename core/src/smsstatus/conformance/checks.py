"""The checks, and the plan of one vendor's checks.

Each check is a function of a :class:`Context` (one vendor plugin, loaded on
its own) that returns on success and raises :class:`~.engine.CheckFailed`
(or :class:`~.engine.CheckSkipped`) otherwise. ``docs/conformance.md``
describes every check; their names are :data:`~.engine.CHECK_NAMES`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

import attrs

from .. import errors as err
from ..credentials import Credentials, CredentialSpec
from ..fixtures import Case, CaseFailure, FixtureError, build_push_request, error_type, run_case
from ..hookspecs import HOOK_NAMES
from ..model import MappedStatus, MappingKind, Status
from ..registry import ALLOW_ENV, LoadedVendor, Registry, load
from ..replay import Exchange, ReplayTransport
from ..request import Headers, PushRequest
from ..vendor import Capability, DocumentedStatus, VendorInfo
from . import MANIFEST_NAME
from .engine import Check, CheckFailed, CheckSkipped, Options, Target, VendorPlan
from .fixturefiles import FixtureFile, read_fixture_files, vendors_in
from .manifest import Manifest, read_manifest
from .sandbox import Capture, NetworkGuard

__all__ = ["Context", "plan_vendor", "altered", "without_value", "UNDOCUMENTED_STATUS"]

#: A status value no vendor documents: map_status must answer it without raising.
UNDOCUMENTED_STATUS = "smsstatus-conformance-undocumented-status"

_VENDOR_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_CREDENTIAL_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
#: Credential values shorter than this are not searched for (too many false hits).
MIN_SECRET = 4
#: Checks that cannot be declared known failures.
_NOT_DECLARABLE = frozenset({"load", "manifest"})


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
    def cases(self) -> list[Case]:
        return [case for file in self.files for case in file.cases]


def _noop_sleep(_seconds: float) -> None:
    return None


# -- loading -------------------------------------------------------------------------


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


# -- planning --------------------------------------------------------------------------


def plan_vendor(target: Target, options: Options) -> VendorPlan:
    ctx = load_context(target, options)
    vendor = target.vendor

    def check(name: str, func: Any, *args: Any, subject: str | None = None) -> Check:
        return Check(vendor, name, subject, functools.partial(func, ctx, *args))

    checks = [check("load", check_load)]
    if ctx.loaded is None:
        return VendorPlan(
            vendor,
            ctx.distribution,
            ctx.version,
            False,
            "; ".join(ctx.load_problems),
            _selected(checks, options),
        )
    info = ctx.info
    app_mode = options.fixtures_dir is not None
    if options.fixtures_dir is not None:
        names = vendors_in(options.fixtures_dir).get(vendor, [])
        ctx.files = read_fixture_files(vendor, options.fixtures_dir, info, names)
    else:
        ctx.files = read_fixture_files(vendor, info.fixtures, info)
        ctx.manifest = read_manifest(vendor, info.fixtures)
        checks += [
            check("metadata", check_metadata),
            check("hooks", check_hooks),
            check("schemas", check_schemas),
            check("manifest", check_manifest),
        ]
    checks += [check("fixture-file", check_fixture_file, f, subject=f.name) for f in ctx.files]
    case_checks = [check("case", check_case, c, subject=c.id) for c in ctx.cases]
    for item, case in zip(case_checks, ctx.cases, strict=True):
        item.known_failure = case.xfail
    checks += case_checks
    if not app_mode:
        checks += [
            check("status-map", check_status_map),
            check("capability-fixtures", check_capability_fixtures),
        ]
    checks += [
        check("replay", check_replay, c, subject=c.id)
        for c in ctx.cases
        if c.kind == "fetch" and c.data["exchanges"]
    ]
    if not app_mode:
        for spec in _push_secrets(info):
            seed = _auth_seed(ctx, spec)
            checks.append(check("auth", check_auth, spec, "wrong", seed, subject=f"wrong-{spec.name}"))
            checks.append(check("auth", check_auth, spec, "missing", seed, subject=f"missing-{spec.name}"))
        from . import robustness

        hooks = ctx.loaded.hooks if ctx.loaded else frozenset()
        if "parse_push" in hooks:
            checks.append(check("robustness", robustness.check_push, subject="push"))
        if "fetch" in hooks:
            checks.append(check("robustness", robustness.check_fetch, subject="fetch"))
        if "map_status" in hooks:
            checks.append(check("robustness", robustness.check_map, subject="map"))
    checks.append(check("secrets", check_secrets))
    if not app_mode:
        checks.append(check("core-capabilities", check_core_capabilities))
    ctx.known_ids = frozenset(c.local_id for c in checks) | frozenset(c.name for c in checks)
    if not app_mode and not ctx.manifest.problems:
        for entry in ctx.manifest.entries:
            if entry.check.split("::", 1)[0] in _NOT_DECLARABLE:
                continue
            for item in checks:
                if entry.check in (item.name, item.local_id):
                    item.known_failure = (
                        entry.reason
                        if item.known_failure is None
                        else f"{item.known_failure}; {entry.reason}"
                    )
    secrets = [s for f in ctx.files for s in f.secrets if len(s) >= MIN_SECRET]
    secrets += [altered(s) for s in secrets]
    return VendorPlan(
        vendor,
        ctx.distribution,
        ctx.version,
        True,
        "; ".join(ctx.load_problems) or None,
        _selected(checks, options),
        tuple(dict.fromkeys(secrets)),
    )


#: Checks that run fixture cases: selecting one also selects ``fixture-file``,
#: whose failures are why a file's cases do not run at all.
_RUN_FIXTURES = frozenset({"case", "replay", "auth", "robustness", "secrets"})


def _selected(checks: list[Check], options: Options) -> list[Check]:
    if options.checks is None:
        return checks
    names = set(options.checks) | {"load"}
    if names & _RUN_FIXTURES:
        names.add("fixture-file")
    return [c for c in checks if c.name in names]


# -- load, metadata, hooks, schemas, manifest ------------------------------------------------


def check_load(ctx: Context) -> None:
    if ctx.load_problems:
        raise CheckFailed("\n".join(ctx.load_problems))


def _status_label(status: DocumentedStatus) -> str:
    return repr(status.value) if status.code is None else f"{status.value!r} code {status.code!r}"


def check_metadata(ctx: Context) -> None:
    info = ctx.info
    problems: list[str] = []
    if not _VENDOR_ID.fullmatch(info.id):
        problems.append(f"id {info.id!r} is not a valid vendor id ({_VENDOR_ID.pattern})")
    if not isinstance(info.display_name, str) or not info.display_name.strip():
        problems.append("display_name is empty")
    if not all(isinstance(c, Capability) for c in info.capabilities):
        problems.append("capabilities must be smsstatus.Capability values")
    if not info.statuses:
        problems.append("statuses is empty: declare a DocumentedStatus for every status the vendor documents")
    seen: set[tuple[str, str | None]] = set()
    statuses: Sequence[Any] = info.statuses  # checked: a plugin can put anything there
    for status in statuses:
        if not isinstance(status, DocumentedStatus) or not isinstance(status.expected, MappedStatus):
            problems.append(f"statuses holds {status!r}, not a DocumentedStatus with a MappedStatus")
            continue
        if not status.value:
            problems.append("a documented status has an empty value")
        key = (status.value, status.code)
        if key in seen:
            problems.append(f"status {_status_label(status)} is documented twice")
        seen.add(key)
    for what, folder in (("schemas", info.schemas), ("fixtures", info.fixtures)):
        if folder is None:
            problems.append(f"{what} directory is not declared")
        elif not folder.is_dir():
            problems.append(f"{what} directory {folder} does not exist (is it in the wheel?)")
    used: set[tuple[str, str]] = set()
    specs: Sequence[Any] = info.credentials
    for spec in specs:
        if not isinstance(spec, CredentialSpec):
            problems.append(f"credentials holds {spec!r}, not a CredentialSpec")
            continue
        label = f"credential {spec.name!r}"
        if not _CREDENTIAL_NAME.fullmatch(spec.name or ""):
            problems.append(f"{label}: name must be an identifier (it becomes SMSSTATUS_<VENDOR>_<NAME>)")
        if not spec.description or not spec.description.strip():
            problems.append(f"{label}: description is empty")
        if spec.used_for not in ("push", "fetch"):
            problems.append(f"{label}: used_for {spec.used_for!r} is not 'push' or 'fetch'")
        elif Capability(spec.used_for) not in info.capabilities:
            problems.append(
                f"{label}: used for {spec.used_for} but the plugin does not declare {spec.used_for}"
            )
        if (spec.name, spec.used_for) in used:
            problems.append(f"{label} is declared twice for {spec.used_for}")
        used.add((spec.name, spec.used_for))
    if info.default_base_url is not None and not info.default_base_url.startswith(("https://", "http://")):
        problems.append(f"default_base_url {info.default_base_url!r} is not an http(s) URL")
    if not all(isinstance(f, str) and f for f in info.secret_fields):
        problems.append("secret_fields must be non-empty field names")
    if ctx.target.plugin is None and not ctx.distribution:
        problems.append("the entry point has no distribution metadata (name and version)")
    if problems:
        raise CheckFailed("\n".join(problems))


def check_hooks(ctx: Context) -> None:
    assert ctx.loaded is not None
    plugin = ctx.loaded.plugin
    problems: list[str] = []
    if "map_status" not in ctx.loaded.hooks:
        problems.append("does not implement map_status (every vendor maps its documented statuses)")
    for caller in ctx.registry.plugin_manager.get_hookcallers(plugin) or []:
        if caller.spec is None:
            problems.append(f"unknown hook {caller.name!r} (hooks: {', '.join(HOOK_NAMES)})")
            continue
        for impl in caller.get_hookimpls():
            if impl.plugin is not plugin:
                continue
            if impl.hookwrapper or impl.wrapper:
                problems.append(
                    f"{caller.name} is a wrapper: wrappers belong in smsstatus.plugins, not in a vendor"
                )
            if impl.kwargnames:
                problems.append(
                    f"{caller.name} gives defaults to {', '.join(impl.kwargnames)} (never passed)"
                )
            extra = sorted(set(impl.argnames) - set(caller.spec.argnames))
            if extra:
                problems.append(f"{caller.name} takes arguments the spec does not pass: {', '.join(extra)}")
    if problems:
        raise CheckFailed("\n".join(problems))


_DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def check_schemas(ctx: Context) -> None:
    import jsonschema
    import referencing.exceptions

    from ..schemas import validator_for

    info = ctx.info
    if info.schemas is None or not info.schemas.is_dir():
        raise CheckFailed("no schemas directory (see metadata)")
    files = sorted((f for f in info.schemas.iterdir() if f.name.endswith(".json")), key=lambda f: f.name)
    problems: list[str] = []
    if not files and info.capabilities:
        problems.append("no payload schemas (*.json) although the plugin takes payloads")
    for file in files:
        try:
            schema = json.loads(file.read_text("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            problems.append(f"{file.name}: not valid JSON: {exc}")
            continue
        if not isinstance(schema, dict):
            problems.append(f"{file.name}: a schema must be a JSON object")
            continue
        if schema.get("$schema", _DRAFT_2020_12).rstrip("#") != _DRAFT_2020_12:
            problems.append(f"{file.name}: $schema is {schema['$schema']!r}, not draft 2020-12")
        try:
            validator_for(schema)
        except jsonschema.exceptions.SchemaError as exc:
            problems.append(f"{file.name}: not a valid schema at {exc.json_path}: {exc.message}")
        except referencing.exceptions.Unresolvable as exc:
            problems.append(f"{file.name}: unresolvable reference: {exc}")
    if problems:
        raise CheckFailed("\n".join(problems))


def check_manifest(ctx: Context) -> None:
    manifest = ctx.manifest
    if not manifest.present:
        raise CheckSkipped(f"no {MANIFEST_NAME}: no known failures declared")
    problems = list(manifest.problems)
    for entry in manifest.entries:
        head = entry.check.split("::", 1)[0]
        if head in _NOT_DECLARABLE:
            problems.append(f"{entry.check!r}: the {head} check cannot be declared a known failure")
        elif entry.check not in ctx.known_ids:
            problems.append(f"{entry.check!r}: no such check for {ctx.vendor} (stale or misspelled)")
    if problems:
        raise CheckFailed("\n".join(problems))


# -- fixtures ------------------------------------------------------------------------------------


def check_fixture_file(ctx: Context, file: FixtureFile) -> None:
    if file.problems:
        raise CheckFailed("\n".join(file.problems))


def check_case(ctx: Context, case: Case) -> None:
    try:
        run_case(ctx.registry, case)
    except CaseFailure as exc:
        text = str(exc)
        raise CheckFailed(text.split("\n", 1)[1].strip() if "\n" in text else text) from None
    except FixtureError as exc:
        raise CheckFailed(f"bad fixture: {exc}") from None
    except err.SmsStatusError as exc:
        raise CheckFailed(f"unexpected {error_type(exc)} error: {exc}") from None


def check_status_map(ctx: Context) -> None:
    problems: list[str] = []
    for documented in ctx.info.statuses:
        label = _status_label(documented)
        want = documented.expected
        if want.mapping is MappingKind.UNMAPPED:
            problems.append(f"{label}: declared unmapped, but a documented status has a meaning")
        try:
            got = ctx.registry.map_status(ctx.vendor, documented.value, documented.code)
        except err.SmsStatusError as exc:
            problems.append(f"{label}: map_status raised {error_type(exc)}: {exc}")
            continue
        for field in ("status", "reason", "mapping"):
            have, expected = getattr(got, field), getattr(want, field)
            if have != expected:
                problems.append(f"{label}: {field} {_value(have)} != declared {_value(expected)}")
    try:
        probe = ctx.registry.map_status(ctx.vendor, UNDOCUMENTED_STATUS, None)
    except err.SmsStatusError as exc:
        problems.append(f"an undocumented value raised {error_type(exc)}: {exc} (answer unknown/unmapped)")
    else:
        if probe.mapping is MappingKind.EXACT:
            problems.append(
                "an undocumented value mapped as exact (answer unknown/unmapped or vendor_default)"
            )
        elif probe.mapping is MappingKind.UNMAPPED and probe.status is not Status.UNKNOWN:
            problems.append(f"an unmapped value gave status {probe.status.value} (unmapped means unknown)")
    if problems:
        raise CheckFailed("\n".join(problems))


def _value(value: Any) -> str:
    return repr(value.value) if hasattr(value, "value") else repr(value)


def _expects_reports(case: Case) -> bool:
    return "reports" in case.data["expect"]


def check_capability_fixtures(ctx: Context) -> None:
    problems: list[str] = []
    cases = ctx.cases
    for capability in (Capability.PUSH, Capability.FETCH):
        kind = capability.value
        declared = capability in ctx.info.capabilities
        if declared and not any(c.kind == kind and _expects_reports(c) for c in cases):
            problems.append(f"declares {kind} but no {kind} case expects reports")
        if not declared and any(c.kind == kind for c in cases):
            problems.append(f"has {kind} cases but does not declare {kind}")
    if problems:
        raise CheckFailed("\n".join(problems))


def _replay(ctx: Context, case: Case, exchanges: Sequence[Any]) -> ReplayTransport:
    transport = ReplayTransport([Exchange(x["request"], x["response"]) for x in exchanges])
    with contextlib.suppress(err.SmsStatusError):
        ctx.registry.fetch(
            ctx.vendor,
            case.data["ids"],
            Credentials(ctx.vendor, case.data.get("credentials") or {}),
            base_url=case.data.get("base_url"),
            transport=transport,
            sleep=_noop_sleep,
        )
    return transport


def check_replay(ctx: Context, case: Case) -> None:
    exchanges = case.data["exchanges"]
    full = _replay(ctx, case, exchanges)
    if full.problems or full.unused:
        raise CheckSkipped(f"the case does not replay cleanly (see case::{case.id})")
    short = _replay(ctx, case, exchanges[:-1])
    if not short.problems:
        raise CheckFailed(
            f"with the last of {len(exchanges)} recorded exchange(s) removed, fetch made no unrecorded"
            " request: some request does not go through the host's HTTP client"
        )


# -- authentication ---------------------------------------------------------------------------------


def _push_secrets(info: VendorInfo) -> list[CredentialSpec]:
    return [c for c in info.credentials if c.used_for == "push" and c.secret]


def _auth_seed(ctx: Context, spec: CredentialSpec) -> Case | None:
    for case in ctx.cases:
        creds = case.data.get("credentials") or {}
        if case.kind == "push" and not case.xfail and _expects_reports(case) and creds.get(spec.name):
            return case
    return None


def altered(value: str) -> str:
    """A wrong value of the same length (the last character changed)."""
    if not value:
        return "x"
    return value[:-1] + ("X" if value[-1] != "X" else "Y")


def _drop_json(data: Any, value: str) -> Any:
    if isinstance(data, dict):
        return {k: _drop_json(v, value) for k, v in data.items() if v != value}
    if isinstance(data, list):
        return [_drop_json(v, value) for v in data if v != value]
    if isinstance(data, str) and value in data:
        return data.replace(value, "")
    return data


def _drop_pairs(pairs: list[tuple[str, str]], value: str) -> list[tuple[str, str]]:
    return [(k, v.replace(value, "")) for k, v in pairs if v != value]


def without_value(request: PushRequest, value: str) -> PushRequest | None:
    """The request with a credential value taken out wherever it is carried
    verbatim (header, query parameter, JSON member, form field, raw body);
    ``None`` when it is not carried verbatim (a signature, say)."""
    headers = [(k, v) for k, v in request.headers.raw_items() if v != value]
    headers = [(k, v.replace(value, "")) for k, v in headers]
    url = request.url
    parts = urlsplit(url)
    if parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        kept = _drop_pairs(pairs, value)
        if kept != pairs:
            url = urlunsplit(parts._replace(query=urlencode(kept)))
    from .robustness import json_body

    body = request.body
    content_type = request.content_type
    if json_body(request):
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            data = None
        else:
            kept_json = _drop_json(data, value)
            if kept_json != data:
                body = json.dumps(kept_json, separators=(",", ":"), ensure_ascii=False).encode()
    elif body and content_type == "application/x-www-form-urlencoded":
        try:
            form = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            form = []
        kept = _drop_pairs(form, value)
        if kept != form:
            body = urlencode(kept).encode()
    if body == request.body:
        for spelling in dict.fromkeys((value, quote(value, safe=""), quote_plus(value))):
            body = body.replace(spelling.encode(), b"")
    changed = url != request.url or body != request.body or tuple(headers) != request.headers.raw_items()
    if not changed:
        return None
    return attrs.evolve(request, url=url, body=body, headers=Headers(headers))


def check_auth(ctx: Context, spec: CredentialSpec, mode: str, seed: Case | None) -> None:
    if seed is None:
        raise CheckFailed(
            f"push credential {spec.name!r} is declared but no passing push case carries it: add one"
            " (credentials and expected reports) so wrong and missing values can be derived from it"
        )
    request = build_push_request(seed.data)
    values = dict(seed.data["credentials"])
    original = values[spec.name]
    if mode == "wrong":
        values[spec.name] = altered(original)
        what = f"a wrong {spec.name!r} (configured value differs from the one the request carries)"
    else:
        stripped = without_value(request, original)
        if stripped is None:
            raise CheckSkipped(
                f"{spec.name!r} is not carried verbatim in {seed.id} (signed?): auth::wrong-{spec.name} covers it"
            )
        request = stripped
        what = f"{spec.name!r} taken out of the request"
    try:
        result = ctx.registry.parse_push(ctx.vendor, request, Credentials(ctx.vendor, values))
    except err.AuthenticationError as exc:
        text = f"{exc} {exc!r} {exc.args!r}"
        if original in text or values[spec.name] in text:
            raise CheckFailed(
                f"the authentication error shows the credential value ({spec.name!r})"
            ) from None
        return
    except err.SmsStatusError as exc:
        raise CheckFailed(
            f"push {seed.id} with {what}: expected an authentication error, got {error_type(exc)}: {exc}"
        ) from None
    raise CheckFailed(f"push {seed.id} with {what} was accepted ({len(result.reports)} report(s))")


# -- secrets -----------------------------------------------------------------------------------------


def _secret_values(ctx: Context, case: Case) -> dict[str, str]:
    """The case's credential values that are secret (undeclared names count as secret)."""
    declared = {spec.name: spec.secret for spec in ctx.info.credentials}
    creds = case.data.get("credentials") or {}
    return {k: v for k, v in creds.items() if declared.get(k, True) and len(v) >= MIN_SECRET}


def _error_texts(exc: BaseException, where: str) -> Iterator[tuple[str, str]]:
    """The error's message, repr and text attributes; for the errors chained
    to it, what a traceback shows (their message)."""
    yield where, f"{exc} {exc!r}"
    for name, value in vars(exc).items():
        if isinstance(value, str):
            yield f"{where} ({name})", value
    seen = {id(exc)}
    current = exc.__cause__ or exc.__context__
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield f"the cause of {where}", f"{type(current).__name__}: {current}"
        current = current.__cause__ or current.__context__


def _result_texts(result: Any) -> Iterator[tuple[str, str]]:
    from ..serialize import to_dict

    for i, report in enumerate(result.reports):
        try:
            yield f"report {i}", json.dumps(to_dict(report), ensure_ascii=False, default=str)
        except Exception:  # noqa: BLE001 -- an unserialisable report: search its repr instead
            yield f"report {i}", repr(report)
    yield "the result's repr", repr(result)
    reply = getattr(result, "reply", None)
    if reply is not None:
        yield "the reply", reply.body.decode("utf-8", "replace")
    for item in result.errors:
        yield from _error_texts(item.error, f"item error {item.index}/{item.key}")
        yield f"item error {item.index}/{item.key} raw", json.dumps(item.raw, ensure_ascii=False, default=str)


def _observe(ctx: Context, case: Case, variant: str) -> Iterator[tuple[str, str]]:
    """Run a case (or a variant of it) and yield every text it produced."""
    vendor = ctx.vendor
    values = dict(case.data.get("credentials") or {})
    with Capture() as capture:
        try:
            if case.kind == "push":
                request = build_push_request(case.data)
                if variant == "wrong-credentials":
                    values = {k: altered(v) for k, v in values.items()}
                elif variant == "truncated-body":
                    request = attrs.evolve(request, body=request.body[: len(request.body) // 2])
                result: Any = ctx.registry.parse_push(vendor, request, Credentials(vendor, values))
            else:
                transport = ReplayTransport(
                    [Exchange(x["request"], x["response"]) for x in case.data["exchanges"]]
                )
                result = ctx.registry.fetch(
                    vendor,
                    case.data["ids"],
                    Credentials(vendor, values),
                    base_url=case.data.get("base_url"),
                    transport=transport,
                    sleep=_noop_sleep,
                )
        except Exception as exc:  # noqa: BLE001 -- every error is searched, not judged
            texts = list(_error_texts(exc, "an error"))
        else:
            texts = list(_result_texts(result))
    yield from texts
    yield from capture.texts()


def check_secrets(ctx: Context) -> None:
    found: dict[tuple[str, str], list[str]] = {}
    ran = 0
    for case in ctx.cases:
        if case.kind not in ("push", "fetch"):
            continue
        secrets = _secret_values(ctx, case)
        if not secrets:
            continue
        variants = ["as recorded"]
        if case.kind == "push":
            variants += ["wrong-credentials", "truncated-body"]
        for variant in variants:
            ran += 1
            for where, text in _observe(ctx, case, variant):
                for name, value in secrets.items():
                    if value in text:
                        runs = found.setdefault((name, where), [])
                        run = f"{case.id} ({variant})"
                        if run not in runs:
                            runs.append(run)
    if found:
        lines = []
        for (name, where), runs in found.items():
            more = f" and {len(runs) - 1} more run(s)" if len(runs) > 1 else ""
            lines.append(f"credential {name!r} appears in {where}: {runs[0]}{more}")
        raise CheckFailed("\n".join(lines))
    if not ran:
        raise CheckSkipped("no push or fetch case carries a secret credential")


# -- strict: core capabilities ------------------------------------------------------------------------


def check_core_capabilities(ctx: Context) -> None:
    if not ctx.options.strict:
        raise CheckSkipped("runs with --strict")
    info = ctx.info
    cases = ctx.cases
    problems: list[str] = []
    if not info.capabilities & {Capability.PUSH, Capability.FETCH}:
        problems.append("declares neither push nor fetch")
    if not info.docs_url:
        problems.append("docs_url is not set")
    if Capability.FETCH in info.capabilities:
        if not info.default_base_url:
            problems.append("fetch vendor without default_base_url")
        if info.poll is None:
            problems.append("fetch vendor without a poll policy")
    if Capability.PUSH in info.capabilities and not any(
        c.kind == "push"
        and (
            c.data.get("payload_valid") is False or c.data["expect"].get("error", {}).get("type") == "payload"
        )
        for c in cases
    ):
        problems.append("no malformed-push case (payload_valid false or an expected payload error)")
    if _push_secrets(info) and not any(
        c.kind == "push" and c.data["expect"].get("error", {}).get("type") == "authentication" for c in cases
    ):
        problems.append("push credentials but no case expecting an authentication error")

    def unmapped(case: Case) -> bool:
        expect = case.data["expect"]
        if case.kind == "map":
            return bool(expect["mapping"] == "unmapped")
        return any(r.get("mapping") == "unmapped" for r in expect.get("reports", []))

    if not any(unmapped(c) for c in cases):
        problems.append("no case with an unknown vendor status (expected mapping unmapped)")
    mapped = {(c.data["status"], c.data.get("code")) for c in cases if c.kind == "map"}
    missing = [_status_label(s) for s in info.statuses if (s.value, s.code) not in mapped]
    if missing:
        problems.append(f"documented statuses without a map case: {', '.join(missing)}")
    if problems:
        raise CheckFailed("\n".join(problems))
